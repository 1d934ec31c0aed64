import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, parseTemplate, postgresStore, replay, sqliteStore, type OpportunityEvent, type Store } from 'winpath';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from '../storage/postgres-env.js';
import type { ChildConfig, ChildReport } from './contend.child.js';

// The figures: 8 processes x 2,000 commands on 50 deals. WINPATH_CONTENTION_COMMANDS shortens a local run.
const PROCESSES = 8;
const COMMANDS = Number(process.env['WINPATH_CONTENTION_COMMANDS'] ?? 2000);
const DEALS = Array.from({ length: 50 }, (_, i) => `deal-${String(i).padStart(2, '0')}`);
const TIMEOUT = 480_000;

const dir = mkdtempSync(join(tmpdir(), 'winpath-contention-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens the 50 deals the children fight over; returns the events this wrote, by type. */
async function openDeals(store: Store): Promise<Record<string, number>> {
  const def = await parseTemplate(readFileSync(new URL('./contended.yaml', import.meta.url), 'utf8'), { format: 'yaml', fileName: 'contended.yaml' });
  const engine = createEngine({ store, templates: [def], clock: () => new Date('2026-05-04T08:00:00.000Z') });
  const written: Record<string, number> = {};
  engine.on('*', (e) => void (written[e.type] = (written[e.type] ?? 0) + 1));
  for (const id of DEALS) await engine.open({ id, template: 'contended', title: id, owner: 'sam', amount: 1000, actor: 'sam' });
  return written;
}

/** Starts every child, lets them all go at once, and gathers their reports. */
async function runChildren(configs: ChildConfig[]): Promise<ChildReport[]> {
  const file = new URL('./contend.child.ts', import.meta.url).pathname;
  const children = configs.map((config) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const report = new Promise<ChildReport>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('READY\n')) markReady();
      });
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('REPORT '));
        if (code === 0 && line) resolve(JSON.parse(line.slice('REPORT '.length)) as ChildReport);
        else reject(new Error(`child ${config.child} exited ${code}: ${err.slice(-2000)}`));
      });
    });
    return { child, ready, report };
  });
  await Promise.race([Promise.all(children.map((c) => c.ready)), Promise.all(children.map((c) => c.report))]);
  for (const c of children) c.child.stdin.end('go\n');
  return Promise.all(children.map((c) => c.report));
}

const configsFor = (store: ChildConfig['store']): ChildConfig[] =>
  Array.from({ length: PROCESSES }, (_, child) => ({ child, store, deals: DEALS, commands: COMMANDS, retry: child % 2 === 0 ? 0 : 5, seed: 1000 + child }));

