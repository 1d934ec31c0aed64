/** memoryStore(): the whole port in plain maps; copies in and out so callers never share state with it. */
import { WinpathError } from '../../errors/index.js';
import { canonicalJson, type Approval, type DealState, type Opportunity, type OpportunityEvent, type ProcessDefinition, type Task, type Timer } from '../../model/index.js';
import {
  assertCommitInstants, assertFeedLimit, badFeedPosition, isCandidate, type ApprovalFilter, type ClaimOptions, type Commit, type LoadedDeal, type OpportunityFilter, type OutboxOutcome, type Store,
  type StoredOutboxMessage, type TaskFilter,
} from '../port.js';

interface OutboxRow {
  m: StoredOutboxMessage;
  at: string;
  claimedUntil: string | null;
}

export function memoryStore(): Store {
  const deals = new Map<string, DealState>();
  const logs = new Map<string, OpportunityEvent[]>();
  /** Every event of every deal in append order: the feed (one writer, so append order is commit order). */
  const feedLog: OpportunityEvent[] = [];
  const taskIndex = new Map<string, string>();
  const approvalIndex = new Map<string, string>();
  const defs = new Map<string, ProcessDefinition>();
  const outbox: OutboxRow[] = [];
  const timers = new Map<string, Timer[]>();
  const leases = new Map<string, string>();
  let closed = false;
  const live = () => {
    if (closed) throw new WinpathError('INPUT_INVALID', 'the store is closed');
  };
  // Same order as the SQL stores: creation time, then deal id, then creation order within the deal.
  const ordered = <T extends { createdAt: string; opportunityId: string }>(pick: (d: DealState) => T[]): T[] =>
    [...deals.values()]
      .flatMap((d) => pick(d).map((x, i) => ({ x, i })))
      .sort((a, b) => (a.x.createdAt < b.x.createdAt ? -1 : a.x.createdAt > b.x.createdAt ? 1 : a.x.opportunityId < b.x.opportunityId ? -1 : a.x.opportunityId > b.x.opportunityId ? 1 : a.i - b.i))
      .map((e) => e.x);
  const allTasks = (): Task[] => ordered((d) => d.tasks);
  const allApprovals = (): Approval[] => ordered((d) => d.approvals);
  const byOutboxOrder = (a: OutboxRow, b: OutboxRow) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : a.m.opportunityId < b.m.opportunityId ? -1 : a.m.opportunityId > b.m.opportunityId ? 1 : a.m.seq - b.m.seq;
  const byDue = (a: Timer, b: Timer) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  return {
    kind: 'memory',
    capabilities: { durable: false, concurrentWriters: false },
    async load(id): Promise<LoadedDeal | undefined> {
      live();
      const s = deals.get(id);
      return s ? { state: structuredClone(s), version: s.opportunity.seq } : undefined;
    },
    async append(c: Commit) {
      live();
      assertCommitInstants(c);
      const current = deals.get(c.opportunityId)?.opportunity.seq ?? 0;
      if (current !== c.expectedVersion) {
        throw new WinpathError('CONCURRENCY_CONFLICT', `deal ${c.opportunityId} is at version ${current}, the command read version ${c.expectedVersion}; nothing was written`, { fix: 'read the deal again and retry the command (engine option `retry`)' });
      }
      const log = logs.get(c.opportunityId) ?? [];
      log.push(...structuredClone(c.events));
      feedLog.push(...structuredClone(c.events));
      logs.set(c.opportunityId, log);
      deals.set(c.opportunityId, structuredClone(c.state));
      for (const t of c.state.tasks) taskIndex.set(t.id, c.opportunityId);
      for (const a of c.state.approvals) approvalIndex.set(a.id, c.opportunityId);
      for (const m of c.outbox) {
        const e = c.events.find((x) => x.id === m.id);
        outbox.push({ m: { ...structuredClone(m), status: 'pending', seq: e?.seq ?? 0, nextAttemptAt: null, lastError: null }, at: e?.at ?? '', claimedUntil: null });
      }
      for (const t of timers.get(c.opportunityId) ?? []) if (!c.timers.some((n) => n.id === t.id)) leases.delete(t.id);
      timers.set(c.opportunityId, structuredClone(c.timers ?? []));
    },
    async events(id, afterSeq = 0) {
      live();
      return structuredClone((logs.get(id) ?? []).filter((e) => e.seq > afterSeq));
    },
    async feed(after, limit) {
      live();
      const from = after === null ? 0 : /^\d{1,15}$/.test(String(after)) ? Number(after) : -1;
      if (from < 0) throw badFeedPosition(after);
      assertFeedLimit(limit);
      const events = feedLog.slice(from, from + limit);
      return { events: structuredClone(events), position: String(from + events.length) };
    },
    async task(taskId) {
      live();
      const oid = taskIndex.get(taskId);
      const t = oid ? deals.get(oid)?.tasks.find((x) => x.id === taskId) : undefined;
      return t ? structuredClone(t) : undefined;
    },
    async approval(approvalId) {
      live();
      const oid = approvalIndex.get(approvalId);
      const a = oid ? deals.get(oid)?.approvals.find((x) => x.id === approvalId) : undefined;
      return a ? structuredClone(a) : undefined;
    },
    async tasks(f: TaskFilter = {}) {
      live();
      return structuredClone(allTasks().filter((t) =>
        (f.assignee === undefined || t.assignee === f.assignee) && (f.status === undefined || t.status === f.status)
        && (f.opportunityId === undefined || t.opportunityId === f.opportunityId)));
    },
    async approvals(f: ApprovalFilter = {}) {
      live();
      return structuredClone(allApprovals().filter((a) =>
        (f.approver === undefined || isCandidate(a, f.approver)) && (f.status === undefined || a.status === f.status)
        && (f.opportunityId === undefined || a.opportunityId === f.opportunityId)));
    },
    async opportunities(f: OpportunityFilter = {}) {
      live();
      const out: Opportunity[] = [];
      for (const d of deals.values()) {
        const o = d.opportunity;
        if ((f.template === undefined || o.template === f.template) && (f.status === undefined || o.status === f.status)
          && (f.owner === undefined || o.owner === f.owner) && (f.stage === undefined || o.stage === f.stage)) out.push(o);
      }
      out.sort((a, b) => (a.openedAt < b.openedAt ? -1 : a.openedAt > b.openedAt ? 1 : a.id < b.id ? -1 : 1));
      return structuredClone(f.limit === undefined ? out : out.slice(0, f.limit));
    },
    async saveDefinition(def) {
      live();
      const key = `${def.id}@${def.version}`;
      const prev = defs.get(key);
      if (prev && canonicalJson(prev) !== canonicalJson(def)) {
        throw new WinpathError('TEMPLATE_INVALID', `template ${key} is already stored with different content`, { fix: 'raise the template version when you change it' });
      }
      if (!prev) defs.set(key, structuredClone(def));
    },
    async definition(id, version) {
      live();
      return defs.get(`${id}@${version}`);
    },
    async definitions() {
      live();
      return [...defs.values()];
    },
    async outbox(f = {}) {
      live();
      const rows = outbox
        .filter(({ m }) => (f.status === undefined || m.status === f.status) && (f.opportunityId === undefined || m.opportunityId === f.opportunityId))
        .sort(byOutboxOrder);
      return structuredClone(rows.map(({ m }) => m));
    },
    async timers(opportunityId) {
      live();
      const all = opportunityId === undefined ? [...timers.values()].flat() : timers.get(opportunityId) ?? [];
      return structuredClone([...all].sort(byDue));
    },
    async claimTimers({ now, limit, leaseUntil }: ClaimOptions) {
      live();
      const due = [...timers.values()].flat()
        .filter((t) => t.dueAt <= now && (leases.get(t.id) ?? '') <= now)
        .sort(byDue)
        .slice(0, limit);
      for (const t of due) leases.set(t.id, leaseUntil);
      return structuredClone(due);
    },
    async claimOutbox({ now, limit, leaseUntil }: ClaimOptions) {
      live();
      const firstPending = new Map<string, OutboxRow>();
      for (const row of [...outbox].sort(byOutboxOrder)) {
        if (row.m.status !== 'pending') continue;
        const prev = firstPending.get(row.m.opportunityId);
        if (!prev || row.m.seq < prev.m.seq) firstPending.set(row.m.opportunityId, row);
      }
      const claimed = [...firstPending.values()]
        .filter((r) => (r.m.nextAttemptAt === null || r.m.nextAttemptAt <= now) && (r.claimedUntil === null || r.claimedUntil <= now))
        .sort(byOutboxOrder)
        .slice(0, limit);
      for (const r of claimed) r.claimedUntil = leaseUntil;
      return structuredClone(claimed.map((r) => r.m));
    },
    async settleOutbox(id, outcome: OutboxOutcome) {
      live();
      const row = outbox.find((r) => r.m.id === id);
      if (!row) throw new WinpathError('NOT_FOUND', `no outbox message "${id}"`);
      row.m.attempts++;
      row.m.status = outcome.status;
      row.claimedUntil = null;
      row.m.lastError = outcome.status === 'delivered' ? null : outcome.error;
      row.m.nextAttemptAt = outcome.status === 'pending' ? outcome.nextAttemptAt : null;
    },
    async close() {
      closed = true;
    },
  };
}
