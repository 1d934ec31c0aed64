import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore, postgresStore, sqliteStore, WinpathError, type Engine, type Store } from 'winpath';
import { readyToLeaveQualify, sam, setup } from '../engine/harness.js';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from '../storage/postgres-env.js';

// Every engine method given wrong types, unknown ids, oversized strings and prototype-polluting keys:
// INPUT_INVALID or NOT_FOUND (a few documented others), nothing written, Object.prototype untouched.

type Call = [name: string, call: (e: Engine, ids: Ids) => Promise<unknown>, code: string];
interface Ids {
  deal: string;
  task: string;
  approval: string;
}

const polluting = () => JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
const withProto = <T extends object>(o: T): T => Object.assign(JSON.parse('{"__proto__": {"polluted": true}}') as object, o) as T;
const X = (n: number) => 'x'.repeat(n);
const any = <T>(v: unknown) => v as T;

/** Bad ids, each for every method that takes one. */
const BAD_IDS: [string, unknown, string][] = [
  ['undefined', undefined, 'INPUT_INVALID'], ['null', null, 'INPUT_INVALID'], ['a number', 42, 'INPUT_INVALID'], ['an object', {}, 'INPUT_INVALID'],
  ['an array', ['x'], 'INPUT_INVALID'], ['empty', '', 'INPUT_INVALID'], ['201 characters', X(201), 'INPUT_INVALID'], ['a symbol', Symbol('id'), 'INPUT_INVALID'],
  ['unknown', 'no-such-id', 'NOT_FOUND'], ['a prototype name', '__proto__', 'NOT_FOUND'], ['constructor', 'constructor', 'NOT_FOUND'],
];

/** Bad command inputs, each for every method that takes one (with a valid id). */
const BAD_INPUTS: [string, unknown][] = [
  ['undefined', undefined], ['null', null], ['a string', 'sam'], ['a number', 7], ['an array', [sam]], ['no actor', {}],
  ['actor a number', { actor: 42 }], ['actor empty', { actor: '' }], ['actor "system"', { actor: 'system' }], ['actor 201 characters', { actor: X(201) }],
  ['actor roles not a list', { actor: { id: 'sam', roles: 'sales_director' } }], ['actor with an unknown key', { actor: { id: 'sam', admin: true } }],
  ['an unknown key', { actor: 'sam', sudo: true }], ['a __proto__ key', withProto({ actor: 'sam' })], ['a constructor key', { actor: 'sam', constructor: { prototype: { polluted: true } } }],
  ['a __proto__ key in the actor', { actor: withProto({ id: 'sam' }) }],
];

