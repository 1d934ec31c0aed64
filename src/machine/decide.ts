/** decide(state, command) -> events: every rule of a stage-gated process, pure (time, ids and roles come in). */
import { approvalOutcome } from '../actions/index.js';
import { WinpathError, type UnmetRequirement } from '../errors/index.js';
import {
  actorId, actorRoles, isOpenStage, textFor, validateFields, type Actor, type DealState, type StageDef,
} from '../model/index.js';
import type { CompiledProcess } from './compile-process.js';
import { guardEvaluator, mayAct, type DecideEnv } from './deal-context.js';
import { Draft, type Decision } from './draft.js';
import { msg } from './messages.js';
import { evaluateRequirements, unmetOf } from './requirements.js';
import { nextStage } from './stage-machine.js';

export type Command =
  | { type: 'open'; id: string; title: string; owner: string; amount?: number | null | undefined; fields?: Record<string, unknown> | undefined; actor: Actor }
  | { type: 'update'; fields?: Record<string, unknown> | undefined; title?: string | undefined; owner?: string | undefined; amount?: number | null | undefined; actor: Actor }
  | { type: 'submitDeliverable'; key: string; ref?: string | undefined; note?: string | undefined; actor: Actor }
  | { type: 'completeTask'; taskId: string; note?: string | undefined; actor: Actor }
  | { type: 'reassignTask'; taskId: string; to: string; actor: Actor }
  | { type: 'decide'; approvalId: string; decision: 'approve' | 'reject'; comment?: string | undefined; actor: Actor }
  | { type: 'advance'; to?: string | undefined; reason?: string | undefined; actor: Actor }
  | { type: 'win'; actor: Actor }
  | { type: 'lose'; reason: string; note?: string | undefined; actor: Actor }
  | { type: 'reopen'; reason?: string | undefined; actor: Actor }
  | { type: 'addNote'; text: string; actor: Actor };

export type { Decision } from './draft.js';

const invalid = (message: string, fix?: string, extra: Record<string, unknown> = {}) =>
  new WinpathError('INPUT_INVALID', message, fix === undefined ? extra : { fix, ...extra });

