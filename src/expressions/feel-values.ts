/**
 * FEEL values as feelin 8.2 models them: types, equality, ordering, ranges and temporal
 * arithmetic. The compiled evaluator must give exactly feelin's answers (the differential test
 * checks it), so each function here follows feelin's own (types.ts, range.ts, temporal.ts;
 * MIT licence), reaching the Temporal classes through feelin's exported temporal values.
 */
import { FeelDate, FeelDateTime, FeelDuration, FeelTime, parseDate, parseTime } from 'feelin';
import { normalizeName } from './analyze.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;

// The Temporal classes feelin uses (temporal-polyfill), reached through its own values so
// that winpath needs no direct dependency on the polyfill.
const PlainDate: Any = (parseDate('1970-01-01') as Any).unwrap().constructor;
const PlainTime: Any = (parseTime('00:00:00') as Any).unwrap().constructor;
const REFERENCE_DATE: Any = PlainDate.from('1970-01-01');

/** Thrown where feelin itself throws (an unsupported range, a bad temporal operation): the evaluation fails closed. */
export class FeelFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeelFault';
  }
}

// ---- types (feelin types.ts) ----

export type FeelType =
  | 'nil' | 'boolean' | 'number' | 'string' | 'list' | 'context' | 'date' | 'time' | 'date time' | 'duration' | 'range' | 'function' | 'literal';

export function isContext(e: unknown): e is Record<string, unknown> {
  return e !== null && e !== undefined && Object.getPrototypeOf(e) === Object.prototype;
}

export function getType(e: unknown): FeelType {
  if (e === null || e === undefined) return 'nil';
  switch (typeof e) {
    case 'boolean': return 'boolean';
    case 'number': return 'number';
    case 'string': return 'string';
    case 'function': return 'literal';
    default: break;
  }
  if (Array.isArray(e)) return 'list';
  const proto: unknown = Object.getPrototypeOf(e);
  if (proto === Object.prototype) return 'context';
  if (e instanceof FeelDate) return 'date';
  if (e instanceof FeelTime) return 'time';
  if (e instanceof FeelDateTime) return 'date time';
  if (e instanceof FeelDuration) return 'duration';
  return 'literal';
}

export const isDate = (v: unknown): v is FeelDate => v instanceof FeelDate;
export const isTime = (v: unknown): v is FeelTime => v instanceof FeelTime;
export const isDateTime = (v: unknown): v is FeelDateTime => v instanceof FeelDateTime;
export const isDuration = (v: unknown): v is FeelDuration => v instanceof FeelDuration;
/** date, time or date and time (not a duration). */
export const isTemporal = (v: unknown): v is FeelDate | FeelTime | FeelDateTime => v instanceof FeelDate || v instanceof FeelTime || v instanceof FeelDateTime;

function isZoned(v: unknown): boolean {
  return (v instanceof FeelTime || v instanceof FeelDateTime) && (v as Any).zone !== null;
}

// ---- zones (feelin temporal.ts) ----

const OFFSET_SECONDS_PATTERN = /^([+-])(\d{2}):(\d{2}):(\d{2})$/;
const FIXED_OFFSET_PATTERN = /^([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/;

function offsetZoneSeconds(zone: string | null): number | null {
  if (zone === null) return null;
  const m = OFFSET_SECONDS_PATTERN.exec(zone);
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]));
}

function fixedOffsetSeconds(zone: string): number | null {
  if (zone === 'UTC') return 0;
  const m = FIXED_OFFSET_PATTERN.exec(zone);
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  return sign * (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0));
}

function zoneEquals(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  const ao = fixedOffsetSeconds(a);
  const bo = fixedOffsetSeconds(b);
  if (ao !== null && bo !== null) return ao === bo;
  return a === b;
}

// ---- comparison (feelin temporal.ts toComparable, range.ts cmp) ----

const comparableCache = new WeakMap<object, number>();

/** A temporal value as milliseconds (feelin's toComparable); null for anything else. Cached: the values are immutable. */
export function toComparable(value: unknown): number | null {
  if (typeof value !== 'object' || value === null) return null;
  if (!(value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDateTime || value instanceof FeelDuration)) return null;
  const hit = comparableCache.get(value);
  if (hit !== undefined) return hit;
  const out = fastComparable(value) ?? comparableViaTemporal(value);
  comparableCache.set(value, out);
  return out;
}

const PLAIN_DAY = /^\d{4}-\d{2}-\d{2}$/;
const PLAIN_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z?$/;

/** Dates and UTC or zone-less date-times in the common 4-digit-year form, without Temporal (the same milliseconds). */
function fastComparable(value: object): number | null {
  const v = value as Any;
  if (value instanceof FeelDate) return PLAIN_DAY.test(v.iso) ? Date.parse(`${v.iso}T00:00:00Z`) : null;
  if (value instanceof FeelDateTime && (v.zone === null || v.zone === 'UTC') && PLAIN_DATE_TIME.test(v.iso)) {
    return Date.parse(v.zone === null ? `${v.iso}Z` : v.iso);
  }
  return null;
}

