/**
 * Generators for the differential test: FEEL expressions of the documented subset over a fixed
 * scope, and snapshots of typed values (some of the wrong type or null on purpose), plus the
 * comparison of a compiled outcome with feelin's result.
 */
import fc from 'fast-check';
import { evaluate as feelinEvaluate, FeelDate, FeelDateTime, FeelDuration, FeelTime, isFunction, isRange } from 'feelin';
import { feelDate, feelDateTime, type EvaluationOutcome, type ExpressionScope, type FeelSnapshot } from '../../src/expressions/index.js';
import { dateAndTime, duration, time } from 'feelin';

/** The variables the generated expressions read. */
export const diffScope: ExpressionScope = {
  n1: true, n2: true, a: true, s1: true, s2: true, b1: true, b2: true, nul: true,
  xs: true, ys: true, ss: true, bs: true, ms: true, m: true, d1: true, d2: true, dt1: true, t1: true, du1: true, ym1: true, any1: true,
  deliverables: { 'visit-record': true, quote: true },
  tasks: { 'first-meeting': true },
};

const num = fc.constantFrom(0, 1, 2, 3, -1, -2, 0.5, 1.25, -2.5, 10, 100, 0.1, 0.2, 1e6, 7);
const str = fc.constantFrom('', 'a', 'b', 'ab', 'A b', 'north', 'x-y', 'abc', '12', '1.5', 'ä', '😀a');
const bool = fc.boolean();
const date = fc.constantFrom('2024-01-31', '2024-02-29', '2023-12-31', '2000-01-01', '2026-06-30').map(feelDate);
const dateTime = fc.constantFrom('2024-01-31T10:00:00Z', '2024-03-10T01:30:00@America/Los_Angeles', '2023-12-31T23:59:59', '2024-01-01T00:00:00+08:00')
  .map((s) => dateAndTime(s)!);
const dur = fc.constantFrom('P1D', 'PT2H', 'P2DT3H', '-P1D', 'PT0S', 'PT90M').map((s) => duration(s)!);
const ym = fc.constantFrom('P1Y', 'P2M', 'P1Y6M', '-P3M', 'P0M').map((s) => duration(s)!);
const tm = fc.constantFrom('10:00:00', '23:59:59', '00:00:00Z', '12:30:00+02:00').map((s) => time(s)!);
const orNull = <T>(a: fc.Arbitrary<T>, freq = 8): fc.Arbitrary<T | null> => fc.oneof({ weight: freq, arbitrary: a }, { weight: 1, arbitrary: fc.constant(null) });
const scalar = fc.oneof(num, str, bool, fc.constant(null), date, dur);

/** Plain objects with Object.prototype, as JSON gives (fast-check may build null-prototype records). */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === null || Object.getPrototypeOf(v) === Object.prototype)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

/** Snapshots: every variable present (some null, some of another type than usual). */
export const snapshotArb: fc.Arbitrary<FeelSnapshot> = fc.record({
  n1: orNull(fc.oneof({ weight: 9, arbitrary: num }, { weight: 1, arbitrary: str })),
  n2: orNull(num),
  a: orNull(num),
  s1: orNull(fc.oneof({ weight: 9, arbitrary: str }, { weight: 1, arbitrary: num })),
  s2: orNull(str),
  b1: orNull(bool, 4),
  b2: orNull(bool, 4),
  nul: fc.constant(null),
  xs: orNull(fc.array(orNull(num, 12), { maxLength: 5 })),
  ys: orNull(fc.array(num, { maxLength: 4 })),
  ss: orNull(fc.array(str, { maxLength: 4 })),
  bs: orNull(fc.array(orNull(bool, 4), { maxLength: 4 })),
  ms: orNull(fc.array(fc.record({ a: orNull(num), b: orNull(str) }, { requiredKeys: ['a'] }), { maxLength: 4 })),
  m: orNull(fc.record({ a: orNull(num), b: orNull(str), c: fc.array(num, { maxLength: 3 }) })),
  d1: orNull(date),
  d2: orNull(date),
  dt1: orNull(dateTime),
  t1: orNull(tm),
  du1: orNull(dur),
  ym1: orNull(ym),
  any1: scalar,
  deliverables: fc.record({ 'visit-record': orNull(bool), quote: orNull(bool) }),
  tasks: fc.record({ 'first-meeting': orNull(fc.constantFrom('open', 'done')) }),
}).map((snap) => plain(snap) as FeelSnapshot);

