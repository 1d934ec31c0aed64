import { describe, expect, it } from 'vitest';
import { rejects, sam, setup } from './harness.js';

describe('open', () => {
  it('given a template, when a deal opens, then it is in the first stage with its entry actions done, events in order', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'ACME', owner: 'sam', amount: 50_000, fields: { region: 'south' }, actor: sam });
    expect(d).toMatchObject({ id: 'deal-1', template: 'gated', templateVersion: 1, stage: 'qualify', status: 'open', amount: 50_000, idle: false, closedAt: null });
    expect(d.fields).toEqual({ amount: 50_000, region: 'south', tier: 'small' });
    const types = (await engine.history(d.id)).map((e) => e.type);
    expect(types).toEqual(['opportunity.opened', 'stage.entered', 'task.created', 'task.created', 'opportunity.updated']);
    const h = await engine.history(d.id);
    expect(h.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(h[0]!.id).toBe('deal-1:1');
    expect(d.seq).toBe(5);
  });

  it('assigns tasks through resolveRole and computes due dates (ISO and business days)', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'ACME', owner: 'sam', amount: 1, actor: sam });
    const tasks = await engine.tasks({ opportunityId: d.id });
    // 2026-03-02 is a Monday: P2D -> Wednesday; 2 business days -> Wednesday too
    expect(tasks.map((t) => [t.key, t.assignee, t.dueAt])).toEqual([
      ['call', 'sam', '2026-03-04T09:00:00.000Z'],
      ['review', 'lee', '2026-03-04T09:00:00.000Z'],
    ]);
  });

  it('refuses a missing required field, unknown fields, wrong types, prototype keys and bad titles, writing nothing', async () => {
    const { engine } = await setup();
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', actor: sam }), 'INPUT_INVALID');
    const e = await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, fields: { budget: 1 }, actor: sam }), 'INPUT_INVALID');
    expect(e.message).toContain('unknown field "budget"');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, fields: { region: 'mars' }, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5.123, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, fields: JSON.parse('{"__proto__": {"polluted": true}}'), actor: sam }), 'INPUT_INVALID');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await rejects(engine.open({ template: 'gated', title: '', owner: 'sam', amount: 5, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x'.repeat(501), owner: 'sam', amount: 5, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, fields: { notes: 'x'.repeat(100_001) }, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, fields: { tags: Array(1001).fill('a') }, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, fields: { closeDate: '2026-02-30' }, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, actor: 'system' }), 'INPUT_INVALID');
    await rejects(engine.open({ template: 'nope', title: 'x', owner: 'sam', amount: 5, actor: sam }), 'NOT_FOUND');
    await rejects(engine.open({ template: 'gated', version: 9, title: 'x', owner: 'sam', amount: 5, actor: sam }), 'NOT_FOUND');
    expect(await engine.store.opportunities()).toEqual([]);
  });

  it('keeps opp.amount equal to fields.amount', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'x', owner: 'sam', fields: { amount: 10 }, actor: sam });
    expect(d.amount).toBe(10);
    await rejects(engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 11, fields: { amount: 10 }, actor: sam }), 'INPUT_INVALID');
    const u = await engine.update(d.id, { amount: 20, actor: sam });
    expect([u.amount, u.fields['amount']]).toEqual([20, 20]);
  });
});

describe('update', () => {
  it('validates every write, refuses clearing a required field, and writes nothing for a no-op', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 10, actor: sam });
    await rejects(engine.update(d.id, { fields: { discount: 2 }, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.update(d.id, { fields: { amount: null }, actor: sam }), 'INPUT_INVALID');
    await rejects(engine.update(d.id, { fields: { constructor: 1 }, actor: sam }), 'INPUT_INVALID');
    const before = (await engine.history(d.id)).length;
    await engine.update(d.id, { fields: { amount: 10 }, title: 'x', actor: sam });
    expect((await engine.history(d.id)).length).toBe(before);
    const u = await engine.update(d.id, { fields: { region: 'north', discount: 0.2 }, title: 'New title', owner: 'olga', actor: sam });
    expect(u).toMatchObject({ title: 'New title', owner: 'olga', fields: { region: 'north', discount: 0.2 } });
    const cleared = await engine.update(d.id, { fields: { discount: null }, actor: sam });
    expect(cleared.fields).not.toHaveProperty('discount');
    const last = (await engine.history(d.id)).at(-1)!;
    expect(last).toMatchObject({ type: 'opportunity.updated', actor: 'sam', data: { fields: { discount: null } } });
  });

  it('answers NOT_FOUND for an unknown deal and INPUT_INVALID for a bad id', async () => {
    const { engine } = await setup();
    await rejects(engine.get('nope'), 'NOT_FOUND');
    await rejects(engine.update('nope', { title: 'x', actor: sam }), 'NOT_FOUND');
    await rejects(engine.history('nope'), 'NOT_FOUND');
    await rejects(engine.explain('nope'), 'NOT_FOUND');
    await rejects(engine.get(42 as unknown as string), 'INPUT_INVALID');
    await rejects(engine.completeTask('nope', { actor: sam }), 'NOT_FOUND');
    await rejects(engine.decide('nope', { actor: sam, decision: 'approve' }), 'NOT_FOUND');
  });

  it('adds notes as events', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 10, actor: sam });
    await engine.addNote(d.id, { text: 'Met the CIO', actor: sam });
    expect((await engine.history(d.id)).at(-1)).toMatchObject({ type: 'note.added', data: { text: 'Met the CIO' } });
    await rejects(engine.addNote(d.id, { text: '  ', actor: sam }), 'INPUT_INVALID');
  });
});
