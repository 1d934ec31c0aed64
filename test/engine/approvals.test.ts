import { describe, expect, it } from 'vitest';
import { dora, readyToLeaveQualify, rejects, sam, setup } from './harness.js';

async function inSurvey() {
  const s = await setup();
  const d = await readyToLeaveQualify(s.engine, 2_000_000);
  await s.engine.advance(d.id, { actor: sam });
  const [a] = await s.engine.approvals({ opportunityId: d.id, status: 'pending' });
  return { ...s, d, a: a! };
}

async function inProposal(discount: number) {
  const s = await setup();
  const d = await readyToLeaveQualify(s.engine, 50_000);
  await s.engine.update(d.id, { fields: { discount }, actor: sam });
  await s.engine.advance(d.id, { actor: sam });
  const pending = await s.engine.approvals({ opportunityId: d.id, status: 'pending' });
  return { ...s, d, pending };
}

describe('approval mode all (countersign, 会签)', () => {
  it('needs every slot; the requester may not decide; a user fills one slot only', async () => {
    const { engine, d, a } = await inSurvey();
    expect(a).toMatchObject({ key: 'survey-ok', mode: 'all', approvers: ['sales_director', 'finance', 'legal'], requestedBy: 'sam', status: 'pending' });
    expect(a.candidates).toEqual([['dora'], ['fay'], ['lee']]);
    expect((await engine.approvals({ approver: 'fay' })).map((x) => x.id)).toEqual([a.id]);
    await rejects(engine.decide(a.id, { actor: sam, decision: 'approve' }), 'FORBIDDEN');
    await rejects(engine.decide(a.id, { actor: 'mallory', decision: 'approve' }), 'FORBIDDEN');
    await engine.decide(a.id, { actor: 'dora', decision: 'approve', comment: 'ok' });
    await rejects(engine.decide(a.id, { actor: 'dora', decision: 'approve' }), 'FORBIDDEN');
    await engine.decide(a.id, { actor: 'fay', decision: 'approve' });
    const e = await rejects(engine.advance(d.id, { actor: sam }), 'GUARD_FAILED');
    expect(e.details.unmet).toEqual([{ kind: 'approval', key: 'survey-ok', message: 'The approval "Survey sign-off" is still pending' }]);
    await engine.decide(a.id, { actor: { id: 'lena', roles: ['legal'] }, decision: 'approve' });
    const done = (await engine.approvals({ opportunityId: d.id }))[0]!;
    expect(done.status).toBe('approved');
    expect(done.decisions.map((x) => [x.slot, x.by, x.decision])).toEqual([[0, 'dora', 'approve'], [1, 'fay', 'approve'], [2, 'lena', 'approve']]);
    expect((await engine.history(d.id)).at(-1)).toMatchObject({ type: 'approval.completed', data: { status: 'approved' } });
    expect((await engine.advance(d.id, { actor: sam })).stage).toBe('proposal');
  });

  it('one rejection rejects, and the stage cannot be left forward', async () => {
    const { engine, d, a } = await inSurvey();
    await engine.decide(a.id, { actor: 'dora', decision: 'approve' });
    await engine.decide(a.id, { actor: 'fay', decision: 'reject', comment: 'too risky' });
    expect((await engine.approvals({ opportunityId: d.id }))[0]!.status).toBe('rejected');
    await rejects(engine.decide(a.id, { actor: 'lee', decision: 'approve' }), 'INPUT_INVALID');
    const e = await rejects(engine.advance(d.id, { actor: sam }), 'GUARD_FAILED');
    expect(e.details.unmet?.[0]?.message).toBe('The approval "Survey sign-off" was rejected');
  });
});

describe('approval mode sequential, when, any', () => {
  it('a false `when` requests nothing and the requirement does not bind', async () => {
    const { pending } = await inProposal(0.05);
    expect(pending.map((a) => a.key)).toEqual(['any-ok']);
  });

  it('sequential: decided in the listed order only', async () => {
    const { engine, pending } = await inProposal(0.2);
    const seq = pending.find((a) => a.key === 'discount')!;
    await rejects(engine.decide(seq.id, { actor: 'fay', decision: 'approve' }), 'FORBIDDEN');
    await engine.decide(seq.id, { actor: 'dora', decision: 'approve' });
    expect((await engine.approvals({ opportunityId: seq.opportunityId, status: 'pending' })).map((a) => a.key)).toContain('discount');
    await engine.decide(seq.id, { actor: 'fay', decision: 'approve' });
    expect((await engine.approvals({ opportunityId: seq.opportunityId, status: 'approved' })).map((a) => a.key)).toEqual(['discount']);
  });

  it('any: the first approval approves; it is rejected only when every slot rejects', async () => {
    const { engine, pending } = await inProposal(0.05);
    const any = pending[0]!;
    await engine.decide(any.id, { actor: 'dora', decision: 'reject' });
    expect((await engine.approvals({ opportunityId: any.opportunityId }))[0]!.status).toBe('pending');
    await engine.decide(any.id, { actor: 'fay', decision: 'approve' });
    expect((await engine.approvals({ opportunityId: any.opportunityId }))[0]!.status).toBe('approved');
  });
});

describe('approval mode quorum', () => {
  async function board() {
    const s = await inProposal(0.05);
    await s.engine.decide(s.pending[0]!.id, { actor: 'dora', decision: 'approve' });
    await s.engine.update(s.d.id, { fields: { closeDate: '2026-06-30' }, actor: sam });
    await s.engine.advance(s.d.id, { actor: sam });
    const [b] = await s.engine.approvals({ opportunityId: s.d.id, status: 'pending' });
    return { ...s, b: b! };
  }

  it('approves at N approvals', async () => {
    const { engine, b } = await board();
    expect(b.mode).toEqual({ quorum: 2 });
    await engine.decide(b.id, { actor: 'carl', decision: 'approve' });
    await engine.decide(b.id, { actor: 'dora', decision: 'approve' });
    expect((await engine.approvals({ opportunityId: b.opportunityId, status: 'approved' })).map((a) => a.key)).toContain('board');
  });

  it('rejects once N approvals can no longer be reached', async () => {
    const { engine, b } = await board();
    await engine.decide(b.id, { actor: 'carl', decision: 'reject' });
    expect((await engine.approvals({ opportunityId: b.opportunityId, status: 'pending' })).map((a) => a.key)).toEqual(['board']);
    await engine.decide(b.id, { actor: 'fay', decision: 'reject' });
    expect((await engine.approvals({ opportunityId: b.opportunityId, status: 'rejected' })).map((a) => a.key)).toEqual(['board']);
    await rejects(engine.win(b.opportunityId, { actor: dora }), 'GUARD_FAILED');
  });
});