export function decide(p: CompiledProcess, state: DealState | null, cmd: Command, env: DecideEnv): Decision {
  if (cmd.type === 'open') return decideOpen(p, cmd, env);
  if (!state) throw new WinpathError('NOT_FOUND', 'the deal does not exist');
  const draft = new Draft(p, state, env, state.opportunity.id, actorId(cmd.actor));
  const o = state.opportunity;
  switch (cmd.type) {
    case 'update': {
      const patch: Record<string, unknown> = { ...(cmd.fields ?? {}) };
      if (cmd.amount !== undefined) {
        if (cmd.fields && 'amount' in cmd.fields && cmd.fields['amount'] !== cmd.amount) throw invalid('amount and fields.amount differ', 'give the amount once');
        patch['amount'] = cmd.amount;
      }
      const checked = validateFields(p.def.fields, patch, { requireAll: o.fields });
      if (!checked.ok) throw fieldError(checked.problems);
      const changed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(checked.value)) {
        if (JSON.stringify(o.fields[k] ?? null) !== JSON.stringify(v ?? null)) changed[k] = v;
      }
      const data: Record<string, unknown> = {};
      if (Object.keys(changed).length) data['fields'] = changed;
      if (cmd.title !== undefined && cmd.title !== o.title) data['title'] = cmd.title;
      if (cmd.owner !== undefined && cmd.owner !== o.owner) data['owner'] = cmd.owner;
      if (Object.keys(data).length) draft.emit('opportunity.updated', data);
      return draft.result();
    }
    case 'addNote':
      draft.emit('note.added', { text: cmd.text });
      return draft.result();
    case 'submitDeliverable': {
      const declared = p.def.stages.some((s) => s.requires?.deliverables?.some((d) => d.key === cmd.key));
      if (!declared) {
        const keys = p.def.stages.flatMap((s) => s.requires?.deliverables?.map((d) => d.key) ?? []);
        throw invalid(`no stage of template "${p.def.id}" declares the deliverable "${cmd.key}"`, `use one of: ${keys.join(', ')}`, { path: ['key'] });
      }
      assertOpen(o.status, env.lang);
      const data: Record<string, unknown> = { key: cmd.key, ref: cmd.ref ?? null };
      if (cmd.note !== undefined) data['note'] = cmd.note;
      draft.emit('deliverable.submitted', data);
      return draft.result();
    }
    case 'completeTask':
    case 'reassignTask': {
      const task = state.tasks.find((t) => t.id === cmd.taskId);
      if (!task) throw new WinpathError('NOT_FOUND', `no task "${cmd.taskId}"`);
      if (task.status !== 'open') throw invalid(`task "${task.id}" is ${task.status}`, 'only open tasks can be completed or reassigned');
      const id = actorId(cmd.actor);
      const allowed = id === task.assignee || id === o.owner || mayAct(p.def.permissions?.completeTask ?? [], cmd.actor, o, env)
        // `owner` is the deal's owner, never a role an actor can claim
        || (task.role !== null && task.role !== 'owner' && (actorRoles(cmd.actor).includes(task.role) || (task.assignee === null && env.resolveRole(task.role, o).includes(id))));
      if (!allowed) {
        throw new WinpathError('FORBIDDEN', `${id} may not ${cmd.type === 'completeTask' ? 'complete' : 'reassign'} task "${task.title}": it is assigned to ${task.assignee ?? task.role ?? 'no one'}`, {
          fix: 'act as the assignee or the deal owner, or add the role to permissions.completeTask',
        });
      }
      if (cmd.type === 'completeTask') draft.emit('task.completed', cmd.note === undefined ? { taskId: task.id } : { taskId: task.id, note: cmd.note });
      else if (cmd.to !== task.assignee) draft.emit('task.reassigned', { taskId: task.id, from: task.assignee, to: cmd.to });
      return draft.result();
    }
    case 'decide':
      return decideApproval(p, draft, state, cmd, env);
    case 'advance':
    case 'win':
      return decideMove(p, draft, state, cmd.type === 'win' ? { type: 'advance', to: p.wonStage.key, actor: cmd.actor, win: true } : { ...cmd, win: false }, env);
    case 'lose': {
      assertOpen(o.status, env.lang);
      const stage = p.stage(o.stage)!;
      if (!mayAct(stage.permissions?.lose ?? p.def.permissions?.lose ?? stage.permissions?.advance ?? p.def.permissions?.advance, cmd.actor, o, env)) {
        throw forbidden(cmd.actor, 'lose', stage, env.lang);
      }
      if (!p.def.lossReasons.includes(cmd.reason)) {
        throw invalid(`loss reason "${cmd.reason}" is not one of the template's lossReasons`, `use one of: ${p.def.lossReasons.join(', ')}`, { path: ['reason'] });
      }
      const to = nextStage(p.machine, o.stage, { type: 'lose' })!;
      draft.exit(to, 'lost');
      draft.enter(p.stage(to)!, o.stage);
      const data: Record<string, unknown> = { reason: cmd.reason, from: o.stage, amount: o.amount };
      if (cmd.note !== undefined) data['note'] = cmd.note;
      draft.emit('opportunity.lost', data);
      return draft.result();
    }
    case 'reopen': {
      if (o.status !== 'lost') throw invalid(`only a lost deal can be reopened; this one is ${o.status}`);
      if (!mayAct(p.def.permissions?.reopen, cmd.actor, o, env)) throw forbidden(cmd.actor, 'reopen', p.stage(o.stage)!, env.lang);
      const target = state.lostFrom && nextStage(p.machine, o.stage, { type: `reopen.${state.lostFrom}` });
      if (!target) throw invalid(`the stage this deal was lost from ("${state.lostFrom}") is not in the template`);
      draft.emit('opportunity.reopened', cmd.reason === undefined ? { stage: target } : { stage: target, reason: cmd.reason });
      draft.exit(target, 'reopen');
      draft.enter(p.stage(target)!, o.stage);
      return draft.result();
    }
  }
}