const numLit = fc.constantFrom('0', '1', '2', '3', '-1', '0.5', '1.25', '-2.5', '10', '100', '.5', '0.1');
const strLit = fc.constantFrom('""', '"a"', '"b"', '"ab"', '"north"', '"x-y"', '"12"', '"1.5"', '"A b"', '"\\"q\\""', '"a\\nb"');
const temporalLit = fc.constantFrom(
  'date("2024-01-31")', 'date("2024-02-29")', '@"2024-03-01"', 'duration("P1D")', '@"PT2H"', 'duration("P1M")', '@"P1Y"',
  'date and time("2024-01-31T10:00:00Z")', '@"2024-01-01T00:00:00"', 'time("10:00:00")', '@"12:30:00"', 'date(2024, 2, 30)', 'date("nope")',
);
const listVar = fc.constantFrom('xs', 'ys', 'ss', 'bs', 'ms', 'm.c');
const scalarVar = fc.constantFrom('n1', 'n2', 'a', 's1', 's2', 'b1', 'b2', 'nul', 'd1', 'd2', 'dt1', 't1', 'du1', 'ym1', 'any1', 'm.a', 'm.b',
  'deliverables.visit-record', 'deliverables.quote', 'tasks.first-meeting', 'd1.year', 'd1.month', 'dt1.hour', 'du1.days', 'ym1.months', 'm', 'ms.a', 'xs', 'm.d');
const cmpOp = fc.constantFrom('=', '!=', '<', '<=', '>', '>=');
const arithOp = fc.constantFrom('+', '-', '*', '/', '**');
const iterName = fc.constantFrom('x', 'y', 'i');
const typeName = fc.constantFrom('number', 'string', 'boolean', 'date', 'date and time', 'time', 'duration', 'years and months duration',
  'days and time duration', 'list', 'context', 'Any', 'Null', 'list<number>', 'context<a: number>');
const fn1 = fc.constantFrom('count', 'sum', 'min', 'max', 'mean', 'all', 'any', 'distinct values', 'flatten', 'abs', 'floor', 'ceiling', 'odd', 'even',
  'string length', 'upper case', 'lower case', 'number', 'string', 'not', 'date', 'time', 'date and time', 'duration', 'day of week', 'day of year',
  'month of year', 'week of year', 'concatenate');
const fn2 = fc.constantFrom('list contains', 'append', 'concatenate', 'decimal', 'round up', 'round down', 'round half up', 'round half down', 'modulo',
  'substring', 'substring before', 'substring after', 'contains', 'starts with', 'ends with', 'string join', 'years and months duration', 'floor', 'min', 'max', 'sum',
  'date and time', 'time', 'number', 'all', 'any', 'ceiling');

