import { describe, it, expect } from 'vitest';
import { WinpathError } from '../../src/errors/index.js';
import { ALLOWED_FUNCTIONS, compileExpression, type ExpressionScope } from '../../src/expressions/index.js';

const scope: ExpressionScope = {
  amount: true,
  region: true,
  title: true,
  discount: true,
  expectedCloseDate: true,
  list: true,
  tags: true,
  x: true,
  now: true,
  deliverables: { 'visit-record': true, 'site-survey': true },
  tasks: { 'first-meeting': true },
  approvals: { discount: true },
};

function refusal(source: string, s: ExpressionScope = scope, limits?: Record<string, number>): WinpathError {
  try {
    compileExpression(source, limits ? { scope: s, limits } : { scope: s });
  } catch (e) {
    expect(e).toBeInstanceOf(WinpathError);
    return e as WinpathError;
  }
  throw new Error(`expected "${source.slice(0, 60)}" to be refused`);
}

describe('compileExpression: refusals', () => {
  // [source, code, words the message must contain, offset into the source as written, length]
  const table: [string, 'EXPRESSION_INVALID' | 'LIMIT_EXCEEDED', string[], number, number?][] = [
    // syntax
    ['amount >', 'EXPRESSION_INVALID', ['does not parse near', 'amount >'], 8],
    ['amount > 0 and (region = "north"', 'EXPRESSION_INVALID', ['does not parse near'], 32],
    ['= amount > 0 ) and x', 'EXPRESSION_INVALID', ['does not parse near ") and x"'], 13],
    // names
    ['amont > 0', 'EXPRESSION_INVALID', ['unknown variable "amont"', 'did you mean "amount"', 'known names: amount'], 0, 5],
    ['=  amont > 0', 'EXPRESSION_INVALID', ['unknown variable "amont"'], 3, 5],
    ['  = amount > 0 and regon = "north"', 'EXPRESSION_INVALID', ['unknown variable "regon"', 'did you mean "region"'], 19, 5],
    ['deliverables.unknown', 'EXPRESSION_INVALID', ['unknown member "unknown" of "deliverables"', 'visit-record'], 13, 7],
    ['tasks.first-meting = "done"', 'EXPRESSION_INVALID', ['unknown member', 'did you mean "first-meeting"'], 6],
    ['partial', 'EXPRESSION_INVALID', ['"partial"'], 0],
    ['count > 1', 'EXPRESSION_INVALID', ['"count" is a function'], 0],
    ['__winpath_now', 'EXPRESSION_INVALID', ['reserved'], 0],
    ['? > 3', 'EXPRESSION_INVALID', ['"?"'], 0],
    ['> 3', 'EXPRESSION_INVALID', ['unary test'], 0],
    ['x instance of Foo', 'EXPRESSION_INVALID', ['unknown type "Foo"'], 14],
    // JavaScript internals
    ['x.constructor', 'EXPRESSION_INVALID', ['"constructor"', 'not readable'], 2],
    ['x.__proto__ = null', 'EXPRESSION_INVALID', ['"__proto__"'], 2],
    ['{__proto__: 1}.a', 'EXPRESSION_INVALID', ['"__proto__"', 'reserved'], 1],
    // functions
    ['function(a) a + 1', 'EXPRESSION_INVALID', ['function definitions are not allowed'], 0],
    ['(function(a) a + 1)(2) > 0', 'EXPRESSION_INVALID', ['function definitions are not allowed'], 1],
    ['{f: function(a) a}.f(1)', 'EXPRESSION_INVALID', ['function definitions are not allowed'], 4],
    ['sort(list, function(a, b) a < b)', 'EXPRESSION_INVALID', ['function "sort" is not allowed', 'takes a function'], 0, 4],
    ['sqrt(amount) > 1', 'EXPRESSION_INVALID', ['function "sqrt" is not allowed'], 0],
    ['get value({a: 1}, "a") = 1', 'EXPRESSION_INVALID', ['function "get value" is not allowed'], 0],
    ['is defined(amount)', 'EXPRESSION_INVALID', ['function "is defined" is not allowed'], 0],
    ['amount > 0 and bogus(amount)', 'EXPRESSION_INVALID', ['function "bogus" is not allowed'], 15],
    ['amount(1)', 'EXPRESSION_INVALID', ['"amount" is a variable, not a function'], 0],
    ['now(1)', 'EXPRESSION_INVALID', ['now() takes no arguments'], 0],
    ['for count in list return count(list)', 'EXPRESSION_INVALID', ['"count" is both a variable and a built-in function'], 25],
    // regular expressions
    ['matches(title, "^(a+)+$")', 'EXPRESSION_INVALID', ['function "matches" is not allowed', 'regular expression', 'hangs the engine'], 0, 7],
    ['= replace(title, "a", "b") = "x"', 'EXPRESSION_INVALID', ['function "replace" is not allowed', 'hangs the engine'], 2, 7],
    ['count(split(title, ",")) > 1', 'EXPRESSION_INVALID', ['function "split" is not allowed', 'hangs the engine'], 6, 5],
    // iteration
    ['for i in 1..100000000 return i', 'LIMIT_EXCEEDED', ['range "1..100000000"', 'spans 100000000', 'limit of 1000'], 9, 12],
    ['every x in 1..100000000 satisfies x > 0', 'LIMIT_EXCEEDED', ['range "1..100000000"'], 11],
    ['some x in [1..100000000] satisfies x > 0', 'LIMIT_EXCEEDED', ['range "[1..100000000]"'], 10],
    ['for i in 1..1001 return i', 'LIMIT_EXCEEDED', ['spans 1001'], 9],
    ['for i in 1..amount return i', 'EXPRESSION_INVALID', ['range', 'integer literal bounds'], 9],
    ['some d in [amount..1] satisfies d > 0', 'EXPRESSION_INVALID', ['integer literal bounds'], 10],
    ['for i in if true then [1..100000000] else [] return i', 'EXPRESSION_INVALID', ['unary test'], 22],
    ['for a in list return for b in list return for c in list return a', 'LIMIT_EXCEEDED', ['nested more than 2 deep'], 46],
    ['for a in list, b in list, c in list return a', 'LIMIT_EXCEEDED', ['nested more than 2 deep'], 26],
    ['for a in list return list[count(list[item > a]) > 0]', 'LIMIT_EXCEEDED', ['nested more than 2 deep'], 32],
    // `in` swallows what follows in feelin's grammar: `x in ([1..10] and y)`, silently wrong
    ['amount in [1..10] and region = "north"', 'EXPRESSION_INVALID', ['"in" takes everything after it', 'reads as "amount in ([1..10] and region = "north")"'], 10],
    ['x in list or amount > 3', 'EXPRESSION_INVALID', ['"in" takes everything after it'], 5],
  ];

  for (const [source, code, words, offset, length] of table) {
    it(`refuses ${JSON.stringify(source)}`, () => {
      const e = refusal(source);
      expect(e.code).toBe(code);
      for (const w of words) expect(e.message).toContain(w);
      expect(e.details['offset']).toBe(offset);
      expect(e.message).toContain(`at offset ${offset}`);
      if (length !== undefined) expect(e.details['length']).toBe(length);
      expect(typeof e.details.fix === 'string' || e.details.fix === undefined).toBe(true);
    });
  }

  it('gives a fix with the did-you-mean', () => {
    expect(refusal('amont > 0').details.fix).toBe('write amount');
  });

  it('refuses an expression over 2,000 characters before parsing it', () => {
    const e = refusal(`amount > ${'1'.repeat(1_995)}`);
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('over the limit of 2000');
  });

  it('refuses a 200,000-character expression quickly (feelin alone takes seconds)', () => {
    const source = Array.from({ length: 50_000 }, () => 'x').join(' + ');
    expect(source.length).toBeGreaterThan(199_000);
    const t = performance.now();
    const e = refusal(source);
    expect(performance.now() - t).toBeLessThan(100);
    expect(e.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses nesting deeper than 40 (deep parentheses)', () => {
    const e = refusal(`${'('.repeat(60)}amount${')'.repeat(60)} > 0`);
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('deeper than 40');
    // and a moderately nested one passes
    expect(() => compileExpression(`${'('.repeat(10)}amount${')'.repeat(10)} > 0`, { scope })).not.toThrow();
  });

  it('refuses list literals over the item limit', () => {
    const items = Array.from({ length: 11 }, (_, i) => i).join(', ');
    const e = refusal(`count([${items}]) > 0`, scope, { maxListItems: 10 });
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('list literal of 11 items');
    expect(e.details['offset']).toBe(6);
    expect(() => compileExpression(`count([${items}]) > 0`, { scope, limits: { maxListItems: 11 } })).not.toThrow();
  });

  it('refuses string literals over the length limit', () => {
    const e = refusal('title = "abcdef"', scope, { maxStringLength: 5 });
    expect(e.code).toBe('LIMIT_EXCEEDED');
    expect(e.message).toContain('string literal of 6 characters');
    expect(e.details['offset']).toBe(8);
  });

  it('refuses an empty expression and a non-string', () => {
    expect(refusal('  =  ').message).toContain('empty');
    expect(refusal(42 as unknown as string).code).toBe('EXPRESSION_INVALID');
  });
});

describe('compileExpression: accepted subset', () => {
  const ok = [
    'amount > 0',
    '=amount > 0',
    '  = amount >= 1000000 and region in ("north", "south")',
    'deliverables.visit-record and tasks.first-meeting = "done" and approvals.discount != "rejected"',
    'discount <= 0.1 or approvals.discount = "approved"',
    'count(tags) > 0 and list contains(tags, "vip")',
    'sum([amount, 1, 2]) > 10 and mean([1, 2]) = 1.5',
    'string length(title) > 3 and upper case(title) != "X" and starts with(title, "A")',
    'substring before(title, "-") = "a" or substring after(title, "-") = "b"',
    'expectedCloseDate < date("2026-12-31") and expectedCloseDate + duration("P1D") > today()',
    'years and months duration(expectedCloseDate, today()) < duration("P1Y")',
    'now() > date and time("2020-01-01T00:00:00Z") and now > @"2020-01-01T00:00:00Z"',
    'day of week(today()) = "Monday" or month of year(today()) = "May"',
    '(amount in [1..x]) and amount between 1 and 10 and x in (>5, <2) and (region in ("a", "b"))',
    'x in list',
    'for i in 1..10 return i * amount',
    'for i in -5..5 return i',
    'every t in tags satisfies string length(t) < 20',
    'some i in [1..1000] satisfies i = amount',
    'for a in list, b in [1, 2] return a + b',
    'list[item > 3]',
    'list[> 3]',
    'list[1]',
    '{a: amount, b: a + 1}.b > 0',
    'if amount > 0 then "yes" else "no"',
    '(x instance of number) and (title instance of string) and (tags instance of list)',
    'not(amount > 0) = false',
    'abs(floor(amount)) + ceiling(1.5) + round half up(1.5, 0) + modulo(7, 2) > 0 and odd(3) and even(4)',
    'string join(tags, ",") = "" or distinct values(flatten(append(tags, concatenate(tags, tags)))) = []',
    'number("12") = 12 and string(12) = "12" and decimal(1.234, 2) = 1.23',
    '// a comment\namount > 0 /* and another */',
  ];
  for (const source of ok) {
    it(`accepts ${JSON.stringify(source)}`, () => {
      expect(() => compileExpression(source, { scope })).not.toThrow();
    });
  }

  it('strips a leading = and whitespace from source', () => {
    expect(compileExpression('  =  amount > 0  ', { scope }).source).toBe('amount > 0');
  });

  it('allows every function on the allow-list by name', () => {
    expect(ALLOWED_FUNCTIONS).toContain('list contains');
    expect(ALLOWED_FUNCTIONS).not.toContain('sort');
    expect(ALLOWED_FUNCTIONS).not.toContain('matches');
    expect(ALLOWED_FUNCTIONS).not.toContain('sqrt');
    expect(ALLOWED_FUNCTIONS).not.toContain('get value');
  });

  it('accepts a realistic long guard within the depth limit', () => {
    const clauses = Array.from({ length: 15 }, (_, i) => `amount > ${i}`).join(' and ');
    expect(() => compileExpression(clauses, { scope })).not.toThrow();
  });
});

describe('freeVariables', () => {
  const cases: [string, string[]][] = [
    ['amount > 0 and region = "north"', ['amount', 'region']],
    ['for i in list return i + amount', ['list', 'amount']],
    ['for i in 1..3, j in list return i + j + discount', ['list', 'discount']],
    ['some t in tags satisfies t = region', ['tags', 'region']],
    ['every t in tags satisfies t != title', ['tags', 'title']],
    ['list[item > amount]', ['list', 'amount']],
    ['list[item > 3][1] = x', ['list', 'x']],
    ['{a: amount, b: a + 1}.b', ['amount']],
    ['deliverables.visit-record and tasks.first-meeting = "done"', ['deliverables', 'tasks']],
    ['now() > now and today() = date(now)', ['now']],
    ['now() > date("2020-01-01")', []],
    ['amount > amount / 2', ['amount']],
  ];
  for (const [source, vars] of cases) {
    it(`${JSON.stringify(source)} reads ${JSON.stringify(vars)}`, () => {
      expect(compileExpression(source, { scope }).freeVariables).toEqual(vars);
    });
  }
});

describe('hyphenated keys', () => {
  it('parses deliverables.visit-record as one path, not a subtraction', () => {
    const e = compileExpression('deliverables.visit-record', { scope });
    expect(e.freeVariables).toEqual(['deliverables']);
    expect(e.evaluate({ deliverables: { 'visit-record': true } }, { now: new Date(0) })).toEqual({ ok: true, value: true });
  });

  it('reads a subtraction where the scope declares no such key', () => {
    const s: ExpressionScope = { a: { b: true }, c: true };
    const e = compileExpression('a.b-c', { scope: s });
    expect(e.freeVariables).toEqual(['a', 'c']);
    expect(e.evaluate({ a: { b: 5 }, c: 2 }, { now: new Date(0) })).toEqual({ ok: true, value: 3 });
  });

  it('accepts a top-level hyphenated name declared in the scope', () => {
    const e = compileExpression('site-visit = true', { scope: { 'site-visit': true } });
    expect(e.freeVariables).toEqual(['site-visit']);
    expect(e.evaluate({ 'site-visit': true }, { now: new Date(0) })).toEqual({ ok: true, value: true });
  });
});
