/**
 * The crash driver: starts a child that drives commands against a SQLite file, kills it with SIGKILL at a
 * random moment, then checks the file (check.ts) and delivers its outbox; again and again, on `lanes`
 * files at once. Used by test/reliability/crash.test.ts (reduced count) and scripts/crash-run.ts (full count).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { checkStoreFile, deliverAll } from './check.js';
import { bundleScript } from '../support/bundle.js';
import { createRng } from './random.js';
import { ROUND_SPAN_MS, type CrashChildConfig } from './shared.js';

export interface CrashRunOptions {
  kills: number;
  /** A folder of the caller's own for the databases and journals. */
  dir: string;
  seed: number;
  /** Databases driven side by side (default 2: one child runs while the other lane checks). */
  lanes?: number;
  /** A kill lands 0..maxDelayMs after the child says READY (default 400); one in ten lands during start-up instead. */
  maxDelayMs?: number;
  mode?: CrashChildConfig['mode'];
  /** Stop at the first problem found (the split-commit control runs until it is caught). */
  stopOnProblem?: boolean;
  log?: (line: string) => void;
}

export interface CrashRunFigures {
  kills: number;
  killedDuringStartup: number;
  /** Children that ended by themselves (an unexpected error): must be none. */
  childFailures: string[];
  /** Events the children saw committed (journaled after their commits returned). */
  eventsJournaled: number;
  /** Stored events committed just before a kill, too late for the journal. */
  unjournaledTail: number;
  deals: number;
  events: number;
  tasks: number;
  approvals: number;
  outboxMessages: number;
  delivered: number;
  replayedDeals: number;
  /** Each a problem the checker found, with its lane and round. */
  problems: string[];
  /** Kills after which the checker found a problem it had not reported before. */
  killsWithNewProblems: number;
  ms: number;
}

const CHILD_SOURCE = fileURLToPath(new URL('./child.ts', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('../../fixtures/engine/', import.meta.url));
const T0 = Date.parse('2026-01-05T09:00:00.000Z');

interface ChildOutcome {
  beforeReady: boolean;
  startupMs: number;
  /** From READY to the kill. */
  ranMs: number;
  failure?: string;
}

function runChild(childFile: string, config: CrashChildConfig, killAt: { fromSpawnMs?: number; afterReadyMs: number }): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [childFile, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let readyAt: number | undefined;
    let killed = false;
    const kill = () => {
      if (!killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const early = killAt.fromSpawnMs === undefined ? undefined : setTimeout(kill, killAt.fromSpawnMs);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (readyAt === undefined && out.includes('READY\n')) {
        readyAt = performance.now();
        if (early === undefined) setTimeout(kill, killAt.afterReadyMs);
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code, signal) => {
      if (early) clearTimeout(early);
      const now = performance.now();
      const outcome: ChildOutcome = { beforeReady: readyAt === undefined, startupMs: (readyAt ?? now) - started, ranMs: readyAt === undefined ? 0 : now - readyAt };
      if (signal !== 'SIGKILL' || !killed) outcome.failure = `child (seed ${config.seed}) ended by itself: code ${code}, signal ${signal}: ${err.slice(-3000)}`;
      resolve(outcome);
    });
  });
}

function readJournal(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // a kill may cut the last line short: only whole lines count
  return text.split('\n').slice(0, -1).filter((l) => l.length > 0);
}

