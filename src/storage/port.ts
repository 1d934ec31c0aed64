/** The Store interface the engine owns; every adapter (memory, SQLite, PostgreSQL) implements it. */
import type {
  Approval, ApprovalStatus, DealState, Opportunity, OpportunityEvent, OpportunityStatus, OutboxMessage, ProcessDefinition, Task, TaskStatus, Timer,
} from '../model/index.js';
import { WinpathError } from '../errors/index.js';

/** What an adapter can do; the conformance suite branches on these, never on names. */
export interface StoreCapabilities {
  /** Data survives closing and reopening the store. */
  durable: boolean;
  /** Several processes may write the same data at once. */
  concurrentWriters: boolean;
}

/** One command's writes: all or nothing. */
export interface Commit {
  opportunityId: string;
  /** The deal's version (last seq) the command read; 0 for a new deal. A mismatch is CONCURRENCY_CONFLICT. */
  expectedVersion: number;
  events: OpportunityEvent[];
  /** The deal after the events: the projection rows (opportunity, tasks, approvals) are written from it. */
  state: DealState;
  /** Messages for other systems born of these events. */
  outbox: OutboxMessage[];
  /** The deal's pending timers after the events: replaces the stored set. */
  timers: Timer[];
}

export interface LoadedDeal {
  state: DealState;
  version: number;
}

export interface TaskFilter {
  assignee?: string;
  status?: TaskStatus;
  opportunityId?: string;
}

export interface ApprovalFilter {
  /** Approvals with a slot this user may fill. */
  approver?: string;
  status?: ApprovalStatus;
  opportunityId?: string;
}

export interface OpportunityFilter {
  template?: string;
  status?: OpportunityStatus;
  owner?: string;
  stage?: string;
  limit?: number;
}

export type OutboxStatus = 'pending' | 'delivered' | 'dead';

export interface StoredOutboxMessage extends OutboxMessage {
  status: OutboxStatus;
  seq: number;
  /** Not before this instant (backoff after a failure); null when due now. */
  nextAttemptAt: string | null;
  lastError: string | null;
}

/** What became of one delivery attempt; every outcome counts one attempt. */
export type OutboxOutcome =
  | { status: 'delivered' }
  | { status: 'pending'; error: string; nextAttemptAt: string }
  | { status: 'dead'; error: string };

/** One page of the log of all deals (`Store.feed`). */
export interface FeedPage {
  /** In an order a reader can checkpoint on: each deal's events in seq order, and no event committed later ever lands before `position`. */
  events: OpportunityEvent[];
  /** Where this page ends: pass it back as `after` to read on. Opaque, and meaningful only to stores on the same data. */
  position: string;
}

/** A claim: rows due at `now`, leased until `leaseUntil` so another worker skips them meanwhile. */
export interface ClaimOptions {
  now: string;
  limit: number;
  leaseUntil: string;
}

export interface Store {
  readonly kind: string;
  readonly capabilities: StoreCapabilities;
  load(opportunityId: string): Promise<LoadedDeal | undefined>;
  /** @throws WinpathError CONCURRENCY_CONFLICT when the deal's version is not `expectedVersion` (nothing written). */
  append(commit: Commit): Promise<void>;
  /** The deal's events in seq order, after `afterSeq` when given. */
  events(opportunityId: string, afterSeq?: number): Promise<OpportunityEvent[]>;
  /**
   * Up to `limit` events of all deals after `after` (null: from the start), for readers that follow
   * the whole log (projections, exports). A reader that resumes from the last `position` it got
   * never skips an event, even one whose transaction committed after later ones.
   * @throws WinpathError INPUT_INVALID when `after` is not a position this store gave, or `limit` is not a whole number >= 0.
   */
  feed(after: string | null, limit: number): Promise<FeedPage>;
  task(taskId: string): Promise<Task | undefined>;
  approval(approvalId: string): Promise<Approval | undefined>;
  tasks(filter?: TaskFilter): Promise<Task[]>;
  approvals(filter?: ApprovalFilter): Promise<Approval[]>;
  opportunities(filter?: OpportunityFilter): Promise<Opportunity[]>;
  /** Keeps a definition its deals use; storing an equal one again is a no-op. */
  saveDefinition(def: ProcessDefinition): Promise<void>;
  definition(id: string, version: number): Promise<ProcessDefinition | undefined>;
  definitions(): Promise<ProcessDefinition[]>;
  outbox(filter?: { status?: OutboxStatus; opportunityId?: string }): Promise<StoredOutboxMessage[]>;
  /** Pending timers, of one deal or all, by due time. */
  timers(opportunityId?: string): Promise<Timer[]>;
  /** Timers due at `now` that no live lease holds, earliest first; leases them. */
  claimTimers(opts: ClaimOptions): Promise<Timer[]>;
  /**
   * Pending messages due at `now`, at most one per deal (the lowest seq still pending, so a deal's
   * messages go out in order), not under a live lease; leases them.
   */
  claimOutbox(opts: ClaimOptions): Promise<StoredOutboxMessage[]>;
  /** Records a delivery attempt's outcome (attempts + 1) and ends the lease. */
  settleOutbox(id: string, outcome: OutboxOutcome): Promise<void>;
  close(): Promise<void>;
}

