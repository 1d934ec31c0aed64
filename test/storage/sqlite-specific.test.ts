import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { isWinpathError, type WinpathError } from '../../src/errors/index.js';
import type { LoadedDeal, Store } from '../../src/storage/port.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/storage/sqlite/sqlite-migrations.js';
import { readSqlitePragma, sqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { createEngine, loadTemplate, simulate } from '../../src/index.js';
import { reopenSome } from './reopen-some.js';
import { afterCommit, ev, fixtureCommit, fixtureScenario } from '../../src/testing/conformance-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'winpath-sqlite-specific-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const newPath = () => join(dir, `t-${++n}.db`);

const open: Store[] = [];
const raw: Database.Database[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of raw.splice(0)) d.close();
});
const track = (s: Store): Store => (open.push(s), s);
const rawDb = (path: string): Database.Database => {
  const d = new Database(path);
  raw.push(d);
  return d;
};
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

async function seed(store: Store): Promise<Map<string, LoadedDeal>> {
  const deals = new Map<string, LoadedDeal>();
  for (const step of fixtureScenario()) {
    const c = fixtureCommit(step.id, deals.get(step.id), step.pending);
    await store.append(c);
    deals.set(step.id, afterCommit(c));
  }
  return deals;
}

describe('sqliteStore: connection settings', () => {
  it('uses WAL, synchronous=NORMAL, a 5 s busy timeout and foreign keys on a file', () => {
    const s = track(sqliteStore({ path: newPath() }));
    expect(readSqlitePragma(s, 'journal_mode')).toBe('wal');
    expect(readSqlitePragma(s, 'synchronous')).toBe(1);
    expect(readSqlitePragma(s, 'busy_timeout')).toBe(5000);
    expect(readSqlitePragma(s, 'foreign_keys')).toBe(1);
    expect(s.capabilities).toEqual({ durable: true, concurrentWriters: true });
  });

  it("sets synchronous=FULL with durability 'full', and the busy timeout asked for", () => {
    const s = track(sqliteStore({ path: newPath(), durability: 'full', busyTimeoutMs: 250 }));
    expect(readSqlitePragma(s, 'synchronous')).toBe(2);
    expect(readSqlitePragma(s, 'busy_timeout')).toBe(250);
  });

  it('keeps :memory: databases in memory, neither durable nor shared', () => {
    const s = track(sqliteStore());
    expect(readSqlitePragma(s, 'journal_mode')).toBe('memory');
    expect(s.kind).toBe('sqlite');
    expect(s.capabilities).toEqual({ durable: false, concurrentWriters: false });
  });
});

