/** defineStoreConformance: the one suite every Store adapter runs, branching on capabilities, never on names. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWinpathError, type WinpathError } from '../errors/index.js';
import type { Commit, LoadedDeal, Store, StoreCapabilities } from '../storage/port.js';
import { codeQueryPort, type AnalyticsQuery, type QueryPort } from '../storage/query-port.js';
import { canonicalJson, type OpportunityEvent, type Timer } from '../model/index.js';
import { afterCommit, ev, fixtureCommit, fixtureDefinition, fixtureScenario } from './conformance-fixtures.js';

export interface StoreConformanceOptions {
  /** The suite's title. */
  name: string;
  /** What the adapter claims; checked against `store.capabilities`, which is used when this is absent. */
  capabilities?: StoreCapabilities;
  /** A new, empty store for each test. */
  create: () => Store | Promise<Store>;
  /** For durable stores: close `store` and return a new store on the same data. */
  reopen?: (store: Store) => Store | Promise<Store>;
  /** For stores with `concurrentWriters`: a second store open on the same data at the same time. */
  connect?: (store: Store) => Store | Promise<Store>;
}

/**
 * Defines a vitest `describe(name)` suite that checks a Store against the port's contract.
 * @example defineStoreConformance({ name: 'memory', create: () => memoryStore() });
 */
