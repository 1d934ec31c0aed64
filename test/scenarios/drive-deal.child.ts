// Child process for the crash test: drives a b2b-standard deal part way on a SQLite file, says READY, then waits to be killed.
import { createEngine, loadTemplate, sqliteStore } from '../../src/index.js';

const [path] = process.argv.slice(2);
const people: Record<string, string> = { sales_director: 'dora', finance: 'fay', solution_engineer: 'sol', legal: 'lee' };
const engine = createEngine({
  store: sqliteStore({ path: path! }),
  templates: [await loadTemplate('b2b-standard')],
  clock: () => new Date('2026-03-02T09:00:00Z'),
  resolveRole: (role) => (people[role] ? [people[role]] : []),
});
const sam = { id: 'sam' };
const deal = await engine.open({ id: 'crash-deal', template: 'b2b-standard', title: 'ACME', owner: 'sam', amount: 480_000, actor: sam });
await engine.update(deal.id, { fields: { region: 'east', industry: 'manufacturing', budgetConfirmed: true, decisionMaker: 'CIO', productLine: 'erp', discount: 0.2 }, actor: sam });
for (let i = 0; i < 2; i++) {
  const x = await engine.explain(deal.id);
  for (const t of x.tasks) await engine.completeTask(t.id, { actor: t.assignee ?? 'sam' });
  for (const r of x.unmet.filter((u) => u.kind === 'deliverable')) await engine.submitDeliverable(deal.id, r.key, { ref: r.key, actor: sam });
  await engine.advance(deal.id, { actor: sam });
}
// now in proposal with a pending countersigned discount approval: decide one slot of two
const [discount] = await engine.approvals({ opportunityId: deal.id, status: 'pending' });
await engine.decide(discount!.id, { actor: 'dora', decision: 'approve' });
process.stdout.write(`READY ${deal.id}\n`);
setInterval(() => undefined, 1000);
