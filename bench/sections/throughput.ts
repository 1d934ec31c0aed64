/**
 * Throughput on SQLite, side by side in one process (runs interleaved, so machine noise falls on all alike):
 * SQLite's own limit, winpath, raw better-sqlite3 replaying winpath's rows, xstate's pure transition with the
 * snapshot saved, bpmn-engine with its state saved after every step (live engines, and recovered per step).
 * Every contender: WAL, synchronous=NORMAL, one IMMEDIATE transaction per command or step.
 */
import { createEngine, loadTemplate, sqliteStore, type Store } from '../../src/index.js';
import { initialTransition, transition } from 'xstate';
import { config } from '../lib/config.js';
import {
  bpmnSourceContext, bpmnStepsOf, newBpmnEngine, resolveRole, saleMachine, TEMPLATE_ID, waitListener, walkWinpathDeal, winpathCommandsOf,
  xstateEventsOf, YAML_FIXTURE, type Waiting,
} from '../lib/process.js';
import { captureRows, replayCommits, type CommitRows } from '../lib/replay.js';
import { main, report } from '../lib/section.js';
import { bytesByObject, openRaw, tempDir, usedBytes, type Db } from '../lib/sqlite.js';
import { msSince, now, progress, spread } from '../lib/stats.js';

interface RunFigures { steps: number; deals: number; ms: number; bytes: number }

const tmp = tempDir('throughput');
let fileNo = 0;
const newFile = (name: string): string => tmp.file(`${name}-${++fileNo}.db`);

// ---------------------------------------------------------------- SQLite's own limit

