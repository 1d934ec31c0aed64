/**
 * The allow-listed built-in functions, as feelin 8.2 defines them (builtins.ts, function.ts;
 * MIT licence): the same argument conversions, the same null-without-warning on a type mismatch,
 * the same warnings; plus a step charge for the work each one does and caps on what it creates.
 */
import type { FeelDate, FeelDateTime } from 'feelin';
import { duration as parseDuration, parseDate, parseDateTime, parseTime } from 'feelin';
import {
  absDuration, combine, dateFrom, dateOf, equals, getType, isDate, isDateTime, isDuration, isTime, timeFrom, timeOf, timeOfDate,
  toComparable, typeCast, yearsAndMonthsDuration, FeelFault,
} from './feel-values.js';
import type { Runtime } from './runtime.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

/** A built-in: parameter names (`...x` for a rest parameter) and its call on already bound arguments. */
export interface Builtin {
  readonly name: string;
  readonly params: readonly string[];
  call(rt: Runtime, args: unknown[]): unknown;
}

const FALSE: unique symbol = Symbol('not convertible');

type Tester = (obj: unknown) => unknown;

/** feelin's createArgTester: implicit `[x] -> x` and `x -> [x]`, date to date and time, and the parts of a date and time. */
function argTester(def: string): Tester {
  const optional = def.endsWith('?');
  const type = optional ? def.slice(0, -1) : def;
  return (obj) => {
    const arr = Array.isArray(obj);
    if (type === 'list') {
      if (arr || (optional && obj === undefined)) return obj;
      if (obj === undefined) return FALSE;
      return obj === null ? FALSE : [obj];
    }
    if (type !== 'any' && arr && (obj as unknown[]).length === 1) obj = (obj as unknown[])[0];
    const objType = getType(obj);
    if (type === 'any' || type === objType) return optional ? obj : obj !== undefined ? obj : FALSE;
    if (objType === 'nil') return optional ? obj : FALSE;
    return typeCast(obj, type) || FALSE;
  };
}

type Body = (rt: Runtime, ...args: Any[]) => unknown;

/** feelin's `fn`: converts each argument by its declared type; a failed conversion gives null, without a warning. */
function fn(name: string, argDefs: string[], params: string[], body: Body): Builtin {
  const tests = argDefs.map(argTester);
  return {
    name,
    params,
    call(rt, args) {
      const length = Math.max(args.length, argDefs.length);
      const converted: unknown[] = new Array<unknown>(length);
      for (let i = 0; i < length; i++) {
        const test = tests[i];
        const c = test ? test(args[i]) : args[i];
        if (c === FALSE) return null;
        converted[i] = c;
      }
      return body(rt, ...converted);
    },
  };
}

/** feelin's `listFn`: a list or the arguments themselves; null when any item fails the element type. */
function listFn(name: string, type: string, body: Body): Builtin {
  const tester = argTester(type);
  return {
    name,
    params: ['...list'],
    call(rt, args) {
      if (args.length === 0) return null;
      if (Array.isArray(args[0]) && args.length === 1) args = args[0] as unknown[];
      rt.items(args.length);
      for (const a of args) if (tester(a) === FALSE) return null;
      return body(rt, ...args);
    },
  };
}

const invalid = (rt: Runtime, template: string, values: Record<string, unknown> = {}): never => rt.warn(template, values);

function str(rt: Runtime, s: string): string {
  rt.chars(s.length);
  return s;
}

// ---- FEEL string() (feelin toString) ----

