// Rough engine throughput on a SQLite file: deals walked from open to won, one durable transaction per command.
// Run: npm run bench:commands  (prints a table and writes bench/results/engine-commands.json)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, loadTemplate, memoryStore, sqliteStore, type Store } from '../src/index.js';

const DEALS = Number(process.env.DEALS ?? 300);
const RUNS = Number(process.env.RUNS ?? 3);
const people: Record<string, string> = { sales_director: 'dora', finance: 'fay', solution_engineer: 'sol', legal: 'lee' };

async function walk(store: Store): Promise<{ commands: number; seconds: number; explainSeconds: number; explains: number }> {
  const template = await loadTemplate('b2b-standard');
  let t = Date.parse('2026-03-02T09:00:00Z');
  let n = 0;
  const engine = createEngine({ store, templates: [template], clock: () => new Date((t += 1000)), ids: () => `d${++n}`, resolveRole: (r) => (people[r] ? [people[r]!] : []) });
  const sam = { id: 'sam' };
  let commands = 0;
  let explainNs = 0n;
  let explains = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < DEALS; i++) {
    const d = await engine.open({ template: 'b2b-standard', title: `Deal ${i}`, owner: 'sam', amount: 100_000 + i, actor: sam });
    await engine.update(d.id, { fields: { region: 'east', industry: 'finance', budgetConfirmed: true, decisionMaker: 'CIO', productLine: 'erp', discount: 0.2, expectedCloseDate: '2026-12-01' }, actor: sam });
    commands += 2;
    for (let step = 0; step < 6; step++) {
      const e0 = process.hrtime.bigint();
      const x = await engine.explain(d.id);
      explainNs += process.hrtime.bigint() - e0;
      explains++;
      if (x.status !== 'open') break;
      for (const task of x.tasks) { await engine.completeTask(task.id, { actor: task.assignee ?? 'sam' }); commands++; }
      for (const a of x.approvals) {
        for (const who of ['dora', 'fay']) { await engine.decide(a.id, { actor: who, decision: 'approve' }); commands++; }
      }
      for (const r of x.unmet.filter((u) => u.kind === 'deliverable')) { await engine.submitDeliverable(d.id, r.key, { ref: r.key, actor: sam }); commands++; }
      await engine.advance(d.id, { actor: sam });
      commands++;
    }
  }
  const explainSeconds = Number(explainNs) / 1e9;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9 - explainSeconds;
  await engine.close();
  return { commands, seconds, explainSeconds, explains };
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

const dir = mkdtempSync(join(tmpdir(), 'winpath-bench-'));
const rows: Record<string, { commandsPerSecond: ReturnType<typeof stats>; dealsPerSecond: ReturnType<typeof stats>; explainMs: ReturnType<typeof stats>; commandsPerDeal: number }> = {};
for (const [name, make] of [
  ['memory', () => memoryStore()],
  ['sqlite file (WAL, synchronous=NORMAL)', () => sqliteStore({ path: join(dir, `n-${Math.random()}.db`) })],
  ['sqlite file (synchronous=FULL)', () => sqliteStore({ path: join(dir, `f-${Math.random()}.db`), durability: 'full' })],
] as const) {
  const cps: number[] = [];
  const dps: number[] = [];
  const ems: number[] = [];
  let per = 0;
  for (let r = 0; r < RUNS; r++) {
    const { commands, seconds, explainSeconds, explains } = await walk(make());
    ems.push((explainSeconds * 1000) / explains);
    cps.push(commands / seconds);
    dps.push(DEALS / seconds);
    per = commands / DEALS;
  }
  rows[name] = { commandsPerSecond: stats(cps), dealsPerSecond: stats(dps), explainMs: stats(ems), commandsPerDeal: per };
}
rmSync(dir, { recursive: true, force: true });

console.log(`winpath engine, b2b-standard open -> won, ${DEALS} deals x ${RUNS} runs, node ${process.version}`);
console.log('(commands only; explain, called before each step, is timed apart)');
console.log('store'.padEnd(40), 'commands/s (median [min-max])'.padEnd(32), 'deals/s (median)'.padEnd(18), 'explain ms (median)');
for (const [name, r] of Object.entries(rows)) {
  const c = r.commandsPerSecond;
  console.log(name.padEnd(40), `${c.median.toFixed(0)} [${c.min.toFixed(0)}-${c.max.toFixed(0)}]`.padEnd(32), r.dealsPerSecond.median.toFixed(1).padEnd(18), r.explainMs.median.toFixed(2));
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/engine-commands.json', import.meta.url), JSON.stringify({ deals: DEALS, runs: RUNS, node: process.version, rows }, null, 2));
