// What each part of winpath's row pattern costs SQLite (a diagnostic, not part of `npm run bench`):
// captures the rows of DEALS deals' commits (as the throughput section does), then replays them in variants.
//   node --import tsx bench/row-cost.ts     (env: DEALS, default 1000; RUNS, default 3)
import { createEngine, loadTemplate, sqliteStore } from '../src/index.js';
import { resolveRole, walkWinpathDeal, YAML_FIXTURE } from './lib/process.js';
import { captureRows, replayCommits, type CommitRows } from './lib/replay.js';
import { openRaw, tempDir, type Db } from './lib/sqlite.js';
import { spread } from './lib/stats.js';

const deals = Number(process.env['DEALS'] ?? 1000);
const runs = Number(process.env['RUNS'] ?? 3);
const tmp = tempDir('rowcost');
let n = 0;
const captured: CommitRows[] = [];
{
  const def = await loadTemplate(YAML_FIXTURE);
  let t = Date.parse('2026-03-02T09:00:00Z');
  const engine = createEngine({ store: captureRows(captured)(sqliteStore({ path: tmp.file('capture.db') })), templates: [def], clock: () => new Date((t += 1000)), resolveRole });
  for (let i = 0; i < deals; i++) await walkWinpathDeal(engine, `r0-${i}`, i);
  await engine.close();
}
const rowsPerCommit = captured.reduce((s, c) => s + c.length, 0) / captured.length;

type Variant = { name: string; prepare?: (db: Db) => void; map?: (c: CommitRows) => CommitRows };
const secondary = (db: Db): string[] => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all() as { name: string }[]).map((r) => r.name);
/** events as schema 3 had them: a type index, UNIQUE on id and AUTOINCREMENT (migration 4 dropped all three). */
function schema3Events(db: Db): void {
  db.exec(`DROP TABLE events;
    CREATE TABLE events (pos INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
      seq INTEGER NOT NULL, type TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (opportunity_id, seq));
    CREATE INDEX events_type ON events (type);`);
}
const variants: Variant[] = [
  { name: 'full row pattern (the bench figure)' },
  { name: 'no secondary indexes', prepare: (db) => { for (const ix of secondary(db)) db.exec(`DROP INDEX ${ix}`); } },
  // the state is the next-to-last parameter of an opportunity update (then the id) and the last of an insert
  { name: 'state column written as {}', map: (c) => c.map((op) => (op.name === 'updateOpportunity' ? { ...op, params: op.params.map((p, i) => (i === op.params.length - 2 ? '{}' : p)) } : op.name === 'insertOpportunity' ? { ...op, params: op.params.map((p, i) => (i === op.params.length - 1 ? '{}' : p)) } : op)) },
  { name: 'opportunity row + events only', map: (c) => c.filter((op) => op.name.endsWith('Opportunity') || op.name === 'insertEvent') },
  { name: 'opportunity row only', map: (c) => c.filter((op) => op.name.endsWith('Opportunity')) },
  { name: 'events as in schema 3 (type index, UNIQUE id, AUTOINCREMENT)', prepare: schema3Events },
  { name: 'wal_autocheckpoint=1000 (SQLite default)', prepare: (db) => { db.pragma('wal_autocheckpoint = 1000'); } },
  { name: 'wal_autocheckpoint=10000', prepare: (db) => { db.pragma('wal_autocheckpoint = 10000'); } },
  { name: 'synchronous=OFF', prepare: (db) => { db.pragma('synchronous = OFF'); } },
];
const results = new Map<string, number[]>();
for (let r = 0; r < runs; r++) {
  for (const v of variants) {
    const path = tmp.file(`v${++n}.db`);
    void sqliteStore({ path }).close();
    const db = openRaw(path, { foreignKeys: true });
    v.prepare?.(db);
    const commits = v.map ? captured.map(v.map) : captured;
    const ms = replayCommits(db, commits);
    db.close();
    results.set(v.name, [...(results.get(v.name) ?? []), (commits.length / ms) * 1000]);
  }
}
tmp.remove();
console.log(`${captured.length} commits of ${deals} deals, ${rowsPerCommit.toFixed(1)} row writes per commit; commits/s, median [min-max] of ${runs}`);
for (const [name, xs] of results) {
  const s = spread(xs);
  console.log(`${name.padEnd(40)} ${s.median.toFixed(0).padStart(7)} [${s.min.toFixed(0)}-${s.max.toFixed(0)}]`);
}
