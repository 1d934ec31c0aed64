/**
 * The reference model: the rules of test/reliability/fixtures/model.yaml (DESIGN.md section 2) re-stated as
 * plain code over plain data, with no engine code. The model-based test runs every command against the engine
 * and against this model and asks them to agree: on the outcome (which commands succeed, which are refused and
 * with which code) and on the deal after it.
 */

export type ActorSpec = string | { id: string; roles: string[] };
export type Code = 'INPUT_INVALID' | 'NOT_FOUND' | 'FORBIDDEN' | 'GUARD_FAILED';
export type Outcome = { ok: true } | { ok: false; code: Code };

/** Rules the negative control breaks on purpose: the property must then fail. */
export type Mutation = 'none' | 'requester-may-decide' | 'back-keeps-approvals' | 'sla-never-breaches';

export interface MTask {
  id: string;
  key: string;
  role: string;
  assignee: string | null;
  status: 'open' | 'done' | 'cancelled';
  dueAt: number | null;
  overdue: boolean;
}

export interface MApproval {
  id: string;
  key: string;
  mode: 'all' | 'sequential';
  approvers: string[];
  candidates: string[][];
  requestedBy: string;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  decisions: { slot: number; by: string; decision: 'approve' | 'reject' }[];
}

export interface MDeal {
  id: string;
  owner: string;
  amount: number;
  region: string | null;
  stage: string;
  status: 'open' | 'won' | 'lost';
  lossReason: string | null;
  lostFrom: string | null;
  entry: number;
  stageEnteredAt: number;
  lastActivity: number;
  idle: boolean;
  slaBreached: boolean;
  brief: boolean;
  tasks: MTask[];
  approvals: MApproval[];
  /** Outbox messages its events produced (won, lost: exported; SLA notifications). */
  outbox: number;
}

const HOUR = 3_600_000;
export const RESOLVE: Record<string, string[]> = { director: ['dora'], finance: ['fay'], legal: ['lee'] };
const STAGES = ['qualify', 'survey', 'proposal', 'won', 'lost'] as const;
const OPEN_STAGES = ['qualify', 'survey', 'proposal'];
const LOSS_REASONS = ['price', 'timing'];

const idOf = (a: ActorSpec): string => (typeof a === 'string' ? a : a.id);
const rolesOf = (a: ActorSpec): string[] => (typeof a === 'string' ? [] : a.roles);

export class ReferenceModel {
  readonly deals = new Map<string, MDeal>();
  now: number;

  constructor(start: number, readonly mutation: Mutation = 'none') {
    this.now = start;
  }

  private mayAct(allowed: readonly string[], actor: ActorSpec, d: MDeal): boolean {
    const id = idOf(actor);
    return allowed.some((r) => (r === 'owner' ? id === d.owner : rolesOf(actor).includes(r) || (RESOLVE[r] ?? []).includes(id)));
  }

  /** Who may move a deal out of its stage (advance, win, back; lose defaults to the same). */
  private movers(stage: string): string[] {
    return stage === 'proposal' ? ['director'] : ['owner', 'director'];
  }

  private touch(d: MDeal): void {
    d.lastActivity = this.now;
    d.idle = false;
  }

  private enter(d: MDeal, stage: string, actor: string): void {
    d.entry++;
    d.stage = stage;
    d.stageEnteredAt = this.now;
    d.slaBreached = false;
    const child = (key: string) => `${d.id}.${key}.${d.entry}`;
    if (stage === 'qualify') {
      d.tasks.push({ id: child('call'), key: 'call', role: 'owner', assignee: d.owner, status: 'open', dueAt: this.now + 48 * HOUR, overdue: false });
      d.tasks.push({ id: child('review'), key: 'review', role: 'legal', assignee: 'lee', status: 'open', dueAt: null, overdue: false });
    } else if (stage === 'survey') {
      d.approvals.push({ id: child('sign'), key: 'sign', mode: 'all', approvers: ['director', 'finance'], candidates: [['dora'], ['fay']], requestedBy: actor, status: 'pending', decisions: [] });
    } else if (stage === 'proposal') {
      d.approvals.push({ id: child('desk'), key: 'desk', mode: 'sequential', approvers: ['director', 'finance'], candidates: [['dora'], ['fay']], requestedBy: actor, status: 'pending', decisions: [] });
    }
  }

  /** Leaving a stage cancels its open tasks and pending approvals. */
  private exit(d: MDeal, kind: 'forward' | 'back' | 'lost' | 'reopen'): void {
    for (const t of d.tasks) if (t.status === 'open') t.status = 'cancelled';
    if (kind === 'back' && this.mutation === 'back-keeps-approvals') return;
    for (const a of d.approvals) if (a.status === 'pending') a.status = 'cancelled';
  }