export async function runCrashRounds(opts: CrashRunOptions): Promise<CrashRunFigures> {
  const started = performance.now();
  const lanes = opts.lanes ?? 2;
  const maxDelay = opts.maxDelayMs ?? 400;
  const mode = opts.mode ?? 'one-transaction';
  const figures: CrashRunFigures = {
    kills: 0, killedDuringStartup: 0, childFailures: [], eventsJournaled: 0, unjournaledTail: 0, deals: 0, events: 0, tasks: 0, approvals: 0,
    outboxMessages: 0, delivered: 0, replayedDeals: 0, problems: [], killsWithNewProblems: 0, ms: 0,
  };
  let next = 0;
  const startups: number[] = [];

  async function lane(index: number): Promise<void> {
    const db = join(opts.dir, `${mode}-lane-${index}.db`);
    const rng = createRng(opts.seed * 31 + index);
    let sincePos = 0;
    const known = new Set<string>();
    let round = 0;
    while (next < opts.kills && !(opts.stopOnProblem && figures.problems.length > 0)) {
      next++;
      round++;
      const startAt = T0 + round * ROUND_SPAN_MS;
      const journal = join(opts.dir, `${mode}-lane-${index}-round-${round}.journal`);
      const config: CrashChildConfig = {
        db, journal, seed: opts.seed * 100_003 + index * 10_007 + round, round, startAt: new Date(startAt).toISOString(), mode, templates: TEMPLATES,
      };
      const typicalStartup = startups.length ? startups[Math.floor(startups.length / 2)]! : 1_000;
      const duringStartup = rng.chance(0.1);
      const outcome = await runChild(bundle.file, config, duringStartup ? { fromSpawnMs: rng.int(Math.ceil(typicalStartup)), afterReadyMs: 0 } : { afterReadyMs: rng.int(maxDelay) });
      figures.kills++;
      if (!outcome.beforeReady) startups.push(outcome.startupMs);
      startups.sort((a, b) => a - b);
      if (outcome.beforeReady) figures.killedDuringStartup++;
      if (outcome.failure) figures.childFailures.push(outcome.failure);
      if (!existsSync(db)) continue; // killed before the store created its file: nothing to check yet

      const ids = readJournal(journal);
      rmSync(journal, { force: true });
      const report = await checkStoreFile(db, { journal: ids, sincePos });
      sincePos = report.lastPos;
      figures.eventsJournaled += ids.length;
      figures.unjournaledTail += report.unjournaledTail;
      figures.replayedDeals += report.replayed;
      const delivery = await deliverAll(db, new Date(startAt + ROUND_SPAN_MS - 60_000));
      figures.delivered += delivery.delivered;
      const fresh = [...report.problems, ...delivery.problems].filter((p) => !known.has(p));
      for (const p of fresh) {
        known.add(p);
        figures.problems.push(`lane ${index}, round ${round}: ${p}`);
      }
      if (fresh.length) figures.killsWithNewProblems++;
      opts.log?.(`lane ${index} round ${round}: ${outcome.beforeReady ? 'killed during start-up' : `killed ${Math.round(outcome.ranMs)} ms after READY`} journal ${ids.length} (+${report.unjournaledTail} unjournaled), deals ${report.deals}, events ${report.events}, delivered ${delivery.delivered}, new problems ${fresh.length}`);
    }
    // a last full check: every deal replayed from its first event
    if (existsSync(db)) {
      const final = await checkStoreFile(db, { sincePos: 0 });
      figures.replayedDeals += final.replayed;
      for (const p of final.problems.filter((x) => !known.has(x))) figures.problems.push(`lane ${index}, final check: ${p}`);
      figures.deals += final.deals;
      figures.events += final.events;
      figures.tasks += final.tasks;
      figures.approvals += final.approvals;
      figures.outboxMessages += final.outbox;
    }
  }

  const bundle = await bundleScript(CHILD_SOURCE, 'crash-child');
  try {
    await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  } finally {
    bundle.remove();
  }
  figures.ms = performance.now() - started;
  return figures;
}

/** One line of figures for the log. */
export function formatFigures(label: string, f: CrashRunFigures): string {
  return `[${label}] ${f.kills} SIGKILLs (${f.killedDuringStartup} during start-up) in ${(f.ms / 1000).toFixed(1)} s: `
    + `${f.eventsJournaled} events seen committed by the children (+${f.unjournaledTail} committed just before a kill), `
    + `${f.deals} deals, ${f.events} events, ${f.tasks} tasks, ${f.approvals} approvals, ${f.outboxMessages} outbox messages (${f.delivered} delivered by the checker's dispatch), `
    + `${f.replayedDeals} deal replays; divergence: ${f.problems.length} problems after ${f.killsWithNewProblems} kills; children failed: ${f.childFailures.length}`;
}

