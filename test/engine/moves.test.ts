import { describe, expect, it } from 'vitest';
import { WinpathError } from 'winpath';
import { dora, readyToLeaveQualify, rejects, sam, setup } from './harness.js';

describe('advance', () => {
  it('given unmet requirements, advance throws GUARD_FAILED listing each, and explain shows the same list in en and zh', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'ACME', owner: 'sam', amount: 50_000, actor: sam });
    const e = await rejects(engine.advance(d.id, { actor: sam }), 'GUARD_FAILED');
    const unmet = e.details.unmet!;
    expect(unmet.map((u) => `${u.kind}:${u.key}`)).toEqual(['field:region', 'deliverable:brief', 'task:call']);
    expect(e.message).toMatchInlineSnapshot(`"[GUARD_FAILED] "ACME" cannot leave stage "qualify": Fill in the field "region"; Submit the deliverable "Brief"; Complete the task "First call""`);
    const en = await engine.explain(d.id);
    expect(en.unmet).toEqual(unmet);
    expect(en.summary).toBe('Next: Fill in the field "region"');
    const zh = await engine.explain(d.id, { lang: 'zh' });
    expect(zh.unmet.map((u) => u.message)).toEqual(['请填写字段「region」', '请提交交付物「简报」', '请完成任务「首次电话」']);
    expect(zh.stage).toMatchObject({ key: 'qualify', name: '资格确认', guidance: '确认预算', probability: 10, forecast: 'pipeline' });
    expect(zh.tasks.map((t) => t.title)).toEqual(['首次电话', '法务审核']);
    expect((await engine.get(d.id)).stage).toBe('qualify');
  });

  it('a failing check shows its template message with placeholders filled', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine, 0);
    const e = await rejects(engine.advance(d.id, { actor: sam }), 'GUARD_FAILED');
    expect(e.details.unmet).toEqual([{ kind: 'check', key: 'positive', message: 'Amount of ACME must be positive' }]);
    expect((await engine.explain(d.id, { lang: 'zh' })).unmet[0]!.message).toBe('ACME 金额必须大于0');
  });

  it('takes the first transition whose when holds (exclusive gateway), else the default', async () => {
    const { engine } = await setup();
    const small = await readyToLeaveQualify(engine, 50_000);
    expect((await engine.advance(small.id, { actor: sam })).stage).toBe('proposal');
    const large = await readyToLeaveQualify(engine, 2_000_000);
    expect((await engine.get(large.id)).fields['tier']).toBe('large');
    expect((await engine.advance(large.id, { actor: sam })).stage).toBe('survey');
    expect((await engine.history(large.id)).slice(-3).map((e) => e.type)).toEqual(['stage.exited', 'stage.entered', 'approval.requested']);
  });

  it('with `to`, moves only along a transition whose when holds; unknown or unconnected targets are INPUT_INVALID', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine, 50_000);
    const e = await rejects(engine.advance(d.id, { to: 'survey', actor: sam }), 'GUARD_FAILED');
    expect(e.details.unmet?.[0]).toMatchObject({ kind: 'transition', key: 'qualify->survey' });
    await rejects(engine.advance(d.id, { to: 'negotiation', actor: sam }), 'INPUT_INVALID');
    await rejects(engine.advance(d.id, { to: 'mars', actor: sam }), 'INPUT_INVALID');
    await rejects(engine.advance(d.id, { to: 'lost', actor: sam }), 'INPUT_INVALID');
    await rejects(engine.advance(d.id, { to: 'qualify', actor: sam }), 'INPUT_INVALID');
    await rejects(engine.win(d.id, { actor: sam }), 'INPUT_INVALID');
    expect((await engine.advance(d.id, { to: 'proposal', actor: sam })).stage).toBe('proposal');
  });

  it('event order of a move: stage.exited, stage.entered, entry actions; the outbox gets notify, emit and exported events', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine);
    const before = (await engine.history(d.id)).length;
    await engine.advance(d.id, { actor: sam });
    const moved = (await engine.history(d.id)).slice(before);
    expect(moved.map((e) => e.type)).toEqual(['stage.exited', 'stage.entered', 'approval.requested', 'notification.requested', 'integration.emitted']);
    expect(moved[0]!.data).toMatchObject({ stage: 'qualify', to: 'proposal', kind: 'forward' });
    expect(moved[3]!.data).toMatchObject({ to: 'sales_director', recipients: ['dora'], message: 'ACME entered Proposal at 50000', messages: { zh: 'ACME 进入方案报价' } });
    const outbox = await engine.store.outbox({ opportunityId: d.id });
    expect(outbox.map((m) => m.type)).toEqual(['stage.entered', 'stage.entered', 'notification.requested', 'quote.requested']);
    expect(outbox.every((m) => m.status === 'pending' && m.attempts === 0)).toBe(true);
    expect(outbox[3]!.id).toBe(moved[4]!.id);
  });

  it('checks permissions before requirements: FORBIDDEN whatever else is unmet', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, actor: sam });
    await rejects(engine.advance(d.id, { actor: 'mallory' }), 'FORBIDDEN');
    await rejects(engine.advance(d.id, { actor: { id: 'mallory', roles: ['finance'] } }), 'FORBIDDEN');
    await rejects(engine.advance(d.id, { actor: dora }), 'GUARD_FAILED');
    await rejects(engine.advance(d.id, { actor: 'dora' }), 'GUARD_FAILED'); // dora holds sales_director through resolveRole
  });
});