/** feelin's toComparable, through Temporal. */
export function comparableViaTemporal(value: FeelDate | FeelTime | FeelDateTime | FeelDuration): number {
  const v = value as Any;
  let out: number;
  if (value instanceof FeelDate) {
    out = v.value.toZonedDateTime('UTC').epochMilliseconds;
  } else if (value instanceof FeelDuration) {
    out = v.value.total({ unit: 'millisecond', relativeTo: REFERENCE_DATE });
  } else {
    const offsetSeconds = offsetZoneSeconds(v.zone);
    if (offsetSeconds !== null) {
      const utc = (value instanceof FeelTime
        ? REFERENCE_DATE.toZonedDateTime({ plainTime: v.value, timeZone: 'UTC' })
        : v.value.toZonedDateTime('UTC')).epochMilliseconds;
      out = utc - offsetSeconds * 1000;
    } else {
      const zone = v.zone ?? 'UTC';
      out = (value instanceof FeelTime
        ? REFERENCE_DATE.toZonedDateTime({ plainTime: v.value, timeZone: zone })
        : v.value.toZonedDateTime(zone)).epochMilliseconds;
    }
  }
  return out;
}

function comparable(v: unknown): unknown {
  const c = toComparable(v);
  return c === null ? v : c;
}

/** feelin's range comparator: -1, 0 or 1 with JavaScript's relational operators (so mixed types give 0). */
export function cmp(a: unknown, b: unknown): number {
  const ca = comparable(a) as Any;
  const cb = comparable(b) as Any;
  if (ca < cb) return -1;
  if (ca > cb) return 1;
  return 0;
}

function durationTotal(d: FeelDuration, unit: string): number {
  return (d as Any).value.total({ unit, relativeTo: REFERENCE_DATE });
}

function durationEquals(a: FeelDuration, b: FeelDuration): boolean {
  if (Math.abs(durationTotal(a, 'day')) > 180) return Math.trunc(durationTotal(a, 'month') - durationTotal(b, 'month')) === 0;
  return Math.trunc(durationTotal(a, 'second') - durationTotal(b, 'second')) === 0;
}

const TEMPORAL_INSTANT = new Set<FeelType>(['date', 'time', 'date time']);

/** Budget hook: equality over lists and contexts costs a step per item compared. */
export interface StepMeter {
  steps: number;
  exceeded(): never;
}

/** FEEL equality as feelin computes it: true, false or null (not comparable). */
export function equals(a: unknown, b: unknown, meter: StepMeter, strict = false): boolean | null {
  if ((a === null && b !== null) || (a !== null && b === null)) return false;
  if (Array.isArray(a) && a.length < 2) a = a[0];
  if (Array.isArray(b) && b.length < 2) b = b[0];
  const aType = getType(a);
  const bType = getType(b);
  if (TEMPORAL_INSTANT.has(aType)) {
    if (!TEMPORAL_INSTANT.has(bType)) return null;
    if (aType !== bType) return strict ? false : null;
    if (isZoned(a) !== isZoned(b)) return false;
    if (strict && !zoneEquals((a as Any).zone ?? null, (b as Any).zone ?? null)) return false;
    return toComparable(a) === toComparable(b);
  }
  if (aType !== bType) return null;
  if (aType === 'nil') return true;
  if (aType === 'list') {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    if ((meter.steps -= x.length) < 0) meter.exceeded();
    for (let i = 0; i < x.length; i++) if (!equals(x[i], y[i], meter)) return false;
    return true;
  }
  if (aType === 'duration') return durationEquals(a as FeelDuration, b as FeelDuration);
  if (aType === 'context') {
    const ae = Object.entries(a as object);
    const be = Object.keys(b as object);
    if (ae.length !== be.length) return false;
    if ((meter.steps -= ae.length) < 0) meter.exceeded();
    for (const [k, v] of ae) {
      if (!has(b, k) || !equals(v, (b as Any)[k], meter)) return false;
    }
    return true;
  }
  // eslint-disable-next-line eqeqeq
  if ((a as Any) == (b as Any)) return true;
  return false;
}

// ---- ranges (feelin range.ts), kept as plain bounds: winpath never hands a range out ----

const RANGE_TYPES = new Set<FeelType>(['string', 'number', 'duration', 'time', 'date time', 'date']);

export interface Bounds {
  start: unknown;
  end: unknown;
  startIncluded: boolean;
  endIncluded: boolean;
  valueType: FeelType | null;
}

