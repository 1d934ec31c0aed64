import type pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpportunityEvent, Timer } from '../../src/model/index.js';
import { postgresStore } from '../../src/storage/postgres/postgres-store.js';
import type { LoadedDeal, Store } from '../../src/storage/port.js';
import { afterCommit, ev, fixtureCommit } from '../../src/testing/conformance-fixtures.js';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from './postgres-env.js';

describePg('postgres feed: a reader never skips an event whose transaction committed late', () => {
  const admin = adminPool();
  const used: string[] = [];
  const open: Store[] = [];
  let schema = '';
  let store: Store;
  beforeEach(() => {
    schema = newSchemaName();
    used.push(schema);
    store = postgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
    open.push(store);
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await dropSchemas(admin, used.splice(0));
  });
  afterAll(async () => admin.end());

  async function openDeal(id: string, timers: Timer[] = []): Promise<LoadedDeal> {
    const c = fixtureCommit(id, undefined, [ev.opened({ template: 'fx-sales', title: id, owner: 'alice', at: '2026-04-01T09:00:00.000Z' }), ev.entered('qualify', 1, null, '2026-04-01T09:00:00.000Z')], timers);
    await store.append(c);
    return afterCommit(c);
  }

  /** Waits until some backend of this database waits on a lock (the held-up append). */
  async function untilSomeoneWaits(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if ((rows[0] as { n: number }).n > 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('no append ever waited on the held lock');
  }

  describe('given deal X whose append stays open (its transaction holds events not yet committed) while a later append on deal Y commits', () => {
    it('then the feed holds Y back until X commits, and gives X then Y; a plain sequence checkpoint skips X', async () => {
      const timer: Timer = { id: 'x.timer', opportunityId: 'x', type: 'task.overdue', dueAt: '2026-05-01T00:00:00.000Z' };
      const x = await openDeal('x', [timer]);
      const y = await openDeal('y');
      const start = await store.feed(null, 100);
      expect(start.events.map((e) => e.id)).toEqual(['x:1', 'x:2', 'y:1', 'y:2']);
      const lastPos = Number((await admin.query(`SELECT max(pos) AS p FROM "${schema}".events`)).rows[0].p);

      // another session holds the row lock on X's timer, so X's append stops after writing its events
      const holder: pg.PoolClient = await admin.connect();
      let appendX: Promise<void> | undefined;
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT id FROM "${schema}".timers WHERE id = $1 FOR UPDATE`, [timer.id]);
        const cx = fixtureCommit('x', x, [ev.note('late commit', '2026-04-02T09:00:00.000Z', 'alice')], [timer]);
        appendX = store.append(cx);
        await untilSomeoneWaits();

        // when Y commits meanwhile
        const cy = fixtureCommit('y', y, [ev.note('early commit', '2026-04-02T09:00:01.000Z', 'bob')]);
        await store.append(cy);

        // a reader checkpointing on the plain sequence sees Y (its pos is after X's uncommitted rows) and moves past X
        const naive = await admin.query(`SELECT id, pos FROM "${schema}".events WHERE pos > $1 ORDER BY pos`, [lastPos]);
        expect(naive.rows.map((r: { id: string }) => r.id)).toEqual(['y:3']);
        const naiveCheckpoint = Number(naive.rows.at(-1).pos);

        // the feed gives nothing yet: Y's transaction is younger than X's, which is still running
        const held = await store.feed(start.position, 100);
        expect(held).toEqual({ events: [], position: start.position });

        // then X commits
        await holder.query('COMMIT');
        await appendX;
        const after = await store.feed(start.position, 100);
        expect(after.events).toEqual([...cx.events, ...cy.events]);
        expect((await store.feed(after.position, 100)).events).toEqual([]);

        // the plain-sequence reader never sees X's event
        const naiveLater = await admin.query(`SELECT id FROM "${schema}".events WHERE pos > $1 ORDER BY pos`, [naiveCheckpoint]);
        expect(naiveLater.rows).toEqual([]);
        expect((await store.events('x')).map((e) => e.id)).toContain('x:3');
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        holder.release();
        await appendX?.catch(() => undefined);
      }
    });
  });

  describe('given two stores appending to 20 deals at once while a reader tails the feed', () => {
    it('then the tail gets every committed event exactly once, each deal in seq order', async () => {
      const other = postgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
      open.push(other);
      const ids = Array.from({ length: 20 }, (_, i) => `d${String(i).padStart(2, '0')}`);
      const deals = new Map<string, LoadedDeal>();
      for (const id of ids) deals.set(id, await openDeal(id));

      const tail: OpportunityEvent[] = [];
      let position: string | null = null;
      let writing = true;
      const reader = (async () => {
        for (;;) {
          const done = !writing;
          const page = await store.feed(position, 50);
          tail.push(...page.events);
          position = page.position;
          if (done && page.events.length === 0) return;
        }
      })();
      // each writer works its own deals (no conflicts), many transactions in flight at once
      const writers = [store, other].map(async (s, w) => {
        const mine = ids.filter((_, i) => i % 2 === w);
        for (let round = 0; round < 15; round++) {
          await Promise.all(mine.map(async (id) => {
            const c = fixtureCommit(id, deals.get(id), [ev.note(`r${round}`, '2026-04-03T00:00:00.000Z', 'w'), ev.note(`r${round}b`, '2026-04-03T00:00:00.000Z', 'w')]);
            await s.append(c);
            deals.set(id, afterCommit(c));
          }));
        }
      });
      await Promise.all(writers);
      writing = false;
      await reader;

      const all: OpportunityEvent[] = [];
      for (const id of ids) all.push(...(await store.events(id)));
      expect(all).toHaveLength(20 * (2 + 30));
      expect(tail).toHaveLength(all.length);
      expect(new Set(tail.map((e) => e.id)).size).toBe(all.length);
      const lastSeq = new Map<string, number>();
      for (const e of tail) {
        expect(e.seq, e.id).toBe((lastSeq.get(e.opportunityId) ?? 0) + 1);
        lastSeq.set(e.opportunityId, e.seq);
      }
    });
  });
});
