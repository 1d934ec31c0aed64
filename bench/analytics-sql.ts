// Time per SQL statement behind each analytics query (a diagnostic, not part of `npm run bench`):
//   node --import tsx bench/analytics-sql.ts bench/.cache/analytics-s3-g1-1000000.db [funnel,forecast,...]
// Wraps better-sqlite3's prepared statements to time each `.all()`; prints the statements by query.
import Database from 'better-sqlite3';
import { createAnalytics, sqliteStore, type Analytics } from '../src/index.js';

const [path, which] = process.argv.slice(2);
if (!path) throw new Error('usage: analytics-sql.ts <database> [funnel,forecast,conversion,cycleTime,lossReasons,bottlenecks]');
const times = new Map<string, { ms: number; calls: number; rows: number }>();
type Prepare = (this: Database.Database, sql: string) => Database.Statement<unknown[]>;
const proto = Database.prototype as unknown as { prepare: Prepare };
const prepare = proto.prepare;
proto.prepare = function timedPrepare(this: Database.Database, sql: string) {
  const st = prepare.call(this, sql);
  const all = st.all.bind(st);
  st.all = ((...args: unknown[]) => {
    const t0 = performance.now();
    const rows = all(...args);
    const e = times.get(sql) ?? { ms: 0, calls: 0, rows: 0 };
    e.ms += performance.now() - t0;
    e.calls++;
    e.rows += rows.length;
    times.set(sql, e);
    return rows;
  }) as typeof st.all;
  return st;
};
const queries: Record<string, (a: Analytics) => Promise<unknown>> = {
  funnel: (a) => a.funnel({ template: 'b2b-standard' }),
  forecast: (a) => a.forecast({ template: 'b2b-standard', period: '2026-Q2' }),
  conversion: (a) => a.conversion({ template: 'b2b-standard' }),
  cycleTime: (a) => a.cycleTime({ template: 'b2b-standard' }),
  lossReasons: (a) => a.lossReasons({ template: 'b2b-standard' }),
  bottlenecks: (a) => a.bottlenecks({ template: 'b2b-standard' }),
};
const store = sqliteStore({ path });
const analytics = createAnalytics(store);
for (const name of (which ?? 'funnel,forecast').split(',')) {
  const q = queries[name];
  if (!q) throw new Error(`unknown query ${name}`);
  times.clear();
  const t0 = performance.now();
  await q(analytics);
  console.log(`== ${name}: ${(performance.now() - t0).toFixed(0)} ms`);
  for (const [sql, e] of [...times].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${e.ms.toFixed(0).padStart(7)} ms  ${e.calls} call(s), ${e.rows} rows  ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
}
await store.close();