/** feelin's createRange: infers the element type, and refuses (as feelin throws) bounds of mixed or unorderable types. */
export function makeRange(start: unknown, end: unknown, startIncluded = true, endIncluded = true): Bounds {
  const st = start === null ? null : getType(start);
  const et = end === null ? null : getType(end);
  const type = st ?? et;
  const valueType = type !== null && RANGE_TYPES.has(type) && (st === null || st === type) && (et === null || et === type) ? type : null;
  if (valueType === null && !(start === null && end === null)) {
    throw new FeelFault(`unsupported range: ${describeBound(start)}..${describeBound(end)}`);
  }
  return { start, end, startIncluded, endIncluded, valueType };
}

function describeBound(v: unknown): string {
  const t = getType(v);
  return t === 'nil' ? 'null' : t === 'number' || t === 'boolean' ? String(v) : `a ${t}`;
}

/** Whether a range holds a value: true, false, or null (empty range, null value, mismatched temporal types). */
export function rangeIncludes(r: Bounds, value: unknown): boolean | null {
  let { start, end, startIncluded, endIncluded } = r;
  if (start === null && end === null) return null;
  if (value === null || value === undefined) return null;
  const vt = getType(value);
  if (r.valueType !== null && TEMPORAL_INSTANT.has(vt) && TEMPORAL_INSTANT.has(r.valueType) && vt !== r.valueType) return null;
  if (start !== null && end !== null && cmp(start, end) > 0) {
    [start, end] = [end, start];
    [startIncluded, endIncluded] = [endIncluded, startIncluded];
  }
  if (start !== null) {
    const c = cmp(value, start);
    if (!(startIncluded ? c >= 0 : c > 0)) return false;
  }
  if (end !== null) {
    const c = cmp(value, end);
    if (!(endIncluded ? c <= 0 : c < 0)) return false;
  }
  return true;
}

/** The numbers of a closed number range, as feelin enumerates them (`1..3`, `[1..3)`), one step each. */
export function rangeValues(r: Bounds, meter: StepMeter): unknown[] {
  const { start, end } = r;
  if (start === null && end === null) return [];
  if (r.valueType !== 'number' || start === null || end === null) throw new FeelFault('unsupported range operation: map');
  const s = start as number;
  const e = end as number;
  const direction = s > e ? -1 : 1;
  const out: number[] = [];
  for (let i = s; ; i += direction) {
    if (--meter.steps < 0) meter.exceeded();
    if (i === s && !r.startIncluded) continue;
    if (i === e && !r.endIncluded) break;
    out.push(i);
    if (i === e) break;
  }
  return out;
}

// ---- context access (feelin utils.ts) ----

/** An own property, or a getter on a prototype below Object.prototype (feelin's `has`). */
export function has(context: unknown, name: string): boolean {
  if (Object.prototype.hasOwnProperty.call(context, name)) return true;
  for (let proto = Object.getPrototypeOf(context); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (d) return typeof d.get === 'function';
  }
  return false;
}

/** Members of feelin's temporal objects that hold raw Temporal values: never handed to an expression. */
const HIDDEN_TEMPORAL_MEMBERS = new Set(['value']);

/** feelin's getFromContext: exact name, then the normalised name, then a key that normalises to it; undefined when absent. */
export function getFromContext(name: string, context: unknown): unknown {
  if (context === null || context === undefined) return undefined;
  const t = typeof context;
  if (t === 'boolean' || t === 'number' || t === 'string') return undefined;
  if (typeof context === 'object' && !Array.isArray(context) && !isContext(context) && isTemporalObject(context)) {
    if (HIDDEN_TEMPORAL_MEMBERS.has(name) || HIDDEN_TEMPORAL_MEMBERS.has(normalizeName(name))) {
      throw new FeelFault(`member "${name}" of a temporal value is not readable`);
    }
  }
  if (has(context, name)) return (context as Any)[name];
  const normalized = normalizeName(name);
  if (has(context, normalized)) return (context as Any)[normalized];
  for (const key of Object.keys(context as object)) {
    if (normalizeName(key) === normalized) return (context as Any)[key];
  }
  return undefined;
}

function isTemporalObject(v: object): boolean {
  return v instanceof FeelDate || v instanceof FeelTime || v instanceof FeelDateTime || v instanceof FeelDuration;
}

// ---- temporal arithmetic (feelin temporal.ts) ----

function hasTimeComponent(d: FeelDuration): boolean {
  const { hours, minutes, seconds, milliseconds } = (d as Any).value;
  return !!(hours || minutes || seconds || milliseconds);
}

