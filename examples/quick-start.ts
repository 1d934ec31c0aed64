// Quick start: a deal on the shipped b2b-standard template, from first contact to won, on a SQLite file.
import { createEngine, loadTemplate, sqliteStore } from 'winpath';

const template = await loadTemplate('b2b-standard');
const people: Record<string, string> = { sales_director: 'dora', finance: 'fay', solution_engineer: 'sol', legal: 'lee' };
const engine = createEngine({
  store: sqliteStore({ path: process.env.WINPATH_DB ?? 'winpath-quick-start.db' }),
  templates: [template],
  lang: process.env.LANG?.startsWith('zh') ? 'zh' : 'en',
  resolveRole: (role) => (people[role] ? [people[role]] : []),
});

const sam = { id: 'sam', roles: ['owner'] };
const deal = await engine.open({ template: 'b2b-standard', title: 'ACME ERP rollout', owner: 'sam', amount: 480_000, actor: sam });
console.log((await engine.explain(deal.id)).summary); // what to do first

// Walk the deal through every stage: fill what each stage requires, then advance.
const fill = { region: 'east', industry: 'manufacturing', budgetConfirmed: true, decisionMaker: 'CIO Wang', productLine: 'erp', discount: 0.05, expectedCloseDate: '2026-12-20' };
await engine.update(deal.id, { fields: fill, actor: sam });
for (let step = 0; step < 8; step++) {
  const x = await engine.explain(deal.id);
  if (x.status !== 'open') break;
  for (const t of x.tasks) await engine.completeTask(t.id, { actor: t.assignee ?? 'sam' });
  for (const r of x.unmet.filter((u) => u.kind === 'deliverable')) await engine.submitDeliverable(deal.id, r.key, { ref: `dms://${r.key}`, actor: sam });
  const moved = await engine.advance(deal.id, { actor: sam });
  console.log(`-> ${moved.stage}`);
}
const history = await engine.history(deal.id);
console.log(`${(await engine.get(deal.id)).status}: ${history.length} events, last ${history.at(-1)?.type}`);
await engine.close();