function decideOpen(p: CompiledProcess, cmd: Extract<Command, { type: 'open' }>, env: DecideEnv): Decision {
  const fields: Record<string, unknown> = { ...(cmd.fields ?? {}) };
  if (cmd.amount !== undefined) {
    if ('amount' in fields && fields['amount'] !== cmd.amount) throw invalid('amount and fields.amount differ', 'give the amount once');
    fields['amount'] = cmd.amount;
  }
  const checked = validateFields(p.def.fields, fields, { requireAll: {} });
  if (!checked.ok) throw fieldError(checked.problems);
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(checked.value)) if (v !== null) clean[k] = v;
  const draft = new Draft(p, null, env, cmd.id, actorId(cmd.actor));
  draft.emit('opportunity.opened', { template: p.def.id, templateVersion: p.def.version, title: cmd.title, owner: cmd.owner, fields: clean });
  draft.enter(p.firstStage, null);
  return draft.result();
}

type MoveCommand = { type: 'advance'; to?: string | undefined; reason?: string | undefined; actor: Actor; win: boolean };

function decideMove(p: CompiledProcess, draft: Draft, state: DealState, cmd: MoveCommand, env: DecideEnv): Decision {
  const o = state.opportunity;
  assertOpen(o.status, env.lang);
  const here = p.stage(o.stage)!;
  if (!mayAct(here.permissions?.advance ?? p.def.permissions?.advance, cmd.actor, o, env)) throw forbidden(cmd.actor, cmd.win ? 'win' : 'advance', here, env.lang);
  const lang = env.lang;
  let target: string | undefined;
  if (cmd.to !== undefined) {
    const to = p.stage(cmd.to);
    if (!to) throw invalid(`stage "${cmd.to}" is not in template "${p.def.id}"`, `use one of: ${p.def.stages.map((s) => s.key).join(', ')}`, { path: ['to'] });
    if (to.outcome === 'lost') throw invalid('a deal is lost with lose(), which needs a reason', `call lose(id, { reason, actor }) with one of: ${p.def.lossReasons.join(', ')}`, { path: ['to'] });
    if (to.key === here.key) throw invalid(`the deal is already in stage "${here.key}"`, undefined, { path: ['to'] });
    const forward = p.transitionsFrom(here.key).some((t) => t.to === to.key);
    if (!forward) {
      const earlier = isOpenStage(to) && p.stageIndex(to.key) < p.stageIndex(here.key);
      if (!earlier) {
        const targets = p.transitionsFrom(here.key).map((t) => t.to);
        throw invalid(`no transition from "${here.key}" to "${to.key}"`, `from "${here.key}" the deal may go to: ${targets.join(', ')}, or back to an earlier stage with a reason`, { path: ['to'] });
      }
      if (here.allowBack === false) throw new WinpathError('GUARD_FAILED', msg('backForbidden', lang, textFor(here.name, lang)), { unmet: [{ kind: 'transition', key: `${here.key}->${to.key}`, message: msg('backForbidden', lang, textFor(here.name, lang)) }] });
      if (!cmd.reason) throw invalid(msg('backNeedsReason', lang, textFor(to.name, lang)), 'pass { reason }', { path: ['reason'] });
      const back = nextStage(p.machine, here.key, { type: `back.${to.key}` });
      if (back !== to.key) throw invalid(`no way back from "${here.key}" to "${to.key}"`);
      draft.exit(to.key, 'back', cmd.reason);
      draft.enter(to, here.key);
      return draft.result();
    }
    target = to.key;
  }
  // forward: requirements of this stage, then the transition's own condition (first match wins)
  const unmet: UnmetRequirement[] = unmetOf(evaluateRequirements(p, state, env));
  const ev = guardEvaluator(p, state, env);
  const failures: string[] = [];
  const holds = (source: string): boolean => {
    const r = ev.guard(source);
    if (!r.met) failures.push(r.reason);
    return r.met;
  };
  const next = nextStage(p.machine, here.key, target === undefined ? { type: 'advance', holds } : { type: `goto.${target}`, holds });
  if (!next) {
    const to = target ?? p.transitionsFrom(here.key).map((t) => t.to).join('|');
    const message = target === undefined
      ? `${msg('noTransition', lang, textFor(here.name, lang))}: ${failures.join('; ')}`
      : msg('transitionFailed', lang, textFor(p.stage(target)!.name, lang), failures.join('; '));
    unmet.push({ kind: 'transition', key: `${here.key}->${to}`, message });
  }
  if (unmet.length > 0) {
    const head = unmet.map((u) => u.message).join('; ');
    throw new WinpathError('GUARD_FAILED', `"${o.title}" cannot leave stage "${here.key}": ${head}`, { unmet, stage: here.key });
  }
  const to = p.stage(next!)!;
  draft.exit(to.key, to.outcome === 'won' ? 'won' : 'forward');
  draft.enter(to, here.key);
  if (to.outcome === 'won') {
    const s = draft.s.opportunity;
    draft.emit('opportunity.won', {
      from: here.key, amount: s.amount, currency: p.def.currency ?? null, title: s.title, owner: s.owner,
      template: p.def.id, templateVersion: p.def.version, fields: { ...s.fields }, openedAt: s.openedAt,
    });
  }
  return draft.result();
}