export function addDuration(temporal: FeelDate | FeelTime | FeelDateTime, dur: FeelDuration, sign: number): FeelDate | FeelTime | FeelDateTime {
  const dv = (dur as Any).value;
  const d = sign < 0 ? dv.negated() : dv;
  const t = temporal as Any;
  if (temporal instanceof FeelDate) {
    if (hasTimeComponent(dur)) return new FeelDateTime(t.value.toPlainDateTime().add(d), 'UTC');
    return new FeelDate(t.value.add(d));
  }
  if (temporal instanceof FeelTime) return new FeelTime(t.value.add(d), t.zone);
  if (t.zone === null) return new FeelDateTime(t.value.add(d), null);
  if (offsetZoneSeconds(t.zone) !== null) return new FeelDateTime(t.value.add(d), t.zone);
  const shifted = t.value.toZonedDateTime(t.zone).add(d);
  return new FeelDateTime(shifted.toPlainDateTime(), t.zone);
}

function toPlainDateTime(temporal: FeelDate | FeelTime | FeelDateTime): Any {
  const t = temporal as Any;
  if (temporal instanceof FeelDate) return t.value.toPlainDateTime();
  if (temporal instanceof FeelDateTime) return t.value;
  return REFERENCE_DATE.toPlainDateTime(t.value);
}

export function subtractTemporals(a: FeelDate | FeelTime | FeelDateTime, b: FeelDate | FeelTime | FeelDateTime): FeelDuration {
  if (a instanceof FeelTime && b instanceof FeelTime) return new FeelDuration((a as Any).value.since((b as Any).value));
  return new FeelDuration(toPlainDateTime(a).since(toPlainDateTime(b), { largestUnit: 'day' }));
}

export function addDurations(a: FeelDuration, b: FeelDuration, sign: number): FeelDuration | null {
  const av = a as Any;
  const bv = b as Any;
  if (av.yearsMonths !== bv.yearsMonths) return null;
  const other = sign < 0 ? bv.value.negated() : bv.value;
  if (av.yearsMonths) {
    const anchor = REFERENCE_DATE.toPlainDateTime();
    return new FeelDuration(anchor.add(av.value).add(other).since(anchor, { largestUnit: 'year' }), true);
  }
  return new FeelDuration(av.value.add(other), false);
}

export function absDuration(d: FeelDuration): FeelDuration {
  return new FeelDuration((d as Any).value.abs(), (d as Any).yearsMonths);
}

export function yearsAndMonthsDuration(from: FeelDate, to: FeelDate): FeelDuration {
  return new FeelDuration((from as Any).value.until((to as Any).value, { largestUnit: 'month' }), true);
}

export function dateOf(dt: FeelDateTime): FeelDate {
  return new FeelDate((dt as Any).value.toPlainDate());
}

export function timeOf(dt: FeelDateTime): FeelTime {
  return new FeelTime((dt as Any).value.toPlainTime(), (dt as Any).zone);
}

export function timeOfDate(): FeelTime {
  return new FeelTime(new PlainTime(0, 0, 0), 'UTC');
}

export function combine(date: FeelDate | FeelDateTime, time: FeelTime): FeelDateTime {
  const datePart = date instanceof FeelDate ? (date as Any).value : (date as Any).value.toPlainDate();
  return new FeelDateTime(datePart.toPlainDateTime((time as Any).value), (time as Any).zone);
}

export function dateFrom(year: number, month: number, day: number): FeelDate | null {
  try {
    return new FeelDate(PlainDate.from({ year, month, day }, { overflow: 'reject' }));
  } catch {
    return null;
  }
}

function offsetZone(offset: FeelDuration): string {
  const totalSeconds = Math.trunc(durationTotal(offset, 'second'));
  const sign = totalSeconds < 0 ? '-' : '+';
  const abs = Math.abs(totalSeconds);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const base = `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}`;
  const seconds = abs % 60;
  return seconds ? `${base}:${pad(seconds)}` : base;
}

export function timeFrom(hour: number, minute: number, second: number, offset: FeelDuration | null = null): FeelTime | null {
  try {
    const value = PlainTime.from({ hour, minute, second }, { overflow: 'reject' });
    const zone = offset ? offsetZone(offset) : null;
    if (zone !== null) {
      const s = offsetZoneSeconds(zone);
      if (s !== null) {
        if (Math.abs(s) >= 24 * 3600) return null;
      } else {
        REFERENCE_DATE.toZonedDateTime({ plainTime: value, timeZone: zone });
      }
    }
    return new FeelTime(value, zone);
  } catch {
    return null;
  }
}

/** feelin's typeCast for built-in arguments: a date where a date and time is expected, and the parts of a date and time. */
export function typeCast(obj: unknown, type: string): unknown {
  if (obj instanceof FeelDate) return type === 'date time' ? combine(obj, timeFrom(0, 0, 0)!) : null;
  if (obj instanceof FeelTime) return null;
  if (obj instanceof FeelDateTime) {
    if (type === 'time') return timeOf(obj);
    if (type === 'date') return dateOf(obj);
    if (type === 'date time') return obj;
  }
  return null;
}