function callsFor(ids: Ids): Call[] {
  const out: Call[] = [];
  const withId: [string, (e: Engine, id: string) => Promise<unknown>][] = [
    ['get', (e, id) => e.get(id)], ['update', (e, id) => e.update(id, { title: 'T', actor: sam })], ['submitDeliverable', (e, id) => e.submitDeliverable(id, 'brief', { actor: sam })],
    ['advance', (e, id) => e.advance(id, { actor: sam })], ['win', (e, id) => e.win(id, { actor: sam })], ['lose', (e, id) => e.lose(id, { reason: 'price', actor: sam })],
    ['reopen', (e, id) => e.reopen(id, { actor: sam })], ['addNote', (e, id) => e.addNote(id, { text: 'n', actor: sam })], ['explain', (e, id) => e.explain(id)],
    ['history', (e, id) => e.history(id)], ['completeTask', (e, id) => e.completeTask(id, { actor: sam })], ['reassignTask', (e, id) => e.reassignTask(id, { to: 'lee', actor: sam })],
    ['decide', (e, id) => e.decide(id, { actor: 'dora', decision: 'approve' })],
  ];
  for (const [method, f] of withId) for (const [what, id, code] of BAD_IDS) out.push([`${method}(id ${what})`, (e) => f(e, any(id)), code]);
  out.push(['submitDeliverable(key unknown)', (e) => e.submitDeliverable(ids.deal, 'nope', { actor: sam }), 'INPUT_INVALID']);
  out.push(['submitDeliverable(key a number)', (e) => e.submitDeliverable(ids.deal, any(5), { actor: sam }), 'INPUT_INVALID']);
  out.push(['submitDeliverable(key __proto__)', (e) => e.submitDeliverable(ids.deal, '__proto__', { actor: sam }), 'INPUT_INVALID']);

  const withInput: [string, (e: Engine, input: unknown) => Promise<unknown>][] = [
    ['open', (e, i) => e.open(any(i))], ['update', (e, i) => e.update(ids.deal, any(i))], ['submitDeliverable', (e, i) => e.submitDeliverable(ids.deal, 'brief', any(i))],
    ['completeTask', (e, i) => e.completeTask(ids.task, any(i))], ['reassignTask', (e, i) => e.reassignTask(ids.task, any(i))], ['decide', (e, i) => e.decide(ids.approval, any(i))],
    ['advance', (e, i) => e.advance(ids.deal, any(i))], ['win', (e, i) => e.win(ids.deal, any(i))], ['lose', (e, i) => e.lose(ids.deal, any(i))],
    ['reopen', (e, i) => e.reopen(ids.deal, any(i))], ['addNote', (e, i) => e.addNote(ids.deal, any(i))],
  ];
  for (const [method, f] of withInput) for (const [what, input] of BAD_INPUTS) out.push([`${method}(input ${what})`, (e) => f(e, input), 'INPUT_INVALID']);

  // sizes and types of each argument
  const open = { template: 'gated', title: 'T', owner: 'sam', amount: 5, actor: sam };
  const sized: [string, (e: Engine) => Promise<unknown>][] = [
    ['open title 501', (e) => e.open({ ...open, title: X(501) })], ['open title blank', (e) => e.open({ ...open, title: '   ' })],
    ['open owner 201', (e) => e.open({ ...open, owner: X(201) })], ['open template 101', (e) => e.open({ ...open, template: X(101) })],
    ['open id 201', (e) => e.open({ ...open, id: X(201) })], ['open version 0', (e) => e.open({ ...open, version: 0 })], ['open version 1.5', (e) => e.open({ ...open, version: 1.5 })],
    ['open amount a string', (e) => e.open({ ...open, amount: any('5') })], ['open amount NaN', (e) => e.open({ ...open, amount: NaN })],
    ['open amount Infinity', (e) => e.open({ ...open, amount: Infinity })], ['open amount 1e14', (e) => e.open({ ...open, amount: 1e14 })],
    ['open amount -1', (e) => e.open({ ...open, amount: -1 })], ['open amount 3 decimals', (e) => e.open({ ...open, amount: 1.005 })],
    ['open fields not an object', (e) => e.open({ ...open, fields: any('region=north') })], ['open fields a list', (e) => e.open({ ...open, fields: any(['north']) })],
    ['update title 501', (e) => e.update(ids.deal, { title: X(501), actor: sam })], ['update owner empty', (e) => e.update(ids.deal, { owner: '', actor: sam })],
    ['addNote text 100,001', (e) => e.addNote(ids.deal, { text: X(100_001), actor: sam })], ['addNote text blank', (e) => e.addNote(ids.deal, { text: ' \n ', actor: sam })],
    ['submitDeliverable ref 10,001', (e) => e.submitDeliverable(ids.deal, 'brief', { ref: X(10_001), actor: sam })],
    ['submitDeliverable note 100,001', (e) => e.submitDeliverable(ids.deal, 'brief', { note: X(100_001), actor: sam })],
    ['completeTask note 100,001', (e) => e.completeTask(ids.task, { note: X(100_001), actor: sam })],
    ['reassignTask to empty', (e) => e.reassignTask(ids.task, { to: '', actor: sam })], ['reassignTask to 201', (e) => e.reassignTask(ids.task, { to: X(201), actor: sam })],
    ['decide decision maybe', (e) => e.decide(ids.approval, { actor: 'dora', decision: any('maybe') })],
    ['decide comment 100,001', (e) => e.decide(ids.approval, { actor: 'dora', decision: 'approve', comment: X(100_001) })],
    ['advance to 101', (e) => e.advance(ids.deal, { to: X(101), actor: sam })], ['advance to a number', (e) => e.advance(ids.deal, { to: any(2), actor: sam })],
    ['advance reason 10,001', (e) => e.advance(ids.deal, { to: 'qualify', reason: X(10_001), actor: sam })],
    ['lose reason 101', (e) => e.lose(ids.deal, { reason: X(101), actor: sam })], ['lose reason not listed', (e) => e.lose(ids.deal, { reason: 'weather', actor: sam })],
    ['lose note 100,001', (e) => e.lose(ids.deal, { reason: 'price', note: X(100_001), actor: sam })],
    ['reopen reason 10,001', (e) => e.reopen(ids.deal, { reason: X(10_001), actor: sam })],
    ['tick(a string)', (e) => e.tick(any('2026-03-02'))], ['tick(an invalid Date)', (e) => e.tick(new Date(NaN))], ['tick(a number)', (e) => e.tick(any(Date.now()))],
    ['dispatch(no handler)', (e) => e.dispatch(any(undefined))], ['dispatch(a string)', (e) => e.dispatch(any('https://example.com'))],
  ];
  for (const [name, f] of sized) out.push([name, f, 'INPUT_INVALID']);

  // field values: wrong types, sizes, prototype keys, at open and update
  const fields: [string, unknown][] = [
    ['__proto__ (JSON)', polluting()], ['constructor', { constructor: { prototype: { polluted: true } } }], ['prototype', { prototype: 1 }],
    ['nested __proto__', { tags: [JSON.parse('{"__proto__": {"polluted": true}}')] }], ['unknown', { budget: 1 }], ['toString', { toString: 'x' }],
    ['money a string', { amount: '5' }], ['money negative', { amount: -5 }], ['enum not listed', { region: 'mars' }], ['enum a number', { region: 1 }],
    ['number over max', { discount: 2 }], ['number NaN', { discount: NaN }], ['date impossible', { closeDate: '2026-02-30' }], ['date a Date', { closeDate: new Date() }],
    ['list of numbers', { tags: [1, 2] }], ['list 1,001 items', { tags: Array<string>(1001).fill('a') }], ['list item 10,001', { tags: [X(10_001)] }],
    ['text 100,001', { notes: X(100_001) }], ['string 10,001', { tier: X(10_001) }], ['string an object', { tier: { toString: () => 'x' } }],
  ];
  for (const [what, value] of fields) {
    out.push([`open(fields ${what})`, (e) => e.open({ ...open, fields: any(value) }), 'INPUT_INVALID']);
    out.push([`update(fields ${what})`, (e) => e.update(ids.deal, { fields: any(value), actor: sam }), 'INPUT_INVALID']);
  }
  // an existing id given to open is a conflict with that deal, and leaves it as it was
  out.push(['open(id of an existing deal)', (e) => e.open({ ...open, id: ids.deal }), 'CONCURRENCY_CONFLICT']);
  return out;
}