export interface ControlOutcome {
  name: string;
  /** Rows the corruption changed: a control that changed nothing proves nothing. */
  changed: number;
  problems: string[];
}

/** Corruptions of a copy of a checked file, each a kind of damage a broken store could leave; the checker must flag every one. */
const CORRUPTIONS: { name: string; sql: string; journal?: string[]; deliver?: boolean }[] = [
  { name: 'an event in the middle of a log deleted', sql: 'DELETE FROM events WHERE id = (SELECT id FROM events WHERE seq = 2 ORDER BY pos LIMIT 1)' },
  { name: "the last event of a deal's last commit deleted", sql: 'DELETE FROM events WHERE id = (SELECT e.id FROM events e JOIN opportunities o ON o.id = e.opportunity_id AND e.seq = o.version WHERE o.version >= 3 LIMIT 1)' },
  { name: "an event's data altered after the fact", sql: "UPDATE events SET data = json_set(data, '$.title', 'forged') WHERE id = (SELECT id FROM events WHERE type = 'opportunity.opened' LIMIT 1)" },
  { name: 'the projection moved to another stage', sql: "UPDATE opportunities SET stage = 'survey', state = json_set(state, '$.opportunity.stage', 'survey') WHERE id = (SELECT id FROM opportunities WHERE stage != 'survey' LIMIT 1)" },
  { name: 'an outbox message deleted', sql: 'DELETE FROM outbox WHERE id = (SELECT id FROM outbox LIMIT 1)' },
  { name: 'a task row deleted', sql: 'DELETE FROM tasks WHERE id = (SELECT id FROM tasks LIMIT 1)' },
  { name: "a task row's status differs from its deal", sql: "UPDATE tasks SET status = 'done', data = json_set(data, '$.status', 'done') WHERE id = (SELECT id FROM tasks WHERE status = 'open' LIMIT 1)" },
  { name: 'an approval row orphaned', sql: "UPDATE approvals SET opportunity_id = 'ghost' WHERE id = (SELECT id FROM approvals LIMIT 1)" },
  { name: 'a timer left on a closed deal', sql: "INSERT INTO timers (id, opportunity_id, type, due_at) SELECT 'ghost-timer', id, 'opportunity.idle', '2030-01-01T00:00:00.000Z' FROM opportunities WHERE status != 'open' LIMIT 1" },
  { name: 'a forecast counter off by one', sql: 'UPDATE stage_outcomes SET won = won + 1 WHERE rowid = (SELECT rowid FROM stage_outcomes WHERE closed > 0 LIMIT 1)' },
  { name: "a stay's length altered", sql: 'UPDATE stage_history SET dwell_ms = dwell_ms + 1 WHERE rowid = (SELECT rowid FROM stage_history WHERE dwell_ms IS NOT NULL LIMIT 1)' },
  { name: 'a journaled event missing', sql: 'SELECT 1', journal: ['ghost:1'] },
  { name: 'a pending message leased forever (never delivered)', sql: "UPDATE outbox SET status = 'pending', claimed_until = '2999-01-01T00:00:00.000Z' WHERE id = (SELECT id FROM outbox LIMIT 1)", deliver: true },
];

export async function corruptionControls(source: string, dir: string): Promise<ControlOutcome[]> {
  const out: ControlOutcome[] = [];
  for (const [i, c] of CORRUPTIONS.entries()) {
    const copy = join(dir, `corrupt-${i}.db`);
    copyFileSync(source, copy);
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${copy}-wal`);
    const db = new Database(copy);
    db.pragma('foreign_keys = OFF'); // damage as a broken adapter or a hand edit would leave it
    const changed = c.sql === 'SELECT 1' ? 1 : db.prepare(c.sql).run().changes;
    db.close();
    const report = await checkStoreFile(copy, c.journal ? { journal: c.journal } : {});
    const problems = [...report.problems];
    if (c.deliver) problems.push(...(await deliverAll(copy, new Date('2100-01-01T00:00:00.000Z'))).problems);
    out.push({ name: c.name, changed, problems });
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
  }
  return out;
}
