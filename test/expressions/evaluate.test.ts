import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FeelDate, FeelDateTime } from 'feelin';
import { WinpathError } from '../../src/errors/index.js';
import {
  checkGuard, compileExpression, describeFeelValue, feelDate, feelDateTime, type EvaluationOutcome, type ExpressionScope, type FeelSnapshot,
} from '../../src/expressions/index.js';

const scope: ExpressionScope = {
  amount: true,
  region: true,
  title: true,
  discount: true,
  expectedCloseDate: true,
  list: true,
  tags: true,
  x: true,
  y: true,
  now: true,
  deliverables: { 'visit-record': true, 'site-survey': true },
  tasks: { 'first-meeting': true },
};

const clock = { now: new Date('2001-01-01T00:00:00Z') };

function run(source: string, snapshot: FeelSnapshot = {}, options: { now: Date; timeZone?: string } = clock): EvaluationOutcome {
  return compileExpression(source, { scope }).evaluate(snapshot, options);
}

function value(source: string, snapshot: FeelSnapshot = {}, options: { now: Date; timeZone?: string } = clock): unknown {
  const r = run(source, snapshot, options);
  if (!r.ok) throw new Error(`expected a value from ${source}, got: ${r.reason}`);
  return r.value;
}

function failure(r: EvaluationOutcome): { code: string; reason: string } {
  if (r.ok) throw new Error(`expected a failure, got ${describeFeelValue(r.value)}`);
  return r;
}

describe('time comes only from the given clock', () => {
  it('now() and today() follow options.now, not the wall clock', () => {
    expect(value('now() < date and time("2001-01-02T00:00:00Z")')).toBe(true);
    expect(value('now() = date and time("2001-01-01T00:00:00Z")')).toBe(true);
    expect(value('today() = date("2001-01-01")')).toBe(true);
    expect(value('now().year')).toBe(2001);
  });

  it('the variable now is the clock too, whatever the snapshot says', () => {
    expect(value('now.year = 2001 and now = now()', { now: feelDateTime(new Date('2030-05-05T00:00:00Z')) })).toBe(true);
  });

  it('another clock gives another answer (the clock is really read)', () => {
    expect(value('today() = date("2001-01-01")', {}, { now: new Date('2024-03-04T10:00:00Z') })).toBe(false);
    expect(value('today()', {}, { now: new Date('2024-03-04T10:00:00Z') })?.toString()).toBe('2024-03-04');
  });

  it('today() is the day in options.timeZone', () => {
    const late = { now: new Date('2001-01-01T20:00:00Z') };
    expect(value('today()', {}, late)?.toString()).toBe('2001-01-01');
    expect(value('today()', {}, { ...late, timeZone: 'Asia/Shanghai' })?.toString()).toBe('2001-01-02');
    expect(value('today()', {}, { now: new Date('2001-01-01T05:00:00Z'), timeZone: 'America/Los_Angeles' })?.toString()).toBe('2000-12-31');
    expect(value('now().hour', {}, { ...late, timeZone: 'Asia/Shanghai' })).toBe(4);
  });

  it('fails closed on a bad clock or zone instead of throwing', () => {
    expect(failure(run('today() = today()', {}, { now: new Date('nope') })).code).toBe('EVALUATION_FAILED');
    expect(failure(run('today() = today()', {}, { now: clock.now, timeZone: 'Mars/Olympus' })).reason).toContain('Mars/Olympus');
    expect(failure(compileExpression('amount > 0', { scope }).evaluate({ amount: 1 }, undefined as unknown as { now: Date })).code).toBe('EVALUATION_FAILED');
  });
});