describe('sqliteStore: migrations', () => {
  it('records each migration once, and reopening migrates nothing again', async () => {
    const path = newPath();
    await track(sqliteStore({ path })).close();
    const before = rawDb(path).prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; applied_at: string }[];
    expect(before.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(before.at(-1)!.version).toBe(LATEST_SCHEMA_VERSION);
    expect(before[0]!.applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const s = track(sqliteStore({ path }));
    await seed(s);
    await s.close();
    track(sqliteStore({ path }));
    expect(rawDb(path).prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toEqual(before);
  });

  it('upgrades a version-3 database with deals: the counters and stays it backfills equal those kept at append, and writing goes on', async () => {
    // the same deals twice: written by this winpath (schema 4), and copied into a database made by migrations 1-3
    const current = newPath();
    const template = await loadTemplate('b2b-standard');
    const store = track(sqliteStore({ path: current }));
    await simulate({ template, store, deals: 60, seed: 7, start: '2026-03-02T01:00:00Z', days: 40 });
    await reopenSome(store, template, 4, '2026-05-01T01:00:00Z');
    await store.close();

    const old = newPath();
    const db = rawDb(old);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 3)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, '2026-01-01T00:00:00.000Z')").run(m.version);
    }
    db.exec(`ATTACH '${current}' AS cur`);
    for (const table of ['templates', 'opportunities', 'events', 'stage_history', 'amount_history', 'tasks', 'approvals', 'approval_candidates', 'outbox', 'timers']) {
      const cols = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name).join(', ');
      db.exec(`INSERT INTO main.${table} (${cols}) SELECT ${cols} FROM cur.${table}`);
    }
    db.exec('DETACH cur');
    db.close();

    const upgraded = track(sqliteStore({ path: old }));
    const a = rawDb(current);
    const b = rawDb(old);
    const outcomes = 'SELECT template, stage, closed, won FROM stage_outcomes WHERE closed > 0 ORDER BY template, stage';
    expect(b.prepare(outcomes).all()).toEqual(a.prepare(outcomes).all());
    expect((b.prepare(outcomes).all() as unknown[]).length).toBeGreaterThan(3);
    const stays = 'SELECT opportunity_id, entry, template, dwell_ms FROM stage_history ORDER BY opportunity_id, entry';
    expect(b.prepare(stays).all()).toEqual(a.prepare(stays).all());
    const events = 'SELECT pos, id, seq FROM events ORDER BY pos';
    expect(b.prepare(events).all()).toEqual(a.prepare(events).all());
    expect(b.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('events_type', 'opportunities_template_status')").get()).toEqual({ n: 0 });
    // writing goes on after the copied log, in order
    const last = (b.prepare('SELECT max(pos) AS p FROM events').get() as { p: number }).p;
    const more = createEngine({ store: upgraded, templates: [template], clock: () => new Date('2026-06-01T01:00:00Z') });
    const open1 = (await upgraded.opportunities({ status: 'open' }))[0]!;
    await more.addNote(open1.id, { text: 'after the upgrade', actor: { id: open1.owner } });
    const feed = await upgraded.feed(String(last), 10);
    expect(feed.events.map((e) => e.type)).toEqual(['note.added']);
  });

  it('refuses a database written by a newer winpath, saying to upgrade', async () => {
    const path = newPath();
    await track(sqliteStore({ path })).close();
    rawDb(path).prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, '2030-01-01T00:00:00.000Z')").run(LATEST_SCHEMA_VERSION + 1);
    const err = thrown(() => sqliteStore({ path }));
    expect(isWinpathError(err, 'INPUT_INVALID')).toBe(true);
    expect((err as WinpathError).message).toContain(path);
    expect((err as WinpathError).message).toContain('upgrade winpath');
  });

  it('refuses a file that is not a SQLite database with INPUT_INVALID naming the path', () => {
    const path = join(dir, 'corrupt.db');
    writeFileSync(path, 'this is plain text, not a database; '.repeat(40));
    const err = thrown(() => sqliteStore({ path }));
    expect(isWinpathError(err, 'INPUT_INVALID')).toBe(true);
    expect((err as WinpathError).message).toContain(`${path} is not a winpath/SQLite database`);
    expect((err as WinpathError).details.file).toBe(path);
  });

  it('refuses a path in a folder that does not exist with INPUT_INVALID', () => {
    const err = thrown(() => sqliteStore({ path: join(dir, 'no-such-folder', 'x.db') }));
    expect(isWinpathError(err, 'INPUT_INVALID')).toBe(true);
  });
});

