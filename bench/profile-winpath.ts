// Profiles winpath's command path on a SQLite file (the throughput section's workload, nothing else):
//   node --cpu-prof --cpu-prof-dir=bench/.cache/prof --import tsx bench/profile-winpath.ts
//   node bench/top-functions.mjs bench/.cache/prof/<file>.cpuprofile
// Env: DEALS (default 2000), STORE=sqlite|memory.
import { createEngine, loadTemplate, memoryStore, sqliteStore } from '../src/index.js';
import { resolveRole, walkWinpathDeal, YAML_FIXTURE } from './lib/process.js';
import { tempDir } from './lib/sqlite.js';

const deals = Number(process.env['DEALS'] ?? 2000);
const tmp = tempDir('profile');
const def = await loadTemplate(YAML_FIXTURE);
const store = process.env['STORE'] === 'memory' ? memoryStore() : sqliteStore({ path: tmp.file('p.db') });
let t = Date.parse('2026-03-02T09:00:00Z');
const engine = createEngine({ store, templates: [def], clock: () => new Date((t += 1000)), resolveRole });
let commands = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < deals; i++) commands += await walkWinpathDeal(engine, `p-${i}`, i);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
await engine.close();
tmp.remove();
console.log(`${commands} commands in ${ms.toFixed(0)} ms: ${((commands / ms) * 1000).toFixed(0)} commands/s (${process.env['STORE'] ?? 'sqlite'})`);
