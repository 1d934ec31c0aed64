/**
 * Heap held per idle deal (run with --expose-gc, in its own process): `winpath` opens deals into a
 * SQLite store through the engine (it should keep none of them in memory); `bpmn` keeps live
 * bpmn-engine instances waiting at their first user task, as an app without its own persistence
 * layer must. Usage: node --expose-gc --import tsx bench/sections/memory.ts winpath|bpmn
 */
import { createEngine, loadTemplate, sqliteStore } from '../../src/index.js';
import { config } from '../lib/config.js';
import { amountOf, bpmnSourceContext, newBpmnEngine, resolveRole, TEMPLATE_ID, waitListener, YAML_FIXTURE, type BpmnEngine, type Waiting } from '../lib/process.js';
import { main, report } from '../lib/section.js';
import { tempDir } from '../lib/sqlite.js';
import { msSince, now, progress } from '../lib/stats.js';

const gc = (globalThis as { gc?: () => void }).gc;

async function settle(): Promise<{ heapUsed: number; rss: number; external: number }> {
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

async function winpath(): Promise<unknown> {
  const n = config.memoryDeals;
  const warm = Math.min(1000, n);
  const tmp = tempDir('memory');
  const def = await loadTemplate(YAML_FIXTURE);
  const store = sqliteStore({ path: tmp.file('memory.db') });
  let t = Date.parse('2026-03-02T09:00:00Z');
  const engine = createEngine({ store, templates: [def], clock: () => new Date((t += 1000)), resolveRole });
  const sam = { id: 'sam' };
  // warm-up deals (JIT, prepared statements, caches), before the baseline
  for (let i = 0; i < warm; i++) await engine.open({ id: `w-${i}`, template: TEMPLATE_ID, title: `Warm ${i}`, owner: 'sam', amount: amountOf(i), actor: sam });
  const before = await settle();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    await engine.open({ id: `m-${i}`, template: TEMPLATE_ID, title: `Deal ${i}`, owner: 'sam', amount: amountOf(i), actor: sam });
    if ((i + 1) % 20_000 === 0) progress(`memory: winpath ${i + 1}/${n} deals opened`);
  }
  const ms = msSince(t0);
  const after = await settle();
  const opened = (await store.opportunities({ limit: 1 })).length;
  await engine.close();
  tmp.remove();
  if (opened !== 1) throw new Error('no deal in the store');
  return {
    deals: n, warmUpDeals: warm, openSeconds: ms / 1000,
    heapDeltaBytes: after.heapUsed - before.heapUsed,
    heapPer100kBytes: ((after.heapUsed - before.heapUsed) / n) * 100_000,
    rssDeltaBytes: after.rss - before.rss,
    externalDeltaBytes: after.external - before.external,
    heapUsedAfter: after.heapUsed,
  };
}

async function bpmn(): Promise<unknown> {
  const n = config.bpmnMemoryDeals;
  const sourceContext = await bpmnSourceContext();
  const live: BpmnEngine[] = [];
  const start = async (i: number): Promise<BpmnEngine> => {
    const waiting: Waiting[] = [];
    const engine = newBpmnEngine(`b-${i}`, sourceContext);
    await engine.execute({ listener: waitListener(waiting), variables: { amount: amountOf(i) } });
    if (waiting[0]?.id !== 'qualify') throw new Error(`bpmn deal ${i} is not waiting at its first user task`);
    return engine;
  };
  for (let i = 0; i < 10; i++) await start(-1 - i); // warm-up, dropped
  const before = await settle();
  const t0 = now();
  for (let i = 0; i < n; i++) {
    live.push(await start(i));
    if ((i + 1) % 250 === 0) progress(`memory: bpmn-engine ${i + 1}/${n} live engines`);
  }
  const ms = msSince(t0);
  const after = await settle();
  const delta = after.heapUsed - before.heapUsed;
  const result = {
    deals: n, startSeconds: ms / 1000, liveEngines: live.length,
    heapDeltaBytes: delta,
    heapPer1000Bytes: (delta / n) * 1000,
    rssDeltaBytes: after.rss - before.rss,
    heapUsedAfter: after.heapUsed,
  };
  live.length = 0;
  return result;
}

main(async () => {
  const which = process.argv[2];
  if (which === 'winpath') report('memory-winpath', await winpath());
  else if (which === 'bpmn') report('memory-bpmn', await bpmn());
  else throw new Error('usage: memory.ts winpath|bpmn');
});
