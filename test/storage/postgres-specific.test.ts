import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isWinpathError, type WinpathError } from '../../src/errors/index.js';
import { PG_LATEST_SCHEMA_VERSION, PG_MIGRATIONS } from '../../src/storage/postgres/postgres-migrations.js';
import { LATEST_SCHEMA_VERSION } from '../../src/storage/sqlite/sqlite-migrations.js';
import { postgresStore, postgresStorePool, type PostgresPool } from '../../src/storage/postgres/postgres-store.js';
import type { LoadedDeal, Store } from '../../src/storage/port.js';
import { afterCommit, ev, fixtureCommit, fixtureScenario } from '../../src/testing/conformance-fixtures.js';
import { loadTemplate, simulate } from '../../src/index.js';
import { reopenSome } from './reopen-some.js';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from './postgres-env.js';

async function seed(store: Store): Promise<Map<string, LoadedDeal>> {
  const deals = new Map<string, LoadedDeal>();
  for (const step of fixtureScenario()) {
    const c = fixtureCommit(step.id, deals.get(step.id), step.pending);
    await store.append(c);
    deals.set(step.id, afterCommit(c));
  }
  return deals;
}

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};
const rejection = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

describe('postgresStore: options checked at once, before any connection', () => {
  it('refuses a schema name that is not a plain lower-case identifier', () => {
    for (const schema of ['Winpath', '1abc', 'a-b', 'a"; DROP SCHEMA public; --', '', 'x'.repeat(64), 'é']) {
      const err = thrown(() => postgresStore({ connectionString: 'postgresql://nobody@127.0.0.1:1/x', schema }));
      expect(isWinpathError(err, 'INPUT_INVALID'), schema).toBe(true);
      expect((err as WinpathError).message).toContain('is not a plain lower-case identifier');
    }
    expect(postgresStore({ connectionString: 'postgresql://nobody@127.0.0.1:1/x', schema: `_a${'b'.repeat(61)}` }).kind).toBe('postgres');
  });

  it('needs exactly one of connectionString and pool, and a sensible poolSize', () => {
    expect((thrown(() => postgresStore({})) as WinpathError).message).toContain('exactly one of `connectionString` and `pool`');
    const pool = { connect: async () => { throw new Error('unused'); }, end: async () => undefined } as unknown as PostgresPool;
    expect(isWinpathError(thrown(() => postgresStore({ connectionString: 'postgresql://x@127.0.0.1/x', pool })), 'INPUT_INVALID')).toBe(true);
    expect(isWinpathError(thrown(() => postgresStore({ connectionString: 'postgresql://x@127.0.0.1/x', poolSize: 0 })), 'INPUT_INVALID')).toBe(true);
  });

  it('connects on first use: a server that cannot be reached is INPUT_INVALID on the first call, and the next call tries again', async () => {
    const store = postgresStore({ connectionString: 'postgresql://nobody:secret-pw@127.0.0.1:1/none', schema: 'nowhere' });
    for (let i = 0; i < 2; i++) {
      const err = await rejection(store.load('x'));
      expect(isWinpathError(err, 'INPUT_INVALID'), String(err)).toBe(true);
      expect((err as WinpathError).message).toMatch(/^\[INPUT_INVALID\] cannot connect to PostgreSQL for schema "nowhere": /);
      expect((err as WinpathError).message).not.toContain('secret-pw');
    }
    await store.close();
  });

  it('loads pg only when a postgres store is first used, and says to install it when it is missing', async () => {
    // a resolve hook that refuses 'pg', as in an app that never installed it
    const hook = 'data:text/javascript,' + encodeURIComponent(`
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent('export async function resolve(s, c, next) { if (s === "pg") throw new Error("pg is not installed"); return next(s, c); }'));`);
    const script = `
      const w = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).pathname)});
      const m = w.memoryStore(); await m.load('x');
      const s = w.postgresStore({ connectionString: 'postgresql://x@127.0.0.1:1/x' });
      const e = await s.load('x').then(() => null, (e) => e);
      console.log(JSON.stringify({ code: e && e.code, message: e && e.message, fix: e && e.details.fix }));`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--import', hook, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`))));
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      code: 'INPUT_INVALID', message: '[INPUT_INVALID] postgresStore needs the `pg` package, which is not installed\n  fix: npm install pg', fix: 'npm install pg',
    });
  });
});

