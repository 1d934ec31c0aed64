import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replay, WinpathError, type Engine } from 'winpath';
import { sam, setup } from './harness.js';

const USERS = ['sam', 'dora', 'fay', 'lee', 'carl', 'mallory'];

const command = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), region: fc.constantFrom('north', 'south', null), amount: fc.constantFrom(0, 10, 2_000_000), discount: fc.constantFrom(0, 0.05, 0.3) }),
  fc.record({ kind: fc.constant('deliver' as const) }),
  fc.record({ kind: fc.constant('task' as const), pick: fc.nat(5), user: fc.constantFrom(...USERS) }),
  fc.record({ kind: fc.constant('decide' as const), pick: fc.nat(5), user: fc.constantFrom(...USERS), approve: fc.boolean() }),
  fc.record({ kind: fc.constant('advance' as const), user: fc.constantFrom('sam', 'dora') }),
  fc.record({ kind: fc.constant('back' as const), to: fc.constantFrom('qualify', 'survey', 'proposal') }),
  fc.record({ kind: fc.constant('lose' as const), reason: fc.constantFrom('price', 'timing') }),
  fc.record({ kind: fc.constant('reopen' as const) }),
  fc.record({ kind: fc.constant('note' as const) }),
);

type Cmd = typeof command extends fc.Arbitrary<infer T> ? T : never;

async function apply(engine: Engine, id: string, c: Cmd): Promise<void> {
  switch (c.kind) {
    case 'update':
      return void (await engine.update(id, { fields: { region: c.region, amount: c.amount, discount: c.discount }, actor: sam }));
    case 'deliver':
      return void (await engine.submitDeliverable(id, 'brief', { actor: sam }));
    case 'task': {
      const open = await engine.tasks({ opportunityId: id, status: 'open' });
      if (open.length) await engine.completeTask(open[c.pick % open.length]!.id, { actor: c.user });
      return;
    }
    case 'decide': {
      const pending = await engine.approvals({ opportunityId: id, status: 'pending' });
      if (pending.length) await engine.decide(pending[c.pick % pending.length]!.id, { actor: c.user, decision: c.approve ? 'approve' : 'reject' });
      return;
    }
    case 'advance':
      return void (await engine.advance(id, { actor: c.user }));
    case 'back':
      return void (await engine.advance(id, { to: c.to, reason: 'rework', actor: 'dora' }));
    case 'lose':
      return void (await engine.lose(id, { reason: c.reason, actor: 'dora' }));
    case 'reopen':
      return void (await engine.reopen(id, { actor: 'dora' }));
    case 'note':
      return void (await engine.addNote(id, { text: 'n', actor: sam }));
  }
}

describe('event log invariants (property)', () => {
  it('after any command sequence: the log is gapless, replaying it gives the stored projection, failed commands write nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 40 }), async (cmds) => {
        const { engine } = await setup();
        const d = await engine.open({ template: 'gated', title: 'P', owner: 'sam', amount: 10, actor: sam });
        for (const c of cmds) {
          const before = (await engine.store.load(d.id))!;
          try {
            await apply(engine, d.id, c);
          } catch (e) {
            if (!(e instanceof WinpathError)) throw e;
            expect(['GUARD_FAILED', 'INPUT_INVALID', 'FORBIDDEN']).toContain(e.code);
            expect((await engine.store.load(d.id))!.version).toBe(before.version);
          }
        }
        const events = await engine.history(d.id);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
        const stored = (await engine.store.load(d.id))!;
        expect(stored.version).toBe(events.length);
        expect(replay(events)).toEqual(stored.state);
        const open = stored.state.tasks.filter((t) => t.status === 'open');
        expect(open.every((t) => t.stage === stored.state.opportunity.stage)).toBe(true);
      }),
      { numRuns: 150, seed: 20261124 },
    );
  });
});