/** Expressions: every compound part in parentheses, so that precedence never decides the test. */
export const expressionArb: fc.Arbitrary<string> = fc.letrec<{ e: string; list: string; bound: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: numLit },
    { weight: 2, arbitrary: strLit },
    { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') },
    { weight: 1, arbitrary: temporalLit },
    { weight: 5, arbitrary: scalarVar },
    { weight: 3, arbitrary: fc.tuple(tie('e'), cmpOp, tie('e')).map(([x, op, y]) => `(${x} ${op} ${y})`) },
    { weight: 2, arbitrary: fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([x, op, y]) => `(${x} ${op} ${y})`) },
    { weight: 3, arbitrary: fc.tuple(tie('e'), arithOp, tie('e')).map(([x, op, y]) => `(${x} ${op} ${y})`) },
    { weight: 1, arbitrary: tie('e').map((x) => `(-${x})`) },
    { weight: 1, arbitrary: fc.tuple(tie('e'), tie('e'), tie('e')).map(([x, y, z]) => `(${x} between ${y} and ${z})`) },
    { weight: 1, arbitrary: fc.tuple(tie('e'), tie('e'), tie('e')).map(([x, y, z]) => `(${x} in (${y}, ${z}))`) },
    { weight: 1, arbitrary: fc.tuple(tie('e'), fc.constantFrom('[1..3]', '(0..2]', ']1..5[', '> 2', '<= "b"', '[date("2024-01-01")..date("2024-12-31")]', '!= 1', '= "a"'))
      .map(([x, t]) => `(${x} in ${t})`) },
    { weight: 1, arbitrary: fc.tuple(tie('e'), tie('list')).map(([x, l]) => `(${x} in ${l})`) },
    { weight: 2, arbitrary: fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, x, y]) => `(if ${c} then ${x} else ${y})`) },
    { weight: 2, arbitrary: fc.tuple(fn1, tie('e')).map(([f, x]) => `${f}(${x})`) },
    { weight: 2, arbitrary: fc.tuple(fn1, tie('list')).map(([f, x]) => `${f}(${x})`) },
    { weight: 2, arbitrary: fc.tuple(fn2, tie('e'), tie('e')).map(([f, x, y]) => `${f}(${x}, ${y})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('substring', 'date', 'time', 'sum', 'concatenate', 'append'), tie('e'), tie('e'), tie('e')).map(([f, x, y, z]) => `${f}(${x}, ${y}, ${z})`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('substring(string: s1, start position: 2)', 'decimal(n: n1, scale: 1)', 'date(from: "2024-01-01")', 'count(list: xs)', 'sum(list: ys)', 'string length(string: 5)', 'abs(m: 1)'), fc.constant(0)).map(([s]) => s) },
    { weight: 1, arbitrary: fc.tuple(tie('e'), typeName).map(([x, t]) => `(${x} instance of ${t})`) },
    { weight: 1, arbitrary: fc.tuple(iterName, tie('list'), tie('bound'), fc.constantFrom('some', 'every')).map(([v, l, b, q]) => `(${q} ${v} in ${l} satisfies ${b.replaceAll('$', v)})`) },
    { weight: 1, arbitrary: fc.tuple(tie('list'), tie('e')).map(([l, x]) => `(${l}[${x}])`) },
    { weight: 2, arbitrary: tie('list') },
    { weight: 1, arbitrary: fc.tuple(tie('e'), tie('e')).map(([x, y]) => `({p: ${x}, q: p, r: ${y}}.${'pqr'[x.length % 3]})`) },
  ),
  list: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: listVar },
    { weight: 2, arbitrary: fc.array(tie('e'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`) },
    { weight: 1, arbitrary: fc.constantFrom('[1, 2, 3]', '["a", "b"]', '[]', '[[1, 2], [3]]', '[{a: 1}, {a: 2, b: "x"}]', '[null, 1]') },
    { weight: 2, arbitrary: fc.tuple(iterName, tie('list'), tie('bound')).map(([v, l, b]) => `(for ${v} in ${l} return ${b.replaceAll('$', v)})`) },
    { weight: 1, arbitrary: fc.tuple(iterName, fc.constantFrom('1..3', '[1..3]', '(1..4)', '3..1', '1..0', '-1..1', '[0..2)'), tie('bound')).map(([v, r, b]) => `(for ${v} in ${r} return ${b.replaceAll('$', v)})`) },
    { weight: 1, arbitrary: fc.tuple(iterName, tie('list'), iterName, tie('list'), tie('bound')).filter(([v, , w]) => v !== w).map(([v, l, w, k, b]) => `(for ${v} in ${l}, ${w} in ${k} return ${b.replaceAll('$', v)})`) },
    { weight: 3, arbitrary: fc.tuple(tie('list'), tie('bound')).map(([l, b]) => `(${l}[${b.replaceAll('$', 'item')}])`) },
    { weight: 1, arbitrary: fc.tuple(tie('list'), fc.constantFrom('> 1', '<= "b"', '= 2', '!= null', '[1..2]', 'a > 1', 'b = "x"', 'a', 'item.a > 0', '1', '-1', '2', 'true', 'false', '"a"', 'null'))
      .map(([l, p]) => `(${l}[${p}])`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('append', 'concatenate', 'distinct values', 'flatten'), tie('list'), tie('e')).map(([f, l, x]) => (f === 'append' || f === 'concatenate' ? `${f}(${l}, ${x})` : `${f}(${l})`)) },
  ),
  /** A body over a bound name `$`. */
  bound: fc.oneof(
    { depthSize: 'small' },
    { weight: 3, arbitrary: fc.tuple(cmpOp, tie('e')).map(([op, y]) => `($ ${op} ${y})`) },
    { weight: 2, arbitrary: fc.tuple(arithOp, tie('e')).map(([op, y]) => `($ ${op} ${y})`) },
    { weight: 1, arbitrary: fc.constant('$') },
    { weight: 1, arbitrary: fc.constantFrom('$.a', '($.a > 1)', 'string length($)', '($ instance of number)', '(if $ then 1 else 0)', '[$, $]', '{v: $}.v', 'count($)') },
    { weight: 1, arbitrary: fc.tuple(tie('e')).map(([y]) => `(${y})`) },
  ),
})).e;

// ---- comparison ----

export type Observed = { fail: true } | { fail: false; value: unknown };

/** feelin's answer: a failure where it warns or throws, else its value. */
export function feelinObserved(source: string, snapshot: FeelSnapshot, clock: Date): Observed {
  try {
    const r = feelinEvaluate(source, { ...snapshot, now: feelDateTime(clock) }, undefined);
    if (r.warnings.length > 0) return { fail: true };
    if (isFunction(r.value) || isRange(r.value) || typeof r.value === 'function') return { fail: true };
    return { fail: false, value: r.value };
  } catch {
    return { fail: true };
  }
}

export function compiledObserved(out: EvaluationOutcome): Observed {
  return out.ok ? { fail: false, value: out.value } : { fail: true };
}

/** Structural equality of results: same JS numbers (NaN equals NaN, -0 equals 0), temporal values by kind and ISO text. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  for (const C of [FeelDate, FeelDateTime, FeelTime, FeelDuration] as const) {
    if (a instanceof C || b instanceof C) {
      return a instanceof C && b instanceof C && a.toString() === b.toString() && (!(a instanceof FeelDuration) || (a as unknown as { yearsMonths: boolean }).yearsMonths === (b as unknown as { yearsMonths: boolean }).yearsMonths);
    }
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function sameObserved(x: Observed, y: Observed): boolean {
  if (x.fail || y.fail) return x.fail === y.fail;
  return sameValue(x.value, y.value);
}

export function show(o: Observed): string {
  if (o.fail) return 'FAIL';
  return describe(o.value);
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v instanceof FeelDate || v instanceof FeelDateTime || v instanceof FeelTime || v instanceof FeelDuration) return `${v.constructor.name}(${v.toString()})`;
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${k}: ${describe(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}