/** Whether a user may fill some slot of an approval (for the `approver` filter). */
export function isCandidate(a: Approval, user: string): boolean {
  return a.candidates.some((c) => c.includes(user)) || a.approvers.includes(`user:${user}`);
}

/** Amount in integer minor units, so sums are exact. */
/**
 * How a commit moves its deal in the stage_outcomes counters (SQL stores): a closed deal counts once for
 * every stage it entered. `leave` takes it out with the status it had before the commit (the stays entered
 * before `beforeEntry`), `join` puts it back with the status it ends with; both null when no won, lost or
 * reopened event is in the commit (nothing else changes a deal's status).
 */
export function outcomeMoves(c: Commit, before: string | undefined): { leave: { won: 0 | 1; beforeEntry: number } | null; join: { won: 0 | 1 } | null } {
  let moves = false;
  let beforeEntry = Number.MAX_SAFE_INTEGER;
  for (const e of c.events) {
    if (e.type === 'opportunity.won' || e.type === 'opportunity.lost' || e.type === 'opportunity.reopened') moves = true;
    else if (e.type === 'stage.entered' && typeof e.data['entry'] === 'number') beforeEntry = Math.min(beforeEntry, e.data['entry']);
  }
  if (!moves) return { leave: null, join: null };
  const after = c.state.opportunity.status;
  return {
    leave: before === 'won' || before === 'lost' ? { won: before === 'won' ? 1 : 0, beforeEntry } : null,
    join: after === 'won' || after === 'lost' ? { won: after === 'won' ? 1 : 0 } : null,
  };
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/**
 * Every event of a commit carries an ISO-8601 UTC instant (as `Date#toISOString` writes it): stores sort
 * and measure stays on these strings, so anything else is refused before a row is written.
 * @throws WinpathError INPUT_INVALID naming the event and its `at`.
 */
export function assertCommitInstants(c: Commit): void {
  c.events.forEach((e, i) => {
    if (typeof e.at !== 'string' || !INSTANT.test(e.at) || !Number.isFinite(Date.parse(e.at))) {
      throw new WinpathError('INPUT_INVALID', `deal ${c.opportunityId}: event ${i} (${String(e.type)}) has at ${JSON.stringify(e.at)}, not an ISO UTC instant; nothing was written`, {
        path: ['events', i, 'at'], fix: 'write instants as Date#toISOString() gives them, e.g. 2026-11-25T09:30:00.000Z',
      });
    }
  });
}

export function toMinor(amount: number | null): number | null {
  return amount === null ? null : Math.round(amount * 100);
}

/**
 * Checks a feed request's `limit`; every store gives the same error.
 * @throws WinpathError INPUT_INVALID when it is not a whole number >= 0.
 */
export function assertFeedLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new WinpathError('INPUT_INVALID', `feed: limit must be a whole number >= 0, not ${String(limit)}`, { path: ['limit'] });
  }
}

/** The error for a feed position a store did not give. */
export function badFeedPosition(after: unknown): WinpathError {
  return new WinpathError('INPUT_INVALID', `feed: ${JSON.stringify(after)} is not a position this store gave`, {
    fix: 'pass null to read from the start, or the `position` of the last page', path: ['after'],
  });
}