describe('typed snapshot values', () => {
  it('a date field compares and adds as a date', () => {
    const snap = { expectedCloseDate: feelDate('2026-06-30') };
    expect(value('expectedCloseDate < date("2026-12-31")', snap)).toBe(true);
    expect(value('expectedCloseDate > date("2026-12-31")', snap)).toBe(false);
    expect(value('expectedCloseDate + duration("P1D") = date("2026-07-01")', snap)).toBe(true);
    expect(value('expectedCloseDate > today()', snap)).toBe(true);
  });

  it('a date kept as a string does not compare as a date (why the helpers exist)', () => {
    expect(value('expectedCloseDate < date("2026-12-31")', { expectedCloseDate: '2026-06-30' })).toBe(false);
  });

  it('feelDate accepts only YYYY-MM-DD days that exist', () => {
    expect(feelDate('2026-12-31')).toBeInstanceOf(FeelDate);
    for (const bad of ['2026-02-30', '2026-12-31T00:00:00', '31/12/2026', '']) {
      expect(() => feelDate(bad)).toThrow(WinpathError);
    }
  });

  it('feelDateTime writes the instant in a zone', () => {
    const d = new Date('2001-01-01T00:00:00.250Z');
    expect(feelDateTime(d)).toBeInstanceOf(FeelDateTime);
    expect(feelDateTime(d).toString()).toBe('2001-01-01T00:00:00.25Z');
    expect(feelDateTime(d, 'Asia/Shanghai').toString()).toBe('2001-01-01T08:00:00.25@Asia/Shanghai');
    expect(() => feelDateTime(d, 'Nowhere/Land')).toThrow(WinpathError);
  });
});

describe('three-valued logic and guards', () => {
  it('null and false is false; null or true is true; null and true is null', () => {
    expect(value('x and false', { x: null })).toBe(false);
    expect(value('x or true', { x: null })).toBe(true);
    expect(value('x and true', { x: null })).toBe(null);
    expect(value('x > 3', {})).toBe(null); // missing from the snapshot: null, not a failure
  });

  it('a guard is met only by exactly true', () => {
    const g = compileExpression('amount > 0', { scope });
    expect(checkGuard(g, { amount: 5 }, clock)).toEqual({ met: true });
    expect(checkGuard(g, { amount: 0 }, clock)).toEqual({ met: false, code: 'NOT_TRUE', reason: 'expression "amount > 0" is false' });
    expect(checkGuard(compileExpression('region', { scope }), { region: 'north' }, clock)).toEqual({
      met: false, code: 'NOT_TRUE', reason: 'expression "region" gave "north", not true',
    });
    expect(checkGuard(compileExpression('amount', { scope }), { amount: 1 }, clock)).toMatchObject({ met: false });
  });

  it('a guard on a missing value is not met and says which value', () => {
    const g = compileExpression('x > 3', { scope });
    expect(checkGuard(g, { x: null }, clock)).toEqual({ met: false, code: 'NOT_TRUE', reason: 'expression "x > 3" gave null: variable "x" has no value' });
    expect(checkGuard(g, {}, clock)).toEqual({ met: false, code: 'NOT_TRUE', reason: 'expression "x > 3" gave null: variable "x" has no value' });
    const d = compileExpression('deliverables.visit-record and amount > 0', { scope });
    expect(checkGuard(d, { amount: 1, deliverables: {} }, clock)).toEqual({
      met: false, code: 'NOT_TRUE', reason: 'expression "deliverables.visit-record and amount > 0" gave null: variable "deliverables.visit-record" has no value',
    });
    expect(checkGuard(d, { amount: 1, deliverables: { 'visit-record': true } }, clock)).toEqual({ met: true });
  });

  it('a failed evaluation is a guard not met, with the code and the reason', () => {
    const g = compileExpression('date("garbage") < today()', { scope });
    const out = checkGuard(g, {}, clock);
    expect(out.met).toBe(false);
    if (!out.met) {
      expect(out.code).toBe('EVALUATION_FAILED');
      expect(out.reason).toContain('date("garbage")');
      expect(out.reason).toContain('not a valid date');
    }
  });

  it('a guard never throws, even from a foreign CompiledExpression', () => {
    const foreign = { source: 'boom', freeVariables: [], evaluate: () => { throw new Error('kaput'); } };
    expect(checkGuard(foreign, {}, clock)).toEqual({ met: false, code: 'EVALUATION_FAILED', reason: 'expression "boom" failed: kaput' });
  });
});