  open(id: string, owner: string, amount: number | null, region: string | undefined, actor: ActorSpec): Outcome {
    if (!validAmount(amount) || (region !== undefined && !['north', 'south'].includes(region))) return no('INPUT_INVALID');
    const d: MDeal = {
      id, owner, amount: amount!, region: region ?? null, stage: '', status: 'open', lossReason: null, lostFrom: null, entry: 0,
      stageEnteredAt: this.now, lastActivity: this.now, idle: false, slaBreached: false, brief: false, tasks: [], approvals: [], outbox: 0,
    };
    this.deals.set(id, d);
    this.enter(d, 'qualify', idOf(actor));
    return yes;
  }

  update(id: string, patch: { region?: string | null; amount?: number | null; owner?: string }): Outcome {
    const d = this.deals.get(id);
    if (!d) return no('NOT_FOUND');
    if (patch.region !== undefined && patch.region !== null && !['north', 'south'].includes(patch.region)) return no('INPUT_INVALID');
    if (patch.amount !== undefined && !validAmount(patch.amount)) return no('INPUT_INVALID');
    let changed = false;
    if (patch.region !== undefined && patch.region !== d.region) {
      d.region = patch.region;
      changed = true;
    }
    if (patch.amount !== undefined && patch.amount !== d.amount) {
      d.amount = patch.amount!;
      changed = true;
    }
    if (patch.owner !== undefined && patch.owner !== d.owner) {
      d.owner = patch.owner;
      changed = true;
    }
    if (changed) this.touch(d);
    return yes;
  }

  submit(id: string, key: string): Outcome {
    const d = this.deals.get(id);
    if (!d) return no('NOT_FOUND');
    if (key !== 'brief') return no('INPUT_INVALID');
    if (d.status !== 'open') return no('INPUT_INVALID');
    d.brief = true;
    this.touch(d);
    return yes;
  }

  task(taskId: string, actor: ActorSpec, reassignTo?: string): Outcome {
    const d = [...this.deals.values()].find((x) => x.tasks.some((t) => t.id === taskId));
    const t = d?.tasks.find((x) => x.id === taskId);
    if (!d || !t) return no('NOT_FOUND');
    if (t.status !== 'open') return no('INPUT_INVALID');
    const id = idOf(actor);
    const allowed = id === t.assignee || id === d.owner || this.mayAct(['director'], actor, d)
      || rolesOf(actor).includes(t.role) || (t.assignee === null && (RESOLVE[t.role] ?? []).includes(id));
    if (!allowed) return no('FORBIDDEN');
    if (reassignTo === undefined) t.status = 'done';
    else if (reassignTo !== t.assignee) t.assignee = reassignTo;
    else return yes; // reassigning to the same user writes nothing
    this.touch(d);
    return yes;
  }

  decide(approvalId: string, actor: ActorSpec, decision: 'approve' | 'reject'): Outcome {
    const d = [...this.deals.values()].find((x) => x.approvals.some((a) => a.id === approvalId));
    const a = d?.approvals.find((x) => x.id === approvalId);
    if (!d || !a) return no('NOT_FOUND');
    if (a.status !== 'pending') return no('INPUT_INVALID');
    const id = idOf(actor);
    if (id === a.requestedBy && this.mutation !== 'requester-may-decide') return no('FORBIDDEN');
    if (a.decisions.some((x) => x.by === id)) return no('FORBIDDEN');
    const canFill = (slot: number) => (a.candidates[slot] ?? []).includes(id) || rolesOf(actor).includes(a.approvers[slot]!);
    let slot: number;
    if (a.mode === 'sequential') {
      slot = a.decisions.length;
      if (!canFill(slot)) return no('FORBIDDEN');
    } else {
      slot = a.approvers.findIndex((_, i) => !a.decisions.some((x) => x.slot === i) && canFill(i));
      if (slot < 0) return no('FORBIDDEN');
    }
    a.decisions.push({ slot, by: id, decision });
    if (a.decisions.some((x) => x.decision === 'reject')) a.status = 'rejected';
    else if (a.decisions.length >= a.approvers.length) a.status = 'approved';
    this.touch(d);
    return yes;
  }