describe('back moves and re-entry', () => {
  it('needs a reason, cancels the stage work, and re-entering runs entry actions again; deliverables stay submitted', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine);
    await engine.advance(d.id, { actor: sam });
    await rejects(engine.advance(d.id, { to: 'qualify', actor: sam }), 'INPUT_INVALID');
    const back = await engine.advance(d.id, { to: 'qualify', reason: 'customer changed scope', actor: sam });
    expect(back.stage).toBe('qualify');
    const approvals = await engine.approvals({ opportunityId: d.id });
    expect(approvals.map((a) => a.status)).toEqual(['cancelled']);
    const tasks = await engine.tasks({ opportunityId: d.id });
    expect(tasks.map((t) => `${t.key}#${t.entry}:${t.status}`)).toEqual(['call#1:done', 'review#1:cancelled', 'call#3:open', 'review#3:open']);
    const x = await engine.explain(d.id);
    expect(x.unmet.map((u) => u.key)).toEqual(['call']); // the new call task binds; the brief stays submitted
    await rejects(engine.decide(approvals[0]!.id, { actor: 'dora', decision: 'approve' }), 'INPUT_INVALID');
  });

  it('refuses a back move out of a stage with allowBack: false', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine);
    await engine.advance(d.id, { actor: sam });
    const [any] = (await engine.approvals({ opportunityId: d.id, status: 'pending' })).filter((a) => a.key === 'any-ok');
    await engine.decide(any!.id, { actor: 'fay', decision: 'approve' });
    await engine.update(d.id, { fields: { closeDate: '2026-06-30' }, actor: sam });
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('negotiation');
    await rejects(engine.advance(d.id, { to: 'proposal', reason: 'x', actor: dora }), 'GUARD_FAILED');
    await rejects(engine.advance(d.id, { actor: sam }), 'FORBIDDEN'); // the stage narrows advance to sales_director
  });
});

