import { describe, it, expect } from 'vitest';
import { WinpathError } from '../../src/errors/index.js';
import {
  compileExpression, compileFeel, EXPRESSION_LIMITS, feelDate, type EvaluationOutcome, type ExpressionScope, type FeelSnapshot,
} from '../../src/expressions/index.js';

const scope: ExpressionScope = { list: true, strs: true, other: true, ms: true, a: true, s: true, d: true, partial: true };
const clock = { now: new Date('2026-03-02T09:00:00Z') };

function failure(r: EvaluationOutcome): { code: string; reason: string } {
  if (r.ok) throw new Error(`expected a failure, got ${String(r.value)}`);
  return r;
}

/** Runs and times an evaluation: every adversarial run must end, and quickly. */
function timed(source: string, snapshot: FeelSnapshot, limits?: Record<string, number>): { out: EvaluationOutcome; ms: number } {
  const e = compileExpression(source, limits ? { scope, limits } : { scope });
  const t = performance.now();
  const out = e.evaluate(snapshot, clock);
  return { out, ms: performance.now() - t };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('the step budget', () => {
  it('stops an evaluation that runs out of steps with LIMIT_EXCEEDED', () => {
    const source = 'count(for i in 1..100 return i) > 0';
    expect(timed(source, {}).out).toEqual({ ok: true, value: true });
    const r = failure(timed(source, {}, { maxSteps: 50 }).out);
    expect(r.code).toBe('LIMIT_EXCEEDED');
    expect(r.reason).toBe('expression "count(for i in 1..100 return i) > 0" was stopped: it ran out of its budget of 50 evaluation steps');
  });

  it('charges loops over the snapshot item by item', () => {
    const source = 'count(list[item > 10]) > 0';
    expect(timed(source, { list: range(1_000) }).out).toEqual({ ok: true, value: true });
    expect(failure(timed(source, { list: range(1_000) }, { maxSteps: 500 }).out).code).toBe('LIMIT_EXCEEDED');
  });

  it('charges deep equality, so comparing big lists in a loop cannot run long', () => {
    const { out, ms } = timed('count(for i in 1..1000 return list = other) > 0', { list: range(40_000), other: range(40_000) });
    expect(failure(out).code).toBe('LIMIT_EXCEEDED');
    expect(failure(out).reason).toContain('budget');
    expect(ms).toBeLessThan(2_000);
  });

  it('charges distinct values, whose work grows with the square of the list', () => {
    const { out, ms } = timed('count(distinct values(ms)) > 0', { ms: range(5_000).map((i) => ({ i })) });
    expect(failure(out).code).toBe('LIMIT_EXCEEDED');
    expect(failure(out).reason).toContain('budget');
    expect(ms).toBeLessThan(2_000);
  });

  it('caps the combinations of a multi-variable iteration', () => {
    const ok = timed('count(for x in list, y in list return x) > 0', { list: range(300) });
    expect(ok.out).toEqual({ ok: true, value: true });
    const { out, ms } = timed('some x in list, y in list satisfies x + y < 0', { list: range(999) });
    expect(failure(out).code).toBe('LIMIT_EXCEEDED');
    expect(failure(out).reason).toContain('over the limit of 100000');
    expect(ms).toBeLessThan(2_000);
  });
});

describe('caps on what an expression creates', () => {
  it('stops repeated string doubling', () => {
    const source = '{a: s + s, b: a + a, c: b + b, d: c + c, e: d + d, f: e + e, g: f + f, h: g + g, i: h + h, j: i + i, k: j + j}.k';
    const { out, ms } = timed(source, { s: 'x'.repeat(100) });
    const r = failure(out);
    expect(r.code).toBe('LIMIT_EXCEEDED');
    expect(r.reason).toContain('over the limit of 100000');
    expect(ms).toBeLessThan(500);
    expect(timed(source, { s: 'x' }).out).toMatchObject({ ok: true });
  });

  it('stops string() and string join over large data', () => {
    const strs = range(1_000).map((i) => `${i}`.padEnd(200, '.'));
    expect(failure(timed('string length(string join(strs, ",")) > 0', { strs }).out).code).toBe('LIMIT_EXCEEDED');
    expect(failure(timed('string length(string(strs)) > 0', { strs }).out).code).toBe('LIMIT_EXCEEDED');
    expect(timed('string length(string join(strs, ",")) > 0', { strs: strs.slice(0, 10) }).out).toEqual({ ok: true, value: true });
  });

  it('stops lists grown over the cap', () => {
    const r = failure(timed('count(concatenate(list, list)) > 0', { list: range(60_000) }).out);
    expect(r.code).toBe('LIMIT_EXCEEDED');
    expect(r.reason).toContain('list of 120000 items');
  });

  it('exposes the run-time limits with their defaults', () => {
    expect(EXPRESSION_LIMITS.maxSteps).toBe(1_000_000);
    expect(EXPRESSION_LIMITS.maxCreatedStringLength).toBe(100_000);
    expect(EXPRESSION_LIMITS.maxCreatedListItems).toBe(100_000);
  });
});

describe('names inside filters and loops', () => {
  it('reads an element\'s keys inside a filter before the outer names, as feelin does', () => {
    const ms = [{ a: 5 }, { b: 1 }, { a: 0 }];
    // the second element has no `a`: the outer a (3) stands in
    expect(timed('ms[a > 2]', { ms, a: 3 }).out).toEqual({ ok: true, value: [{ a: 5 }, { b: 1 }] });
    expect(timed('ms[item.a > 2]', { ms: [{ a: 5 }, { a: 1 }], a: 3 }).out).toEqual({ ok: true, value: [{ a: 5 }] });
  });

  it('fails closed where an element key hides a built-in function name', () => {
    const r = failure(timed('count(ms[count(list) > 0]) > 0', { ms: [{ count: 1 }], list: [1] }).out);
    expect(r.code).toBe('EVALUATION_FAILED');
    expect(r.reason).toContain('"count" is not a function here');
    expect(timed('count(ms[count(list) > 0]) > 0', { ms: [{ n: 1 }], list: [1] }).out).toEqual({ ok: true, value: true });
  });

  it('refuses `partial` inside a for body at load, even where the scope declares it', () => {
    expect(() => compileExpression('for i in list return partial', { scope })).toThrow(/partial/);
    expect(compileExpression('partial', { scope }).evaluate({ partial: 2 }, clock)).toEqual({ ok: true, value: 2 });
  });

  it('never hands out the raw Temporal object behind a FEEL date', () => {
    const r = failure(timed('d.value', { d: feelDate('2026-01-01') }).out);
    expect(r.reason).toContain('not readable');
    expect(timed('d.year', { d: feelDate('2026-01-01') }).out).toEqual({ ok: true, value: 2026 });
  });
});

describe('the feelin evaluator, kept as the reference', () => {
  const guards = [
    'amount > 0',
    'budgetConfirmed = true',
    'discount = null or discount <= 0.1 or approvals.discount = "approved"',
    'expectedCloseDate < date("2026-12-31") and count(tags[item = "vip"]) > 0',
  ];
  const s: ExpressionScope = { amount: true, budgetConfirmed: true, discount: true, expectedCloseDate: true, tags: true, approvals: { discount: true } };
  const snapshots: FeelSnapshot[] = [
    { amount: 10, budgetConfirmed: true, discount: 0.2, expectedCloseDate: feelDate('2026-06-30'), tags: ['vip'], approvals: { discount: 'approved' } },
    { amount: 0, budgetConfirmed: null, discount: null, expectedCloseDate: null, tags: [], approvals: {} },
  ];

  it('is opt-in and gives the same outcomes as the compiled closures', () => {
    for (const g of guards) {
      const compiled = compileFeel(g, { scope: s });
      const reference = compileFeel(g, { scope: s, evaluator: 'feelin' });
      expect(compiled.evaluator).toBe('compiled');
      expect(reference.evaluator).toBe('feelin');
      for (const snap of snapshots) {
        const a = compiled.evaluate(snap, clock);
        const b = reference.evaluate(snap, clock);
        expect(a.ok ? a.value : 'failed').toEqual(b.ok ? b.value : 'failed');
      }
    }
  });

  it('refuses the same expressions at load', () => {
    for (const bad of ['matches(amount, "a+")', 'for i in 1..100000 return i', 'amont > 0']) {
      expect(() => compileExpression(bad, { scope: s })).toThrow(WinpathError);
      expect(() => compileExpression(bad, { scope: s, evaluator: 'feelin' })).toThrow(WinpathError);
    }
  });
});
