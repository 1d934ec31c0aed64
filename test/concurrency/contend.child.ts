// Child process of the contention test: runs seeded random commands on shared deals, then prints its figures as JSON.
import { readFileSync } from 'node:fs';
import { createEngine, isWinpathError, parseTemplate, postgresStore, sqliteStore, type Store } from '../../src/index.js';
import { createRandom } from '../../src/simulate/random.js';

export interface ChildConfig {
  child: number;
  store: { kind: 'postgres'; url: string; schema: string } | { kind: 'sqlite'; path: string };
  deals: string[];
  commands: number;
  retry: number;
  seed: number;
}

export interface ChildReport {
  child: number;
  retry: number;
  commands: number;
  ok: number;
  /** Commands that surfaced CONCURRENCY_CONFLICT (after the engine's retries, if any). */
  conflicts: number;
  /** Re-runs the engine made on a conflict (appends that lost, minus the conflicts surfaced). */
  retries: number;
  /** Commands the deal's state refused after a re-read (e.g. a task another child completed first), by code. */
  refused: Record<string, number>;
  /** Anything else: must stay empty. */
  other: string[];
  byCommand: Record<string, { ok: number; conflicts: number; refused: number }>;
  /** Texts of the notes this child added successfully. */
  notes: string[];
  /** Events this child's successful commands wrote, by type. */
  events: Record<string, number>;
  ms: number;
}

const config = JSON.parse(process.argv[2]!) as ChildConfig;

/** mulberry32: a small seeded generator, so each child's commands repeat run to run. */
function random(seed: number): () => number {
  return createRandom(seed).next;
}

const base: Store = config.store.kind === 'postgres'
  ? postgresStore({ connectionString: config.store.url, schema: config.store.schema, poolSize: 2 })
  : sqliteStore({ path: config.store.path });
let lostAppends = 0;
// counts every append the store refused with a conflict, including those the engine's retry absorbed
const store: Store = {
  ...base,
  kind: base.kind,
  capabilities: base.capabilities,
  append: async (c) => {
    try {
      await base.append(c);
    } catch (e) {
      if (isWinpathError(e, 'CONCURRENCY_CONFLICT')) lostAppends++;
      throw e;
    }
  },
};
const def = await parseTemplate(readFileSync(new URL('./contended.yaml', import.meta.url), 'utf8'), { format: 'yaml', fileName: 'contended.yaml' });
const engine = createEngine({ store, templates: [def], retry: config.retry, clock: () => new Date('2026-05-04T09:00:00.000Z') });
const report: ChildReport = {
  child: config.child, retry: config.retry, commands: 0, ok: 0, conflicts: 0, retries: 0, refused: {}, other: [], byCommand: {}, notes: [], events: {}, ms: 0,
};
engine.on('*', (e) => {
  report.events[e.type] = (report.events[e.type] ?? 0) + 1;
});

// wait for the parent's go, so that every child contends from the first command
process.stdout.write('READY\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const started = performance.now();
const rand = random(config.seed);
const actor = { id: `child-${config.child}`, roles: ['manager'] };
for (let i = 0; i < config.commands; i++) {
  const deal = config.deals[Math.floor(rand() * config.deals.length)]!;
  const r = rand();
  let kind = r < 0.35 ? 'addNote' : r < 0.6 ? 'update' : r < 0.8 ? 'completeTask' : 'advance';
  const text = `c${config.child}-${i}`;
  report.commands++;
  try {
    if (kind === 'completeTask') {
      const open = await engine.tasks({ opportunityId: deal, status: 'open' });
      const task = open[Math.floor(rand() * open.length)];
      if (task) await engine.completeTask(task.id, { actor });
      else kind = 'addNote';
    }
    if (kind === 'addNote') {
      await engine.addNote(deal, { text, actor });
      report.notes.push(text);
    } else if (kind === 'update') {
      await engine.update(deal, { title: text, fields: { counter: i }, actor });
    } else if (kind === 'advance') {
      const o = await engine.get(deal);
      const to = o.stage === 'qualify' ? 'propose' : o.stage === 'propose' ? 'negotiate' : 'qualify';
      await engine.advance(deal, { to, reason: 'round again', actor });
    }
    report.ok++;
    tally(kind, 'ok');
  } catch (e) {
    if (isWinpathError(e, 'CONCURRENCY_CONFLICT')) {
      report.conflicts++;
      tally(kind, 'conflicts');
    } else if (isWinpathError(e, 'INPUT_INVALID') && (kind === 'completeTask' || kind === 'advance')) {
      // the re-read deal no longer allows it: the task was done, or the deal moved, by another child
      report.refused[e.code] = (report.refused[e.code] ?? 0) + 1;
      tally(kind, 'refused');
    } else {
      report.other.push(`${kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
report.ms = Math.round(performance.now() - started);
report.retries = lostAppends - report.conflicts;
await engine.close();
process.stdout.write(`REPORT ${JSON.stringify(report)}\n`);

function tally(kind: string, what: 'ok' | 'conflicts' | 'refused'): void {
  const t = (report.byCommand[kind] ??= { ok: 0, conflicts: 0, refused: 0 });
  t[what]++;
}
