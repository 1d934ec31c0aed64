import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { createEngine, memoryStore, parseTemplate, WinpathError, type Engine, type Store } from 'winpath';

export const PEOPLE: Record<string, string[]> = {
  sales_director: ['dora'], finance: ['fay'], legal: ['lee'], engineer: ['eve'], ceo: ['carl'],
};

export async function gatedTemplate() {
  const file = new URL('../fixtures/engine/gated.yaml', import.meta.url);
  return parseTemplate(readFileSync(file, 'utf8'), { format: 'yaml', fileName: 'test/fixtures/engine/gated.yaml' });
}

/** A fake clock the test moves by hand. */
export function fakeClock(start = '2026-03-02T09:00:00.000Z') {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

export async function setup(opts: { store?: Store; lang?: 'zh' | 'en'; retry?: number; outbox?: { maxAttempts?: number; backoffMs?: number } } = {}) {
  const clock = fakeClock();
  const def = await gatedTemplate();
  let n = 0;
  const engine: Engine = createEngine({
    store: opts.store ?? memoryStore(),
    templates: [def],
    clock: clock.now,
    lang: opts.lang ?? 'en',
    ids: () => `deal-${++n}`,
    resolveRole: (role) => PEOPLE[role] ?? [],
    ...(opts.retry === undefined ? {} : { retry: opts.retry }),
    ...(opts.outbox === undefined ? {} : { outbox: opts.outbox }),
  });
  return { engine, clock, def };
}

export const sam = { id: 'sam' };
export const dora = { id: 'dora', roles: ['sales_director'] };

/** Opens a small deal (goes qualify -> proposal) with everything qualify needs done. */
export async function readyToLeaveQualify(engine: Engine, amount = 50_000) {
  const d = await engine.open({ template: 'gated', title: 'ACME', owner: 'sam', amount, actor: sam });
  await engine.update(d.id, { fields: { region: 'north' }, actor: sam });
  await engine.submitDeliverable(d.id, 'brief', { ref: 'doc://1', actor: sam });
  const [call] = await engine.tasks({ opportunityId: d.id, status: 'open' }).then((ts) => ts.filter((t) => t.key === 'call'));
  await engine.completeTask(call!.id, { actor: sam });
  return d;
}

/** Awaits a rejection and checks it is a WinpathError with the code. */
export async function rejects(p: Promise<unknown>, code: string): Promise<WinpathError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(WinpathError);
  expect((e as WinpathError).code).toBe(code);
  return e as WinpathError;
}