describePg('postgresStore on a server', () => {
  const admin = adminPool();
  const used: string[] = [];
  const open: Store[] = [];
  const pools: pg.Pool[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const p of pools.splice(0)) await p.end();
    await dropSchemas(admin, used.splice(0));
  });
  afterAll(async () => admin.end());
  const fresh = (): string => {
    const s = newSchemaName();
    used.push(s);
    return s;
  };
  const track = (s: Store): Store => (open.push(s), s);

  describe('migrations', () => {
    it('creates the schema, records each migration once, and a second store migrates nothing again', async () => {
      const schema = fresh();
      await track(postgresStore({ connectionString: PG_URL, schema })).load('x');
      const rows = async () => (await admin.query(`SELECT version, applied_at FROM "${schema}".schema_migrations ORDER BY version`)).rows as { version: number; applied_at: string }[];
      const before = await rows();
      expect(before.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
      expect(before.at(-1)!.version).toBe(PG_LATEST_SCHEMA_VERSION);
      expect(PG_LATEST_SCHEMA_VERSION).toBe(LATEST_SCHEMA_VERSION); // the same versions as SQLite's
      expect(before[0]!.applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const s = track(postgresStore({ connectionString: PG_URL, schema }));
      await seed(s);
      expect(await rows()).toEqual(before);
      const tables = (await admin.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema])).rows.map((r: { table_name: string }) => r.table_name);
      expect(tables).toEqual(['amount_history', 'approval_candidates', 'approvals', 'events', 'opportunities', 'outbox', 'schema_migrations', 'stage_history', 'stage_outcomes', 'tasks', 'templates', 'timers']);
    });

    it('lets eight stores start on one new schema at once: the advisory lock makes one migrate, the others wait', async () => {
      const schema = fresh();
      const stores = Array.from({ length: 8 }, () => track(postgresStore({ connectionString: PG_URL, schema, poolSize: 2 })));
      await Promise.all(stores.map((s) => s.load('x')));
      const { rows } = await admin.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(rows.map((r: { version: number }) => r.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    });

    it('refuses a schema written by a newer winpath, saying to upgrade', async () => {
      const schema = fresh();
      await track(postgresStore({ connectionString: PG_URL, schema })).load('x');
      await admin.query(`INSERT INTO "${schema}".schema_migrations (version, applied_at) VALUES ($1, '2030-01-01T00:00:00.000Z')`, [PG_LATEST_SCHEMA_VERSION + 1]);
      const err = await rejection(track(postgresStore({ connectionString: PG_URL, schema })).load('x'));
      expect(isWinpathError(err, 'INPUT_INVALID')).toBe(true);
      expect((err as WinpathError).message).toContain(`PostgreSQL schema "${schema}" has schema version ${PG_LATEST_SCHEMA_VERSION + 1}, newer than this winpath knows (${PG_LATEST_SCHEMA_VERSION})`);
      expect((err as WinpathError).details.fix).toBe('upgrade winpath to the version that wrote this schema');
    });

    it('upgrades a version-3 schema with deals: the counters and stays it backfills equal those kept at append', async () => {
      // the same deals twice: written by this winpath (schema 4), and copied into a schema made by migrations 1-3
      const current = fresh();
      const template = await loadTemplate('b2b-standard');
      const store = track(postgresStore({ connectionString: PG_URL, schema: current }));
      await simulate({ template, store, deals: 40, seed: 7, start: '2026-03-02T01:00:00Z', days: 40 });
      await reopenSome(store, template, 4, '2026-05-01T01:00:00Z');
      const old = fresh();
      await admin.query(`CREATE SCHEMA "${old}"; CREATE TABLE "${old}".schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`);
      for (const m of PG_MIGRATIONS.filter((x) => x.version <= 3)) {
        await admin.query(m.sql.replaceAll('$S', `"${old}"`));
        await admin.query(`INSERT INTO "${old}".schema_migrations VALUES ($1, '2026-01-01T00:00:00.000Z')`, [m.version]);
      }
      for (const table of ['templates', 'opportunities', 'events', 'stage_history', 'amount_history', 'tasks', 'approvals', 'approval_candidates', 'outbox', 'timers']) {
        const { rows } = await admin.query('SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [old, table]);
        const cols = rows.map((r: { column_name: string }) => `"${r.column_name}"`).join(', ');
        await admin.query(`INSERT INTO "${old}".${table} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM "${current}".${table}`);
      }
      await track(postgresStore({ connectionString: PG_URL, schema: old })).load('x');
      const outcomes = (s: string) => admin.query(`SELECT template, stage, closed::int, won::int FROM "${s}".stage_outcomes WHERE closed > 0 ORDER BY template, stage`).then((r) => r.rows);
      expect(await outcomes(old)).toEqual(await outcomes(current));
      expect((await outcomes(old)).length).toBeGreaterThan(3);
      const stays = (s: string) => admin.query(`SELECT opportunity_id, entry, template, dwell_ms::text FROM "${s}".stage_history ORDER BY opportunity_id, entry`).then((r) => r.rows);
      expect(await stays(old)).toEqual(await stays(current));
    });

    it('keeps stores on two schemas of one database apart', async () => {
      const one = track(postgresStore({ connectionString: PG_URL, schema: fresh() }));
      const two = track(postgresStore({ connectionString: PG_URL, schema: fresh() }));
      await seed(one);
      expect(await two.opportunities()).toEqual([]);
      expect((await one.opportunities()).length).toBe(3);
    });
  });

  describe('a pool of your own', () => {
    it('runs on a pg.Pool passed in, and close() leaves that pool open', async () => {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 3 });
      pools.push(pool);
      const store = track(postgresStore({ pool, schema: fresh() }));
      await seed(store);
      expect(await postgresStorePool(store)).toBe(pool);
      await store.close();
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(isWinpathError(await rejection(store.load('opp-a')), 'INPUT_INVALID')).toBe(true);
    });

    it('close() ends the pool it created', async () => {
      const store = postgresStore({ connectionString: PG_URL, schema: fresh() });
      await store.load('x');
      const pool = (await postgresStorePool(store)) as unknown as pg.Pool;
      await store.close();
      expect(pool.ended).toBe(true);
    });
  });

  describe('projection tables', () => {
    it('writes stage history, amounts in minor units, approval candidates and outbox rows as SQLite does', async () => {
      const schema = fresh();
      const s = track(postgresStore({ connectionString: PG_URL, schema }));
      await seed(s);
      const q = async (sql: string) => (await admin.query(sql.replaceAll('$S', `"${schema}"`))).rows;
      expect(await q('SELECT opportunity_id, entry, stage, entered_at, exited_at FROM $S.stage_history ORDER BY opportunity_id, entry')).toEqual([
        { opportunity_id: 'opp-a', entry: 1, stage: 'qualify', entered_at: '2026-01-05T09:00:00.000Z', exited_at: null },
        { opportunity_id: 'opp-b', entry: 1, stage: 'qualify', entered_at: '2026-01-04T08:00:00.000Z', exited_at: '2026-01-06T08:00:00.000Z' },
        { opportunity_id: 'opp-b', entry: 2, stage: 'propose', entered_at: '2026-01-06T08:00:00.000Z', exited_at: null },
        { opportunity_id: 'opp-c', entry: 1, stage: 'qualify', entered_at: '2026-01-05T09:00:00.000Z', exited_at: '2026-01-05T10:00:00.000Z' },
        { opportunity_id: 'opp-c', entry: 2, stage: 'lost', entered_at: '2026-01-05T10:00:00.000Z', exited_at: null },
      ]);
      expect(await q('SELECT id, amount_minor::int AS amount_minor, version, status FROM $S.opportunities ORDER BY id')).toEqual([
        { id: 'opp-a', amount_minor: 100050, version: 6, status: 'open' },
        { id: 'opp-b', amount_minor: null, version: 10, status: 'open' },
        { id: 'opp-c', amount_minor: null, version: 5, status: 'lost' },
      ]);
      expect(await q('SELECT approval_id, user_id FROM $S.approval_candidates ORDER BY approval_id, user_id')).toEqual([
        { approval_id: 'opp-a.discount.1', user_id: 'carol' },
        { approval_id: 'opp-a.discount.1', user_id: 'dave' },
        { approval_id: 'opp-a.discount.1', user_id: 'erin' },
        { approval_id: 'opp-b.price.2', user_id: 'frank' },
      ]);
      expect(await q("SELECT status, attempts, next_attempt_at, last_error, created_at FROM $S.outbox WHERE id = 'opp-a:6'"))
        .toEqual([{ status: 'pending', attempts: 0, next_attempt_at: null, last_error: null, created_at: '2026-01-07T09:00:00.000Z' }]);
      // one transaction's events share its transaction id, in seq order
      const xids = await q("SELECT xid::text AS xid, seq FROM $S.events WHERE opportunity_id = 'opp-b' ORDER BY pos");
      expect(xids.map((r: { seq: number }) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(new Set(xids.map((r: { xid: string }) => r.xid)).size).toBe(3);
    });

    it('keeps documents as written: a definition keeps its key order, and strings the JSON way', async () => {
      const s = track(postgresStore({ connectionString: PG_URL, schema: fresh() }));
      const c = fixtureCommit('opp-u', undefined, [ev.opened({ template: 'fx', title: 'Ünïcødé "quoted" \\ 丢单 \u0000 end', owner: 'zoë', fields: { zeta: 1, alpha: { b: 2, a: 1 } }, at: '2026-01-01T00:00:00.000Z' })]);
      await s.append(c);
      expect(await s.load('opp-u')).toEqual(afterCommit(c));
      const loaded = (await s.load('opp-u'))!;
      expect(Object.keys(loaded.state.opportunity.fields)).toEqual(['zeta', 'alpha']);
      expect((await s.events('opp-u'))[0]).toEqual(c.events[0]);
      // NUL cannot be in PostgreSQL text: the plain columns (ids, actor, filters) hold U+FFFD and lookups match alike; the documents keep NUL
      const n = fixtureCommit('opp-\u0000', undefined, [ev.opened({ template: 'fx', title: 'nul', owner: 'o\u0000', at: '2026-01-02T00:00:00.000Z' })]);
      await s.append(n);
      expect(await s.load('opp-\u0000')).toEqual(afterCommit(n));
      expect((await s.opportunities({ owner: 'o\u0000' })).map((o) => o.owner)).toEqual(['o\u0000']);
      expect((await s.events('opp-\u0000')).map((e) => [e.id, e.actor])).toEqual([['opp-\uFFFD:1', 'o\uFFFD']]);
    });

    it('writes nothing of a commit that fails half-way', async () => {
      const s = track(postgresStore({ connectionString: PG_URL, schema: fresh() }));
      const deals = await seed(s);
      const c = fixtureCommit('opp-a', deals.get('opp-a'), [ev.notify('x', 'one', '2026-01-09T00:00:00.000Z')]);
      c.outbox.push({ ...c.outbox[0]! });
      await expect(s.append(c)).rejects.toThrow();
      expect(await s.load('opp-a')).toEqual(deals.get('opp-a'));
      expect((await s.events('opp-a')).length).toBe(6);
      expect((await s.outbox({ opportunityId: 'opp-a' })).length).toBe(1);
      expect((await s.feed(null, 100)).events.length).toBe(21);
    });
  });

  describe('conflicts', () => {
    it('turns a duplicate event written by another writer into CONCURRENCY_CONFLICT', async () => {
      const schema = fresh();
      const s = track(postgresStore({ connectionString: PG_URL, schema }));
      const deals = await seed(s);
      // another writer slipped event 7 in without moving the version: the unique (deal, seq) catches it
      await admin.query(`INSERT INTO "${schema}".events (id, opportunity_id, seq, type, at, actor, data) VALUES ('other', 'opp-a', 7, 'note.added', '2026-01-09T00:00:00.000Z', 'x', '{}')`);
      const err = await rejection(s.append(fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('n', '2026-01-09T00:00:00.000Z', 'alice')])));
      expect(isWinpathError(err, 'CONCURRENCY_CONFLICT')).toBe(true);
      expect((err as WinpathError).message).toContain('deal opp-a: another writer appended events after version 6 first; nothing was written');
      expect((await s.load('opp-a'))!.version).toBe(6);
    });

    it('turns a lock wait past lock_timeout into CONCURRENCY_CONFLICT with nothing written', async () => {
      const schema = fresh();
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: '-c lock_timeout=150' });
      pools.push(pool);
      const s = track(postgresStore({ pool, schema }));
      const deals = await seed(s);
      const holder = await admin.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT 1 FROM "${schema}".opportunities WHERE id = 'opp-a' FOR UPDATE`);
        const err = await rejection(s.append(fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('n', '2026-01-09T00:00:00.000Z', 'alice')])));
        expect(isWinpathError(err, 'CONCURRENCY_CONFLICT'), String(err)).toBe(true);
        expect((err as WinpathError).message).toContain('deal opp-a: PostgreSQL aborted the transaction on a lock wait past lock_timeout with another writer; nothing was written');
      } finally {
        await holder.query('ROLLBACK');
        holder.release();
      }
      expect((await s.load('opp-a'))!.version).toBe(6);
    });

    it('lets exactly one of many stores appending the same version win, the rest get CONCURRENCY_CONFLICT', async () => {
      const schema = fresh();
      const stores = Array.from({ length: 6 }, () => track(postgresStore({ connectionString: PG_URL, schema, poolSize: 2 })));
      const deals = await seed(stores[0]!);
      const results = await Promise.allSettled(stores.map((s, i) => s.append(fixtureCommit('opp-b', deals.get('opp-b'), [ev.note(`from ${i}`, '2026-01-09T00:00:00.000Z', 'bob')]))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(isWinpathError(r.reason, 'CONCURRENCY_CONFLICT'), String(r.reason)).toBe(true);
      expect((await stores[3]!.events('opp-b')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    });
  });
});