describe('evaluation', () => {
  it('evaluates hyphenated deliverable and task keys', () => {
    const snap = { deliverables: { 'visit-record': true, 'site-survey': false }, tasks: { 'first-meeting': 'done' } };
    expect(value('deliverables.visit-record and tasks.first-meeting = "done"', snap)).toBe(true);
    expect(value('deliverables.site-survey', snap)).toBe(false);
  });

  it('evaluates iteration, filters and context literals', () => {
    expect(value('for i in 1..3 return i * amount', { amount: 2 })).toEqual([2, 4, 6]);
    expect(value('list[item > amount]', { list: [1, 5, 9], amount: 4 })).toEqual([5, 9]);
    expect(value('some t in tags satisfies t = region', { tags: ['a', 'b'], region: 'b' })).toBe(true);
    expect(value('{a: amount, b: a + 1}.b', { amount: 1 })).toBe(2);
  });

  it('turns a feelin warning into a failure naming the expression', () => {
    const r = failure(run('number(title) > 1', { title: 'abc' }));
    expect(r.code).toBe('EVALUATION_FAILED');
    expect(r.reason).toMatch(/^expression "number\(title\) > 1" failed: .*numeric string/);
    expect(value('number(title) > 1', { title: '12' })).toBe(true);
  });

  it('projects the snapshot onto the scope: undeclared keys are invisible', () => {
    // `secret` is not in the scope, so the expression cannot name it, and extra map keys vanish
    const e = compileExpression('count(tags) = 1', { scope });
    expect(e.evaluate({ tags: ['a'], secret: 'x' }, clock)).toEqual({ ok: true, value: true });
  });

  it('fails closed when data under an opaque variable would change how the expression parses', () => {
    const s: ExpressionScope = { info: true, record: true };
    const e = compileExpression('info.visit-record', { scope: s });
    expect(e.freeVariables).toEqual(['info', 'record']);
    expect(e.evaluate({ info: { visit: 5 }, record: 2 }, clock)).toEqual({ ok: true, value: 3 });
    const r = failure(e.evaluate({ info: { 'visit-record': 1, visit: 5 }, record: 2 }, clock));
    expect(r.reason).toContain('would read differently');
  });
});

