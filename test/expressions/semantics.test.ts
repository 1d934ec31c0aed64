import { describe, it, expect } from 'vitest';
import { duration } from 'feelin';
import { compileExpression, feelDate, type ExpressionScope, type FeelSnapshot } from '../../src/expressions/index.js';
import { compiledObserved, feelinObserved, sameObserved, show, type Observed } from './feel-arbitraries.js';

const scope: ExpressionScope = { x: true, y: true, n: true, s: true, xs: true, m: true, d: true, deliverables: { 'visit-record': true } };
const clock = new Date('2024-05-05T12:00:00Z');
const FAIL = Symbol('fails closed (EVALUATION_FAILED)');

/** Every variable of the scope present, as the engine builds snapshots (null where there is no value). */
const base: FeelSnapshot = { x: null, y: null, n: 3, s: 'ab', xs: [1, 2, 3], m: { a: 1 }, d: feelDate('2024-02-29'), deliverables: { 'visit-record': null } };

type Row = [source: string, expected: unknown, snapshot?: Partial<Record<string, unknown>>];

function check(rows: Row[]): void {
  for (const [source, expected, snap] of rows) {
    it(`${source}  ->  ${expected === FAIL ? 'fails closed' : JSON.stringify(expected)}`, () => {
      const snapshot = { ...base, ...snap };
      const want: Observed = expected === FAIL ? { fail: true } : { fail: false, value: expected };
      const mine = compiledObserved(compileExpression(source, { scope }).evaluate(snapshot, { now: clock }));
      expect(show(mine)).toBe(show(want));
      // and feelin agrees: the table documents feelin's FEEL, not a dialect of ours
      const reference = feelinObserved(source, snapshot, clock);
      expect(sameObserved(reference, want)).toBe(true);
    });
  }
}

describe('three-valued logic (and, or, not)', () => {
  check([
    ['true and true', true],
    ['true and x', null],
    ['false and x', false],
    ['x and false', false],
    ['x and x', null],
    ['true or x', true],
    ['x or true', true],
    ['false or x', null],
    ['x or x', null],
    ['false or false', false],
    // anything but a boolean counts as null
    ['"yes" and true', null],
    ['1 or false', null],
    ['1 or true', true],
    ['not(true)', false],
    ['not(x)', null],
    ['not(1)', null],
    ['not([true])', null],
    // both sides are always evaluated (no short circuit), so a failure on either side fails the whole
    ['false and m.zz', FAIL],
    ['true or m.zz', FAIL],
  ]);
});

describe('null in comparisons', () => {
  check([
    ['x = null', true],
    ['x != null', false],
    ['null = null', true],
    ['n = null', false],
    ['null = n', false],
    ['x > 3', null],
    ['3 > x', null],
    ['x <= x', null],
    ['n = "3"', null],
    ['n != "3"', null],
    ['[] = null', false],
    ['[3] = n', true],
    ['x between 1 and 5', null],
    ['n between x and 5', null],
    ['n between 1 and 5', true],
    ['x in [1..5]', null],
    ['x in (1, 2)', false],
    ['x in (null, 2)', true],
    ['n in (> 5, x)', false],
    ['n in xs', true],
    ['n in (<= 2, > 2)', true],
    ['x in xs', false],
    // ordering values of different types follows JavaScript, as in feelin: do not rely on it
    ['n < "a"', false],
    ['n >= "a"', true],
    ['d < date("2024-03-01")', true],
    ['d = date and time("2024-02-29T00:00:00")', null],
    // a bound of a type that has no order: feelin throws, winpath fails closed
    ['n > true', FAIL],
    ['n < [1]', FAIL],
  ]);
});

describe('null and types in arithmetic', () => {
  check([
    ['n + 1', 4],
    ['0.1 + 0.2', 0.30000000000000004],
    ['s + "c"', 'abc'],
    ['n / 0', null],
    ['-n', -3],
    // feelin gives null with a warning: winpath fails closed
    ['x + 1', FAIL],
    ['1 - x', FAIL],
    ['-x', FAIL],
    ['s + 1', FAIL],
    ['s - "a"', FAIL],
    ['xs + 1', FAIL],
    ['d + duration("P1D")', feelDate('2024-03-01')],
    ['d - date("2024-02-01")', duration('P28D')],
    ['(d - date("2024-02-01")).days', 28],
    ['d + 1', FAIL],
    ['d + d', null],
  ]);
});

