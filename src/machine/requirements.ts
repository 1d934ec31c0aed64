/** The exit requirements of the current stage, each with met/unmet and a message: GUARD_FAILED and explain share it. */
import type { UnmetRequirement } from '../errors/index.js';
import { textFor, type DealState } from '../model/index.js';
import type { CompiledProcess } from './compile-process.js';
import { guardEvaluator, renderMessage, type DecideEnv } from './deal-context.js';
import { msg } from './messages.js';

export interface RequirementStatus extends UnmetRequirement {
  met: boolean;
}

function isFilled(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

export function evaluateRequirements(p: CompiledProcess, state: DealState, env: DecideEnv, lang: string = env.lang): RequirementStatus[] {
  const o = state.opportunity;
  const stage = p.stage(o.stage);
  const req = stage?.requires;
  if (!req) return [];
  const out: RequirementStatus[] = [];
  for (const key of req.fields ?? []) {
    const label = textFor(p.def.fields[key]?.label, lang) || key;
    out.push({ kind: 'field', key, met: isFilled(o.fields[key]), message: msg('fieldMissing', lang, label) });
  }
  for (const d of req.deliverables ?? []) {
    out.push({ kind: 'deliverable', key: d.key, met: state.deliverables[d.key] !== undefined, message: msg('deliverableMissing', lang, textFor(d.name, lang)) });
  }
  for (const key of req.tasks ?? []) {
    const task = state.tasks.find((t) => t.key === key && t.stage === o.stage && t.entry === state.entry);
    if (!task) continue; // a required task binds only where it was created in this entry
    out.push({ kind: 'task', key, met: task.status === 'done', message: msg('taskOpen', lang, textFor(p.childTitle(key), lang) || task.title) });
  }
  for (const key of req.approvals ?? []) {
    const a = state.approvals.find((x) => x.key === key && x.stage === o.stage && x.entry === state.entry);
    if (!a) continue;
    out.push({ kind: 'approval', key, met: a.status === 'approved', message: msg(a.status === 'rejected' ? 'approvalRejected' : 'approvalPending', lang, textFor(p.childTitle(key), lang) || a.title) });
  }
  const ev = guardEvaluator(p, state, env);
  (req.checks ?? []).forEach((c, i) => {
    const key = c.key ?? `checks[${i}]`;
    const r = ev.guard(c.when);
    const message = c.message !== undefined ? renderMessage(p, o, c.message, lang) : msg('checkFailed', lang, c.when, r.met ? '' : r.reason);
    out.push({ kind: 'check', key, met: r.met, message });
  });
  return out;
}

export function unmetOf(list: RequirementStatus[]): UnmetRequirement[] {
  return list.filter((r) => !r.met).map(({ kind, key, message }) => ({ kind, key, message }));
}