function escapeStr(s: string): string {
  return s.replace(/("|\\)/g, '\\$1');
}

export function feelToString(rt: Runtime, obj: unknown, wrap = false): string {
  const type = getType(obj);
  rt.items(1);
  switch (type) {
    case 'nil': return 'null';
    case 'string': return wrap ? `"${escapeStr(str(rt, obj as string))}"` : (obj as string);
    case 'boolean':
    case 'number': return String(obj);
    case 'list': {
      const parts: string[] = [];
      let size = 2;
      for (const x of obj as unknown[]) {
        const p = feelToString(rt, x, true);
        size += p.length + 2;
        if (size > rt.limits.maxCreatedStringLength) rt.stringTooLong(size);
        parts.push(p);
      }
      return rt.string(`[${parts.join(', ')}]`);
    }
    case 'context': {
      const parts: string[] = [];
      let size = 2;
      for (const [key, value] of Object.entries(obj as object)) {
        const p = `${/\W/.test(key) ? feelToString(rt, key, true) : key}: ${feelToString(rt, value, true)}`;
        size += p.length + 2;
        if (size > rt.limits.maxCreatedStringLength) rt.stringTooLong(size);
        parts.push(p);
      }
      return rt.string(`{${parts.join(', ')}}`);
    }
    case 'duration':
    case 'date time':
    case 'date':
    case 'time': return String((obj as { toString(): string }).toString());
    default: throw new FeelFault(`not implemented: string(${type})`);
  }
}

// ---- helpers (feelin builtins.ts) ----

function sum(list: Any[]): Any {
  return list.reduce((s: Any, el: Any) => (s === null ? el : s + el), null);
}

function countSymbols(s: string): number {
  return s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length;
}

function offsetted(func: (n: number) => number, n: number, scale: number): number {
  const result = func(n * 10 ** scale) / 10 ** scale;
  return Number.isNaN(result) ? n : result;
}

function bankersRound(n: number): number {
  const floored = Math.floor(n);
  if (n - floored === 0.5) return floored % 2 === 0 ? floored : floored + 1;
  return Math.round(n);
}

function distinctLists(rt: Runtime, lists: unknown[][]): unknown[] {
  const result: unknown[] = [];
  const seenScalars = new Set<unknown>();
  const seenTemporals = new Set<string>();
  const complex: unknown[] = [];
  const temporalKey = (e: unknown): string | null => {
    const type = getType(e);
    if (type === 'date' || type === 'time' || type === 'date time') {
      const zoned = (isTime(e) || isDateTime(e)) && (e as Any).zone !== null;
      return `${type}|${zoned ? 1 : 0}|${toComparable(e)}`;
    }
    return null;
  };
  const seenIn = (e: unknown, pool: unknown[]): boolean => {
    rt.items(pool.length);
    return pool.some((c) => equals(e, c, rt));
  };
  for (const list of lists) {
    for (const e of list) {
      rt.items(1);
      const scalar = (typeof e === 'number' && !Number.isNaN(e)) || typeof e === 'string' || typeof e === 'boolean' || e === null || e === undefined;
      if (scalar) {
        if (seenScalars.has(e) || seenIn(e, complex)) continue;
        seenScalars.add(e);
        result.push(e);
        continue;
      }
      const key = temporalKey(e);
      if (key !== null) {
        if (seenTemporals.has(key) || seenIn(e, complex)) continue;
        seenTemporals.add(key);
        result.push(e);
        continue;
      }
      if (seenIn(e, result)) continue;
      complex.push(e);
      result.push(e);
    }
  }
  return result;
}

function flatten(rt: Runtime, list: unknown[]): unknown[] {
  const result: unknown[] = [];
  const stack: [unknown[], number][] = [[list, 0]];
  while (stack.length) {
    const frame = stack[stack.length - 1]!;
    const [items, index] = frame;
    if (index >= items.length) {
      stack.pop();
      continue;
    }
    rt.items(1);
    frame[1]++;
    const item = items[index];
    if (Array.isArray(item)) stack.push([item, 0]);
    else if (item !== undefined) {
      result.push(item);
      if (result.length > rt.limits.maxCreatedListItems) rt.listLength(result.length);
    }
  }
  return result;
}

const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DURATION_START_PATTERN = /^-?P/;
const TIME_START_PATTERN = /^\d{1,2}:\d{1,2}:\d{1,2}/;

function guard(rt: Runtime, condition: boolean, template: string): void {
  if (!condition) rt.warn(template);
}

/** parseDate / parseDateTime throw feelin's "not implemented" for negative years: kept as a fault. */
function safeParse<T>(f: (s: string) => T, s: string): T {
  try {
    return f(s);
  } catch (e) {
    throw new FeelFault(e instanceof Error ? e.message : String(e));
  }
}

// ---- the allow-list ----

const defs: Builtin[] = [
  // conversion
  fn('number', ['string', 'string?', 'string?'], ['from', 'grouping separator', 'decimal separator'], (rt, from: string, groupingSeparator, decimalSeparator) => {
    const original = from;
    rt.chars(from.length);
    if (groupingSeparator) from = from.split(groupingSeparator).join('');
    if (decimalSeparator && decimalSeparator !== '.') from = from.split('.').join('#').split(decimalSeparator).join('.');
    const n = +from;
    if (Number.isNaN(n)) return invalid(rt, 'number(from) expects a numeric string, got {from}', { from: original });
    return n;
  }),
  fn('string', ['any'], ['from'], (rt, from) => (from === null ? null : feelToString(rt, from))),
  fn('date', ['any?', 'number?', 'number?', 'any?'], ['year', 'month', 'day', 'from'], (rt, year, month, day, from) => {
    if (!from && typeof year !== 'number') {
      from = year;
      year = null;
    }
    let d: unknown;
    if (typeof from === 'string') d = safeParse(parseDate, str(rt, from));
    else if (isDate(from)) d = from;
    else if (isDateTime(from)) d = dateOf(from);
    if (typeof year === 'number') {
      guard(rt, from == null, 'date(year, month, day) does not accept a <from> argument');
      guard(rt, typeof month === 'number' && typeof day === 'number', 'date(year, month, day) expects <month> and <day> to be numbers');
      d = dateFrom(year, month, day);
      if (!d) return invalid(rt, '{year}, {month}, {day} is not a valid date', { year, month, day });
    }
    if (d) return d;
    return invalid(rt, 'date({from}) is not a valid date', { from });
  }),
  fn('date and time', ['any?', 'time?', 'string?'], ['date', 'time', 'from'], (rt, d, time, from) => {
    const dateArg = d;
    let dt: unknown;
    if ((isDate(d) || isDateTime(d)) && isTime(time)) dt = combine(d, time);
    if (typeof d === 'string') {
      from = d;
      d = null;
    }
    if (typeof from === 'string') dt = safeParse(parseDateTime, str(rt, from));
    if (dt) return dt;
    return invalid(rt, 'date and time({from}) is not a valid date time', { from: typeof from === 'string' ? from : dateArg });
  }),
  fn('time', ['any?', 'number?', 'number?', 'any?', 'any?'], ['hour', 'minute', 'second', 'offset', 'from'], (rt, hour, minute, second, offset, from) => {
    let t: unknown;
    if (typeof hour === 'string' || isDate(hour) || isDateTime(hour) || isTime(hour)) {
      from = hour;
      hour = null;
    }
    if (typeof from === 'string' && from) t = parseTime(str(rt, from));
    if (isTime(from)) t = from;
    if (isDateTime(from)) t = timeOf(from);
    if (isDate(from)) t = timeOfDate();
    if (typeof hour === 'number') {
      guard(rt, typeof minute === 'number' && typeof second === 'number', 'time(hour, minute, second) expects <minute> and <second> to be numbers');
      guard(rt, offset == null || isDuration(offset), 'time(hour, minute, second, offset) expects <offset> to be a duration');
      t = timeFrom(hour, minute, second, offset);
      if (!t) return invalid(rt, '{hour}, {minute}, {second} is not a valid time', { hour, minute, second });
    }
    if (t) return t;
    return invalid(rt, 'time({from}) is not a valid time', { from: from ?? hour });
  }),
  fn('duration', ['string'], ['from'], (rt, from: string) => {
    const d = parseDuration(str(rt, from));
    if (!d) return invalid(rt, 'duration({from}) is not a valid duration', { from });
    return d;
  }),
  fn('years and months duration', ['date', 'date'], ['from', 'to'], (_rt, from: FeelDate, to: FeelDate) => yearsAndMonthsDuration(from, to)),
  fn('@', ['string'], ['string'], (rt, s: string) => {
    str(rt, s);
    let t: unknown;
    if (DURATION_START_PATTERN.test(s)) t = parseDuration(s);
    else if (TIME_START_PATTERN.test(s)) t = parseTime(s);
    else if (s.includes('T')) t = safeParse(parseDateTime, s);
    else t = safeParse(parseDate, s);
    if (!t) return invalid(rt, '@"{string}" is not a valid temporal literal', { string: s });
    return t;
  }),

  // boolean
  fn('not', ['any'], ['negand'], (_rt, negand) => (typeof negand === 'boolean' ? !negand : null)),

  // strings
  fn('substring', ['string', 'number', 'number?'], ['string', 'start position', 'length'], (rt, s: string, start: number, length) => {
    rt.chars(s.length);
    const from = start < 0 ? s.length + start : start - 1;
    const arr = Array.from(s);
    return (typeof length !== 'undefined' ? arr.slice(from, from + length) : arr.slice(from)).join('');
  }),
  fn('string length', ['string'], ['string'], (rt, s: string) => countSymbols(str(rt, s))),
  fn('upper case', ['string'], ['string'], (rt, s: string) => rt.string(str(rt, s).toUpperCase())),
  fn('lower case', ['string'], ['string'], (rt, s: string) => rt.string(str(rt, s).toLowerCase())),
  fn('substring before', ['string', 'string'], ['string', 'match'], (rt, s: string, match: string) => {
    rt.chars(s.length + match.length);
    const i = s.indexOf(match);
    return i === -1 ? '' : s.substring(0, i);
  }),
  fn('substring after', ['string', 'string'], ['string', 'match'], (rt, s: string, match: string) => {
    rt.chars(s.length + match.length);
    const i = s.indexOf(match);
    return i === -1 ? '' : s.substring(i + match.length);
  }),
  fn('contains', ['string', 'string'], ['string', 'match'], (rt, s: string, match: string) => {
    rt.chars(s.length + match.length);
    return s.includes(match);
  }),
  fn('starts with', ['string', 'string'], ['string', 'match'], (rt, s: string, match: string) => {
    rt.chars(match.length);
    return s.startsWith(match);
  }),
  fn('ends with', ['string', 'string'], ['string', 'match'], (rt, s: string, match: string) => {
    rt.chars(match.length);
    return s.endsWith(match);
  }),
  fn('string join', ['list', 'string?'], ['list', 'delimiter'], (rt, list: unknown[], delimiter) => {
    rt.items(list.length);
    const bad = list.find((e) => typeof e !== 'string' && e !== null);
    if (bad !== undefined) return invalid(rt, 'string join(list) expects a list of strings, got {item}', { item: bad });
    const sep: string = delimiter || '';
    let size = 0;
    for (const e of list) if (e !== null) size += (e as string).length + sep.length;
    if (size > rt.limits.maxCreatedStringLength) rt.stringTooLong(size);
    return rt.string(list.filter((l) => l !== null).join(sep));
  }),

  // lists
  fn('list contains', ['list', 'any?'], ['list', 'element'], (rt, list: unknown[], element) => {
    rt.items(list.length);
    return list.some((el) => el === element);
  }),
  fn('count', ['list'], ['list'], (_rt, list: unknown[]) => list.length),
  listFn('min', 'number', (_rt, ...list: Any[]) => list.reduce((m: Any, el: Any) => (m === null ? el : Math.min(m, el)), null)),
  listFn('max', 'number', (_rt, ...list: Any[]) => list.reduce((m: Any, el: Any) => (m === null ? el : Math.max(m, el)), null)),
  listFn('sum', 'number', (_rt, ...list: Any[]) => sum(list)),
  listFn('mean', 'number', (_rt, ...list: Any[]) => {
    const s = sum(list);
    return s === null ? s : s / list.length;
  }),
  listFn('all', 'any?', (_rt, ...list: unknown[]) => {
    let nonBool = false;
    for (const o of list) {
      if (o === false) return false;
      if (typeof o !== 'boolean') nonBool = true;
    }
    return nonBool ? null : true;
  }),
  listFn('any', 'any?', (_rt, ...list: unknown[]) => {
    let nonBool = false;
    for (const o of list) {
      if (o === true) return true;
      if (typeof o !== 'boolean') nonBool = true;
    }
    return nonBool ? null : false;
  }),
  fn('append', ['list', 'any?'], ['list', '...item'], (rt, list: unknown[], ...items: unknown[]) => {
    rt.listLength(list.length + items.length);
    return list.concat(items);
  }),
  fn('concatenate', ['any'], ['...list'], (rt, ...lists: unknown[]) => {
    let n = 0;
    for (const a of lists) n += Array.isArray(a) ? a.length : 1;
    rt.listLength(n);
    const result: unknown[] = [];
    for (const a of lists) {
      if (Array.isArray(a)) for (const item of a) result.push(item);
      else result.push(a);
    }
    return result;
  }),
  fn('distinct values', ['list'], ['list'], (rt, list: unknown[]) => distinctLists(rt, [list])),
  fn('flatten', ['list'], ['list'], (rt, list: unknown[]) => flatten(rt, list)),

  // numbers
  fn('decimal', ['number', 'number'], ['n', 'scale'], (_rt, n, scale) => (n === null || scale === null ? null : offsetted(bankersRound, n, scale))),
  fn('floor', ['number', 'number?'], ['n', 'scale'], (_rt, n: number, scale = 0) => {
    if (scale === null) return null;
    const adjust = 10 ** scale;
    return Math.floor(n * adjust) / adjust;
  }),
  fn('ceiling', ['number', 'number?'], ['n', 'scale'], (_rt, n: number, scale = 0) => {
    if (scale === null) return null;
    const adjust = 10 ** scale;
    return Math.ceil(n * adjust) / adjust;
  }),
  fn('abs', ['any'], ['n'], (rt, n) => {
    if (typeof n === 'number') return Math.abs(n);
    if (isDuration(n)) return absDuration(n);
    if (n === null) return null;
    return invalid(rt, 'abs(n) expects a number or duration, got {n}', { n });
  }),
  fn('round up', ['number', 'number'], ['n', 'scale'], (_rt, n, scale) => {
    if (n === null || scale === null) return null;
    return n > 0 ? offsetted(Math.ceil, n, scale) : offsetted(Math.floor, n, scale);
  }),
  fn('round down', ['number', 'number'], ['n', 'scale'], (_rt, n, scale) => {
    if (n === null || scale === null) return null;
    return n > 0 ? offsetted(Math.floor, n, scale) : offsetted(Math.ceil, n, scale);
  }),
  fn('round half up', ['number', 'number'], ['n', 'scale'], (_rt, n, scale) => {
    if (n === null || scale === null) return null;
    if (Math.abs((n * 10 ** scale) % 1) === 0.5) return offsetted(n > 0 ? Math.ceil : Math.floor, n, scale);
    return offsetted(Math.round, n, scale);
  }),
  fn('round half down', ['number', 'number'], ['n', 'scale'], (_rt, n, scale) => {
    if (n === null || scale === null) return null;
    if (Math.abs((n * 10 ** scale) % 1) === 0.5) return offsetted(n > 0 ? Math.floor : Math.ceil, n, scale);
    return offsetted(Math.round, n, scale);
  }),
  fn('modulo', ['number', 'number'], ['dividend', 'divisor'], (rt, dividend: number, divisor: number) => {
    if (!divisor) return invalid(rt, 'modulo(dividend, divisor) does not accept {divisor} as a divisor', { divisor });
    const adjust = 1000000000;
    return Math.round((((dividend % divisor) + divisor) % divisor) * adjust) / adjust;
  }),
  fn('odd', ['number'], ['number'], (_rt, n: number) => Math.abs(n) % 2 === 1),
  fn('even', ['number'], ['number'], (_rt, n: number) => Math.abs(n) % 2 === 0),

  // temporal
  fn('day of year', ['date time'], ['date'], (_rt, d: FeelDateTime) => (d as Any).value.dayOfYear),
  fn('day of week', ['date time'], ['date'], (_rt, d: FeelDateTime) => WEEKDAY_NAMES[(d as Any).value.dayOfWeek - 1]),
  fn('month of year', ['date time'], ['date'], (_rt, d: FeelDateTime) => MONTH_NAMES[(d as Any).value.month - 1]),
  fn('week of year', ['date time'], ['date'], (_rt, d: FeelDateTime) => (d as Any).value.weekOfYear),
];

/** The built-ins by FEEL name (`now` and `today` are compiled to the engine clock instead). */
export const BUILTINS: ReadonlyMap<string, Builtin> = new Map(defs.map((d) => [d.name, d]));

/**
 * Calls a built-in the way feelin's FeelFunction.invoke binds arguments: positional (too many
 * is a warning unless the last parameter is a rest parameter) or named (an unknown name is a
 * warning; a rest parameter takes a list or one value).
 */
export function invokeBuiltin(rt: Runtime, b: Builtin, args: unknown[] | Map<string, unknown>): unknown {
  let params: unknown[];
  if (Array.isArray(args)) {
    params = args;
    if (params.length > b.params.length) {
      const last = b.params[b.params.length - 1];
      if (!last || !last.startsWith('...')) mismatch(rt, b, args);
    }
  } else {
    for (const key of args.keys()) {
      if (!b.params.includes(key) && !b.params.includes(`...${key}`)) mismatch(rt, b, args);
    }
    params = [];
    for (let name of b.params) {
      if (name.startsWith('...')) {
        name = name.slice(3);
        const value = args.get(name);
        if (value === null || value === undefined) continue;
        if (Array.isArray(value)) for (const v of value) params.push(v);
        else params.push(value);
        continue;
      }
      params.push(args.get(name));
    }
  }
  const out = b.call(rt, params);
  return out === undefined ? null : out;
}

function mismatch(rt: Runtime, b: Builtin, args: unknown[] | Map<string, unknown>): never {
  const given = Array.isArray(args) ? `${args.length} argument${args.length === 1 ? '' : 's'}` : `parameters ${[...args.keys()].join(', ')}`;
  return rt.warn(`Cannot invoke function ${b.name}(${b.params.join(', ')}) with ${given}`);
}