describe('defence in depth: the snapshot must be plain data', () => {
  const amount = compileExpression('amount > 0', { scope });

  it('refuses a function in the snapshot without calling it', () => {
    let called = 0;
    const r = failure(amount.evaluate({ amount: () => { called++; return 1; } }, clock));
    expect(r.code).toBe('EVALUATION_FAILED');
    expect(r.reason).toContain('"amount" is a function');
    expect(called).toBe(0);
    // also where the expression does not read it
    expect(failure(amount.evaluate({ amount: 1, region: () => 1 }, clock)).code).toBe('EVALUATION_FAILED');
  });

  it('refuses a getter without calling it', () => {
    let called = 0;
    const snap = {};
    Object.defineProperty(snap, 'amount', { get: () => { called++; return 1; }, enumerable: true });
    expect(failure(amount.evaluate(snap, clock)).reason).toContain('getter');
    expect(called).toBe(0);
  });

  it('refuses class instances other than FEEL temporal values', () => {
    expect(failure(amount.evaluate({ amount: 1, region: new Date() }, clock)).reason).toContain('a Date');
    expect(failure(amount.evaluate({ amount: 1, region: new Map() }, clock)).reason).toContain('a Map');
    expect(amount.evaluate({ amount: 1, expectedCloseDate: feelDate('2026-01-01') }, clock)).toEqual({ ok: true, value: true });
  });

  // The closures touch only the top-level entries an expression reads: those are copied and checked
  // in full; every other top-level entry is checked shallowly (once per snapshot object).
  const readsX = compileExpression('amount > 0 and x != 0', { scope });
  const readsList = compileExpression('amount > 0 and count(list) > 0', { scope });

  it('refuses __proto__ keys, symbols, non-finite numbers', () => {
    expect(failure(readsX.evaluate(JSON.parse('{"amount": 1, "x": {"__proto__": {"polluted": true}}}') as FeelSnapshot, clock)).reason).toContain('__proto__');
    expect(failure(amount.evaluate(JSON.parse('{"amount": 1, "__proto__": {"polluted": true}}') as FeelSnapshot, clock)).reason).toContain('__proto__');
    expect(failure(amount.evaluate({ amount: Number.NaN }, clock)).reason).toContain('NaN');
    expect(failure(amount.evaluate({ amount: 1, region: Number.POSITIVE_INFINITY }, clock)).reason).toContain('Infinity');
    expect(failure(amount.evaluate({ amount: 1, [Symbol('s')]: 1 } as FeelSnapshot, clock)).reason).toContain('symbol');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    // reserved names stay out of data that is read
    expect(failure(readsList.evaluate({ amount: 1, list: [{ __winpath_now: 1 }] }, clock)).reason).toContain('__winpath_now');
  });

  it('refuses cycles, deep nesting and huge snapshots with LIMIT_EXCEEDED', () => {
    const cyclic: Record<string, unknown> = { amount: 1 };
    cyclic['x'] = cyclic;
    expect(failure(readsX.evaluate(cyclic, clock)).code).toBe('LIMIT_EXCEEDED');
    let deep: unknown = 1;
    for (let i = 0; i < 17; i++) deep = [deep];
    expect(failure(readsX.evaluate({ amount: 1, x: deep }, clock)).code).toBe('LIMIT_EXCEEDED');
    let ok: unknown = 1;
    for (let i = 0; i < 15; i++) ok = [ok];
    expect(readsX.evaluate({ amount: 1, x: ok }, clock).ok).toBe(true);
    expect(failure(amount.evaluate({ amount: 1, list: new Array<number>(100_001).fill(1) }, clock)).code).toBe('LIMIT_EXCEEDED');
    expect(failure(readsList.evaluate({ amount: 1, list: new Array<number>(100_001).fill(1) }, clock)).code).toBe('LIMIT_EXCEEDED');
  });

  it('does not walk nested data the expression never reads (the closures cannot reach it)', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(amount.evaluate({ amount: 1, x: cyclic, list: [{ __winpath_now: 1 }] }, clock)).toEqual({ ok: true, value: true });
  });

  it('refuses a snapshot that is not a plain object', () => {
    expect(failure(amount.evaluate(null as unknown as FeelSnapshot, clock)).code).toBe('EVALUATION_FAILED');
    expect(failure(amount.evaluate([] as unknown as FeelSnapshot, clock)).code).toBe('EVALUATION_FAILED');
  });

  it('refuses nested loops whose worst case over this snapshot is too large', () => {
    const e = compileExpression('count(for a in list return for b in list return a) > 0', { scope });
    expect(e.evaluate({ list: [1, 2, 3] }, clock)).toEqual({ ok: true, value: true });
    const r = failure(e.evaluate({ list: new Array<number>(2_000).fill(1) }, clock));
    expect(r.code).toBe('LIMIT_EXCEEDED');
    expect(r.reason).toContain('longest list has 2000 items');
  });
});

