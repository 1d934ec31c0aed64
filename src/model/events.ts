/** Events: the append-only log of every change to a deal. */

export const EVENT_TYPES = [
  'opportunity.opened', 'opportunity.updated', 'stage.entered', 'stage.exited',
  'deliverable.submitted', 'task.created', 'task.completed', 'task.reassigned', 'task.overdue',
  'approval.requested', 'approval.decided', 'approval.completed', 'approval.overdue', 'notification.requested',
  'integration.emitted', 'sla.breached', 'opportunity.idle', 'opportunity.won',
  'opportunity.lost', 'opportunity.reopened', 'note.added',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface OpportunityEvent<T extends EventType = EventType> {
  /** `<opportunityId>:<seq>`: unique, and the outbox idempotency key. */
  id: string;
  opportunityId: string;
  seq: number;
  type: T;
  /** ISO 8601, UTC. */
  at: string;
  actor: string;
  data: Record<string, unknown>;
}

/** An event before it has an id and seq: what `decide` produces. */
export interface PendingEvent {
  type: EventType;
  at: string;
  actor: string;
  data: Record<string, unknown>;
}

/** A message for other systems (notifications, integration events, exported lifecycle events). */
export interface OutboxMessage {
  /** The event id: the idempotency key a consumer deduplicates on. */
  id: string;
  opportunityId: string;
  type: string;
  data: Record<string, unknown>;
  attempts: number;
}

export function eventId(opportunityId: string, seq: number): string {
  return `${opportunityId}:${seq}`;
}

/** What a timer does when it fires: the event it writes. */
export const TIMER_TYPES = ['sla.breached', 'task.overdue', 'approval.overdue', 'opportunity.idle'] as const;
export type TimerType = (typeof TIMER_TYPES)[number];

/** A pending timer of a deal, kept by the store with the deal (same transaction). */
export interface Timer {
  /** Stable per occurrence: `<deal>:sla:<entry>`, `<task id>:overdue`, `<approval id>:overdue`, `<deal>:idle`. */
  id: string;
  opportunityId: string;
  type: TimerType;
  /** ISO 8601, UTC. Fires on the first tick at or after it. */
  dueAt: string;
}

/** A timer that fired during a tick. */
export type FiredTimer = Timer;
