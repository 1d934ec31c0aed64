/** postgresStore(): the Store port on PostgreSQL through `pg` (loaded on first use); a schema per store. */
import { createHash } from 'node:crypto';
import { WinpathError } from '../../errors/index.js';
import { canonicalJson, type Approval, type DealState, type Opportunity, type ProcessDefinition, type Task, type Timer } from '../../model/index.js';
import {
  assertFeedLimit, badFeedPosition, assertCommitInstants, outcomeMoves, toMinor, type ApprovalFilter, type ClaimOptions, type Commit, type FeedPage, type LoadedDeal, type OpportunityFilter, type OutboxOutcome, type OutboxStatus,
  type Store, type TaskFilter,
} from '../port.js';
import type { QueryPort } from '../query-port.js';
import { postgresQueryPort } from './postgres-dialect.js';
import { toEvent, toOutbox, toTimer } from '../sql-rows.js';
import { migratePostgres, quoteSchema } from './postgres-migrations.js';

type Row = Record<string, unknown>;

/** The part of a `pg` client the store uses; a `pg.PoolClient` fits. */
export interface PostgresClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Row[]; rowCount: number | null }>;
  query(text: string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  release(err?: Error | boolean): void;
}

/** The part of a `pg` pool the store uses; a `pg.Pool` fits. */
export interface PostgresPool {
  connect(): Promise<PostgresClient>;
  end(): Promise<void>;
}

export interface PostgresStoreOptions {
  /** `postgresql://user:password@host:5432/db`; the store creates (and closes) its own pool. */
  connectionString?: string;
  /** A pool of your own (`new pg.Pool(...)`), shared with the rest of the app; `close()` leaves it open. */
  pool?: PostgresPool;
  /** The schema holding the store's tables, created when missing; default 'winpath'. */
  schema?: string;
  /** The most connections the store's own pool opens (default 10); ignored with `pool`. */
  poolSize?: number;
}

/** Each postgres store's pool (once started), for tests and tools; kept off the Store object. */
const pools = new WeakMap<Store, () => Promise<PostgresPool>>();

/** The pool a postgres store runs on, once it has initialised (for tests and diagnostics). */
export async function postgresStorePool(store: Store): Promise<PostgresPool> {
  const pool = pools.get(store);
  if (!pool) throw new WinpathError('INPUT_INVALID', `postgresStorePool: the store is not a postgres store (kind ${store.kind})`);
  return pool();
}

const CONFLICT_FIX = 'read the deal again and retry the command (engine option `retry`)';

/**
 * A Store on PostgreSQL: durable, and safe for many app instances sharing one database.
 * Nothing connects until the first call, which creates the pool, the schema and runs the migrations.
 * @example const store = postgresStore({ connectionString: process.env.DATABASE_URL, schema: 'sales' });
 * @throws WinpathError INPUT_INVALID for a schema name that is not a plain identifier, or without
 *   `connectionString` or `pool`; later calls reject with INPUT_INVALID when `pg` is not installed, the
 *   server cannot be reached, or the schema was written by a newer winpath.
 */
