/** Hand-built commits for the store conformance suite: events folded with applyEvent, no engine. */
import { applyEvent } from '../machine/evolve.js';
import { eventId, type DealState, type EventType, type OpportunityEvent, type OutboxMessage, type PendingEvent, type ProcessDefinition, type Timer } from '../model/index.js';
import type { Commit, LoadedDeal } from '../storage/port.js';

/** Event types the fixtures send to the outbox. */
const OUTBOX_TYPES: ReadonlySet<EventType> = new Set<EventType>(['notification.requested', 'integration.emitted', 'opportunity.won', 'opportunity.lost']);

/**
 * The next commit on a deal: `pending` numbered after `prev` (absent for a new deal) and folded
 * onto a copy of its state; outbox messages for notification, integration and close events.
 */
export function fixtureCommit(opportunityId: string, prev: LoadedDeal | undefined, pending: readonly PendingEvent[], timers: Timer[] = []): Commit {
  let state: DealState | null = prev ? structuredClone(prev.state) : null;
  const version = prev?.version ?? 0;
  const events: OpportunityEvent[] = pending.map((p, i) => {
    const seq = version + i + 1;
    return { id: eventId(opportunityId, seq), opportunityId, seq, type: p.type, at: p.at, actor: p.actor, data: structuredClone(p.data) };
  });
  for (const e of events) state = applyEvent(state, e);
  if (!state) throw new Error(`fixtureCommit(${opportunityId}): no events and no previous state`);
  const outbox: OutboxMessage[] = events
    .filter((e) => OUTBOX_TYPES.has(e.type))
    .map((e) => ({ id: e.id, opportunityId, type: e.type, data: structuredClone(e.data), attempts: 0 }));
  return { opportunityId, expectedVersion: version, events, state, outbox, timers };
}

/** The deal as a store should load it after `commit`. */
export function afterCommit(commit: Commit): LoadedDeal {
  return { state: structuredClone(commit.state), version: commit.state.opportunity.seq };
}

/** Small event makers; `at` is an ISO instant, `actor` a user id. */
export const ev = {
  opened(o: { template: string; templateVersion?: number; title: string; owner: string; amount?: number; fields?: Record<string, unknown>; at: string }): PendingEvent {
    const fields: Record<string, unknown> = { ...o.fields };
    if (o.amount !== undefined) fields['amount'] = o.amount;
    return { type: 'opportunity.opened', at: o.at, actor: o.owner, data: { template: o.template, templateVersion: o.templateVersion ?? 1, title: o.title, owner: o.owner, fields } };
  },
  entered(stage: string, entry: number, from: string | null, at: string, actor = 'system'): PendingEvent {
    return { type: 'stage.entered', at, actor, data: { stage, entry, from } };
  },
  exited(stage: string, at: string, actor: string): PendingEvent {
    return { type: 'stage.exited', at, actor, data: { stage } };
  },
  taskCreated(t: { taskId: string; key: string; stage: string; entry: number; title: string; role: string | null; assignee: string | null; dueAt?: string; at: string }): PendingEvent {
    return {
      type: 'task.created', at: t.at, actor: 'system',
      data: { taskId: t.taskId, key: t.key, stage: t.stage, entry: t.entry, title: t.title, role: t.role, assignee: t.assignee, dueAt: t.dueAt ?? null },
    };
  },
  taskCompleted(taskId: string, at: string, actor: string): PendingEvent {
    return { type: 'task.completed', at, actor, data: { taskId, note: 'done' } };
  },
  approvalRequested(a: { approvalId: string; key: string; stage: string; entry: number; approvers: string[]; candidates: string[][]; requestedBy: string; at: string }): PendingEvent {
    return {
      type: 'approval.requested', at: a.at, actor: 'system',
      data: {
        approvalId: a.approvalId, key: a.key, stage: a.stage, entry: a.entry, title: a.key, mode: 'all',
        approvers: a.approvers, candidates: a.candidates, requestedBy: a.requestedBy, dueAt: null,
      },
    };
  },
  approvalDecided(approvalId: string, slot: number, at: string, actor: string): PendingEvent {
    return { type: 'approval.decided', at, actor, data: { approvalId, slot, decision: 'approve', comment: 'ok' } };
  },
  approvalCompleted(approvalId: string, status: 'approved' | 'rejected', at: string): PendingEvent {
    return { type: 'approval.completed', at, actor: 'system', data: { approvalId, status } };
  },
  notify(to: string, message: string, at: string): PendingEvent {
    return { type: 'notification.requested', at, actor: 'system', data: { to, message } };
  },
  emitted(type: string, at: string): PendingEvent {
    return { type: 'integration.emitted', at, actor: 'system', data: { type } };
  },
  lost(reason: string, from: string, at: string, actor: string): PendingEvent {
    return { type: 'opportunity.lost', at, actor, data: { reason, from } };
  },
  note(text: string, at: string, actor: string): PendingEvent {
    return { type: 'note.added', at, actor, data: { text } };
  },
};