/** Everything a command could have written, as one comparable value. */
async function written(store: Store): Promise<string> {
  const feed = await store.feed(null, 1_000_000);
  const outbox = await store.outbox();
  const deals = await store.opportunities();
  return JSON.stringify({
    events: feed.events.map((e) => e.id), outbox: outbox.map((m) => `${m.id}:${m.status}:${m.attempts}`),
    deals: deals.map((d) => `${d.id}@${d.seq}`), definitions: (await store.definitions()).length, timers: (await store.timers()).length,
  });
}

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
function prototypesClean(): boolean {
  return Object.getOwnPropertyNames(Object.prototype).sort().join(',') === PROTO_NAMES && ({} as Record<string, unknown>)['polluted'] === undefined
    && ([] as unknown as Record<string, unknown>)['polluted'] === undefined;
}

/** The checker: each call refused with its code, nothing written, prototypes untouched. */
async function check(engine: Engine, ids: Ids, calls: Call[]): Promise<{ problems: string[]; codes: Record<string, number> }> {
  const problems: string[] = [];
  const codes: Record<string, number> = {};
  for (const [name, call, code] of calls) {
    const before = await written(engine.store);
    const got = await call(engine, ids).then(() => 'ok', (e: unknown) => (e instanceof WinpathError ? e.code : `${(e as Error)?.name ?? typeof e}: ${String((e as Error)?.message ?? e).slice(0, 120)}`));
    codes[got] = (codes[got] ?? 0) + 1;
    if (got !== code) problems.push(`${name}: ${got}, expected ${code}`);
    if ((await written(engine.store)) !== before) problems.push(`${name}: wrote something`);
    if (!prototypesClean()) problems.push(`${name}: Object.prototype changed`);
  }
  return { problems, codes };
}