  /** advance (forward when `to` is absent or a forward target, back with a reason to an earlier stage) and win (`to: 'won'`). */
  advance(id: string, actor: ActorSpec, to?: string, reason?: string): Outcome {
    if (reason !== undefined && reason.trim() === '') return no('INPUT_INVALID'); // the input schema, before the deal is read
    const d = this.deals.get(id);
    if (!d) return no('NOT_FOUND');
    if (d.status !== 'open') return no('INPUT_INVALID');
    if (!this.mayAct(this.movers(d.stage), actor, d)) return no('FORBIDDEN');
    const forward = (from: string): { to: string; when?: (m: MDeal) => boolean }[] =>
      from === 'qualify' ? [{ to: 'survey', when: (m) => m.amount >= 1000 }, { to: 'proposal' }] : from === 'survey' ? [{ to: 'proposal' }] : [{ to: 'won' }];
    let candidates = forward(d.stage);
    if (to !== undefined) {
      if (!(STAGES as readonly string[]).includes(to) || to === 'lost' || to === d.stage) return no('INPUT_INVALID');
      candidates = candidates.filter((c) => c.to === to);
      if (candidates.length === 0) {
        const earlier = OPEN_STAGES.includes(to) && OPEN_STAGES.indexOf(to) < OPEN_STAGES.indexOf(d.stage);
        if (!earlier) return no('INPUT_INVALID');
        if (d.stage === 'proposal') return no('GUARD_FAILED'); // allowBack: false
        if (reason === undefined) return no('INPUT_INVALID');
        this.exit(d, 'back');
        this.enter(d, to, idOf(actor));
        this.touch(d);
        return yes;
      }
    }
    if (!this.requirementsMet(d)) return no('GUARD_FAILED');
    const next = candidates.find((c) => !c.when || c.when(d));
    if (!next) return no('GUARD_FAILED');
    this.exit(d, 'forward');
    this.enter(d, next.to, idOf(actor));
    if (next.to === 'won') {
      d.status = 'won';
      d.outbox++;
    }
    this.touch(d);
    return yes;
  }

  private requirementsMet(d: MDeal): boolean {
    const current = <T extends { id: string }>(list: T[], key: string) => list.find((x) => x.id === `${d.id}.${key}.${d.entry}`);
    if (d.stage === 'qualify') {
      const call = current(d.tasks, 'call');
      return d.region !== null && d.brief && (!call || call.status === 'done') && d.amount > 0;
    }
    const a = current(d.approvals, d.stage === 'survey' ? 'sign' : 'desk');
    return !a || a.status === 'approved';
  }

  lose(id: string, actor: ActorSpec, reason: string): Outcome {
    const d = this.deals.get(id);
    if (!d) return no('NOT_FOUND');
    if (d.status !== 'open') return no('INPUT_INVALID');
    if (!this.mayAct(this.movers(d.stage), actor, d)) return no('FORBIDDEN');
    if (!LOSS_REASONS.includes(reason)) return no('INPUT_INVALID');
    d.lostFrom = d.stage;
    this.exit(d, 'lost');
    this.enter(d, 'lost', idOf(actor));
    d.status = 'lost';
    d.lossReason = reason;
    d.outbox++;
    this.touch(d);
    return yes;
  }

  reopen(id: string, actor: ActorSpec): Outcome {
    const d = this.deals.get(id);
    if (!d) return no('NOT_FOUND');
    if (d.status !== 'lost') return no('INPUT_INVALID');
    if (!this.mayAct(['director'], actor, d)) return no('FORBIDDEN');
    d.status = 'open';
    d.lossReason = null;
    this.exit(d, 'reopen');
    this.enter(d, d.lostFrom!, idOf(actor));
    d.lostFrom = null;
    this.touch(d);
    return yes;
  }

  /** Moves time on and fires what is due: overdue tasks, the survey SLA (a notification), idleness. */
  tick(hours: number): void {
    this.now += hours * HOUR;
    for (const d of this.deals.values()) {
      if (d.status !== 'open') continue;
      if (d.stage === 'survey' && !d.slaBreached && this.now >= d.stageEnteredAt + 72 * HOUR && this.mutation !== 'sla-never-breaches') {
        d.slaBreached = true;
        d.outbox++;
      }
      for (const t of d.tasks) if (t.status === 'open' && t.dueAt !== null && !t.overdue && t.dueAt <= this.now) t.overdue = true;
      if (!d.idle && this.now >= d.lastActivity + 168 * HOUR) d.idle = true;
    }
  }
}

const yes: Outcome = { ok: true };
const no = (code: Code): Outcome => ({ ok: false, code });

/** A money value: present, finite, 0..1e13, at most 2 decimals. */
function validAmount(v: number | null): boolean {
  return v !== null && Number.isFinite(v) && v >= 0 && v <= 1e13 && Math.abs(Math.round(v * 100) - v * 100) < 1e-6;
}
