import { afterAll, describe, expect, it } from 'vitest';
import { createAnalytics, loadTemplate, memoryStore, postgresStore, simulate, sqliteStore, type Store } from 'winpath';
import { reopenSome } from '../storage/reopen-some.js';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from '../storage/postgres-env.js';

const schema = newSchemaName('wpq');
afterAll(async () => {
  if (!PG_URL) return;
  const pool = adminPool();
  await dropSchemas(pool, [schema]);
  await pool.end();
});

/** Every query the dashboard asks, with groupings and filters. */
async function everything(store: Store) {
  const a = createAnalytics(store);
  const template = 'project-sales';
  const out: Record<string, unknown> = {};
  for (const groupBy of [undefined, 'region', 'owner', 'month']) {
    const q = { template, ...(groupBy ? { groupBy } : {}) };
    out[`funnel ${groupBy}`] = await a.funnel(q);
    out[`funnel asOf ${groupBy}`] = await a.funnel({ ...q, asOf: '2026-08-01T00:00:00Z' });
    out[`conversion ${groupBy}`] = await a.conversion(q);
    out[`cycle ${groupBy}`] = await a.cycleTime(q);
    out[`loss ${groupBy}`] = await a.lossReasons(q);
    out[`forecast ${groupBy}`] = await a.forecast({ ...q, period: '2026-Q3', target: 10_000_000 });
  }
  out['bottlenecks'] = await a.bottlenecks({ template });
  // forecast with a filter (SQL from the stage history) and without close dates (every open deal projected from median stays)
  const some = { region: ['east', 'north'] };
  out['forecast where'] = await a.forecast({ template, where: some, period: '2026-Q3' });
  const undated = createAnalytics(store, { closeDateField: 'noSuchDate' });
  out['forecast undated'] = await undated.forecast({ template, period: '2026-Q3', target: 10_000_000 });
  out['forecast undated where'] = await undated.forecast({ template, period: '2026-Q3', where: some });
  out['where'] = await a.funnel({ template, where: { amount: { gte: 500_000 }, region: ['east', 'north'], openedAt: { gte: '2026-07-10', lte: '2026-08-10' } } });
  return out;
}

async function simulated(store: Store): Promise<Store> {
  const template = await loadTemplate('project-sales');
  await simulate({ template, store, deals: 300, seed: 99, start: '2026-07-01T01:00:00Z', days: 75 });
  // reopen some lost deals and lose a few of those again: the counters the SQL stores keep must follow both ways
  await reopenSome(store, template, 12, '2026-09-20T01:00:00Z');
  return store;
}

describe('the SQL query ports answer exactly as the in-code one, on the same simulated log', () => {
  it('sqlite (SQL) = memory (code)', async () => {
    const reference = await everything(await simulated(memoryStore()));
    const sqlite = await simulated(sqliteStore());
    expect('query' in sqlite).toBe(true);
    expect(await everything(sqlite)).toEqual(reference);
  }, 120_000);
});

describePg('postgres', () => {
  it('postgres (SQL) = memory (code)', async () => {
    const reference = await everything(await simulated(memoryStore()));
    const pg = await simulated(postgresStore({ connectionString: PG_URL, schema }));
    expect(await everything(pg)).toEqual(reference);
    await pg.close();
  }, 180_000);
});