async function scene(store: Store) {
  const { engine } = await setup({ store });
  const d = await readyToLeaveQualify(engine, 50_000);
  await engine.update(d.id, { fields: { discount: 0.2 }, actor: sam });
  await engine.advance(d.id, { actor: sam }); // proposal: a pending sequential approval, tasks of qualify done or cancelled
  const [task] = await engine.tasks({ opportunityId: d.id });
  const [approval] = await engine.approvals({ opportunityId: d.id, status: 'pending' });
  return { engine, ids: { deal: d.id, task: task!.id, approval: approval!.id } };
}

const fmt = (r: Record<string, number>) => Object.entries(r).sort().map(([k, v]) => `${k} ${v}`).join(', ');

async function tableFor(name: string, store: Store): Promise<void> {
  const { engine, ids } = await scene(store);
  const calls = callsFor(ids);
  const { problems, codes } = await check(engine, ids, calls);
  console.log(`[input ${name}] ${calls.length} bad calls: ${fmt(codes)}; problems ${problems.length}`);
  expect(problems).toEqual([]);
  expect(prototypesClean()).toBe(true);
}

describe('input validation: every method, every bad argument', () => {
  it('memory store', () => tableFor('memory', memoryStore()), 60_000);
  it('sqlite store', () => tableFor('sqlite', sqliteStore()), 60_000);

  it('generated junk in every argument (fast-check): a WinpathError or success, nothing written on refusal, prototypes clean', async () => {
    const { engine, ids } = await scene(memoryStore());
    const junk = fc.oneof(
      fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withSparseArray: true, withObjectString: true }),
      fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'actor', 'fields', 'title', 'reason', 'to', 'text'), fc.anything(), { minKeys: 1 }),
      fc.constantFrom(polluting(), { actor: polluting() }, { actor: sam, fields: polluting() }),
    );
    const methods: [string, (e: Engine, a: unknown, b: unknown) => Promise<unknown>][] = [
      ['open', (e, a) => e.open(any(a))], ['update', (e, a, b) => e.update(any(a), any(b))], ['submitDeliverable', (e, a, b) => e.submitDeliverable(ids.deal, any(a), any(b))],
      ['completeTask', (e, a, b) => e.completeTask(any(a), any(b))], ['decide', (e, a, b) => e.decide(any(a), any(b))], ['advance', (e, a, b) => e.advance(any(a), any(b))],
      ['lose', (e, a, b) => e.lose(any(a), any(b))], ['reopen', (e, a, b) => e.reopen(any(a), any(b))], ['addNote', (e, a, b) => e.addNote(any(a), any(b))],
      ['update fields', (e, a) => e.update(ids.deal, { fields: any(a), actor: sam })], ['open fields', (e, a) => e.open({ template: 'gated', title: 'T', owner: 'sam', amount: 5, fields: any(a), actor: sam })],
      ['explain', (e, a, b) => e.explain(any(a), any(b))], ['get', (e, a) => e.get(any(a))], ['history', (e, a) => e.history(any(a))],
    ];
    const codes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), junk, junk, fc.boolean(), async ([name, f], a, b, realId) => {
        const before = await written(engine.store);
        const first = realId && ['update', 'advance', 'lose', 'reopen', 'addNote', 'explain', 'get', 'history'].includes(name) ? ids.deal : a;
        const got = await f(engine, first, b).then(() => 'ok', (e: unknown) => (e instanceof WinpathError ? e.code : `not a WinpathError: ${String(e)}`));
        codes[got] = (codes[got] ?? 0) + 1;
        expect(got, name).not.toMatch(/^not a WinpathError/);
        if (got !== 'ok') expect(await written(engine.store), `${name} refused (${got}) but wrote`).toBe(before);
        expect(prototypesClean(), name).toBe(true);
      }),
      { numRuns: 2_000, seed: 20261125 },
    );
    console.log(`[input junk] 2000 calls with generated arguments: ${fmt(codes)}`);
  }, 120_000);

  it('negative control: the checker flags a wrong code, a refusal that wrote, a plain Error and a polluted prototype', async () => {
    const { engine, ids } = await scene(memoryStore());
    const broken: Call[] = [
      ['refuses with the wrong code', () => Promise.reject(new WinpathError('FORBIDDEN', 'x')), 'INPUT_INVALID'],
      ['writes, then refuses', async (e, i) => {
        await e.addNote(i.deal, { text: 'sneaked in', actor: sam });
        throw new WinpathError('INPUT_INVALID', 'too late');
      }, 'INPUT_INVALID'],
      ['throws a TypeError', () => Promise.reject(new TypeError('x is undefined')), 'INPUT_INVALID'],
      ['pollutes Object.prototype', async () => {
        (Object.prototype as Record<string, unknown>)['polluted'] = true;
        throw new WinpathError('INPUT_INVALID', 'x');
      }, 'INPUT_INVALID'],
    ];
    try {
      const { problems } = await check(engine, ids, broken);
      console.log(`[input control] ${problems.join('; ')}`);
      expect(problems).toEqual([
        'refuses with the wrong code: FORBIDDEN, expected INPUT_INVALID',
        'writes, then refuses: wrote something',
        'throws a TypeError: TypeError: x is undefined, expected INPUT_INVALID',
        'pollutes Object.prototype: Object.prototype changed',
      ]);
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
    expect(prototypesClean()).toBe(true);
  });
});

