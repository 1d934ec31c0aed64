/** Timers are derived from the deal's state: what is pending, and what fires at an instant (pure). */
import { SYSTEM_ACTOR, addDuration, type CalendarOptions, type DealState, type FiredTimer, type Timer } from '../model/index.js';
import type { CompiledProcess } from './compile-process.js';
import type { DecideEnv } from './deal-context.js';
import { Draft, type Decision } from './draft.js';

/** Every timer of the deal that has not fired yet, with its due instant. */
export function pendingTimers(p: CompiledProcess, state: DealState, calendar: CalendarOptions): Timer[] {
  const o = state.opportunity;
  if (o.status !== 'open') return [];
  const out: Timer[] = [];
  const stage = p.stage(o.stage);
  if (stage?.sla && !state.slaBreached) {
    out.push({ id: `${o.id}:sla:${state.entry}`, opportunityId: o.id, type: 'sla.breached', dueAt: addDuration(new Date(o.stageEnteredAt), stage.sla.within, calendar).toISOString() });
  }
  for (const t of state.tasks) {
    if (t.status === 'open' && t.dueAt !== null && t.overdueAt === null) out.push({ id: `${t.id}:overdue`, opportunityId: o.id, type: 'task.overdue', dueAt: t.dueAt });
  }
  for (const a of state.approvals) {
    if (a.status === 'pending' && a.dueAt !== null && a.overdueAt === null) out.push({ id: `${a.id}:overdue`, opportunityId: o.id, type: 'approval.overdue', dueAt: a.dueAt });
  }
  if (p.def.idleAfter !== undefined && !o.idle) {
    out.push({ id: `${o.id}:idle`, opportunityId: o.id, type: 'opportunity.idle', dueAt: addDuration(new Date(state.lastActivityAt), p.def.idleAfter, calendar).toISOString() });
  }
  return out;
}

export interface TickDecision extends Decision {
  fired: FiredTimer[];
}

/**
 * Fires every timer of the deal due at `env.now`, in due order: its event (actor `system`), then for an
 * SLA breach the stage's `onBreach` actions. A timer fires once: firing marks it in the state.
 */
export function fireDueTimers(p: CompiledProcess, state: DealState, env: DecideEnv): TickDecision {
  const now = env.now.getTime();
  const due = pendingTimers(p, state, env.calendar)
    .filter((t) => Date.parse(t.dueAt) <= now)
    .sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : 1));
  const draft = new Draft(p, state, env, state.opportunity.id, SYSTEM_ACTOR);
  for (const t of due) {
    const s = draft.s;
    if (t.type === 'sla.breached') {
      const stage = p.stage(s.opportunity.stage)!;
      draft.emit('sla.breached', { timerId: t.id, stage: stage.key, entry: s.entry, dueAt: t.dueAt, enteredAt: s.opportunity.stageEnteredAt });
      for (const action of stage.sla?.onBreach ?? []) draft.run(action, stage);
    } else if (t.type === 'task.overdue') {
      const task = s.tasks.find((x) => `${x.id}:overdue` === t.id)!;
      draft.emit('task.overdue', { timerId: t.id, taskId: task.id, key: task.key, stage: task.stage, assignee: task.assignee, dueAt: t.dueAt });
    } else if (t.type === 'approval.overdue') {
      const a = s.approvals.find((x) => `${x.id}:overdue` === t.id)!;
      draft.emit('approval.overdue', { timerId: t.id, approvalId: a.id, key: a.key, stage: a.stage, dueAt: t.dueAt });
    } else {
      draft.emit('opportunity.idle', { timerId: t.id, since: s.lastActivityAt, dueAt: t.dueAt });
    }
  }
  return { ...draft.result(), fired: due };
}
