import { afterAll, describe, expect, it } from 'vitest';
import { createAnalytics, loadTemplate, memoryStore, postgresStore, simulate, sqliteStore, type Store } from 'winpath';
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
  out['where'] = await a.funnel({ template, where: { amount: { gte: 500_000 }, region: ['east', 'north'], openedAt: { gte: '2026-07-10', lte: '2026-08-10' } } });
  return out;
}

async function simulated(store: Store): Promise<Store> {
  await simulate({ template: await loadTemplate('project-sales'), store, deals: 300, seed: 99, start: '2026-07-01T01:00:00Z', days: 75 });
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
