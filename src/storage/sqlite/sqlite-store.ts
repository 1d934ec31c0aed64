/** sqliteStore(): the Store port on better-sqlite3; one IMMEDIATE transaction per command, WAL on files. */
import Database from 'better-sqlite3';
import { WinpathError } from '../../errors/index.js';
import { canonicalJson, type Approval, type DealState, type Opportunity, type OpportunityEvent, type ProcessDefinition, type Task, type Timer } from '../../model/index.js';
import {
  assertFeedLimit, badFeedPosition, assertCommitInstants, outcomeMoves, toMinor, type ApprovalFilter, type ClaimOptions, type Commit, type LoadedDeal, type OpportunityFilter, type OutboxOutcome, type OutboxStatus, type Store,
  type StoredOutboxMessage, type TaskFilter,
} from '../port.js';
import { migrate } from './sqlite-migrations.js';
import { sqliteQueryPort } from './sqlite-dialect.js';
import { toEvent, toOutbox, toTimer } from '../sql-rows.js';
import type { QueryPort } from '../query-port.js';

export interface SqliteStoreOptions {
  /** A database file, or ':memory:' (the default) for a private in-memory database. */
  path?: string;
  /** 'normal' (default): synchronous=NORMAL, a power loss may drop the last commits; 'full': synchronous=FULL, slower. */
  durability?: 'normal' | 'full';
  /** How long to wait for another process's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

type Db = Database.Database;
type Row = Record<string, unknown>;

/** Each open sqlite store's connection, for readSqlitePragma; kept off the Store object. */
const connections = new WeakMap<Store, Db>();

/** Reads a pragma of a sqlite store's own connection (`journal_mode`, `synchronous`...); for tests and diagnostics. */
export function readSqlitePragma(store: Store, name: string): unknown {
  const db = connections.get(store);
  if (!db || !db.open) throw new WinpathError('INPUT_INVALID', `readSqlitePragma: the store is not an open sqlite store (kind ${store.kind})`);
  if (!/^[a-z_]+$/.test(name)) throw new WinpathError('INPUT_INVALID', `readSqlitePragma: "${name}" is not a pragma name`);
  return db.pragma(name, { simple: true });
}

/**
 * A Store on a SQLite database: durable and safe for several processes when `path` is a file.
 * @example const store = sqliteStore({ path: 'deals.db' });
 * @throws WinpathError INPUT_INVALID when the file is not a SQLite database or was written by a newer winpath.
 */
export function sqliteStore(opts: SqliteStoreOptions = {}): Store {
  const path = opts.path ?? ':memory:';
  const onDisk = path !== ':memory:';
  const db = openDatabase(path, opts);
  const q = prepareStatements(db);
  const filtered = new Map<string, Database.Statement<unknown[]>>();
  let closed = false;

  const live = (): void => {
    if (closed) throw new WinpathError('INPUT_INVALID', `the store is closed (SQLite ${path})`, { fix: 'open a new store with sqliteStore()' });
  };
  /** A filtered query, prepared once per filter shape so each shape can use its index. */
  const shaped = (key: string, build: () => string): Database.Statement<unknown[]> => {
    let st = filtered.get(key);
    if (!st) {
      st = db.prepare(build());
      filtered.set(key, st);
    }
    return st;
  };

  /** An UPDATE of the columns a commit changed (bit i: OPPORTUNITY_COLUMNS[i]), prepared once per shape. */
  const updates = new Map<number, Database.Statement<unknown[]>>();
  const updateOf = (mask: number): Database.Statement<unknown[]> => {
    let st = updates.get(mask);
    if (!st) updates.set(mask, (st = db.prepare(updateOpportunitySql(mask))));
    return st;
  };

  const writeCommit = db.transaction((c: Commit): void => {
    const prev = q.current.get(c.opportunityId) as Row | undefined;
    const current = (prev?.['version'] as number | undefined) ?? 0;
    if (current !== c.expectedVersion) throw conflict(c.opportunityId, current, c.expectedVersion);
    const s = c.state;
    const o = s.opportunity;
    const values = opportunityValues(o);
    if (!prev) q.insertOpportunity.run(c.opportunityId, ...values, o.seq, JSON.stringify(s));
    else {
      // only the columns that changed: an index whose columns a command leaves alone is not rewritten
      const { mask, params } = changedColumns(prev, values);
      updateOf(mask).run(...params, o.seq, JSON.stringify(s), c.opportunityId);
    }
    for (const e of c.events) {
      q.insertEvent.run(e.id, e.opportunityId, e.seq, e.type, e.at, e.actor, JSON.stringify(e.data));
      const fields = e.data['fields'] as Record<string, unknown> | undefined;
      if ((e.type === 'opportunity.opened' || e.type === 'opportunity.updated') && fields && 'amount' in fields) {
        q.amountAt.run(c.opportunityId, e.at, toMinor((fields['amount'] as number | null) ?? null));
      }
      if (e.type === 'stage.entered') {
        q.closeStage.run(e.at, e.at, c.opportunityId);
        q.enterStage.run(c.opportunityId, e.data['entry'], e.data['stage'], e.at, o.template);
      } else if (e.type === 'stage.exited') {
        q.closeStage.run(e.at, e.at, c.opportunityId);
      }
    }
    // the forecast counters: out with the status the deal had, in with the one it ends with
    const moves = outcomeMoves(c, prev?.['status'] as string | undefined);
    if (moves.leave) q.outcomesLeave.run(moves.leave.won, o.template, c.opportunityId, moves.leave.beforeEntry);
    if (moves.join) q.outcomesJoin.run(o.template, moves.join.won, c.opportunityId);
    // only rows the events changed are written (a stage exit cancels its open work: then all of them)
    const touched = touchedChildren(c.events);
    s.tasks.forEach((t, ord) => {
      if (touched !== 'all' && !touched.has(t.id)) return;
      q.upsertTask.run({
        id: t.id, opportunity_id: c.opportunityId, ord, key: t.key, stage: t.stage, entry: t.entry, title: t.title, role: t.role,
        assignee: t.assignee, status: t.status, created_at: t.createdAt, due_at: t.dueAt, completed_at: t.completedAt, data: JSON.stringify(t),
      });
    });
    s.approvals.forEach((a, ord) => {
      if (touched !== 'all' && !touched.has(a.id)) return;
      const changed = q.upsertApproval.run({
        id: a.id, opportunity_id: c.opportunityId, ord, key: a.key, stage: a.stage, entry: a.entry, status: a.status,
        requested_by: a.requestedBy, created_at: a.createdAt, due_at: a.dueAt, data: JSON.stringify(a),
      }).changes > 0;
      if (changed) {
        q.clearCandidates.run(a.id);
        for (const user of candidateUsers(a)) q.insertCandidate.run(a.id, user);
      }
    });
    for (const m of c.outbox) {
      const ev = c.events.find((e) => e.id === m.id);
      q.insertOutbox.run(m.id, m.opportunityId, ev?.seq ?? 0, m.type, JSON.stringify(m.data), m.attempts, ev?.at ?? c.events.at(-1)?.at ?? o.openedAt);
    }
    // the pending timers are a projection of the state: replace the deal's set, keeping leases of timers still pending
    const keep = new Set(c.timers.map((t) => t.id));
    for (const row of q.timerIds.all(c.opportunityId) as { id: string }[]) if (!keep.has(row.id)) q.deleteTimer.run(row.id);
    for (const t of c.timers) q.upsertTimer.run(t.id, c.opportunityId, t.type, t.dueAt);
  });

  const claimTimers = db.transaction((o: ClaimOptions): Timer[] => {
    const rows = q.dueTimers.all(o.now, o.now, o.limit) as Row[];
    for (const r of rows) q.leaseTimer.run(o.leaseUntil, r['id']);
    return rows.map(toTimer);
  });

  const claimOutbox = db.transaction((o: ClaimOptions): StoredOutboxMessage[] => {
    const rows = q.dueOutbox.all(o.now, o.now, o.limit) as Row[];
    for (const r of rows) q.leaseOutbox.run(o.leaseUntil, r['id']);
    return rows.map(toOutbox);
  });

  const saveDef = db.transaction((def: ProcessDefinition): void => {
    const prev = q.definition.get(def.id, def.version) as { definition: string } | undefined;
    if (prev) {
      if (canonicalJson(JSON.parse(prev.definition)) !== canonicalJson(def)) {
        throw new WinpathError('TEMPLATE_INVALID', `template ${def.id}@${def.version} is already stored with different content`, { fix: 'raise the template version when you change it' });
      }
      return;
    }
    q.insertDefinition.run(def.id, def.version, JSON.stringify(def));
  });

  const store: Store & { query: QueryPort } = {
    kind: 'sqlite',
    query: sqliteQueryPort(db),
    capabilities: { durable: onDisk, concurrentWriters: onDisk },
    async load(id): Promise<LoadedDeal | undefined> {
      live();
      const row = q.load.get(id) as { state: string; version: number } | undefined;
      return row ? { state: JSON.parse(row.state) as DealState, version: row.version } : undefined;
    },
    async append(c: Commit) {
      live();
      assertCommitInstants(c);
      try {
        writeCommit.immediate(c);
      } catch (e) {
        if (isEventUniqueViolation(e)) {
          throw new WinpathError('CONCURRENCY_CONFLICT', `deal ${c.opportunityId}: another writer appended events after version ${c.expectedVersion} first; nothing was written`,
            { fix: 'read the deal again and retry the command (engine option `retry`)' }, { cause: e });
        }
        if ((e as { code?: unknown } | null)?.code === 'SQLITE_BUSY') {
          throw new WinpathError('CONCURRENCY_CONFLICT', `deal ${c.opportunityId}: the database stayed locked by another writer past the busy timeout; nothing was written`,
            { fix: 'retry the command (engine option `retry`), or raise `busyTimeoutMs`' }, { cause: e });
        }
        throw e;
      }
    },
    async events(id, afterSeq = 0) {
      live();
      return (q.events.all(id, afterSeq) as Row[]).map(toEvent);
    },
    async feed(after, limit) {
      live();
      // one writer at a time, each holding the write lock from its first pos to its commit: pos order is commit order
      const from = after === null ? 0 : /^\d{1,15}$/.test(String(after)) ? Number(after) : -1;
      if (from < 0) throw badFeedPosition(after);
      assertFeedLimit(limit);
      const rows = q.feed.all(from, limit) as Row[];
      const last = rows.at(-1);
      return { events: rows.map(toEvent), position: last ? String(last['pos']) : String(from) };
    },
    async task(taskId) {
      live();
      const row = q.task.get(taskId) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as Task) : undefined;
    },
    async approval(approvalId) {
      live();
      const row = q.approval.get(approvalId) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as Approval) : undefined;
    },
    async tasks(f: TaskFilter = {}) {
      live();
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.assignee !== undefined) { where.push('assignee = ?'); params.push(f.assignee); }
      if (f.status !== undefined) { where.push('status = ?'); params.push(f.status); }
      if (f.opportunityId !== undefined) { where.push('opportunity_id = ?'); params.push(f.opportunityId); }
      const st = shaped(`tasks:${where.join('&')}`, () =>
        `SELECT data FROM tasks ${whereSql(where)} ORDER BY created_at, opportunity_id, ord`);
      return (st.all(...params) as { data: string }[]).map((r) => JSON.parse(r.data) as Task);
    },
    async approvals(f: ApprovalFilter = {}) {
      live();
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.approver !== undefined) { where.push('id IN (SELECT approval_id FROM approval_candidates WHERE user_id = ?)'); params.push(f.approver); }
      if (f.status !== undefined) { where.push('status = ?'); params.push(f.status); }
      if (f.opportunityId !== undefined) { where.push('opportunity_id = ?'); params.push(f.opportunityId); }
      const st = shaped(`approvals:${where.join('&')}`, () =>
        `SELECT data FROM approvals ${whereSql(where)} ORDER BY created_at, opportunity_id, ord`);
      return (st.all(...params) as { data: string }[]).map((r) => JSON.parse(r.data) as Approval);
    },
    async opportunities(f: OpportunityFilter = {}) {
      live();
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.template !== undefined) { where.push('template = ?'); params.push(f.template); }
      if (f.status !== undefined) { where.push('status = ?'); params.push(f.status); }
      if (f.owner !== undefined) { where.push('owner = ?'); params.push(f.owner); }
      if (f.stage !== undefined) { where.push('stage = ?'); params.push(f.stage); }
      const st = shaped(`opportunities:${where.join('&')}`, () =>
        `SELECT json_extract(state, '$.opportunity') AS o FROM opportunities ${whereSql(where)} ORDER BY opened_at, id LIMIT ?`);
      params.push(f.limit ?? -1);
      return (st.all(...params) as { o: string }[]).map((r) => JSON.parse(r.o) as Opportunity);
    },
    async saveDefinition(def) {
      live();
      saveDef.immediate(def);
    },
    async definition(id, version) {
      live();
      const row = q.definition.get(id, version) as { definition: string } | undefined;
      return row ? (JSON.parse(row.definition) as ProcessDefinition) : undefined;
    },
    async definitions() {
      live();
      return (q.definitions.all() as { definition: string }[]).map((r) => JSON.parse(r.definition) as ProcessDefinition);
    },
    async outbox(f: { status?: OutboxStatus; opportunityId?: string } = {}) {
      live();
      const where: string[] = [];
      const params: unknown[] = [];
      if (f.status !== undefined) { where.push('status = ?'); params.push(f.status); }
      if (f.opportunityId !== undefined) { where.push('opportunity_id = ?'); params.push(f.opportunityId); }
      const st = shaped(`outbox:${where.join('&')}`, () =>
        `SELECT id, opportunity_id, seq, type, data, status, attempts, next_attempt_at, last_error FROM outbox ${whereSql(where)} ORDER BY created_at, opportunity_id, seq`);
      return (st.all(...params) as Row[]).map(toOutbox);
    },
    async timers(opportunityId) {
      live();
      const rows = (opportunityId === undefined ? q.allTimers.all() : q.dealTimers.all(opportunityId)) as Row[];
      return rows.map(toTimer);
    },
    async claimTimers(o) {
      live();
      return claimTimers.immediate(o);
    },
    async claimOutbox(o) {
      live();
      return claimOutbox.immediate(o);
    },
    async settleOutbox(id, outcome: OutboxOutcome) {
      live();
      const r = q.settleOutbox.run(outcome.status, outcome.status === 'delivered' ? null : outcome.error,
        outcome.status === 'pending' ? outcome.nextAttemptAt : null, id);
      if (r.changes === 0) throw new WinpathError('NOT_FOUND', `no outbox message "${id}"`);
    },
    async close() {
      if (closed) return;
      closed = true;
      filtered.clear();
      db.close();
    },
  };
  connections.set(store, db);
  return store;
}