describe('sqliteStore: projection tables', () => {
  it('writes stage history, amounts in minor units and approval candidates', async () => {
    const path = newPath();
    const s = track(sqliteStore({ path }));
    await seed(s);
    const d = rawDb(path);
    expect(d.prepare('SELECT opportunity_id, entry, stage, entered_at, exited_at FROM stage_history ORDER BY opportunity_id, entry').all()).toEqual([
      { opportunity_id: 'opp-a', entry: 1, stage: 'qualify', entered_at: '2026-01-05T09:00:00.000Z', exited_at: null },
      { opportunity_id: 'opp-b', entry: 1, stage: 'qualify', entered_at: '2026-01-04T08:00:00.000Z', exited_at: '2026-01-06T08:00:00.000Z' },
      { opportunity_id: 'opp-b', entry: 2, stage: 'propose', entered_at: '2026-01-06T08:00:00.000Z', exited_at: null },
      { opportunity_id: 'opp-c', entry: 1, stage: 'qualify', entered_at: '2026-01-05T09:00:00.000Z', exited_at: '2026-01-05T10:00:00.000Z' },
      { opportunity_id: 'opp-c', entry: 2, stage: 'lost', entered_at: '2026-01-05T10:00:00.000Z', exited_at: null },
    ]);
    expect(d.prepare('SELECT id, amount_minor, version, status FROM opportunities ORDER BY id').all()).toEqual([
      { id: 'opp-a', amount_minor: 100050, version: 6, status: 'open' },
      { id: 'opp-b', amount_minor: null, version: 10, status: 'open' },
      { id: 'opp-c', amount_minor: null, version: 5, status: 'lost' },
    ]);
    expect(d.prepare('SELECT approval_id, user_id FROM approval_candidates ORDER BY approval_id, user_id').all()).toEqual([
      { approval_id: 'opp-a.discount.1', user_id: 'carol' },
      { approval_id: 'opp-a.discount.1', user_id: 'dave' },
      { approval_id: 'opp-a.discount.1', user_id: 'erin' },
      { approval_id: 'opp-b.price.2', user_id: 'frank' },
    ]);
    expect(d.prepare("SELECT status, attempts, next_attempt_at, last_error, created_at FROM outbox WHERE id = 'opp-a:6'").get())
      .toEqual({ status: 'pending', attempts: 0, next_attempt_at: null, last_error: null, created_at: '2026-01-07T09:00:00.000Z' });
  });

  it('writes nothing of a commit that fails half-way', async () => {
    const s = track(sqliteStore({ path: newPath() }));
    const deals = await seed(s);
    const c = fixtureCommit('opp-a', deals.get('opp-a'), [ev.notify('x', 'one', '2026-01-09T00:00:00.000Z')]);
    c.outbox.push({ ...c.outbox[0]! });
    await expect(s.append(c)).rejects.toThrow();
    expect(await s.load('opp-a')).toEqual(deals.get('opp-a'));
    expect((await s.events('opp-a')).length).toBe(6);
    expect((await s.outbox({ opportunityId: 'opp-a' })).length).toBe(1);
  });
});

describe('sqliteStore: several connections on one file', () => {
  it('lets one of two stores appending the same version win; the other gets CONCURRENCY_CONFLICT', async () => {
    const path = newPath();
    const one = track(sqliteStore({ path }));
    const two = track(sqliteStore({ path }));
    const deals = await seed(one);
    const base = await two.load('opp-a');
    expect(base).toEqual(deals.get('opp-a'));
    const results = await Promise.allSettled([
      one.append(fixtureCommit('opp-a', base, [ev.note('one', '2026-01-09T00:00:00.000Z', 'alice')])),
      two.append(fixtureCommit('opp-a', base, [ev.note('two', '2026-01-09T00:00:00.000Z', 'bob')])),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(isWinpathError(lost.reason, 'CONCURRENCY_CONFLICT')).toBe(true);
    expect((await two.events('opp-a')).length).toBe(7);
  });

  it('turns a duplicate event written by another writer into CONCURRENCY_CONFLICT', async () => {
    const path = newPath();
    const s = track(sqliteStore({ path }));
    const deals = await seed(s);
    // Another writer slipped event 7 in without moving the version: the unique (deal, seq) catches it.
    rawDb(path).prepare("INSERT INTO events (id, opportunity_id, seq, type, at, actor, data) VALUES ('other', 'opp-a', 7, 'note.added', '2026-01-09T00:00:00.000Z', 'x', '{}')").run();
    const err = await s.append(fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('n', '2026-01-09T00:00:00.000Z', 'alice')])).then(() => undefined, (e: unknown) => e);
    expect(isWinpathError(err, 'CONCURRENCY_CONFLICT')).toBe(true);
    expect((err as WinpathError).message).toContain('nothing was written');
    expect((await s.load('opp-a'))!.version).toBe(6);
  });
});