function decideApproval(p: CompiledProcess, draft: Draft, state: DealState, cmd: Extract<Command, { type: 'decide' }>, env: DecideEnv): Decision {
  const a = state.approvals.find((x) => x.id === cmd.approvalId);
  if (!a) throw new WinpathError('NOT_FOUND', `no approval "${cmd.approvalId}"`);
  if (a.status !== 'pending') throw invalid(`approval "${a.id}" is ${a.status}`, 'only pending approvals can be decided');
  const id = actorId(cmd.actor);
  if (id === a.requestedBy) {
    throw new WinpathError('FORBIDDEN', `${id} requested approval "${a.title}" and cannot decide it`, { fix: 'segregation of duties: another approver must decide' });
  }
  if (a.decisions.some((d) => d.by === id)) throw new WinpathError('FORBIDDEN', `${id} has already decided approval "${a.title}"; a user fills at most one slot`);
  const roles = actorRoles(cmd.actor);
  const canFill = (slot: number): boolean => {
    const spec = a.approvers[slot]!;
    return (a.candidates[slot] ?? []).includes(id) || (!spec.startsWith('user:') && spec !== 'owner' && roles.includes(spec));
  };
  const filled = new Set(a.decisions.map((d) => d.slot));
  let slot: number | undefined;
  if (a.mode === 'sequential') {
    const nextSlot = a.decisions.length;
    if (canFill(nextSlot)) slot = nextSlot;
    else throw new WinpathError('FORBIDDEN', `approval "${a.title}" is sequential and waits on ${a.approvers[nextSlot]}; ${id} may not decide now`);
  } else {
    slot = a.approvers.findIndex((_, i) => !filled.has(i) && canFill(i));
    if (slot < 0) throw new WinpathError('FORBIDDEN', `${id} fills no open approver slot of "${a.title}" (approvers: ${a.approvers.join(', ')})`, { fix: 'decide as a user of one of the approver roles' });
  }
  draft.emit('approval.decided', cmd.comment === undefined ? { approvalId: a.id, slot, decision: cmd.decision } : { approvalId: a.id, slot, decision: cmd.decision, comment: cmd.comment });
  const after = draft.s.approvals.find((x) => x.id === a.id)!;
  const outcome = approvalOutcome(after.mode, after.approvers.length, after.decisions);
  if (outcome !== 'pending') draft.emit('approval.completed', { approvalId: a.id, key: a.key, status: outcome });
  return draft.result();
}

function assertOpen(status: string, lang: string): void {
  if (status !== 'open') throw invalid(msg('closed', lang, msg(status === 'won' ? 'won' : 'lost', lang)), status === 'lost' ? 'reopen it first' : undefined);
}

function forbidden(actor: Actor, action: string, stage: StageDef, lang: string): WinpathError {
  return new WinpathError('FORBIDDEN', msg('forbidden', lang, actorId(actor), action, textFor(stage.name, lang)), {
    fix: 'act as a user with a role the template permits (permissions)',
  });
}

function fieldError(problems: { path: (string | number)[]; message: string }[]): WinpathError {
  return new WinpathError('INPUT_INVALID', problems.map((p) => p.message).join('; '), { path: problems[0]!.path, problems });
}
