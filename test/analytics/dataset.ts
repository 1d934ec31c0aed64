// A dataset with known outcomes, built by driving the real engine on b2b-standard: every figure the
// analytics tests expect is computed by hand from this construction, not by the code under test.
import { createEngine, loadTemplate, type Store } from 'winpath';
import { createFakeClock, drive, type DriveStep } from 'winpath/testing';

export const T0 = '2026-10-01T09:00:00.000Z';
const STEP_MS = 2 * 86_400_000;

export interface Group {
  name: string;
  deals: number;
  amount: number;
  region: 'north' | 'south';
  close: string;
  steps: DriveStep[];
}

export const GROUPS: Group[] = [
  { name: 'A', deals: 60, amount: 10_000, region: 'north', close: '2027-02-01', steps: [] },
  { name: 'B', deals: 40, amount: 20_000, region: 'south', close: '2027-02-01', steps: ['needs'] },
  { name: 'C', deals: 30, amount: 30_000, region: 'north', close: '2026-11-15', steps: ['needs', 'proposal'] },
  { name: 'D', deals: 20, amount: 50_000, region: 'south', close: '2026-12-10', steps: ['needs', 'proposal', 'negotiation'] },
  { name: 'E', deals: 30, amount: 100_000, region: 'north', close: '2026-10-20', steps: ['needs', 'proposal', 'negotiation', 'won'] },
  { name: 'F', deals: 20, amount: 5_000, region: 'south', close: '2026-10-20', steps: [{ lose: 'price' }] },
  { name: 'G', deals: 10, amount: 40_000, region: 'north', close: '2026-10-20', steps: ['needs', 'proposal', { lose: 'competitor' }] },
];

/** Opens every deal at T0, then moves each one step every two days (all deals of a step at once). */
export async function buildDataset(store: Store): Promise<void> {
  const def = await loadTemplate('b2b-standard');
  const clock = createFakeClock(T0);
  let n = 0;
  const engine = createEngine({ store, templates: [def], clock: clock.now, ids: () => `d${String(++n).padStart(3, '0')}`, resolveRole: (r) => [`${r}-1`, `${r}-2`] });
  const ids = new Map<Group, string[]>();
  for (const g of GROUPS) {
    const list: string[] = [];
    for (let i = 0; i < g.deals; i++) {
      const d = await engine.open({
        template: 'b2b-standard', title: `${g.name}${i}`, owner: i % 2 ? 'li' : 'chen', amount: g.amount,
        // discount 0: the countersigned discount approval is not requested; discount is set so the agreeable fill leaves it alone
        fields: { region: g.region, expectedCloseDate: g.close, discount: 0, industry: 'finance', productLine: g.name === 'A' ? 'erp' : 'crm' },
        actor: { id: 'chen' },
      });
      list.push(d.id);
    }
    ids.set(g, list);
  }
  for (let step = 0; step < 4; step++) {
    clock.advance(STEP_MS);
    for (const g of GROUPS) {
      const s = g.steps[step];
      if (s === undefined) continue;
      for (const [i, id] of ids.get(g)!.entries()) await drive(engine, def, id, [s], { actor: { id: i % 2 ? 'li' : 'chen', roles: ['sales_director'] } });
    }
  }
}