describe('win, lose, reopen', () => {
  async function inNegotiation() {
    const s = await setup();
    const d = await readyToLeaveQualify(s.engine);
    await s.engine.update(d.id, { fields: { closeDate: '2026-06-30' }, actor: sam });
    await s.engine.advance(d.id, { actor: sam });
    const [any] = (await s.engine.approvals({ opportunityId: d.id, status: 'pending' })).filter((a) => a.key === 'any-ok');
    await s.engine.decide(any!.id, { actor: 'dora', decision: 'approve' });
    await s.engine.advance(d.id, { actor: sam });
    return { ...s, d };
  }

  it('win follows the transitions into won; opportunity.won comes last and carries what an ERP needs', async () => {
    const { engine, d } = await inNegotiation();
    const [board] = await engine.approvals({ opportunityId: d.id, status: 'pending' });
    await engine.decide(board!.id, { actor: 'fay', decision: 'approve' });
    await engine.decide(board!.id, { actor: 'carl', decision: 'approve' });
    const won = await engine.win(d.id, { actor: dora });
    expect(won).toMatchObject({ status: 'won', stage: 'won' });
    expect(won.closedAt).not.toBeNull();
    const last = (await engine.history(d.id)).at(-1)!;
    expect(last).toMatchObject({ type: 'opportunity.won', data: { amount: 50_000, currency: 'CNY', from: 'negotiation', title: 'ACME', owner: 'sam' } });
    await rejects(engine.advance(d.id, { actor: dora }), 'INPUT_INVALID');
    await rejects(engine.lose(d.id, { reason: 'price', actor: dora }), 'INPUT_INVALID');
    await rejects(engine.reopen(d.id, { actor: dora }), 'INPUT_INVALID');
    expect((await engine.store.outbox({ opportunityId: d.id })).at(-1)!.type).toBe('opportunity.won');
  });

  it('lose works from any open stage with a listed reason; reopen returns to the stage it was lost from', async () => {
    const { engine, d } = await inNegotiation();
    await rejects(engine.lose(d.id, { reason: 'weather', actor: dora }), 'INPUT_INVALID');
    await rejects(engine.lose(d.id, { reason: 'price', actor: 'mallory' }), 'FORBIDDEN');
    const lost = await engine.lose(d.id, { reason: 'competitor', note: 'went with X', actor: dora });
    expect(lost).toMatchObject({ status: 'lost', stage: 'lost', lossReason: 'competitor' });
    const tail = (await engine.history(d.id)).slice(-3).map((e) => e.type);
    expect(tail).toEqual(['stage.exited', 'stage.entered', 'opportunity.lost']);
    expect((await engine.approvals({ opportunityId: d.id, status: 'pending' }))).toEqual([]);
    await rejects(engine.reopen(d.id, { actor: sam }), 'FORBIDDEN');
    const back = await engine.reopen(d.id, { actor: dora });
    expect(back).toMatchObject({ status: 'open', stage: 'negotiation', lossReason: null, closedAt: null });
    expect((await engine.approvals({ opportunityId: d.id, status: 'pending' })).map((a) => a.key)).toEqual(['board']);
  });

  it('explain lists the moves with reasons, and `to` gives the pre-flight for one target', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine, 50_000);
    const x = await engine.explain(d.id);
    expect(x.defaultNext).toBe('proposal');
    expect(x.next.map((m) => [m.stage, m.kind, m.allowed])).toEqual([['survey', 'forward', false], ['proposal', 'forward', true], ['lost', 'lost', true]]);
    const pre = await engine.explain(d.id, { to: 'survey' });
    expect(pre.next).toHaveLength(1);
    expect(pre.next[0]!.reasons[0]).toContain('amount >= 1000000');
    const asMallory = await engine.explain(d.id, { actor: 'mallory', to: 'proposal' });
    expect(asMallory.next[0]).toMatchObject({ allowed: false, code: 'FORBIDDEN' });
  });
});

describe('tasks', () => {
  it('may be completed by the assignee, the owner or a completeTask role, and reassigned; others are FORBIDDEN', async () => {
    const { engine } = await setup();
    const d = await engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, actor: sam });
    const [call, review] = await engine.tasks({ opportunityId: d.id });
    await rejects(engine.completeTask(review!.id, { actor: 'mallory' }), 'FORBIDDEN');
    await engine.completeTask(review!.id, { actor: 'lee', note: 'ok' });
    await rejects(engine.completeTask(review!.id, { actor: 'lee' }), 'INPUT_INVALID');
    await engine.reassignTask(call!.id, { to: 'tom', actor: dora });
    expect(await engine.tasks({ assignee: 'tom' })).toMatchObject([{ key: 'call', status: 'open' }]);
    await engine.completeTask(call!.id, { actor: 'tom' });
    expect((await engine.tasks({ opportunityId: d.id, status: 'done' })).map((t) => [t.key, t.completedBy])).toEqual([['call', 'tom'], ['review', 'lee']]);
    expect((await engine.history(d.id)).filter((e) => e.type.startsWith('task.')).map((e) => e.type))
      .toEqual(['task.created', 'task.created', 'task.completed', 'task.reassigned', 'task.completed']);
  });
});

describe('listeners', () => {
  it('hear each committed event after the commit, by type or *, and never break a command', async () => {
    const { engine } = await setup();
    const seen: string[] = [];
    const off = engine.on('*', (e) => seen.push(e.type));
    engine.on('task.created', () => {
      throw new Error('listener bug');
    });
    const d = await engine.open({ template: 'gated', title: 'x', owner: 'sam', amount: 5, actor: sam });
    expect(seen).toEqual((await engine.history(d.id)).map((e) => e.type));
    off();
    await engine.addNote(d.id, { text: 'n', actor: sam });
    expect(seen).not.toContain('note.added');
    await expect(engine.advance(d.id, { actor: sam })).rejects.toBeInstanceOf(WinpathError);
  });
});
