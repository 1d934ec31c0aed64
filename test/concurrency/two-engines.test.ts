import { readFileSync } from 'node:fs';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createEngine, isWinpathError, parseTemplate, postgresStore, type Engine, type FiredTimer, type OutboxMessage, type Store } from 'winpath';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from '../storage/postgres-env.js';
import { createRandom } from '../../src/simulate/random.js';

const PEOPLE: Record<string, string[]> = { sales_director: ['dora'], finance: ['fay'], engineer: ['eve'] };
const TIMER_EVENTS = new Set(['sla.breached', 'task.overdue', 'approval.overdue', 'opportunity.idle']);
const DEALS = 50;
const ROUNDS = 100;

/** mulberry32, seeded: the same rounds every run. */
function random(seed: number): () => number {
  return createRandom(seed).next;
}

describePg('two engines on one PostgreSQL schema, ticking and dispatching at once', () => {
  const admin = adminPool();
  const used: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await dropSchemas(admin, used.splice(0));
  });
  afterAll(async () => admin.end());

  it('fires each due timer once and hands each outbox message to one engine per attempt, over many rounds', { timeout: 240_000 }, async () => {
    const schema = newSchemaName('wpe');
    used.push(schema);
    const def = await parseTemplate(readFileSync(new URL('../fixtures/engine/timed.yaml', import.meta.url), 'utf8'), { format: 'yaml' });
    let now = new Date('2026-03-02T09:00:00.000Z');
    const make = (name: string): Engine => {
      const store = postgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
      stores.push(store);
      let n = 0;
      return createEngine({
        store, templates: [def], clock: () => new Date(now), ids: () => `${name}-${++n}`, resolveRole: (r) => PEOPLE[r] ?? [], retry: 10,
        outbox: { backoffMs: 60_000, maxAttempts: 20 },
      });
    };
    const engines = { a: make('a'), b: make('b') };
    const rand = random(7);
    const ids: string[] = [];
    for (let i = 0; i < DEALS; i++) ids.push((await (i % 2 ? engines.b : engines.a).open({ template: 'timed', title: `T${i}`, owner: 'sam', actor: 'sam' })).id);

    const fired: { by: 'a' | 'b'; t: FiredTimer }[] = [];
    const attempts = new Map<string, { by: string; attempt: number; ok: boolean }[]>();
    const handler = (by: string) => async (m: OutboxMessage) => {
      const list = attempts.get(m.id) ?? [];
      attempts.set(m.id, list);
      await new Promise((r) => setTimeout(r, rand() * 3));
      const ok = rand() > 0.25;
      list.push({ by, attempt: m.attempts, ok });
      if (!ok) throw new Error('receiver said 503');
    };
    const tick = async (by: 'a' | 'b') => {
      for (const t of await engines[by].tick()) fired.push({ by, t });
    };
    /** Small batches, again and again, so the two engines' claims interleave. */
    const dispatch = async (by: 'a' | 'b') => {
      for (;;) {
        const r = await engines[by].dispatch(handler(by), { limit: 3 });
        if (r.delivered + r.failed + r.dead === 0) return;
      }
    };
    /** A few commands from either engine, as users would make them while the workers run. */
    const activity = async () => {
      for (let k = 0; k < 4; k++) {
        const e = rand() < 0.5 ? engines.a : engines.b;
        const id = ids[Math.floor(rand() * ids.length)]!;
        try {
          if (rand() < 0.5) await e.addNote(id, { text: 'ping', actor: 'sam' });
          else {
            const [task] = await e.tasks({ opportunityId: id, status: 'open' });
            if (task) await e.completeTask(task.id, { actor: 'sam' });
          }
        } catch (err) {
          // another engine's tick may have moved the deal on: a refusal, never a lost write
          if (!isWinpathError(err, 'INPUT_INVALID')) throw err;
        }
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      now = new Date(now.getTime() + Math.floor(rand() * 14 * 3_600_000));
      await Promise.all([tick('a'), tick('b'), dispatch('a'), dispatch('b'), activity()]);
    }
    // drain: far enough for every timer and every backoff
    for (let i = 0; i < 30; i++) {
      now = new Date(now.getTime() + 30 * 86_400_000);
      await Promise.all([tick('a'), tick('b'), dispatch('a'), dispatch('b')]);
    }

    // timers: every fire is a distinct (timer, due instant), across both engines, and the logs agree
    const keys = fired.map(({ t }) => `${t.id}@${t.dueAt}`);
    const doubleFires = keys.length - new Set(keys).size;
    const logged: string[] = [];
    for (const id of ids) {
      for (const e of await engines.a.history(id)) if (TIMER_EVENTS.has(e.type)) logged.push(`${e.data['timerId'] as string}@${e.data['dueAt'] as string}`);
    }
    expect(doubleFires).toBe(0);
    expect(logged.length - new Set(logged).size).toBe(0);
    expect([...logged].sort()).toEqual([...keys].sort());
    expect((await engines.b.store.timers()).filter((t) => t.dueAt <= now.toISOString())).toEqual([]);

    // outbox: attempts 1, 2, 3... each made once by one engine; delivered once, and only the last attempt succeeded
    let handled = 0;
    let delivered = 0;
    let duplicateAttempts = 0;
    for (const [id, list] of attempts) {
      expect(list.map((x) => x.attempt), id).toEqual(list.map((_, i) => i + 1));
      duplicateAttempts += list.length - new Set(list.map((x) => x.attempt)).size;
      expect(list.filter((x) => x.ok).length, id).toBeLessThanOrEqual(1);
      handled += list.length;
      delivered += list.filter((x) => x.ok).length;
    }
    const stored = await engines.a.outbox();
    expect(stored.every((m) => m.status === 'delivered')).toBe(true);
    expect(delivered).toBe(stored.length);
    expect(new Set(attempts.keys())).toEqual(new Set(stored.map((m) => m.id)));
    for (const m of stored) expect(m.attempts).toBe(attempts.get(m.id)!.length);

    const by = (who: string) => fired.filter((f) => f.by === who).length;
    const attemptsBy = (who: string) => [...attempts.values()].flat().filter((x) => x.by === who).length;
    console.log(`[two engines] ${ROUNDS} rounds + drain on ${DEALS} deals: timers fired ${fired.length} (engine a ${by('a')}, engine b ${by('b')}), double fires ${doubleFires}; `
      + `outbox messages ${stored.length}, attempts ${handled} (engine a ${attemptsBy('a')}, engine b ${attemptsBy('b')}), delivered ${delivered}, duplicate attempts ${duplicateAttempts}`);
    expect(fired.length).toBeGreaterThan(100);
    expect(by('a')).toBeGreaterThan(0);
    expect(by('b')).toBeGreaterThan(0);
    expect(attemptsBy('a')).toBeGreaterThan(0);
    expect(attemptsBy('b')).toBeGreaterThan(0);
  });
});