describe('adversarial expressions from FINDINGS', () => {
  const refusedAtLoad: [string, string][] = [
    ['for i in 1..100000000 return i', 'LIMIT_EXCEEDED'],
    ['every x in 1..100000000 satisfies x > 0', 'LIMIT_EXCEEDED'],
    ['some x in 1..100000000 satisfies x < 0', 'LIMIT_EXCEEDED'],
    ['count(for i in 1..10000, j in 1..10000 return 1) > 0', 'LIMIT_EXCEEDED'],
    ['matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "^(a+)+$")', 'EXPRESSION_INVALID'],
    ['x.constructor', 'EXPRESSION_INVALID'],
    ['x.__proto__', 'EXPRESSION_INVALID'],
    ['process', 'EXPRESSION_INVALID'],
    ['globalThis', 'EXPRESSION_INVALID'],
    [`${'('.repeat(1_000)}1${')'.repeat(1_000)}`, 'LIMIT_EXCEEDED'],
    [Array.from({ length: 50_000 }, () => '1').join(' + '), 'LIMIT_EXCEEDED'],
  ];
  for (const [source, code] of refusedAtLoad) {
    it(`refuses ${JSON.stringify(source.slice(0, 50))} at load`, () => {
      const t = performance.now();
      let err: unknown;
      try {
        compileExpression(source, { scope });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WinpathError);
      expect((err as WinpathError).code).toBe(code);
      expect(performance.now() - t).toBeLessThan(200);
    });
  }

  it('hands back copies of plain data, never the caller\'s objects', () => {
    const x = { a: 1 };
    const out = compileExpression('x', { scope }).evaluate({ x }, clock);
    expect(out).toEqual({ ok: true, value: { a: 1 } });
    if (out.ok) {
      expect(out.value).not.toBe(x);
      expect(Object.getPrototypeOf(out.value)).toBe(Object.prototype);
    }
  });
});

describe('properties', () => {
  const alphabet = ['amount', 'x', 'list', 'title', ' ', '(', ')', '[', ']', '{', '}', '1', '..', '.', ',', ':', '"', '+', '-', '*', '/', '>', '<', '=',
    'and', 'or', 'not', 'for', 'in', 'return', 'some', 'every', 'satisfies', 'if', 'then', 'else', 'function', '?', 'now()', 'today()',
    'count', 'matches', 'item', 'null', 'true', 'date', '@', '`', '\\', 'constructor', '__proto__', 'deliverables', 'visit-record'];
  const sourceArb = fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }).map((a) => a.join(' '));
  const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 5 }));
  const valueArb = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 4 }), tie('v'), { maxKeys: 4 })),
  })).v;
  const snapshotArb = fc.record({ amount: valueArb, x: valueArb, list: valueArb, title: valueArb, deliverables: valueArb }, { requiredKeys: [] });

  it('compile either returns or throws a WinpathError; evaluate and checkGuard never throw', () => {
    fc.assert(
      fc.property(sourceArb, snapshotArb, (source, snap) => {
        let e;
        try {
          e = compileExpression(source, { scope });
        } catch (err) {
          expect(err).toBeInstanceOf(WinpathError);
          expect(['EXPRESSION_INVALID', 'LIMIT_EXCEEDED']).toContain((err as WinpathError).code);
          const off = (err as WinpathError).details['offset'];
          expect(typeof off === 'number' && off >= 0 && off <= source.length).toBe(true);
          return;
        }
        const out = e.evaluate(snap as FeelSnapshot, clock);
        expect(typeof out.ok).toBe('boolean');
        const g = checkGuard(e, snap as FeelSnapshot, clock);
        expect(g.met === true ? out.ok && out.value === true : true).toBe(true);
      }),
      { numRuns: 1_500 },
    );
  });

  it('a guard is met exactly when the expression gives true', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 3 })), (v) => {
        const g = checkGuard(compileExpression('x', { scope }), { x: v }, clock);
        expect(g.met).toBe(v === true);
      }),
    );
  });
});

describe('describeFeelValue', () => {
  it('writes short texts', () => {
    expect(describeFeelValue(null)).toBe('null');
    expect(describeFeelValue(true)).toBe('true');
    expect(describeFeelValue(3.5)).toBe('3.5');
    expect(describeFeelValue('north')).toBe('"north"');
    expect(describeFeelValue('x'.repeat(200)).length).toBeLessThanOrEqual(60);
    expect(describeFeelValue(feelDate('2026-12-31'))).toBe('date 2026-12-31');
    expect(describeFeelValue(feelDateTime(new Date('2001-01-01T00:00:00Z')))).toBe('date and time 2001-01-01T00:00:00Z');
    expect(describeFeelValue([1, 2, 3])).toBe('a list of 3 items');
    expect(describeFeelValue({ a: 1, b: 2 })).toBe('a context with a, b');
    expect(describeFeelValue(() => 1)).toBe('a function');
  });
});