/** Opens, tunes and migrates the database; a file that is not SQLite becomes INPUT_INVALID. */
function openDatabase(path: string, opts: SqliteStoreOptions): Db {
  let db: Db;
  try {
    db = new Database(path, { timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw new WinpathError('INPUT_INVALID', `cannot open SQLite database ${path}: ${(e as Error).message}`, {
      fix: 'check that the folder exists and is writable, or pass another `path`', file: path,
    }, { cause: e });
  }
  try {
    if (path !== ':memory:') {
      db.pragma('journal_mode = WAL');
      // checkpoint every ~16 MB of WAL instead of ~4 MB: fewer, larger checkpoints cost less per command (bench/row-cost.ts)
      db.pragma('wal_autocheckpoint = 4000');
    }
    db.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    return db;
  } catch (e) {
    db.close();
    if (e instanceof WinpathError) throw e;
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new WinpathError('INPUT_INVALID', `${path} is not a winpath/SQLite database (${(e as Error).message})`, {
        fix: 'pass the path of a winpath database, or a new file name to create one', file: path,
      }, { cause: e });
    }
    throw e;
  }
}

function prepareStatements(db: Db) {
  return {
    current: db.prepare(`SELECT version, ${OPPORTUNITY_COLUMNS.join(', ')} FROM opportunities WHERE id = ?`),
    load: db.prepare('SELECT state, version FROM opportunities WHERE id = ?'),
    insertOpportunity: db.prepare(`INSERT INTO opportunities (id, ${OPPORTUNITY_COLUMNS.join(', ')}, version, state)
      VALUES (?, ${OPPORTUNITY_COLUMNS.map(() => '?').join(', ')}, ?, ?)`),
    insertEvent: db.prepare('INSERT INTO events (id, opportunity_id, seq, type, at, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    events: db.prepare('SELECT id, opportunity_id, seq, type, at, actor, data FROM events WHERE opportunity_id = ? AND seq > ? ORDER BY seq'),
    feed: db.prepare('SELECT pos, id, opportunity_id, seq, type, at, actor, data FROM events WHERE pos > ? ORDER BY pos LIMIT ?'),
    enterStage: db.prepare('INSERT INTO stage_history (opportunity_id, entry, stage, entered_at, template) VALUES (?, ?, ?, ?, ?)'),
    closeStage: db.prepare(`UPDATE stage_history SET exited_at = ?,
        dwell_ms = CAST(round((unixepoch(?, 'subsec') - unixepoch(entered_at, 'subsec')) * 1000) AS INTEGER)
      WHERE opportunity_id = ? AND exited_at IS NULL`),
    outcomesLeave: db.prepare(`UPDATE stage_outcomes SET closed = closed - 1, won = won - ?
      WHERE template = ? AND stage IN (SELECT stage FROM stage_history WHERE opportunity_id = ? AND entry < ?)`),
    outcomesJoin: db.prepare(`INSERT INTO stage_outcomes (template, stage, closed, won)
        SELECT ?, stage, 1, ? FROM stage_history WHERE opportunity_id = ? GROUP BY stage
      ON CONFLICT (template, stage) DO UPDATE SET closed = closed + 1, won = won + excluded.won`),
    // Unchanged rows are left alone (changes = 0), so a commit rewrites only what it touched.
    upsertTask: db.prepare(`INSERT INTO tasks (id, opportunity_id, ord, key, stage, entry, title, role, assignee, status, created_at, due_at, completed_at, data)
      VALUES (@id, @opportunity_id, @ord, @key, @stage, @entry, @title, @role, @assignee, @status, @created_at, @due_at, @completed_at, @data)
      ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, key = excluded.key, stage = excluded.stage, entry = excluded.entry, title = excluded.title,
        role = excluded.role, assignee = excluded.assignee, status = excluded.status, created_at = excluded.created_at, due_at = excluded.due_at,
        completed_at = excluded.completed_at, data = excluded.data
      WHERE tasks.data IS NOT excluded.data OR tasks.ord IS NOT excluded.ord`),
    upsertApproval: db.prepare(`INSERT INTO approvals (id, opportunity_id, ord, key, stage, entry, status, requested_by, created_at, due_at, data)
      VALUES (@id, @opportunity_id, @ord, @key, @stage, @entry, @status, @requested_by, @created_at, @due_at, @data)
      ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, key = excluded.key, stage = excluded.stage, entry = excluded.entry, status = excluded.status,
        requested_by = excluded.requested_by, created_at = excluded.created_at, due_at = excluded.due_at, data = excluded.data
      WHERE approvals.data IS NOT excluded.data OR approvals.ord IS NOT excluded.ord`),
    clearCandidates: db.prepare('DELETE FROM approval_candidates WHERE approval_id = ?'),
    insertCandidate: db.prepare('INSERT OR IGNORE INTO approval_candidates (approval_id, user_id) VALUES (?, ?)'),
    task: db.prepare('SELECT data FROM tasks WHERE id = ?'),
    approval: db.prepare('SELECT data FROM approvals WHERE id = ?'),
    insertOutbox: db.prepare('INSERT INTO outbox (id, opportunity_id, seq, type, data, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, \'pending\', ?, ?)'),
    definition: db.prepare('SELECT definition FROM templates WHERE id = ? AND version = ?'),
    insertDefinition: db.prepare('INSERT INTO templates (id, version, definition) VALUES (?, ?, ?)'),
    definitions: db.prepare('SELECT definition FROM templates ORDER BY rowid'),
    timerIds: db.prepare('SELECT id FROM timers WHERE opportunity_id = ?'),
    amountAt: db.prepare('INSERT OR REPLACE INTO amount_history (opportunity_id, at, amount_minor) VALUES (?, ?, ?)'),
    deleteTimer: db.prepare('DELETE FROM timers WHERE id = ?'),
    upsertTimer: db.prepare(`INSERT INTO timers (id, opportunity_id, type, due_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET type = excluded.type, due_at = excluded.due_at WHERE timers.due_at IS NOT excluded.due_at OR timers.type IS NOT excluded.type`),
    allTimers: db.prepare('SELECT id, opportunity_id, type, due_at FROM timers ORDER BY due_at, id'),
    dealTimers: db.prepare('SELECT id, opportunity_id, type, due_at FROM timers WHERE opportunity_id = ? ORDER BY due_at, id'),
    dueTimers: db.prepare(`SELECT id, opportunity_id, type, due_at FROM timers
      WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY due_at, id LIMIT ?`),
    leaseTimer: db.prepare('UPDATE timers SET claimed_until = ? WHERE id = ?'),
    // at most one message per deal: the lowest seq still pending, so a deal's messages go out in order
    dueOutbox: db.prepare(`SELECT o.id, o.opportunity_id, o.seq, o.type, o.data, o.status, o.attempts, o.next_attempt_at, o.last_error FROM outbox o
      WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) AND (o.claimed_until IS NULL OR o.claimed_until <= ?)
        AND o.seq = (SELECT min(p.seq) FROM outbox p WHERE p.opportunity_id = o.opportunity_id AND p.status = 'pending')
      ORDER BY o.created_at, o.opportunity_id, o.seq LIMIT ?`),
    leaseOutbox: db.prepare('UPDATE outbox SET claimed_until = ? WHERE id = ?'),
    settleOutbox: db.prepare(`UPDATE outbox SET attempts = attempts + 1, status = ?, last_error = ?, next_attempt_at = ?, claimed_until = NULL WHERE id = ?`),
  };
}

/** The opportunity row's columns besides id, version and state, in the order opportunityValues gives them. */
export const OPPORTUNITY_COLUMNS = [
  'template', 'template_version', 'title', 'owner', 'stage', 'status', 'amount_minor', 'fields', 'opened_at', 'stage_entered_at',
  'closed_at', 'loss_reason', 'idle',
] as const;

/** An opportunity's column values, as stored (amount in minor units, fields as JSON, idle as 0/1). */
export function opportunityValues(o: Opportunity): unknown[] {
  return [o.template, o.templateVersion, o.title, o.owner, o.stage, o.status, toMinor(o.amount), JSON.stringify(o.fields), o.openedAt,
    o.stageEnteredAt, o.closedAt, o.lossReason, o.idle ? 1 : 0];
}

/** Which columns differ from the stored row (a bit per OPPORTUNITY_COLUMNS entry), and their new values in order. */
export function changedColumns(prev: Record<string, unknown>, values: readonly unknown[]): { mask: number; params: unknown[] } {
  let mask = 0;
  const params: unknown[] = [];
  OPPORTUNITY_COLUMNS.forEach((c, i) => {
    if (prev[c] !== values[i]) {
      mask |= 1 << i;
      params.push(values[i]);
    }
  });
  return { mask, params };
}

/** UPDATE ... SET <changed columns>, version, state WHERE id: the parameters are the changed values, version, state, id. */
export function updateOpportunitySql(mask: number): string {
  const set = OPPORTUNITY_COLUMNS.filter((_c, i) => mask & (1 << i)).map((c) => `${c} = ?`);
  return `UPDATE opportunities SET ${[...set, 'version = ?', 'state = ?'].join(', ')} WHERE id = ?`;
}

/** Ids of the tasks and approvals a commit's events change, or 'all' when a stage exit may have cancelled several. */
function touchedChildren(events: readonly OpportunityEvent[]): Set<string> | 'all' {
  const ids = new Set<string>();
  for (const e of events) {
    if (e.type === 'stage.exited') return 'all';
    const id = e.data['taskId'] ?? e.data['approvalId'];
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}

function whereSql(where: readonly string[]): string {
  return where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
}

/** The users who may fill some slot: every resolved candidate, plus `user:<id>` slots (as isCandidate). */
function candidateUsers(a: Approval): Set<string> {
  const users = new Set<string>(a.candidates.flat());
  for (const slot of a.approvers) if (slot.startsWith('user:')) users.add(slot.slice('user:'.length));
  return users;
}

function conflict(id: string, current: number, expected: number): WinpathError {
  return new WinpathError('CONCURRENCY_CONFLICT', `deal ${id} is at version ${current}, the command read version ${expected}; nothing was written`,
    { fix: 'read the deal again and retry the command (engine option `retry`)' });
}

/** A duplicate event id or (deal, seq): another writer got there first. */
function isEventUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    && /constraint failed: events\./.test((e as Error).message);
}