export function defineStoreConformance(opts: StoreConformanceOptions): void {
  describe(opts.name, () => {
    let store: Store;
    const extra: Store[] = [];

    beforeEach(async () => {
      store = await opts.create();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
    });

    /** Appends the whole fixture scenario; returns the last loaded form of each deal. */
    async function seed(): Promise<Map<string, LoadedDeal>> {
      const deals = new Map<string, LoadedDeal>();
      for (const step of fixtureScenario()) {
        const c = fixtureCommit(step.id, deals.get(step.id), step.pending);
        await store.append(c);
        deals.set(step.id, afterCommit(c));
      }
      return deals;
    }

    async function expectConflict(p: Promise<unknown>, dealId: string): Promise<WinpathError> {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(isWinpathError(err, 'CONCURRENCY_CONFLICT'), `expected CONCURRENCY_CONFLICT, got ${String(err)}`).toBe(true);
      const w = err as WinpathError;
      expect(w.message).toContain(dealId);
      expect(w.message).toContain('nothing was written');
      expect(w.details.fix).toBe('read the deal again and retry the command (engine option `retry`)');
      return w;
    }

    /** Everything the port can read, for before/after comparisons. */
    async function snapshot(ids: readonly string[]) {
      const out: Record<string, unknown> = {};
      for (const id of ids) out[`load:${id}`] = await store.load(id);
      for (const id of ids) out[`events:${id}`] = await store.events(id);
      out['tasks'] = await store.tasks();
      out['approvals'] = await store.approvals();
      out['opportunities'] = await store.opportunities();
      out['outbox'] = await store.outbox();
      return out;
    }

    it('reports its capabilities', () => {
      expect(typeof store.kind).toBe('string');
      expect(typeof store.capabilities.durable).toBe('boolean');
      expect(typeof store.capabilities.concurrentWriters).toBe('boolean');
      if (opts.capabilities) expect(store.capabilities).toEqual(opts.capabilities);
    });

    describe('append and load', () => {
      it('gives back an unknown deal as undefined with no events', async () => {
        expect(await store.load('nope')).toBeUndefined();
        expect(await store.events('nope')).toEqual([]);
        expect(await store.task('nope')).toBeUndefined();
        expect(await store.approval('nope')).toBeUndefined();
      });

      it('loads a new deal with the committed state and version', async () => {
        const [first] = fixtureScenario().filter((s) => s.id === 'opp-a');
        const c = fixtureCommit('opp-a', undefined, first!.pending);
        await store.append(c);
        const loaded = await store.load('opp-a');
        expect(loaded).toEqual({ state: c.state, version: 4 });
        expect(loaded!.state.opportunity.amount).toBe(1000.5);
        expect(loaded!.state.opportunity.fields).toEqual({ region: 'south', tags: ['x', 'y'], amount: 1000.5 });
      });

      it('returns copies: changing what it gave back changes nothing stored', async () => {
        const deals = await seed();
        const loaded = (await store.load('opp-a'))!;
        loaded.state.opportunity.title = 'changed';
        loaded.state.tasks.length = 0;
        const [task] = await store.tasks({ opportunityId: 'opp-a' });
        task!.status = 'done';
        expect(await store.load('opp-a')).toEqual(deals.get('opp-a'));
        expect((await store.task('opp-a.call.1'))!.status).toBe('open');
      });

      it('keeps every deal at the state of its last commit', async () => {
        const deals = await seed();
        for (const [id, d] of deals) expect(await store.load(id)).toEqual(d);
        expect((await store.load('opp-b'))!.version).toBe(10);
        expect((await store.load('opp-c'))!.state.opportunity).toMatchObject({ status: 'lost', stage: 'lost', lossReason: 'price' });
      });

      it('gives events in seq order, after afterSeq when given', async () => {
        await seed();
        const all = await store.events('opp-b');
        expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(all.map((e) => e.id)).toEqual(all.map((e) => `opp-b:${e.seq}`));
        expect(all[0]).toMatchObject({ opportunityId: 'opp-b', type: 'opportunity.opened', at: '2026-01-04T08:00:00.000Z', actor: 'bob' });
        expect(all[0]!.data).toEqual({ template: 'fx-sales', templateVersion: 1, title: 'Beta', owner: 'bob', fields: { region: 'north' } });
        expect((await store.events('opp-b', 7)).map((e) => e.seq)).toEqual([8, 9, 10]);
        expect(await store.events('opp-b', 10)).toEqual([]);
        expect((await store.events('opp-b', 0)).length).toBe(10);
      });

      it('continues a deal from the version it loaded', async () => {
        await seed();
        const loaded = await store.load('opp-a');
        const c = fixtureCommit('opp-a', loaded, [ev.note('hello', '2026-01-09T09:00:00.000Z', 'alice')]);
        expect(c.expectedVersion).toBe(6);
        await store.append(c);
        expect((await store.load('opp-a'))!.version).toBe(7);
        expect((await store.events('opp-a', 6)).map((e) => e.type)).toEqual(['note.added']);
      });
    });

    describe('expected version', () => {
      it('rejects a stale version with CONCURRENCY_CONFLICT and writes nothing', async () => {
        const deals = await seed();
        const before = await snapshot(['opp-a', 'opp-b', 'opp-c']);
        const stale: LoadedDeal = { ...deals.get('opp-a')!, version: 5 };
        const c = fixtureCommit('opp-a', stale, [ev.notify('owner', 'stale', '2026-01-09T09:00:00.000Z'), ev.note('stale', '2026-01-09T09:00:00.000Z', 'alice')]);
        const err = await expectConflict(store.append(c), 'opp-a');
        expect(err.message).toContain('6');
        expect(err.message).toContain('5');
        expect(await snapshot(['opp-a', 'opp-b', 'opp-c'])).toEqual(before);
      });

      it('refuses an event whose instant is not an ISO UTC instant with INPUT_INVALID, and writes nothing', async () => {
        const deals = await seed();
        const before = await snapshot(['opp-a']);
        for (const at of ['2026-01-09 09:00:00', '2026-01-09T09:00:00+08:00', 'yesterday', '2026-13-45T99:00:00.000Z']) {
          const err = await store.append(fixtureCommit('opp-a', deals.get('opp-a')!, [ev.note('bad instant', at, 'alice')])).then(() => undefined, (e: unknown) => e);
          expect(isWinpathError(err, 'INPUT_INVALID'), `${at}: ${String(err)}`).toBe(true);
          expect((err as WinpathError).message).toContain('not an ISO UTC instant');
        }
        expect(await snapshot(['opp-a'])).toEqual(before);
      });

      it('rejects a version ahead of the deal, and 0 for a deal that exists', async () => {
        const deals = await seed();
        const before = await snapshot(['opp-a']);
        const ahead: LoadedDeal = { ...deals.get('opp-a')!, version: 9 };
        await expectConflict(store.append(fixtureCommit('opp-a', ahead, [ev.note('x', '2026-01-09T09:00:00.000Z', 'alice')])), 'opp-a');
        const again = fixtureCommit('opp-a', undefined, [ev.opened({ template: 'fx-sales', title: 'Again', owner: 'zed', at: '2026-01-09T09:00:00.000Z' })]);
        await expectConflict(store.append(again), 'opp-a');
        expect(await snapshot(['opp-a'])).toEqual(before);
      });

      it('rejects a non-zero version for a deal that does not exist', async () => {
        const ghost: LoadedDeal = { state: fixtureCommit('opp-x', undefined, [ev.opened({ template: 'fx-sales', title: 'X', owner: 'x', at: '2026-01-01T00:00:00.000Z' })]).state, version: 1 };
        await expectConflict(store.append(fixtureCommit('opp-x', ghost, [ev.note('n', '2026-01-02T00:00:00.000Z', 'x')])), 'opp-x');
        expect(await store.load('opp-x')).toBeUndefined();
        expect(await store.events('opp-x')).toEqual([]);
        expect(await store.outbox({ opportunityId: 'opp-x' })).toEqual([]);
      });

      it('lets exactly one of two concurrent appends on the same version win', async () => {
        const deals = await seed();
        const base = deals.get('opp-b');
        const one = fixtureCommit('opp-b', base, [ev.notify('bob', 'one', '2026-01-09T09:00:00.000Z')]);
        const two = fixtureCommit('opp-b', base, [ev.note('two', '2026-01-09T09:00:01.000Z', 'bob'), ev.notify('bob', 'two', '2026-01-09T09:00:01.000Z')]);
        const results = await Promise.allSettled([store.append(one), store.append(two)]);
        expectOneWinner(results);
        const winner: Commit = results[0]!.status === 'fulfilled' ? one : two;
        expect(await store.load('opp-b')).toEqual(afterCommit(winner));
        expect(await store.events('opp-b', 10)).toEqual(winner.events);
        expect((await store.outbox({ opportunityId: 'opp-b' })).map((m) => m.id)).toEqual(['opp-b:8', ...winner.outbox.map((m) => m.id)]);
      });

      it('lets exactly one of two new deals with the same id win', async () => {
        const one = fixtureCommit('opp-n', undefined, [ev.opened({ template: 'fx-sales', title: 'One', owner: 'a', at: '2026-01-01T00:00:00.000Z' })]);
        const two = fixtureCommit('opp-n', undefined, [ev.opened({ template: 'fx-sales', title: 'Two', owner: 'b', at: '2026-01-01T00:00:00.000Z' })]);
        const results = await Promise.allSettled([store.append(one), store.append(two)]);
        expectOneWinner(results);
        expect((await store.events('opp-n')).length).toBe(1);
        expect((await store.opportunities()).length).toBe(1);
      });
    });

    describe('tasks', () => {
      it('lists all tasks in creation order', async () => {
        await seed();
        expect((await store.tasks()).map((t) => t.id)).toEqual(['opp-b.call.1', 'opp-a.call.1', 'opp-a.brief.1']);
      });

      it('filters by assignee, status and opportunityId, alone and together', async () => {
        await seed();
        const ids = async (f: Parameters<Store['tasks']>[0]) => (await store.tasks(f)).map((t) => t.id);
        expect(await ids({ assignee: 'bob' })).toEqual(['opp-b.call.1', 'opp-a.call.1']);
        expect(await ids({ status: 'open' })).toEqual(['opp-a.call.1', 'opp-a.brief.1']);
        expect(await ids({ status: 'done' })).toEqual(['opp-b.call.1']);
        expect(await ids({ status: 'cancelled' })).toEqual([]);
        expect(await ids({ opportunityId: 'opp-a' })).toEqual(['opp-a.call.1', 'opp-a.brief.1']);
        expect(await ids({ assignee: 'bob', status: 'open' })).toEqual(['opp-a.call.1']);
        expect(await ids({ assignee: 'bob', opportunityId: 'opp-b', status: 'done' })).toEqual(['opp-b.call.1']);
        expect(await ids({ assignee: 'nobody' })).toEqual([]);
        expect(await ids({})).toEqual(['opp-b.call.1', 'opp-a.call.1', 'opp-a.brief.1']);
      });

      it('finds a task by id, as the deal state holds it', async () => {
        const deals = await seed();
        expect(await store.task('opp-b.call.1')).toEqual(deals.get('opp-b')!.state.tasks[0]);
        expect(await store.task('opp-b.call.1')).toMatchObject({ status: 'done', completedBy: 'bob', completedAt: '2026-01-05T12:00:00.000Z', note: 'done' });
        expect(await store.task('opp-a.brief.1')).toMatchObject({ assignee: null, role: 'presales', status: 'open', entry: 1, stage: 'qualify' });
      });
    });

    describe('approvals', () => {
      it('lists all approvals in creation order', async () => {
        await seed();
        expect((await store.approvals()).map((a) => a.id)).toEqual(['opp-b.price.2', 'opp-a.discount.1']);
      });

      it('filters by approver through resolved candidates and user: slots', async () => {
        await seed();
        const ids = async (f: Parameters<Store['approvals']>[0]) => (await store.approvals(f)).map((a) => a.id);
        expect(await ids({ approver: 'dave' })).toEqual(['opp-a.discount.1']);
        expect(await ids({ approver: 'erin' })).toEqual(['opp-a.discount.1']);
        expect(await ids({ approver: 'carol' })).toEqual(['opp-a.discount.1']);
        expect(await ids({ approver: 'frank' })).toEqual(['opp-b.price.2']);
        expect(await ids({ approver: 'alice' })).toEqual([]);
        expect(await ids({ approver: 'manager' })).toEqual([]);
      });

      it('filters by status and opportunityId, alone and with approver', async () => {
        await seed();
        const ids = async (f: Parameters<Store['approvals']>[0]) => (await store.approvals(f)).map((a) => a.id);
        expect(await ids({ status: 'pending' })).toEqual(['opp-a.discount.1']);
        expect(await ids({ status: 'approved' })).toEqual(['opp-b.price.2']);
        expect(await ids({ opportunityId: 'opp-b' })).toEqual(['opp-b.price.2']);
        expect(await ids({ approver: 'frank', status: 'pending' })).toEqual([]);
        expect(await ids({ approver: 'dave', status: 'pending', opportunityId: 'opp-a' })).toEqual(['opp-a.discount.1']);
        expect(await ids({ approver: 'dave', opportunityId: 'opp-b' })).toEqual([]);
      });

      it('finds an approval by id, as the deal state holds it', async () => {
        const deals = await seed();
        expect(await store.approval('opp-b.price.2')).toEqual(deals.get('opp-b')!.state.approvals[0]);
        expect(await store.approval('opp-b.price.2')).toMatchObject({ status: 'approved', decisions: [{ slot: 0, by: 'frank', decision: 'approve' }] });
        expect(await store.approval('opp-a.discount.1')).toMatchObject({ approvers: ['manager', 'user:carol'], candidates: [['dave', 'erin'], []], requestedBy: 'alice' });
      });
    });

    describe('opportunities', () => {
      it('lists deals by openedAt, then id', async () => {
        await seed();
        expect((await store.opportunities()).map((o) => o.id)).toEqual(['opp-b', 'opp-a', 'opp-c']);
      });

      it('gives each deal as its state holds it', async () => {
        const deals = await seed();
        for (const o of await store.opportunities()) expect(o).toEqual(deals.get(o.id)!.state.opportunity);
      });

      it('filters by template, status, owner and stage, and limits', async () => {
        await seed();
        const ids = async (f: Parameters<Store['opportunities']>[0]) => (await store.opportunities(f)).map((o) => o.id);
        expect(await ids({ template: 'fx-sales' })).toEqual(['opp-b', 'opp-a']);
        expect(await ids({ template: 'fx-other' })).toEqual(['opp-c']);
        expect(await ids({ status: 'open' })).toEqual(['opp-b', 'opp-a']);
        expect(await ids({ status: 'lost' })).toEqual(['opp-c']);
        expect(await ids({ status: 'won' })).toEqual([]);
        expect(await ids({ owner: 'alice' })).toEqual(['opp-a', 'opp-c']);
        expect(await ids({ stage: 'propose' })).toEqual(['opp-b']);
        expect(await ids({ stage: 'qualify', owner: 'alice', template: 'fx-sales', status: 'open' })).toEqual(['opp-a']);
        expect(await ids({ limit: 2 })).toEqual(['opp-b', 'opp-a']);
        expect(await ids({ owner: 'alice', limit: 1 })).toEqual(['opp-a']);
        expect(await ids({ limit: 0 })).toEqual([]);
      });
    });

    describe('outbox', () => {
      it('keeps a pending row per message with its event seq, in creation order', async () => {
        const deals = await seed();
        const rows = await store.outbox();
        expect(rows.map((m) => [m.id, m.type, m.seq, m.status, m.attempts])).toEqual([
          ['opp-c:5', 'opportunity.lost', 5, 'pending', 0],
          ['opp-b:8', 'integration.emitted', 8, 'pending', 0],
          ['opp-a:6', 'notification.requested', 6, 'pending', 0],
        ]);
        expect(rows[2]).toEqual({
          id: 'opp-a:6', opportunityId: 'opp-a', type: 'notification.requested', data: { to: 'manager', message: 'please approve' },
          attempts: 0, status: 'pending', seq: 6, nextAttemptAt: null, lastError: null,
        });
        expect(deals.size).toBe(3);
      });

      it('filters by status and opportunityId', async () => {
        await seed();
        expect((await store.outbox({ status: 'pending' })).length).toBe(3);
        expect(await store.outbox({ status: 'delivered' })).toEqual([]);
        expect(await store.outbox({ status: 'dead' })).toEqual([]);
        expect((await store.outbox({ opportunityId: 'opp-b' })).map((m) => m.id)).toEqual(['opp-b:8']);
        expect((await store.outbox({ status: 'pending', opportunityId: 'opp-a' })).map((m) => m.id)).toEqual(['opp-a:6']);
      });
    });

    describe('timers', () => {
      const T = (id: string, dueAt: string, type: Timer['type'] = 'task.overdue'): Timer => ({ id, opportunityId: 'opp-t', type, dueAt });
      async function withTimers(timers: Timer[]): Promise<LoadedDeal> {
        const c = fixtureCommit('opp-t', undefined, [ev.opened({ template: 'fx-sales', title: 'Timed', owner: 'alice', at: '2026-02-01T09:00:00.000Z' }), ev.entered('qualify', 1, null, '2026-02-01T09:00:00.000Z')], timers);
        await store.append(c);
        return afterCommit(c);
      }

      it('keeps the pending timers a commit gives, replacing the deal\'s set on every commit', async () => {
        const first = await withTimers([T('t-b', '2026-02-03T09:00:00.000Z'), T('t-a', '2026-02-02T09:00:00.000Z', 'sla.breached')]);
        expect((await store.timers()).map((t) => t.id)).toEqual(['t-a', 't-b']);
        expect(await store.timers('opp-t')).toEqual([T('t-a', '2026-02-02T09:00:00.000Z', 'sla.breached'), T('t-b', '2026-02-03T09:00:00.000Z')]);
        await store.append(fixtureCommit('opp-t', first, [ev.note('n', '2026-02-01T10:00:00.000Z', 'alice')], [T('t-c', '2026-02-04T09:00:00.000Z')]));
        expect((await store.timers('opp-t')).map((t) => t.id)).toEqual(['t-c']);
        expect(await store.timers('nobody')).toEqual([]);
      });

      it('claims only due timers, earliest first, and a live lease hides them from a second claim', async () => {
        await withTimers([T('t-late', '2026-02-10T00:00:00.000Z'), T('t-2', '2026-02-02T09:00:00.000Z'), T('t-1', '2026-02-01T12:00:00.000Z')]);
        const now = '2026-02-05T00:00:00.000Z';
        const claimed = await store.claimTimers({ now, limit: 10, leaseUntil: '2026-02-05T00:01:00.000Z' });
        expect(claimed.map((t) => t.id)).toEqual(['t-1', 't-2']);
        expect(await store.claimTimers({ now, limit: 10, leaseUntil: '2026-02-05T00:01:00.000Z' })).toEqual([]);
        // after the lease runs out, an unfired timer can be claimed again
        const later = await store.claimTimers({ now: '2026-02-05T00:02:00.000Z', limit: 1, leaseUntil: '2026-02-05T00:03:00.000Z' });
        expect(later.map((t) => t.id)).toEqual(['t-1']);
      });

      it('a failed commit leaves the timers as they were', async () => {
        const first = await withTimers([T('t-1', '2026-02-02T09:00:00.000Z')]);
        const stale = fixtureCommit('opp-t', { ...first, version: first.version - 1 }, [ev.note('n', '2026-02-01T10:00:00.000Z', 'alice')], []);
        await expect(store.append(stale)).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
        expect((await store.timers('opp-t')).map((t) => t.id)).toEqual(['t-1']);
      });
    });

    describe('outbox delivery', () => {
      async function twoMessagesOnOneDeal(): Promise<void> {
        const c1 = fixtureCommit('opp-o', undefined, [
          ev.opened({ template: 'fx-sales', title: 'Out', owner: 'alice', at: '2026-03-01T09:00:00.000Z' }),
          ev.entered('qualify', 1, null, '2026-03-01T09:00:00.000Z'),
          ev.notify('manager', 'first', '2026-03-01T09:00:00.000Z'),
        ]);
        await store.append(c1);
        await store.append(fixtureCommit('opp-o', afterCommit(c1), [ev.notify('manager', 'second', '2026-03-01T10:00:00.000Z')]));
      }
      const NOW = '2026-03-02T00:00:00.000Z';
      const LEASE = '2026-03-02T00:05:00.000Z';

      it('claims at most one message per deal, the lowest seq pending, so a deal\'s messages go out in order', async () => {
        await twoMessagesOnOneDeal();
        await seed();
        const first = await store.claimOutbox({ now: NOW, limit: 10, leaseUntil: LEASE });
        expect(first.map((m) => m.id).sort()).toEqual(['opp-a:6', 'opp-b:8', 'opp-c:5', 'opp-o:3']);
        expect(await store.claimOutbox({ now: NOW, limit: 10, leaseUntil: LEASE })).toEqual([]);
        await store.settleOutbox('opp-o:3', { status: 'delivered' });
        expect((await store.claimOutbox({ now: NOW, limit: 10, leaseUntil: LEASE })).map((m) => m.id)).toEqual(['opp-o:4']);
      });

      it('a failure counts an attempt, keeps the message pending until its next attempt, and blocks the deal\'s later messages', async () => {
        await twoMessagesOnOneDeal();
        await store.claimOutbox({ now: NOW, limit: 10, leaseUntil: LEASE });
        await store.settleOutbox('opp-o:3', { status: 'pending', error: 'HTTP 503', nextAttemptAt: '2026-03-02T01:00:00.000Z' });
        const [row] = await store.outbox({ opportunityId: 'opp-o', status: 'pending' });
        expect(row).toMatchObject({ id: 'opp-o:3', attempts: 1, status: 'pending', lastError: 'HTTP 503', nextAttemptAt: '2026-03-02T01:00:00.000Z' });
        expect(await store.claimOutbox({ now: '2026-03-02T00:30:00.000Z', limit: 10, leaseUntil: LEASE })).toEqual([]);
        const again = await store.claimOutbox({ now: '2026-03-02T01:00:00.000Z', limit: 10, leaseUntil: '2026-03-02T01:05:00.000Z' });
        expect(again.map((m) => [m.id, m.attempts])).toEqual([['opp-o:3', 1]]);
      });

      it('a dead message is parked, never lost, and no longer blocks the deal', async () => {
        await twoMessagesOnOneDeal();
        await store.claimOutbox({ now: NOW, limit: 10, leaseUntil: LEASE });
        await store.settleOutbox('opp-o:3', { status: 'dead', error: 'gave up' });
        expect(await store.outbox({ status: 'dead' })).toMatchObject([{ id: 'opp-o:3', attempts: 1, lastError: 'gave up', status: 'dead' }]);
        expect((await store.claimOutbox({ now: NOW, limit: 10, leaseUntil: LEASE })).map((m) => m.id)).toEqual(['opp-o:4']);
        await store.settleOutbox('opp-o:4', { status: 'delivered' });
        expect((await store.outbox({ status: 'delivered' })).map((m) => [m.id, m.attempts, m.lastError])).toEqual([['opp-o:4', 1, null]]);
      });

      it('settling an unknown message is NOT_FOUND', async () => {
        await expect(store.settleOutbox('nope:1', { status: 'delivered' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });
    });

    describe('feed', () => {
      /** Reads the whole feed from `after` in pages of `page`; returns the events and the last position. */
      async function readAll(after: string | null, page: number): Promise<{ events: OpportunityEvent[]; position: string }> {
        const events: OpportunityEvent[] = [];
        let position = after;
        for (let guard = 0; guard < 1000; guard++) {
          const p = await store.feed(position, page);
          expect(typeof p.position).toBe('string');
          expect(p.events.length).toBeLessThanOrEqual(page);
          if (p.events.length === 0) {
            if (position !== null) expect(p.position).toBe(position);
            return { events, position: p.position };
          }
          events.push(...p.events);
          position = p.position;
        }
        throw new Error('the feed never ended');
      }
      const appendedInOrder = () => fixtureScenario().reduce<{ events: OpportunityEvent[]; deals: Map<string, LoadedDeal> }>((acc, step) => {
        const c = fixtureCommit(step.id, acc.deals.get(step.id), step.pending);
        acc.deals.set(step.id, afterCommit(c));
        acc.events.push(...c.events);
        return acc;
      }, { events: [], deals: new Map() }).events;

      it('gives nothing, and a position to start from, on an empty store', async () => {
        const first = await store.feed(null, 10);
        expect(first.events).toEqual([]);
        expect(typeof first.position).toBe('string');
        expect((await store.feed(first.position, 10)).events).toEqual([]);
      });

      it('gives every event of every deal once, in the order the commits were made, page by page', async () => {
        await seed();
        const expected = appendedInOrder();
        for (const page of [1, 2, 5, 100]) {
          const { events } = await readAll(null, page);
          expect(events).toEqual(expected);
        }
        expect((await store.feed(null, 3)).events).toEqual(expected.slice(0, 3));
      });

      it('resumes from a position: only what was committed after it comes back', async () => {
        const deals = await seed();
        const { position } = await readAll(null, 4);
        expect((await store.feed(position, 10)).events).toEqual([]);
        const c1 = fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('later', '2026-01-10T00:00:00.000Z', 'alice')]);
        await store.append(c1);
        const c2 = fixtureCommit('opp-c', deals.get('opp-c'), [ev.note('later too', '2026-01-10T00:00:00.000Z', 'alice'), ev.notify('x', 'y', '2026-01-10T00:00:00.000Z')]);
        await store.append(c2);
        const next = await store.feed(position, 10);
        expect(next.events).toEqual([...c1.events, ...c2.events]);
        expect((await store.feed(next.position, 10)).events).toEqual([]);
        // a position is a value: reading from it again gives the same page
        expect((await store.feed(position, 1)).events).toEqual(c1.events);
      });

      it('a limit of 0 reads nothing and keeps the position', async () => {
        await seed();
        const page = await store.feed(null, 0);
        expect(page.events).toEqual([]);
        expect((await readAll(page.position, 50)).events).toEqual(appendedInOrder());
        const two = await store.feed(null, 2);
        expect(await store.feed(two.position, 0)).toEqual({ events: [], position: two.position });
      });

      it('a failed commit adds nothing to the feed', async () => {
        const deals = await seed();
        const { position } = await readAll(null, 100);
        const stale = fixtureCommit('opp-a', { ...deals.get('opp-a')!, version: 5 }, [ev.note('stale', '2026-01-10T00:00:00.000Z', 'alice')]);
        await expectConflict(store.append(stale), 'opp-a');
        expect((await store.feed(position, 10)).events).toEqual([]);
      });

      it('returns copies', async () => {
        await seed();
        const page = await store.feed(null, 1);
        page.events[0]!.data['title'] = 'changed';
        expect((await store.feed(null, 1)).events[0]!.data['title']).toBe('Gamma');
      });

      it('refuses a position it did not give, and a bad limit, with INPUT_INVALID', async () => {
        await seed();
        for (const bad of ['garbage', '-1', '1.5', '']) {
          const err = await store.feed(bad, 10).then(() => undefined, (e: unknown) => e);
          expect(isWinpathError(err, 'INPUT_INVALID'), `position ${JSON.stringify(bad)}: ${String(err)}`).toBe(true);
          expect((err as WinpathError).message).toContain('is not a position this store gave');
        }
        for (const bad of [-1, 1.5, Number.NaN]) {
          const err = await store.feed(null, bad).then(() => undefined, (e: unknown) => e);
          expect(isWinpathError(err, 'INPUT_INVALID'), `limit ${bad}: ${String(err)}`).toBe(true);
        }
      });
    });

    describe('analytics query port', () => {
      it('answers every aggregate as the in-code port does on the same log (when the store has its own port)', async () => {
        const own = (store as Store & { query?: QueryPort }).query;
        if (!own) return; // analytics answer such a store through codeQueryPort itself
        await seed();
        const reference = codeQueryPort(store);
        const sorted = (rows: readonly unknown[]) => rows.map((r) => canonicalJson(r)).sort();
        const stages = ['qualify', 'propose'];
        const closing = { fromInstant: '2026-01-01T00:00:00.000Z', toInstant: '2026-04-01T00:00:00.000Z', fromDate: '2026-01-01', toDate: '2026-03-31', closeField: null };
        const queries: [string, AnalyticsQuery][] = [];
        for (const template of ['fx-sales', 'fx-other']) {
          const q: AnalyticsQuery = { template, where: [], groupBy: null };
          queries.push([`${template}`, q], [`${template} by region`, { ...q, groupBy: { kind: 'field', key: 'region', type: 'enum' } }],
            [`${template} filtered`, { ...q, where: [{ ref: { kind: 'column', name: 'owner' }, op: 'in', value: ['alice', 'bob', 'carol'] }] }]);
        }
        for (const [name, query] of queries) {
          const ask = async (port: QueryPort) => ({
            open: sorted(await port.openByStage(query)),
            asOf: sorted(await port.openByStage({ ...query, asOf: '2026-01-03T00:00:00.000Z' })),
            reach: sorted(await port.stageReach(query)),
            durations: sorted(await port.durations(query)),
            losses: sorted(await port.losses(query)),
            closedReach: sorted(await port.closedReach(query)),
            stayMiddles: sorted(await port.stayMiddles({ ...query, stages })),
            closing: await port.closing({ ...query, ...closing }).then((c) => ({ won: sorted(c.won), dated: sorted(c.dated), undated: sorted(c.undated) })),
          });
          expect(await ask(own), name).toEqual(await ask(reference));
        }
      });
    });

    describe('definitions', () => {
      it('saves, gets and lists definitions', async () => {
        const one = fixtureDefinition('fx-sales', 1);
        const two = fixtureDefinition('fx-sales', 2, 'Fixture sales v2');
        const other = fixtureDefinition('fx-other', 1, 'Other');
        await store.saveDefinition(one);
        await store.saveDefinition(two);
        await store.saveDefinition(other);
        expect(await store.definition('fx-sales', 1)).toEqual(one);
        expect(await store.definition('fx-sales', 2)).toEqual(two);
        expect(await store.definition('fx-sales', 3)).toBeUndefined();
        expect(await store.definition('nope', 1)).toBeUndefined();
        const listed = (await store.definitions()).map((d) => `${d.id}@${d.version}`).sort();
        expect(listed).toEqual(['fx-other@1', 'fx-sales@1', 'fx-sales@2']);
      });

      it('keeps the order of a definition\'s fields', async () => {
        await store.saveDefinition(fixtureDefinition());
        expect(Object.keys((await store.definition('fx-sales', 1))!.fields)).toEqual(['amount', 'region']);
      });

      it('treats saving an equal definition again as a no-op, whatever its key order', async () => {
        const def = fixtureDefinition();
        await store.saveDefinition(def);
        await store.saveDefinition(reverseKeys(def));
        await store.saveDefinition(structuredClone(def));
        expect(await store.definitions()).toHaveLength(1);
        expect(await store.definition('fx-sales', 1)).toEqual(def);
      });

      it('rejects a different definition under the same id and version with TEMPLATE_INVALID', async () => {
        const def = fixtureDefinition();
        await store.saveDefinition(def);
        const changed = { ...def, lossReasons: ['price'] };
        const err = await store.saveDefinition(changed).then(() => undefined, (e: unknown) => e);
        expect(isWinpathError(err, 'TEMPLATE_INVALID')).toBe(true);
        expect((err as WinpathError).message).toContain('fx-sales@1');
        expect(await store.definition('fx-sales', 1)).toEqual(def);
        await store.saveDefinition({ ...changed, version: 2 });
        expect(await store.definition('fx-sales', 2)).toEqual({ ...changed, version: 2 });
      });
    });

    describe('close', () => {
      it('closes once or twice, and refuses work afterwards with a WinpathError', async () => {
        await seed();
        await store.close();
        await store.close();
        const err = await store.load('opp-a').then(() => undefined, (e: unknown) => e);
        expect(isWinpathError(err)).toBe(true);
        const c = fixtureCommit('opp-z', undefined, [ev.opened({ template: 'fx-sales', title: 'Z', owner: 'z', at: '2026-01-01T00:00:00.000Z' })]);
        expect(isWinpathError(await store.append(c).then(() => undefined, (e: unknown) => e))).toBe(true);
      });
    });

    describe.skipIf(!opts.reopen || opts.capabilities?.durable === false)('after reopening (durable stores)', () => {
      const reopen = async (): Promise<boolean> => {
        if (!store.capabilities.durable || !opts.reopen) return false;
        store = await opts.reopen(store);
        return true;
      };

      it('keeps deals, events, tasks, approvals, opportunities, outbox and definitions', async () => {
        await seed();
        await store.saveDefinition(fixtureDefinition());
        const ids = ['opp-a', 'opp-b', 'opp-c'];
        const before = {
          ...(await snapshot(ids)),
          definitions: await store.definitions(),
          bob: await store.tasks({ assignee: 'bob', status: 'open' }),
          carol: await store.approvals({ approver: 'carol' }),
          task: await store.task('opp-a.brief.1'),
          approval: await store.approval('opp-b.price.2'),
          pending: await store.outbox({ status: 'pending' }),
        };
        if (!(await reopen())) return;
        expect({
          ...(await snapshot(ids)),
          definitions: await store.definitions(),
          bob: await store.tasks({ assignee: 'bob', status: 'open' }),
          carol: await store.approvals({ approver: 'carol' }),
          task: await store.task('opp-a.brief.1'),
          approval: await store.approval('opp-b.price.2'),
          pending: await store.outbox({ status: 'pending' }),
        }).toEqual(before);
        expect(await store.definition('fx-sales', 1)).toEqual(fixtureDefinition());
      });

      it('checks versions and definitions against what was stored before', async () => {
        const deals = await seed();
        await store.saveDefinition(fixtureDefinition());
        if (!(await reopen())) return;
        await expectConflict(store.append(fixtureCommit('opp-a', { ...deals.get('opp-a')!, version: 2 }, [ev.note('n', '2026-01-09T00:00:00.000Z', 'alice')])), 'opp-a');
        await store.append(fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('n', '2026-01-09T00:00:00.000Z', 'alice')]));
        expect((await store.load('opp-a'))!.version).toBe(7);
        const err = await store.saveDefinition({ ...fixtureDefinition(), lossReasons: [] }).then(() => undefined, (e: unknown) => e);
        expect(isWinpathError(err, 'TEMPLATE_INVALID')).toBe(true);
      });

      it('reads the feed on from a position taken before reopening', async () => {
        const deals = await seed();
        const before = await store.feed(null, 1000);
        if (!(await reopen())) return;
        expect((await store.feed(null, 1000)).events).toEqual(before.events);
        const c = fixtureCommit('opp-b', deals.get('opp-b'), [ev.note('after reopen', '2026-01-10T00:00:00.000Z', 'bob')]);
        await store.append(c);
        expect((await store.feed(before.position, 10)).events).toEqual(c.events);
      });
    });

    describe.skipIf(!opts.connect || opts.capabilities?.concurrentWriters === false)('two stores on the same data (concurrent writers)', () => {
      it('lets exactly one of two appends on the same version win', async () => {
        if (!store.capabilities.concurrentWriters || !opts.connect) return;
        const deals = await seed();
        const other = await opts.connect(store);
        extra.push(other);
        expect(await other.load('opp-a')).toEqual(deals.get('opp-a'));
        const one = fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('one', '2026-01-09T00:00:00.000Z', 'alice')]);
        const two = fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('two', '2026-01-09T00:00:00.000Z', 'bob')]);
        const results = await Promise.allSettled([store.append(one), other.append(two)]);
        expectOneWinner(results);
        const winner = results[0]!.status === 'fulfilled' ? one : two;
        expect(await store.load('opp-a')).toEqual(afterCommit(winner));
        expect(await other.load('opp-a')).toEqual(afterCommit(winner));
      });

      it('shows each store the other\'s commits in its feed, after the position it had', async () => {
        if (!store.capabilities.concurrentWriters || !opts.connect) return;
        const deals = await seed();
        const other = await opts.connect(store);
        extra.push(other);
        const mine = await store.feed(null, 1000);
        expect((await other.feed(null, 1000)).events).toEqual(mine.events);
        const c1 = fixtureCommit('opp-a', deals.get('opp-a'), [ev.note('from other', '2026-01-09T00:00:00.000Z', 'alice')]);
        await other.append(c1);
        const c2 = fixtureCommit('opp-b', deals.get('opp-b'), [ev.note('from me', '2026-01-09T00:00:01.000Z', 'bob')]);
        await store.append(c2);
        expect((await store.feed(mine.position, 10)).events).toEqual([...c1.events, ...c2.events]);
        expect((await other.feed(mine.position, 10)).events).toEqual([...c1.events, ...c2.events]);
      });
    });
  });
}

/** The same data with every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)])) as T;
  }
  return value;
}

function expectOneWinner(results: PromiseSettledResult<void>[]): void {
  const won = results.filter((r) => r.status === 'fulfilled');
  const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(won).toHaveLength(1);
  expect(lost).toHaveLength(1);
  expect(isWinpathError(lost[0]!.reason, 'CONCURRENCY_CONFLICT'), String(lost[0]!.reason)).toBe(true);
}