export function postgresStore(opts: PostgresStoreOptions): Store {
  const schema = opts?.schema ?? 'winpath';
  const S = quoteSchema(schema);
  if (!opts || (opts.connectionString === undefined) === (opts.pool === undefined)) {
    throw new WinpathError('INPUT_INVALID', 'postgresStore needs exactly one of `connectionString` and `pool`', {
      fix: "pass { connectionString: 'postgresql://user@host:5432/db' }, or { pool } with a pg.Pool of your own",
    });
  }
  const poolSize = opts.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new WinpathError('INPUT_INVALID', `postgresStore: poolSize must be a whole number of at least 1, not ${String(poolSize)}`, { path: ['poolSize'] });
  }
  const ownPool = opts.pool === undefined;
  let ready: Promise<PostgresPool> | undefined;
  let closed = false;

  const init = (): Promise<PostgresPool> => {
    ready ??= (async () => {
      const pool = opts.pool ?? (await createPool(opts.connectionString!, poolSize));
      try {
        let client: PostgresClient;
        try {
          client = await pool.connect();
        } catch (e) {
          // an AggregateError (every address of a host refused) has no message, only a code
          const why = (e as Error).message || String((e as { code?: unknown }).code ?? e);
          throw new WinpathError('INPUT_INVALID', `cannot connect to PostgreSQL for schema "${schema}": ${why}`, {
            fix: 'check that the server is running and that `connectionString` (or your pool) points at it',
          }, { cause: e });
        }
        try {
          await migratePostgres(client, schema);
          client.release();
        } catch (e) {
          client.release(true);
          throw e;
        }
        return pool;
      } catch (e) {
        if (ownPool) await pool.end().catch(() => undefined);
        throw e;
      }
    })();
    // a failed start is not kept: the next call tries again
    ready.catch(() => {
      ready = undefined;
    });
    return ready;
  };

  const live = (): void => {
    if (closed) throw new WinpathError('INPUT_INVALID', `the store is closed (PostgreSQL schema "${schema}")`, { fix: 'open a new store with postgresStore()' });
  };

  /** Runs one statement on a pooled connection, as a named (prepared once per connection) statement. */
  async function query(text: string, values: unknown[] = []): Promise<{ rows: Row[]; rowCount: number | null }> {
    live();
    const pool = await init();
    const client = await pool.connect();
    try {
      const r = await client.query({ name: statementName(text), text, values: values.map(pgValue) });
      client.release();
      return r;
    } catch (e) {
      client.release(isBrokenConnection(e) ? (e as Error) : undefined);
      throw e;
    }
  }

  /** Runs `work` in one transaction on one connection; rolls back on any error. */
  async function transaction<T>(work: (run: (text: string, values?: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>) => Promise<T>): Promise<T> {
    live();
    const pool = await init();
    const client = await pool.connect();
    const run = (text: string, values: unknown[] = []) => client.query({ name: statementName(text), text, values: values.map(pgValue) });
    try {
      await client.query('BEGIN');
      const result = await work(run);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (e) {
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
      client.release(rolledBack ? undefined : true);
      throw e;
    }
  }

  const sql = statements(S);

  async function writeCommit(c: Commit, run: (text: string, values?: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>): Promise<void> {
    const s = c.state;
    const o = s.opportunity;
    const opportunity = [
      c.opportunityId, o.template, o.templateVersion, o.title, o.owner, o.stage, o.status, toMinor(o.amount), JSON.stringify(o.fields), o.openedAt,
      o.stageEnteredAt, o.closedAt, o.lossReason, o.idle, o.seq, JSON.stringify(s),
    ];
    let before: string | undefined;
    if (c.expectedVersion === 0) {
      // a new deal: the insert itself detects a deal that exists (or is being created) already
      const inserted = await run(sql.insertOpportunity, opportunity);
      if (inserted.rowCount === 0) {
        const { rows } = await run(sql.version, [c.opportunityId]);
        throw conflict(c.opportunityId, (rows[0]?.['version'] as number | undefined) ?? 0, 0);
      }
    } else {
      // a commit that wins, loses or reopens needs the status the deal had: read it under the row lock the update takes anyway
      if (c.events.some((e) => e.type === 'opportunity.won' || e.type === 'opportunity.lost' || e.type === 'opportunity.reopened')) {
        before = (await run(sql.statusForUpdate, [c.opportunityId])).rows[0]?.['status'] as string | undefined;
      }
      // the update waits for any other writer of the deal, then re-checks the version on the row it committed
      const updated = await run(sql.updateOpportunity, [...opportunity, c.expectedVersion]);
      if (updated.rowCount === 0) {
        const { rows } = await run(sql.version, [c.opportunityId]);
        throw conflict(c.opportunityId, (rows[0]?.['version'] as number | undefined) ?? 0, c.expectedVersion);
      }
    }
    if (c.events.length > 0) {
      await run(sql.insertEvents, [recordset(c.events.map((e) => ({
        id: e.id, opportunity_id: e.opportunityId, seq: e.seq, type: e.type, at: e.at, actor: e.actor, data: JSON.stringify(e.data),
      })))]);
    }
    for (const e of c.events) {
      const fields = e.data['fields'] as Record<string, unknown> | undefined;
      if ((e.type === 'opportunity.opened' || e.type === 'opportunity.updated') && fields && 'amount' in fields) {
        await run(sql.amountAt, [c.opportunityId, e.at, toMinor((fields['amount'] as number | null) ?? null)]);
      }
      if (e.type === 'stage.entered') {
        await run(sql.closeStage, [e.at, c.opportunityId]);
        await run(sql.enterStage, [c.opportunityId, e.data['entry'], e.data['stage'], e.at, o.template]);
      } else if (e.type === 'stage.exited') {
        await run(sql.closeStage, [e.at, c.opportunityId]);
      }
    }
    if (s.tasks.length > 0) {
      await run(sql.upsertTasks, [c.opportunityId, recordset(s.tasks.map((t, ord) => ({
        id: t.id, ord, key: t.key, stage: t.stage, entry: t.entry, title: t.title, role: t.role, assignee: t.assignee, status: t.status,
        created_at: t.createdAt, due_at: t.dueAt, completed_at: t.completedAt, data: JSON.stringify(t),
      })))]);
    }
    if (s.approvals.length > 0) {
      const { rows } = await run(sql.upsertApprovals, [c.opportunityId, recordset(s.approvals.map((a, ord) => ({
        id: a.id, ord, key: a.key, stage: a.stage, entry: a.entry, status: a.status, requested_by: a.requestedBy, created_at: a.createdAt,
        due_at: a.dueAt, data: JSON.stringify(a),
      })))]);
      // candidates are rewritten only for approvals that changed
      const changed = new Set(rows.map((r) => r['id'] as string));
      if (changed.size > 0) {
        await run(sql.clearCandidates, [[...changed]]);
        const pairs = s.approvals.filter((a) => changed.has(a.id)).flatMap((a) => [...candidateUsers(a)].map((u) => [a.id, u] as const));
        if (pairs.length > 0) await run(sql.insertCandidates, [pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
      }
    }
    if (c.outbox.length > 0) {
      await run(sql.insertOutbox, [recordset(c.outbox.map((m) => {
        const ev = c.events.find((e) => e.id === m.id);
        return {
          id: m.id, opportunity_id: m.opportunityId, seq: ev?.seq ?? 0, type: m.type, data: JSON.stringify(m.data), attempts: m.attempts,
          created_at: ev?.at ?? c.events.at(-1)?.at ?? o.openedAt,
        };
      }))]);
    }
    // the pending timers are a projection of the state: replace the deal's set, keeping leases of timers still pending
    await run(sql.replaceTimers, [c.opportunityId, c.timers.map((t) => t.id), recordset(c.timers.map((t) => ({ id: t.id, type: t.type, due_at: t.dueAt })))]);
    // the forecast counters, last, so their shared rows stay locked for as short a time as possible: out with the
    // status the deal had before this commit, in with the one it ends with
    const moves = outcomeMoves(c, before);
    if (moves.leave) await run(sql.outcomesLeave, [moves.leave.won, o.template, c.opportunityId, moves.leave.beforeEntry]);
    if (moves.join) await run(sql.outcomesJoin, [o.template, moves.join.won, c.opportunityId]);
  }

  const store: Store & { query: QueryPort } = {
    kind: 'postgres',
    query: postgresQueryPort(S, (text, values) => query(text, values).then((r) => r.rows)),
    capabilities: { durable: true, concurrentWriters: true },
    async load(id): Promise<LoadedDeal | undefined> {
      const { rows } = await query(sql.load, [id]);
      const row = rows[0];
      return row ? { state: JSON.parse(row['state'] as string) as DealState, version: row['version'] as number } : undefined;
    },
    async append(c: Commit) {
      assertCommitInstants(c);
      try {
        await transaction((run) => writeCommit(c, run));
      } catch (e) {
        if (e instanceof WinpathError) throw e;
        const code = (e as { code?: unknown } | null)?.code;
        if (code === '23505' && (e as { table?: unknown }).table === 'events') {
          throw new WinpathError('CONCURRENCY_CONFLICT', `deal ${c.opportunityId}: another writer appended events after version ${c.expectedVersion} first; nothing was written`,
            { fix: CONFLICT_FIX }, { cause: e });
        }
        if (code === '40001' || code === '40P01' || code === '55P03') {
          const what = code === '40001' ? 'a serialization failure' : code === '40P01' ? 'a deadlock' : 'a lock wait past lock_timeout';
          throw new WinpathError('CONCURRENCY_CONFLICT', `deal ${c.opportunityId}: PostgreSQL aborted the transaction on ${what} with another writer; nothing was written`,
            { fix: CONFLICT_FIX }, { cause: e });
        }
        throw e;
      }
    },
    async events(id, afterSeq = 0) {
      const { rows } = await query(sql.events, [id, afterSeq]);
      return rows.map(toEvent);
    },
    async feed(after, limit): Promise<FeedPage> {
      const from = parseFeedPosition(after);
      assertFeedLimit(limit);
      if (limit === 0) return { events: [], position: after ?? '0:0' };
      const { rows } = await query(sql.feed, [from.xid, from.pos, limit]);
      const last = rows.at(-1);
      return { events: rows.map(toEvent), position: last ? `${last['feed_xid'] as string}:${last['feed_pos'] as string}` : after ?? '0:0' };
    },
    async task(taskId) {
      const { rows } = await query(sql.task, [taskId]);
      return rows[0] ? (JSON.parse(rows[0]['data'] as string) as Task) : undefined;
    },
    async approval(approvalId) {
      const { rows } = await query(sql.approval, [approvalId]);
      return rows[0] ? (JSON.parse(rows[0]['data'] as string) as Approval) : undefined;
    },
    async tasks(f: TaskFilter = {}) {
      const w = new Where();
      if (f.assignee !== undefined) w.add('assignee = $?', f.assignee);
      if (f.status !== undefined) w.add('status = $?', f.status);
      if (f.opportunityId !== undefined) w.add('opportunity_id = $?', f.opportunityId);
      const { rows } = await query(`SELECT data::text AS data FROM ${S}.tasks ${w.sql()} ORDER BY created_at, opportunity_id, ord`, w.values);
      return rows.map((r) => JSON.parse(r['data'] as string) as Task);
    },
    async approvals(f: ApprovalFilter = {}) {
      const w = new Where();
      if (f.approver !== undefined) w.add(`id IN (SELECT approval_id FROM ${S}.approval_candidates WHERE user_id = $?)`, f.approver);
      if (f.status !== undefined) w.add('status = $?', f.status);
      if (f.opportunityId !== undefined) w.add('opportunity_id = $?', f.opportunityId);
      const { rows } = await query(`SELECT data::text AS data FROM ${S}.approvals ${w.sql()} ORDER BY created_at, opportunity_id, ord`, w.values);
      return rows.map((r) => JSON.parse(r['data'] as string) as Approval);
    },
    async opportunities(f: OpportunityFilter = {}) {
      const w = new Where();
      if (f.template !== undefined) w.add('template = $?', f.template);
      if (f.status !== undefined) w.add('status = $?', f.status);
      if (f.owner !== undefined) w.add('owner = $?', f.owner);
      if (f.stage !== undefined) w.add('stage = $?', f.stage);
      const limit = w.param(f.limit ?? null);
      // parsed here, not with ->: PostgreSQL's json operators refuse documents holding an escaped NUL
      const { rows } = await query(`SELECT state::text AS state FROM ${S}.opportunities ${w.sql()} ORDER BY opened_at, id LIMIT ${limit}`, w.values);
      return rows.map((r) => (JSON.parse(r['state'] as string) as DealState).opportunity as Opportunity);
    },
    async saveDefinition(def) {
      const inserted = await query(sql.insertDefinition, [def.id, def.version, JSON.stringify(def)]);
      if (inserted.rowCount === 1) return;
      const { rows } = await query(sql.definition, [def.id, def.version]);
      if (rows[0] && canonicalJson(JSON.parse(rows[0]['definition'] as string)) !== canonicalJson(def)) {
        throw new WinpathError('TEMPLATE_INVALID', `template ${def.id}@${def.version} is already stored with different content`, { fix: 'raise the template version when you change it' });
      }
    },
    async definition(id, version) {
      const { rows } = await query(sql.definition, [id, version]);
      return rows[0] ? (JSON.parse(rows[0]['definition'] as string) as ProcessDefinition) : undefined;
    },
    async definitions() {
      const { rows } = await query(sql.definitions);
      return rows.map((r) => JSON.parse(r['definition'] as string) as ProcessDefinition);
    },
    async outbox(f: { status?: OutboxStatus; opportunityId?: string } = {}) {
      const w = new Where();
      if (f.status !== undefined) w.add('status = $?', f.status);
      if (f.opportunityId !== undefined) w.add('opportunity_id = $?', f.opportunityId);
      const { rows } = await query(`SELECT ${OUTBOX_COLUMNS} FROM ${S}.outbox ${w.sql()} ORDER BY created_at, opportunity_id, seq`, w.values);
      return rows.map(toOutbox);
    },
    async timers(opportunityId) {
      const { rows } = opportunityId === undefined ? await query(sql.allTimers) : await query(sql.dealTimers, [opportunityId]);
      return rows.map(toTimer);
    },
    async claimTimers(o: ClaimOptions) {
      // one statement: lock the due rows other claimers are not holding, lease them, commit
      const { rows } = await query(sql.claimTimers, [o.now, o.limit, o.leaseUntil]);
      return rows.map(toTimer).sort(byDue);
    },
    async claimOutbox(o: ClaimOptions) {
      const { rows } = await query(sql.claimOutbox, [o.now, o.limit, o.leaseUntil]);
      return rows.sort(byOutboxOrder).map(toOutbox);
    },
    async settleOutbox(id, outcome: OutboxOutcome) {
      const r = await query(sql.settleOutbox, [outcome.status, outcome.status === 'delivered' ? null : outcome.error,
        outcome.status === 'pending' ? outcome.nextAttemptAt : null, id]);
      if (r.rowCount === 0) throw new WinpathError('NOT_FOUND', `no outbox message "${id}"`);
    },
    async close() {
      if (closed) return;
      closed = true;
      const starting = ready;
      if (!starting) return;
      const pool = await starting.catch(() => undefined);
      if (pool && ownPool) await pool.end();
    },
  };
  pools.set(store, init);
  return store;
}

/** Loads `pg` on first use, so an app that never calls postgresStore never needs it. */
async function createPool(connectionString: string, max: number): Promise<PostgresPool> {
  let mod: { default?: PgModule } & Partial<PgModule>;
  try {
    mod = (await import('pg')) as typeof mod;
  } catch (e) {
    throw new WinpathError('INPUT_INVALID', 'postgresStore needs the `pg` package, which is not installed', { fix: 'npm install pg' }, { cause: e });
  }
  const Pool = (mod.default ?? (mod as PgModule)).Pool;
  const pool = new Pool({ connectionString, max });
  // a connection that dies while idle is dropped by the pool; without a listener it would crash the process
  pool.on('error', () => undefined);
  return pool;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max: number }) => PostgresPool & { on(event: 'error', listener: (e: Error) => void): unknown };
}

/** Builds a WHERE clause with `$?` placeholders numbered in order. */
class Where {
  readonly parts: string[] = [];
  readonly values: unknown[] = [];
  add(clause: string, value: unknown): void {
    this.parts.push(clause.replace('$?', this.param(value)));
  }
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
  sql(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

const OUTBOX_COLUMNS = 'id, opportunity_id, seq, type, data::text AS data, status, attempts, next_attempt_at, last_error, created_at';

function statements(S: string) {
  const opportunityColumns = `id, template, template_version, title, owner, stage, status, amount_minor, fields, opened_at, stage_entered_at, closed_at,
    loss_reason, idle, version, state`;
  const opportunityValues = '$1, $2, $3, $4, $5, $6, $7, $8, $9::json, $10, $11, $12, $13, $14, $15, $16::json';
  return {
    version: `SELECT version FROM ${S}.opportunities WHERE id = $1`,
    statusForUpdate: `SELECT status FROM ${S}.opportunities WHERE id = $1 FOR UPDATE`,
    load: `SELECT state::text AS state, version FROM ${S}.opportunities WHERE id = $1`,
    insertOpportunity: `INSERT INTO ${S}.opportunities (${opportunityColumns}) VALUES (${opportunityValues}) ON CONFLICT (id) DO NOTHING`,
    updateOpportunity: `UPDATE ${S}.opportunities SET (${opportunityColumns}) = (${opportunityValues}) WHERE id = $1 AND version = $17`,
    insertEvents: `INSERT INTO ${S}.events (id, opportunity_id, seq, type, at, actor, data)
      SELECT e->>'id', e->>'opportunity_id', (e->>'seq')::integer, e->>'type', e->>'at', e->>'actor', (e->>'data')::json
      FROM json_array_elements($1::json) WITH ORDINALITY AS x(e, n) ORDER BY x.n`,
    events: `SELECT id, opportunity_id, seq, type, at, actor, data::text AS data FROM ${S}.events WHERE opportunity_id = $1 AND seq > $2 ORDER BY seq`,
    // only transactions older than every one still running: none of them can commit an event before `position` later
    feed: `SELECT e.xid::text AS feed_xid, e.pos::text AS feed_pos, e.id, e.opportunity_id, e.seq, e.type, e.at, e.actor, e.data::text AS data
      FROM ${S}.events e
      WHERE e.xid < pg_snapshot_xmin(pg_current_snapshot()) AND (e.xid, e.pos) > ($1::xid8, $2::bigint)
      ORDER BY e.xid, e.pos LIMIT $3`,
    enterStage: `INSERT INTO ${S}.stage_history (opportunity_id, entry, stage, entered_at, template) VALUES ($1, $2, $3, $4, $5)`,
    closeStage: `UPDATE ${S}.stage_history SET exited_at = $1::text,
        dwell_ms = round(EXTRACT(EPOCH FROM ($1::text::timestamptz - entered_at::timestamptz)) * 1000)::bigint
      WHERE opportunity_id = $2 AND exited_at IS NULL`,
    // the shared counter rows are locked in stage order, so two deals closing at once cannot deadlock on them
    outcomesLeave: `WITH locked AS (SELECT template, stage FROM ${S}.stage_outcomes
        WHERE template = $2 AND stage IN (SELECT stage FROM ${S}.stage_history WHERE opportunity_id = $3 AND entry < $4::bigint) ORDER BY stage FOR UPDATE)
      UPDATE ${S}.stage_outcomes t SET closed = t.closed - 1, won = t.won - $1::bigint FROM locked WHERE t.template = locked.template AND t.stage = locked.stage`,
    outcomesJoin: `INSERT INTO ${S}.stage_outcomes (template, stage, closed, won)
        SELECT $1::text, stage, 1, $2::bigint FROM ${S}.stage_history WHERE opportunity_id = $3 GROUP BY stage ORDER BY stage
      ON CONFLICT (template, stage) DO UPDATE SET closed = stage_outcomes.closed + 1, won = stage_outcomes.won + excluded.won`,
    amountAt: `INSERT INTO ${S}.amount_history (opportunity_id, at, amount_minor) VALUES ($1, $2, $3)
      ON CONFLICT (opportunity_id, at) DO UPDATE SET amount_minor = excluded.amount_minor`,
    // Unchanged rows are left alone, so a commit rewrites only what it touched.
    upsertTasks: `INSERT INTO ${S}.tasks (id, opportunity_id, ord, key, stage, entry, title, role, assignee, status, created_at, due_at, completed_at, data)
      SELECT x.id, $1, x.ord, x.key, x.stage, x.entry, x.title, x.role, x.assignee, x.status, x.created_at, x.due_at, x.completed_at, x.data::json
      FROM json_to_recordset($2::json) AS x(id text, ord integer, key text, stage text, entry integer, title text, role text, assignee text, status text,
        created_at text, due_at text, completed_at text, data text)
      ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, key = excluded.key, stage = excluded.stage, entry = excluded.entry, title = excluded.title,
        role = excluded.role, assignee = excluded.assignee, status = excluded.status, created_at = excluded.created_at, due_at = excluded.due_at,
        completed_at = excluded.completed_at, data = excluded.data
      WHERE tasks.data::text IS DISTINCT FROM excluded.data::text OR tasks.ord IS DISTINCT FROM excluded.ord`,
    upsertApprovals: `INSERT INTO ${S}.approvals (id, opportunity_id, ord, key, stage, entry, status, requested_by, created_at, due_at, data)
      SELECT x.id, $1, x.ord, x.key, x.stage, x.entry, x.status, x.requested_by, x.created_at, x.due_at, x.data::json
      FROM json_to_recordset($2::json) AS x(id text, ord integer, key text, stage text, entry integer, status text, requested_by text, created_at text,
        due_at text, data text)
      ON CONFLICT (id) DO UPDATE SET ord = excluded.ord, key = excluded.key, stage = excluded.stage, entry = excluded.entry, status = excluded.status,
        requested_by = excluded.requested_by, created_at = excluded.created_at, due_at = excluded.due_at, data = excluded.data
      WHERE approvals.data::text IS DISTINCT FROM excluded.data::text OR approvals.ord IS DISTINCT FROM excluded.ord
      RETURNING id`,
    clearCandidates: `DELETE FROM ${S}.approval_candidates WHERE approval_id = ANY($1::text[])`,
    insertCandidates: `INSERT INTO ${S}.approval_candidates (approval_id, user_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    task: `SELECT data::text AS data FROM ${S}.tasks WHERE id = $1`,
    approval: `SELECT data::text AS data FROM ${S}.approvals WHERE id = $1`,
    insertOutbox: `INSERT INTO ${S}.outbox (id, opportunity_id, seq, type, data, status, attempts, created_at)
      SELECT x.id, x.opportunity_id, x.seq, x.type, x.data::json, 'pending', x.attempts, x.created_at
      FROM json_to_recordset($1::json) AS x(id text, opportunity_id text, seq integer, type text, data text, attempts integer, created_at text)`,
    definition: `SELECT definition::text AS definition FROM ${S}.templates WHERE id = $1 AND version = $2`,
    insertDefinition: `INSERT INTO ${S}.templates (id, version, definition) VALUES ($1, $2, $3::json) ON CONFLICT (id, version) DO NOTHING`,
    definitions: `SELECT definition::text AS definition FROM ${S}.templates ORDER BY ord`,
    // one statement: the delete and the upsert touch disjoint rows (those leaving the set, those in it)
    replaceTimers: `WITH gone AS (DELETE FROM ${S}.timers WHERE opportunity_id = $1 AND NOT (id = ANY($2::text[])))
      INSERT INTO ${S}.timers (id, opportunity_id, type, due_at)
      SELECT x.id, $1, x.type, x.due_at FROM json_to_recordset($3::json) AS x(id text, type text, due_at text)
      ON CONFLICT (id) DO UPDATE SET type = excluded.type, due_at = excluded.due_at
      WHERE timers.type IS DISTINCT FROM excluded.type OR timers.due_at IS DISTINCT FROM excluded.due_at`,
    allTimers: `SELECT id, opportunity_id, type, due_at FROM ${S}.timers ORDER BY due_at, id`,
    dealTimers: `SELECT id, opportunity_id, type, due_at FROM ${S}.timers WHERE opportunity_id = $1 ORDER BY due_at, id`,
    claimTimers: `WITH due AS (
        SELECT id FROM ${S}.timers WHERE due_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
        ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
      UPDATE ${S}.timers t SET claimed_until = $3 FROM due WHERE t.id = due.id
      RETURNING t.id, t.opportunity_id, t.type, t.due_at`,
    // at most one message per deal: the lowest seq still pending, so a deal's messages go out in order
    claimOutbox: `WITH due AS (
        SELECT o.id FROM ${S}.outbox o
        WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= $1) AND (o.claimed_until IS NULL OR o.claimed_until <= $1)
          AND o.seq = (SELECT min(p.seq) FROM ${S}.outbox p WHERE p.opportunity_id = o.opportunity_id AND p.status = 'pending')
        ORDER BY o.created_at, o.opportunity_id, o.seq LIMIT $2 FOR UPDATE OF o SKIP LOCKED)
      UPDATE ${S}.outbox t SET claimed_until = $3 FROM due WHERE t.id = due.id
      RETURNING t.id, t.opportunity_id, t.seq, t.type, t.data::text AS data, t.status, t.attempts, t.next_attempt_at, t.last_error, t.created_at`,
    settleOutbox: `UPDATE ${S}.outbox SET attempts = attempts + 1, status = $1, last_error = $2, next_attempt_at = $3, claimed_until = NULL WHERE id = $4`,
  };
}

const names = new Map<string, string>();

/** A prepared statement's name: one per distinct text (schema included), so pg prepares it once per connection. */
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `winpath_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * PostgreSQL text cannot hold NUL: in the plain columns (ids, filters) it becomes U+FFFD, here and in
 * every lookup alike; the JSON documents keep it escaped, so what the port gives back is unchanged.
 */
function pgValue(v: unknown): unknown {
  if (typeof v === 'string') return v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v;
  if (Array.isArray(v)) return v.map(pgValue);
  return v;
}

/** Rows for json_to_recordset: scalar fields lose NUL as pgValue does; `data` (a JSON text itself) stays escaped. */
function recordset(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify(rows, (key, v: unknown) => (key !== 'data' && typeof v === 'string' ? pgValue(v) : v));
}

/** A connection that should not go back to the pool. */
function isBrokenConnection(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || /^(08|57P)/.test(code);
}

const FEED_POSITION = /^(\d{1,20}):(\d{1,20})$/;

function parseFeedPosition(after: string | null): { xid: string; pos: string } {
  if (after === null) return { xid: '0', pos: '0' };
  const m = typeof after === 'string' ? FEED_POSITION.exec(after) : null;
  if (!m) throw badFeedPosition(after);
  return { xid: m[1]!, pos: m[2]! };
}

/** The users who may fill some slot: every resolved candidate, plus `user:<id>` slots (as isCandidate). */
function candidateUsers(a: Approval): Set<string> {
  const users = new Set<string>(a.candidates.flat());
  for (const slot of a.approvers) if (slot.startsWith('user:')) users.add(slot.slice('user:'.length));
  return users;
}

function conflict(id: string, current: number, expected: number): WinpathError {
  return new WinpathError('CONCURRENCY_CONFLICT', `deal ${id} is at version ${current}, the command read version ${expected}; nothing was written`, { fix: CONFLICT_FIX });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byDue = (a: Timer, b: Timer): number => cmp(a.dueAt, b.dueAt) || cmp(a.id, b.id);
const byOutboxOrder = (a: Row, b: Row): number =>
  cmp(a['created_at'] as string, b['created_at'] as string) || cmp(a['opportunity_id'] as string, b['opportunity_id'] as string) || (a['seq'] as number) - (b['seq'] as number);