function sqliteLimit(n: number): RunFigures {
  const db = openRaw(newFile('limit'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, deal TEXT NOT NULL, v TEXT NOT NULL)');
  const empty = usedBytes(db);
  const ins = db.prepare('INSERT INTO t (deal, v) VALUES (?, ?)');
  const tx = db.transaction((i: number) => {
    ins.run(`d${i}`, 'stage.entered proposal 2026-03-02');
  });
  const t0 = now();
  for (let i = 0; i < n; i++) tx.immediate(i);
  const ms = msSince(t0);
  const bytes = usedBytes(db) - empty;
  db.close();
  return { steps: n, deals: 0, ms, bytes };
}

// ---------------------------------------------------------------- winpath

/** An empty migrated winpath database and the bytes its schema takes. */
function emptyWinpathBytes(): number {
  const path = newFile('empty');
  const s = sqliteStore({ path });
  void s.close();
  const db = openRaw(path);
  const b = usedBytes(db);
  db.close();
  return b;
}

async function winpathRun(deals: number, tag: string, wrap?: (s: Store) => Store): Promise<RunFigures & { path: string }> {
  const def = await loadTemplate(YAML_FIXTURE);
  const path = newFile(`winpath-${tag}`);
  const inner = sqliteStore({ path });
  const store = wrap ? wrap(inner) : inner;
  let t = Date.parse('2026-03-02T09:00:00Z');
  const engine = createEngine({ store, templates: [def], clock: () => new Date((t += 1000)), resolveRole });
  let steps = 0;
  const t0 = now();
  for (let i = 0; i < deals; i++) steps += await walkWinpathDeal(engine, `${tag}-${i}`, i);
  const ms = msSince(t0);
  await engine.close();
  const db = openRaw(path);
  const bytes = usedBytes(db);
  db.close();
  return { steps, deals, ms, bytes, path };
}

function rawReplay(commits: readonly CommitRows[], deals: number): RunFigures {
  const path = newFile('raw');
  void sqliteStore({ path }).close(); // the same schema, migrated by the store itself
  const db = openRaw(path, { foreignKeys: true });
  const ms = replayCommits(db, commits);
  const bytes = usedBytes(db);
  db.close();
  return { steps: commits.length, deals, ms, bytes };
}

// ---------------------------------------------------------------- xstate

function xstateRun(deals: number, tag: string): RunFigures {
  const db = openRaw(newFile('xstate'));
  db.exec('CREATE TABLE snapshots (id TEXT PRIMARY KEY, version INTEGER NOT NULL, snapshot TEXT NOT NULL)');
  const empty = usedBytes(db);
  const ins = db.prepare('INSERT INTO snapshots (id, version, snapshot) VALUES (?, 1, ?)');
  const get = db.prepare('SELECT version, snapshot FROM snapshots WHERE id = ?');
  const upd = db.prepare('UPDATE snapshots SET snapshot = ?, version = version + 1 WHERE id = ? AND version = ?');
  const open = db.transaction((id: string, json: string) => { ins.run(id, json); });
  const save = db.transaction((id: string, version: number, json: string) => {
    if (upd.run(json, id, version).changes !== 1) throw new Error(`xstate deal ${id}: version conflict`);
  });
  let steps = 0;
  const t0 = now();
  for (let i = 0; i < deals; i++) {
    const id = `${tag}-${i}`;
    const [first] = initialTransition(saleMachine, { amount: i % 2 === 0 ? 1_500_000 : 300_000 });
    open.immediate(id, JSON.stringify(saleMachine.getPersistedSnapshot(first)));
    steps++;
    for (const ev of xstateEventsOf(i)) {
      // read, restore, pure transition, write: what winpath does per command
      const row = get.get(id) as { version: number; snapshot: string };
      const snap = saleMachine.resolveState(JSON.parse(row.snapshot) as Parameters<typeof saleMachine.resolveState>[0]);
      const [next] = transition(saleMachine, snap, ev);
      if (next === snap) throw new Error(`xstate deal ${id}: ${ev.type} refused in ${String(snap.value)}`);
      save.immediate(id, row.version, JSON.stringify(saleMachine.getPersistedSnapshot(next)));
      steps++;
    }
  }
  const ms = msSince(t0);
  const last = get.get(`${tag}-${deals - 1}`) as { snapshot: string };
  if (!last.snapshot.includes('"won"')) throw new Error('xstate: the last deal did not reach won');
  const bytes = usedBytes(db) - empty;
  db.close();
  return { steps, deals, ms, bytes };
}

// ---------------------------------------------------------------- bpmn-engine

function bpmnDb(): { db: Db; empty: number; insert: (id: string, state: string) => void; save: (id: string, version: number, state: string) => void; load: (id: string) => { version: number; state: string } } {
  const db = openRaw(newFile('bpmn'));
  db.exec('CREATE TABLE engine_state (id TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL)');
  const empty = usedBytes(db);
  const ins = db.prepare('INSERT INTO engine_state (id, version, state) VALUES (?, 1, ?)');
  const upd = db.prepare('UPDATE engine_state SET state = ?, version = version + 1 WHERE id = ? AND version = ?');
  const get = db.prepare('SELECT version, state FROM engine_state WHERE id = ?');
  const insertTx = db.transaction((id: string, state: string) => { ins.run(id, state); });
  const saveTx = db.transaction((id: string, version: number, state: string) => {
    if (upd.run(state, id, version).changes !== 1) throw new Error(`bpmn deal ${id}: version conflict`);
  });
  return {
    db, empty,
    insert: (id, state) => insertTx.immediate(id, state),
    save: (id, version, state) => saveTx.immediate(id, version, state),
    load: (id) => get.get(id) as { version: number; state: string },
  };
}

/** One live engine per deal, walked to the end; `getState()` saved after execute and after every signal. */
async function bpmnLiveRun(deals: number, tag: string, sourceContext: unknown): Promise<RunFigures> {
  const s = bpmnDb();
  let steps = 0;
  const t0 = now();
  for (let i = 0; i < deals; i++) {
    const id = `${tag}-${i}`;
    const waiting: Waiting[] = [];
    const engine = newBpmnEngine(id, sourceContext);
    const execution = await engine.execute({ listener: waitListener(waiting), variables: { amount: i % 2 === 0 ? 1_500_000 : 300_000 } });
    s.insert(id, JSON.stringify(await engine.getState()));
    steps++;
    let version = 1;
    while (waiting.length > 0) {
      const w = waiting.shift()!;
      execution.signal({ id: w.id, executionId: w.executionId });
      s.save(id, version++, JSON.stringify(await engine.getState()));
      steps++;
    }
    if (version !== bpmnStepsOf(i)) throw new Error(`bpmn deal ${id}: ${version} steps, expected ${bpmnStepsOf(i)}`);
  }
  const ms = msSince(t0);
  const bytes = usedBytes(s.db) - s.empty;
  s.db.close();
  return { steps, deals, ms, bytes };
}

/** Every step as a server handling a request would: load the state, recover and resume an engine, signal, save. */
async function bpmnRecoverRun(deals: number, tag: string, sourceContext: unknown): Promise<RunFigures> {
  const s = bpmnDb();
  let steps = 0;
  const t0 = now();
  for (let i = 0; i < deals; i++) {
    const id = `${tag}-${i}`;
    let waiting: Waiting[] = [];
    const engine = newBpmnEngine(id, sourceContext);
    await engine.execute({ listener: waitListener(waiting), variables: { amount: i % 2 === 0 ? 1_500_000 : 300_000 } });
    s.insert(id, JSON.stringify(await engine.getState()));
    steps++;
    let next = waiting[0];
    while (next) {
      const row = s.load(id);
      waiting = [];
      const recovered = newBpmnEngine(id, undefined).recover(JSON.parse(row.state));
      const execution = await recovered.resume({ listener: waitListener(waiting) });
      const w = waiting.find((x) => x.executionId === next!.executionId) ?? waiting[0];
      if (!w) throw new Error(`bpmn deal ${id}: nothing waiting after recover`);
      execution.signal({ id: w.id, executionId: w.executionId });
      s.save(id, row.version, JSON.stringify(await recovered.getState()));
      steps++;
      waiting = waiting.filter((x) => x.executionId !== w.executionId);
      next = waiting[0];
    }
  }
  const ms = msSince(t0);
  const bytes = usedBytes(s.db) - s.empty;
  s.db.close();
  return { steps, deals, ms, bytes };
}

// ---------------------------------------------------------------- main

const CONTENDERS = ['sqliteLimit', 'rawReplay', 'winpath', 'xstate', 'bpmnLive', 'bpmnRecover'] as const;
type Contender = (typeof CONTENDERS)[number];

main(async () => {
  const sourceContext = await bpmnSourceContext();
  const emptyWinpath = emptyWinpathBytes();

  // untimed pass: warms up every path and captures the rows of winpath's commits for the raw replay
  progress(`throughput: warm-up and capture (${config.deals} winpath deals)`);
  const captured: CommitRows[] = [];
  const capture = await winpathRun(config.deals, 'c0', captureRows(captured)); // ids as long as the timed runs' (r0-1...)
  const breakdownDb = openRaw(capture.path);
  const winpathTables = bytesByObject(breakdownDb).map((r) => ({ name: r.name, bytesPerDeal: Math.round(r.bytes / config.deals) }));
  breakdownDb.close();
  sqliteLimit(Math.min(2000, config.sqliteTransactions));
  xstateRun(Math.min(50, config.deals), 'warm');
  await bpmnLiveRun(Math.min(10, config.bpmnDeals), 'warm', sourceContext);
  await bpmnRecoverRun(Math.min(3, config.bpmnRecoverDeals), 'warm', sourceContext);
  if (captured.length !== capture.steps) throw new Error(`captured ${captured.length} commits for ${capture.steps} commands`);

  const runs: Record<Contender, RunFigures[]> = { sqliteLimit: [], rawReplay: [], winpath: [], xstate: [], bpmnLive: [], bpmnRecover: [] };
  for (let r = 0; r < config.runs; r++) {
    progress(`throughput: run ${r + 1}/${config.runs}`);
    runs.sqliteLimit.push(sqliteLimit(config.sqliteTransactions));
    const raw = rawReplay(captured, config.deals);
    runs.rawReplay.push({ ...raw, bytes: raw.bytes - emptyWinpath });
    const w = await winpathRun(config.deals, `r${r}`);
    runs.winpath.push({ ...w, bytes: w.bytes - emptyWinpath });
    runs.xstate.push(xstateRun(config.deals, `r${r}`));
    runs.bpmnLive.push(await bpmnLiveRun(config.bpmnDeals, `r${r}`, sourceContext));
    runs.bpmnRecover.push(await bpmnRecoverRun(config.bpmnRecoverDeals, `r${r}`, sourceContext));
  }
  tmp.remove();

  const rows = Object.fromEntries(CONTENDERS.map((k) => {
    const rs = runs[k];
    const first = rs[0]!;
    return [k, {
      dealsPerRun: first.deals,
      stepsPerRun: first.steps,
      stepsPerDeal: first.deals ? first.steps / first.deals : 1,
      stepsPerSecond: spread(rs.map((x) => (x.steps / x.ms) * 1000)),
      dealsPerSecond: first.deals ? spread(rs.map((x) => (x.deals / x.ms) * 1000)) : null,
      bytesPerDeal: first.deals ? Math.round(spread(rs.map((x) => x.bytes / x.deals)).median) : null,
      bytesPerStep: Math.round(spread(rs.map((x) => x.bytes / x.steps)).median),
      usPerStep: spread(rs.map((x) => (x.ms * 1000) / x.steps)),
      perRun: rs,
    }];
  }));
  // the contenders of one run ran back to back: their ratio per run is steadier than the ratio of medians under shifting load
  const rate = (x: RunFigures): number => x.steps / x.ms;
  const paired = (a: Contender, b: Contender) => spread(runs[a].map((x, i) => rate(x) / rate(runs[b][i]!)));
  const ratiosPerRun = { winpathToRaw: paired('winpath', 'rawReplay'), winpathToBpmnLive: paired('winpath', 'bpmnLive'), winpathToBpmnRecover: paired('winpath', 'bpmnRecover') };
  report('throughput', { template: TEMPLATE_ID, commandsPerDeal: { large: winpathCommandsOf(0), small: winpathCommandsOf(1) }, rows, ratiosPerRun, winpathTables });
});