/** A minimal definition for the definitions tests. */
export function fixtureDefinition(id = 'fx-sales', version = 1, name = 'Fixture sales'): ProcessDefinition {
  return {
    id, version, name: { en: name, zh: '测试销售' }, roles: ['sales', 'manager'],
    fields: { amount: { type: 'money' }, region: { type: 'enum', options: ['north', 'south'], dimension: true } },
    lossReasons: ['price', 'timing'],
    stages: [
      { key: 'qualify', name: 'Qualify', probability: 10 },
      { key: 'propose', name: 'Propose', probability: 50, requires: { fields: ['amount'] } },
      { key: 'won', name: 'Won', outcome: 'won' },
      { key: 'lost', name: 'Lost', outcome: 'lost' },
    ],
    transitions: [{ from: 'qualify', to: 'propose' }, { from: 'propose', to: 'won' }],
  };
}

/**
 * A seeded set of deals, appended in this order (each array entry is one commit):
 * - opp-c (alice, fx-other, opened 01-05T09:00 like opp-a): lost from qualify; no tasks.
 * - opp-b (bob, fx-sales, opened 01-04): task call (bob) done, moved to propose, approval price (user:frank) approved.
 * - opp-a (alice, fx-sales, opened 01-05T09:00, amount 1000.5): tasks call (bob) and brief (no one) open;
 *   approval discount pending (manager -> dave, erin; user:carol with no resolved candidates); a notification.
 * Creation times rise in append order, so every store's creation order agrees.
 */
export function fixtureScenario(): { id: string; pending: PendingEvent[] }[] {
  const A = 'opp-a', B = 'opp-b', C = 'opp-c';
  return [
    { id: C, pending: [ev.opened({ template: 'fx-other', title: 'Gamma', owner: 'alice', at: '2026-01-05T09:00:00.000Z' }), ev.entered('qualify', 1, null, '2026-01-05T09:00:00.000Z')] },
    { id: C, pending: [ev.exited('qualify', '2026-01-05T10:00:00.000Z', 'alice'), ev.entered('lost', 2, 'qualify', '2026-01-05T10:00:00.000Z', 'alice'), ev.lost('price', 'qualify', '2026-01-05T10:00:00.000Z', 'alice')] },
    {
      id: B,
      pending: [
        ev.opened({ template: 'fx-sales', title: 'Beta', owner: 'bob', fields: { region: 'north' }, at: '2026-01-04T08:00:00.000Z' }),
        ev.entered('qualify', 1, null, '2026-01-04T08:00:00.000Z'),
        ev.taskCreated({ taskId: `${B}.call.1`, key: 'call', stage: 'qualify', entry: 1, title: 'Call', role: 'sales', assignee: 'bob', dueAt: '2026-01-06T08:00:00.000Z', at: '2026-01-04T08:00:00.000Z' }),
      ],
    },
    {
      id: B,
      pending: [
        ev.taskCompleted(`${B}.call.1`, '2026-01-05T12:00:00.000Z', 'bob'),
        ev.exited('qualify', '2026-01-06T08:00:00.000Z', 'bob'),
        ev.entered('propose', 2, 'qualify', '2026-01-06T08:00:00.000Z', 'bob'),
        ev.approvalRequested({ approvalId: `${B}.price.2`, key: 'price', stage: 'propose', entry: 2, approvers: ['user:frank'], candidates: [['frank']], requestedBy: 'bob', at: '2026-01-06T08:00:00.000Z' }),
        ev.emitted('erp.quote', '2026-01-06T08:00:00.000Z'),
      ],
    },
    {
      id: A,
      pending: [
        ev.opened({ template: 'fx-sales', title: 'Alpha', owner: 'alice', amount: 1000.5, fields: { region: 'south', tags: ['x', 'y'] }, at: '2026-01-05T09:00:00.000Z' }),
        ev.entered('qualify', 1, null, '2026-01-05T09:00:00.000Z'),
        // call before brief although "brief" sorts first: creation order, not id order.
        ev.taskCreated({ taskId: `${A}.call.1`, key: 'call', stage: 'qualify', entry: 1, title: 'Call', role: 'sales', assignee: 'bob', at: '2026-01-05T09:00:00.000Z' }),
        ev.taskCreated({ taskId: `${A}.brief.1`, key: 'brief', stage: 'qualify', entry: 1, title: 'Brief', role: 'presales', assignee: null, at: '2026-01-05T09:00:00.000Z' }),
      ],
    },
    {
      id: A,
      pending: [
        ev.approvalRequested({ approvalId: `${A}.discount.1`, key: 'discount', stage: 'qualify', entry: 1, approvers: ['manager', 'user:carol'], candidates: [['dave', 'erin'], []], requestedBy: 'alice', at: '2026-01-07T09:00:00.000Z' }),
        ev.notify('manager', 'please approve', '2026-01-07T09:00:00.000Z'),
      ],
    },
    {
      id: B,
      pending: [
        ev.approvalDecided(`${B}.price.2`, 0, '2026-01-08T09:00:00.000Z', 'frank'),
        ev.approvalCompleted(`${B}.price.2`, 'approved', '2026-01-08T09:00:00.000Z'),
      ],
    },
  ];
}
