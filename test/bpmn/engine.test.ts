import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEngine, memoryStore, parseTemplate, type Engine } from 'winpath';
import { fakeClock, PEOPLE, sam } from '../engine/harness.js';

// The hand-written BPMN file that uses every mapped element drives real deals through the engine.

const FILE = 'test/fixtures/bpmn/every-element.bpmn';
const DAY = 86_400_000;

async function setup() {
  const def = await parseTemplate(readFileSync(new URL('../fixtures/bpmn/every-element.bpmn', import.meta.url), 'utf8'), { format: 'bpmn', fileName: FILE });
  const clock = fakeClock();
  let n = 0;
  const engine: Engine = createEngine({
    store: memoryStore(), templates: [def], clock: clock.now, lang: 'en', ids: () => `deal-${++n}`, resolveRole: (role) => PEOPLE[role] ?? [],
  });
  return { engine, clock };
}

async function pending(engine: Engine, id: string): Promise<Record<string, string>> {
  return Object.fromEntries((await engine.approvals({ opportunityId: id, status: 'pending' })).map((a) => [a.key, a.id]));
}

async function leaveQualify(engine: Engine, id: string): Promise<void> {
  await engine.update(id, { fields: { region: 'north' }, actor: sam });
  await engine.submitDeliverable(id, 'brief', { ref: 'doc://brief', actor: sam });
  const call = (await engine.tasks({ opportunityId: id, status: 'open' })).find((t) => t.key === 'call')!;
  await engine.completeTask(call.id, { actor: sam });
}

describe('a BPMN template using every mapped element runs deals', () => {
  it('to won: subProcess actions, SLA timer, gateway condition, all / any / quorum / sequential approvals, task stages, end-event actions', async () => {
    const { engine, clock } = await setup();
    const d = await engine.open({ template: 'every-element', title: 'Plant upgrade', owner: 'sam', amount: 2_000_000, actor: sam });
    expect(d.stage).toBe('qualify');
    // the subProcess's user task, send task and message throw event ran on entry, in document order
    expect((await engine.history(d.id)).map((e) => e.type)).toEqual([
      'opportunity.opened', 'stage.entered', 'task.created', 'notification.requested', 'integration.emitted',
    ]);

    // the non-interrupting timer boundary event is the SLA; its wp:onBreach actions run when it fires
    clock.advance(8 * DAY);
    const fired = await engine.tick();
    expect(fired.map((f) => f.type)).toContain('sla.breached');
    const breach = (await engine.history(d.id)).slice(-3).map((e) => [e.type, e.data['message'] ?? e.data['key'] ?? null]);
    expect(breach).toEqual([['sla.breached', null], ['notification.requested', 'Plant upgrade is stuck in Qualify'], ['task.created', 'escalate']]);

    await leaveQualify(engine, d.id);
    // the gateway's conditional flow (=amount >= 1000000) wins over its default flow
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('survey');

    await engine.update(d.id, { fields: { discount: 0.2 }, actor: sam });
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('proposal');
    let open = await pending(engine, d.id);
    expect(Object.keys(open).sort()).toEqual(['any-ok', 'discount']);
    await engine.decide(open['discount']!, { actor: 'dora', decision: 'approve' });
    await engine.decide(open['any-ok']!, { actor: 'fay', decision: 'approve' }); // any: one approval is enough
    expect(Object.keys(await pending(engine, d.id))).toEqual(['discount']); // all: fay still has to countersign
    await engine.decide(open['discount']!, { actor: 'fay', decision: 'approve' });
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('negotiation');

    open = await pending(engine, d.id);
    expect((await engine.approvals({ opportunityId: d.id, status: 'pending' })).map((a) => [a.key, a.mode])).toEqual([['board', { quorum: 2 }], ['legal-seq', 'sequential']]);
    await engine.decide(open['board']!, { actor: 'dora', decision: 'approve' });
    await engine.decide(open['board']!, { actor: 'carl', decision: 'approve' }); // 2 of 3
    await expect(engine.decide(open['legal-seq']!, { actor: 'dora', decision: 'approve' })).rejects.toMatchObject({ code: 'FORBIDDEN' }); // legal first
    await engine.decide(open['legal-seq']!, { actor: 'lee', decision: 'approve' });
    await engine.decide(open['legal-seq']!, { actor: 'dora', decision: 'approve' });
    await engine.update(d.id, { fields: { closeDate: '2026-06-30' }, actor: sam });
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('signing');
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('handover');

    const won = await engine.win(d.id, { actor: sam });
    expect(won).toMatchObject({ status: 'won', stage: 'won' });
    const tail = (await engine.history(d.id)).slice(-3).map((e) => [e.type, e.data['type'] ?? null]);
    expect(tail).toEqual([['stage.entered', null], ['integration.emitted', 'deal.won'], ['opportunity.won', null]]);
  });

  it('to lost: a small deal takes the default flow past the survey, then is lost', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'every-element', title: 'Small shop', owner: 'sam', amount: 50_000, actor: sam });
    await leaveQualify(engine, d.id);
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('proposal');
    expect(Object.keys(await pending(engine, d.id))).toEqual(['any-ok']); // discount's `when` did not hold
    const lost = await engine.lose(d.id, { reason: 'competitor', actor: sam });
    expect(lost).toMatchObject({ status: 'lost', stage: 'lost', lossReason: 'competitor' });
    expect((await engine.approvals({ opportunityId: d.id })).map((a) => a.status)).toEqual(['cancelled']);
  });
});