describe('paths, filters and missing values', () => {
  check([
    ['y', null],
    ['m.a', 1],
    ['m.zz', FAIL],
    ['x.a', FAIL],
    ['xs.a', FAIL],
    ['deliverables.visit-record', null],
    ['deliverables.visit-record = true', true, { deliverables: { 'visit-record': true } }],
    ['xs[1]', 1],
    ['xs[-1]', 3],
    ['xs[0]', null],
    ['xs[9]', null],
    ['xs[item > 1]', [2, 3]],
    ['xs[> 1]', [2, 3]],
    ['xs[true]', [1, 2, 3]],
    ['xs[false]', []],
    ['x[1]', null],
    ['xs[item]', FAIL],
    ['d.year', 2024],
    ['d.weekday', 4],
  ]);
});

describe('if, quantifiers, iteration', () => {
  check([
    ['if x then 1 else 2', 2],
    ['if false then 1 else 2', 2],
    // feelin takes anything but false and null as true
    ['if "no" then 1 else 2', 1],
    ['some i in [] satisfies i > 1', false],
    ['every i in [] satisfies i > 1', true],
    ['every i in [1, x] satisfies i > 0', false],
    ['some i in [x, 2] satisfies i > 1', true],
    ['some i in x satisfies i > 1', null],
    ['for i in x return i', null],
    ['for i in 1..3 return i * n', [3, 6, 9]],
    ['for i in 3..1 return i', [3, 2, 1]],
    ['for i in [1..3) return i', [1, 2]],
    ['for i in xs, j in [10, 20] return i + j', [11, 21, 12, 22, 13, 23]],
    ['{a: n, b: a + 1}.b', 4],
  ]);
});

describe('built-ins with null and wrong types', () => {
  check([
    ['count(xs)', 3],
    ['count(x)', null],
    ['count(n)', 1],
    ['sum([])', null],
    ['sum(xs)', 6],
    ['sum([1, x])', null],
    ['mean(xs)', 2],
    ['min(xs)', 1],
    ['all([true, x])', null],
    ['all([])', true],
    ['any([false, x])', null],
    ['any([false, true, x])', true],
    ['string length(x)', null],
    ['string length(n)', null],
    ['upper case(s)', 'AB'],
    ['substring(s, 2)', 'b'],
    ['number("12.5")', 12.5],
    ['number("abc")', FAIL],
    ['date("2024-02-30")', FAIL],
    ['decimal(1.125, 2)', 1.12],
    ['modulo(7, 0)', FAIL],
    ['string(xs)', '[1, 2, 3]'],
    ['string(m)', '{a: 1}'],
    ['list contains(xs, 2)', true],
    ['count(append(xs, 4))', 4],
    ['count(x, xs)', FAIL],
  ]);
});

describe('temporal ordering without Temporal', () => {
  it('gives the same milliseconds as feelin\'s Temporal path for dates and UTC or local date-times', async () => {
    const { toComparable, comparableViaTemporal } = await import('../../src/expressions/feel-values.js');
    const { parseDate, parseDateTime } = await import('feelin');
    const days = ['0001-01-01', '0099-12-31', '1900-02-28', '1970-01-01', '2000-02-29', '2024-12-31', '9999-12-31'];
    const times = ['00:00:00', '12:34:56', '23:59:59.999', '10:00:00.5', '10:00:00.123456'];
    for (const d of days) {
      const date = parseDate(d)!;
      expect(toComparable(date)).toBe(comparableViaTemporal(date));
      for (const t of times) {
        for (const zone of ['', 'Z', '+08:00', '@Asia/Shanghai']) {
          const dt = parseDateTime(`${d}T${t}${zone}`)!;
          expect(toComparable(dt)).toBe(comparableViaTemporal(dt));
        }
      }
    }
  });
});