describe('input validation: read methods and options', () => {
  // Bug: filters of tasks(), approvals() and outbox() are not validated (src/engine/create-engine.ts tasks/approvals/outbox
  // pass them straight to the store): on SQLite, tasks({ assignee: {} }) throws a plain RangeError from better-sqlite3
  // ("Too few parameter values were provided"); elsewhere a wrong type silently matches nothing.
  it('tasks/approvals/outbox with a filter of the wrong type are INPUT_INVALID on every store', async () => {
    for (const store of [memoryStore(), sqliteStore()]) {
      const { engine } = await scene(store);
      for (const call of [() => engine.tasks({ assignee: any({}) }), () => engine.approvals({ status: any(['pending']) }), () => engine.outbox({ opportunityId: any(42) })]) {
        const e = await call().then(() => undefined, (x: unknown) => x);
        expect(e).toBeInstanceOf(WinpathError);
        expect((e as WinpathError).code).toBe('INPUT_INVALID');
      }
    }
  });

  // Bug: dispatch options are not validated: timeoutMs -1 makes every handler "time out", so each message records a
  // failed attempt and a backoff (a write) instead of INPUT_INVALID. src/engine/create-engine.ts dispatch (`opts.timeoutMs`, `opts.limit`).
  it('dispatch with a negative timeout or a limit that is not a whole number is INPUT_INVALID and writes nothing', async () => {
    const { engine } = await scene(memoryStore());
    for (const opts of [{ timeoutMs: -1 }, { limit: 1.5 }, { limit: any<number>('10') }]) {
      const before = await written(engine.store);
      const e = await engine.dispatch(async () => undefined, opts).then(() => undefined, (x: unknown) => x);
      expect(e, JSON.stringify(opts)).toBeInstanceOf(WinpathError);
      expect(await written(engine.store)).toBe(before);
    }
  });
});

describePg('input validation: PostgreSQL', () => {
  const admin = adminPool();
  const schema = newSchemaName('wpinput');
  afterAll(async () => {
    await dropSchemas(admin, [schema]);
    await admin.end();
  });
  it('postgres store', async () => {
    const store = postgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await tableFor('postgres', store);
    } finally {
      await store.close();
    }
  }, 120_000);
});
