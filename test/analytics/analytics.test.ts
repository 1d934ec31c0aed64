import { afterAll, describe, expect, it } from 'vitest';
import { createAnalytics, memoryStore, postgresStore, sqliteStore, WinpathError, type Store } from 'winpath';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from '../storage/postgres-env.js';
import { buildDataset, T0 } from './dataset.js';

const schema = newSchemaName('wpa');
const stores: [string, () => Store, (body: () => void) => void][] = [
  ['memory', () => memoryStore(), (body) => describe('memory store', body)],
  ['sqlite', () => sqliteStore(), (body) => describe('sqlite store', body)],
  ['postgres', () => postgresStore({ connectionString: PG_URL, schema }), (body) => describePg('postgres store', body)],
];

afterAll(async () => {
  if (!PG_URL) return;
  const pool = adminPool();
  await dropSchemas(pool, [schema]);
  await pool.end();
});

for (const [name, make, suite] of stores) {
  suite(() => describe(`analytics on a hand-checked dataset (${name} store)`, () => {
    let store: Store;
    let a: ReturnType<typeof createAnalytics>;
    it('builds the dataset by driving the engine', async () => {
      store = make();
      await buildDataset(store);
      a = createAnalytics(store);
      expect((await store.opportunities()).length).toBe(210);
    }, 120_000);

    it('funnel: open deals per stage with amount and probability-weighted amount, every open stage in order', async () => {
      const f = await a.funnel({ template: 'b2b-standard' });
      expect(f.rows).toEqual([
        { stage: 'contact', count: 60, amount: 600_000, weightedAmount: 60_000, probability: 10 },
        { stage: 'needs', count: 40, amount: 800_000, weightedAmount: 200_000, probability: 25 },
        { stage: 'proposal', count: 30, amount: 900_000, weightedAmount: 450_000, probability: 50 },
        { stage: 'negotiation', count: 20, amount: 1_000_000, weightedAmount: 750_000, probability: 75 },
      ]);
      expect(f.total).toEqual({ count: 150, amount: 3_300_000, weightedAmount: 1_460_000 });
    });

    it('funnel by region, with zero rows, and with where', async () => {
      const f = await a.funnel({ template: 'b2b-standard', groupBy: 'region' });
      expect(f.rows.map((r) => [r.group, r.stage, r.count, r.amount])).toEqual([
        ['north', 'contact', 60, 600_000], ['north', 'needs', 0, 0], ['north', 'proposal', 30, 900_000], ['north', 'negotiation', 0, 0],
        ['south', 'contact', 0, 0], ['south', 'needs', 40, 800_000], ['south', 'proposal', 0, 0], ['south', 'negotiation', 20, 1_000_000],
      ]);
      const big = await a.funnel({ template: 'b2b-standard', where: { amount: { gte: 30_000 }, owner: ['chen'] } });
      expect(big.rows.map((r) => r.count)).toEqual([0, 0, 15, 10]);
    });

    it('funnel asOf rebuilds the pipeline as it stood then', async () => {
      const day1 = await a.funnel({ template: 'b2b-standard', asOf: new Date(Date.parse(T0) + 86_400_000) });
      expect(day1.rows.map((r) => [r.stage, r.count, r.amount])).toEqual([['contact', 210, 6_800_000], ['needs', 0, 0], ['proposal', 0, 0], ['negotiation', 0, 0]]);
      const day3 = await a.funnel({ template: 'b2b-standard', asOf: new Date(Date.parse(T0) + 3 * 86_400_000) });
      // after the first step: A still in contact, F lost, everyone else in needs
      expect(day3.rows.map((r) => [r.stage, r.count])).toEqual([['contact', 60], ['needs', 130], ['proposal', 0], ['negotiation', 0]]);
    });

    it('conversion: entered, reached the next stage and won, per consecutive pair', async () => {
      const c = await a.conversion({ template: 'b2b-standard' });
      const get = (from: string, to: string) => c.rows.find((r) => r.from === from && r.to === to)!;
      expect(get('contact', 'needs')).toEqual({ from: 'contact', to: 'needs', entered: 210, reached: 130, rate: 130 / 210 });
      expect(get('needs', 'proposal')).toMatchObject({ entered: 130, reached: 90 });
      expect(get('proposal', 'negotiation')).toMatchObject({ entered: 90, reached: 50 });
      expect(get('negotiation', 'won')).toMatchObject({ entered: 50, reached: 30, rate: 0.6 });
      expect(get('contact', 'won')).toMatchObject({ entered: 210, reached: 30 });
      expect(c.rows.length).toBe(7);
      const cohort = await a.conversion({ template: 'b2b-standard', groupBy: 'month', from: 'contact', to: 'won' });
      expect(cohort.rows).toEqual([{ group: '2026-10', from: 'contact', to: 'won', entered: 210, reached: 30, rate: 30 / 210 }]);
    });

    it('cycle time: open to won, and dwell per stage (mean, median, p90)', async () => {
      const t = await a.cycleTime({ template: 'b2b-standard' });
      expect(t.rows[0]).toEqual({ stage: null, count: 30, meanDays: 8, medianDays: 8, p90Days: 8 });
      expect(t.rows.find((r) => r.stage === 'contact')).toEqual({ stage: 'contact', count: 150, meanDays: 2, medianDays: 2, p90Days: 2 });
      expect(t.rows.find((r) => r.stage === 'negotiation')).toEqual({ stage: 'negotiation', count: 30, meanDays: 2, medianDays: 2, p90Days: 2 });
    });

    it('loss reasons: count, amount, and the stage they were lost from', async () => {
      const l = await a.lossReasons({ template: 'b2b-standard' });
      expect(l.rows.slice(0, 2)).toEqual([
        { reason: 'price', count: 20, amount: 100_000, stages: { contact: 20 } },
        { reason: 'competitor', count: 10, amount: 400_000, stages: { proposal: 10 } },
      ]);
      expect(l.total).toEqual({ count: 30, amount: 500_000 });
    });

    it('forecast for 2026-Q4 against a target: closed won, commit, best case, pipeline, weighted, historical, gap', async () => {
      const f = await a.forecast({ template: 'b2b-standard', period: '2026-Q4', target: 5_000_000 });
      expect(f).toMatchObject({
        period: { from: '2026-10-01', to: '2026-12-31' },
        closedWon: 3_000_000, commit: 1_000_000, bestCase: 900_000, pipeline: 0,
        weighted: 1_200_000, historical: 1_675_000, target: 5_000_000, gap: 1_000_000,
        counts: { closedWon: 30, commit: 20, bestCase: 30, pipeline: 0, projected: 0 },
      });
      const nov = await a.forecast({ template: 'b2b-standard', period: { from: '2026-11-01', to: '2026-11-30' } });
      expect([nov.closedWon, nov.commit, nov.bestCase, nov.gap]).toEqual([0, 0, 900_000, null]);
      const byRegion = await a.forecast({ template: 'b2b-standard', period: '2026-Q4', groupBy: 'region' });
      expect(byRegion.rows.map((r) => [r.group, r.closedWon, r.commit, r.bestCase])).toEqual([['north', 3_000_000, 0, 900_000], ['south', 0, 1_000_000, 0]]);
    });

    it('bottlenecks: stages ranked by dwell against SLA and by drop-off', async () => {
      const b = await a.bottlenecks({ template: 'b2b-standard' });
      const contact = b.rows.find((r) => r.stage === 'contact')!;
      expect(contact).toMatchObject({ medianDwellDays: 2, slaDays: 14, entered: 210, lost: 20 });
      expect(contact.dropOffRate).toBeCloseTo(20 / 210, 12);
      const proposal = b.rows.find((r) => r.stage === 'proposal')!;
      expect(proposal).toMatchObject({ entered: 90, lost: 10 });
      expect(b.rows.map((r) => r.score)).toEqual([...b.rows.map((r) => r.score)].sort((x, y) => y - x));
    });

    it('refuses names outside the template with INPUT_INVALID, whatever they look like', async () => {
      for (const bad of ['budget', '__proto__', 'constructor', "region'; DROP TABLE opportunities; --"]) {
        await expect(a.funnel({ template: 'b2b-standard', groupBy: bad })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
        await expect(a.funnel({ template: 'b2b-standard', where: { [bad]: 'x' } })).rejects.toBeInstanceOf(WinpathError);
      }
      await expect(a.funnel({ template: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(a.forecast({ template: 'b2b-standard', period: '2026-Q5' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
      expect((await a.funnel({ template: 'b2b-standard', where: { region: "north' OR 1=1 --" } })).total.count).toBe(0);
    });

    it('closes', async () => {
      await store.close();
    });
  }));
}
