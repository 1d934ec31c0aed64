/** Reopens the first `count` lost deals of a store, and loses every third of them again (tests of the forecast counters). */
import { expect } from 'vitest';
import { createEngine, type ProcessDefinition, type Store } from '../../src/index.js';

export async function reopenSome(store: Store, template: ProcessDefinition, count: number, start: string): Promise<void> {
  let t = Date.parse(start);
  const engine = createEngine({ store, templates: [template], clock: () => new Date((t += 60_000)) });
  const lost = await store.opportunities({ template: template.id, status: 'lost' });
  expect(lost.length).toBeGreaterThanOrEqual(count);
  for (const [i, o] of lost.slice(0, count).entries()) {
    const owner = { id: o.owner, roles: [...template.roles] };
    await engine.reopen(o.id, { actor: owner, reason: 'budget came back' });
    if (i % 3 === 0) await engine.lose(o.id, { reason: template.lossReasons[0]!, actor: owner });
  }
}