/** Every check on the stored log after the children are done; returns the figures to print. */
async function verify(store: Store, setupEvents: Record<string, number>, reports: ChildReport[]) {
  const stored: Record<string, number> = {};
  const notes: string[] = [];
  let total = 0;
  for (const id of DEALS) {
    const events = await store.events(id);
    // gapless 1..n, and the log replays to the stored projection
    expect(events.map((e) => e.seq), id).toEqual(events.map((_, i) => i + 1));
    const loaded = (await store.load(id))!;
    expect(loaded.version).toBe(events.length);
    expect(replay(events)).toEqual(loaded.state);
    for (const e of events) {
      stored[e.type] = (stored[e.type] ?? 0) + 1;
      if (e.type === 'note.added') notes.push(e.data['text'] as string);
    }
    total += events.length;
  }
  // what the children's successful commands wrote is exactly what is stored: nothing lost, nothing twice
  const written: Record<string, number> = { ...setupEvents };
  for (const r of reports) for (const [type, n] of Object.entries(r.events)) written[type] = (written[type] ?? 0) + n;
  expect(stored).toEqual(written);
  const reportedNotes = reports.flatMap((r) => r.notes);
  expect(new Set(notes).size).toBe(notes.length);
  expect([...notes].sort()).toEqual([...reportedNotes].sort());
  const lost = reportedNotes.filter((n) => !notes.includes(n)).length
    + Object.entries(written).reduce((sum, [type, n]) => sum + Math.max(0, n - (stored[type] ?? 0)), 0);

  // the feed gives every event once, each deal in seq order
  const seen = new Map<string, number>();
  let fed = 0;
  let position: string | null = null;
  for (;;) {
    const page: { events: OpportunityEvent[]; position: string } = await store.feed(position, 1000);
    if (page.events.length === 0) break;
    for (const e of page.events) {
      expect(e.seq).toBe((seen.get(e.opportunityId) ?? 0) + 1);
      seen.set(e.opportunityId, e.seq);
    }
    fed += page.events.length;
    position = page.position;
  }
  expect(fed).toBe(total);

  // no error but conflicts and the refusals a re-read deal gives
  expect(reports.flatMap((r) => r.other)).toEqual([]);
  const sum = (f: (r: ChildReport) => number, rs = reports) => rs.reduce((s, r) => s + f(r), 0);
  const figures = {
    processes: reports.length,
    commands: sum((r) => r.commands),
    ok: sum((r) => r.ok),
    conflicts: sum((r) => r.conflicts),
    conflictsRetry0: sum((r) => r.conflicts, reports.filter((r) => r.retry === 0)),
    conflictsRetry5: sum((r) => r.conflicts, reports.filter((r) => r.retry === 5)),
    retries: sum((r) => r.retries),
    refused: sum((r) => Object.values(r.refused).reduce((a, b) => a + b, 0)),
    other: sum((r) => r.other.length),
    events: total,
    lost,
  };
  expect(figures.ok + figures.conflicts + figures.refused).toBe(figures.commands);
  expect(figures.lost).toBe(0);
  // there was contention: commands without retry hit conflicts, and those with it re-ran
  expect(figures.conflictsRetry0).toBeGreaterThan(0);
  expect(figures.retries).toBeGreaterThan(0);
  for (const r of reports) if (r.retry === 0) expect(r.retries).toBe(0);
  return figures;
}

function print(label: string, f: Awaited<ReturnType<typeof verify>>, ms: number, reports: ChildReport[]): void {
  console.log(`[contention ${label}] ${f.processes} processes x ${COMMANDS} commands on ${DEALS.length} deals: commands ${f.commands}, ok ${f.ok}, `
    + `conflicts ${f.conflicts} (retry 0: ${f.conflictsRetry0}, retry 5: ${f.conflictsRetry5}), retries ${f.retries}, refused after re-read ${f.refused}, `
    + `other errors ${f.other}, events ${f.events}, lost ${f.lost}; ${(ms / 1000).toFixed(1)} s (children ${reports.map((r) => (r.ms / 1000).toFixed(1)).join('/')} s)`);
}

describe('contention: 8 processes on one SQLite file', () => {
  it('loses no update, and every conflict is CONCURRENCY_CONFLICT', { timeout: TIMEOUT }, async () => {
    const path = join(dir, 'contention.db');
    const store = sqliteStore({ path });
    try {
      const setupEvents = await openDeals(store);
      const started = performance.now();
      const reports = await runChildren(configsFor({ kind: 'sqlite', path }));
      const ms = performance.now() - started;
      print('sqlite', await verify(store, setupEvents, reports), ms, reports);
    } finally {
      await store.close();
    }
  });
});

describePg('contention: 8 processes on one PostgreSQL schema', () => {
  const admin = adminPool();
  const schema = newSchemaName('wpc');
  afterAll(async () => {
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  it('loses no update, and every conflict is CONCURRENCY_CONFLICT', { timeout: TIMEOUT }, async () => {
    const store = postgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      const setupEvents = await openDeals(store);
      const started = performance.now();
      const reports = await runChildren(configsFor({ kind: 'postgres', url: PG_URL, schema }));
      const ms = performance.now() - started;
      print('postgres', await verify(store, setupEvents, reports), ms, reports);
    } finally {
      await store.close();
    }
  });
});
