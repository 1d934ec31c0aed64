/** Durations: ISO 8601 or business days, added to an instant in a time zone (calendar-aware, DST-safe). */
import { add, addDays, format, isWeekend } from 'date-fns';
import { TZDate } from '@date-fns/tz';
import type { DurationSpec } from './definition.js';

const ISO_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export interface ParsedDuration {
  years: number; months: number; weeks: number; days: number; hours: number; minutes: number; seconds: number;
}

/** Parses `P1Y2M3W4DT5H6M7S` (integers only); undefined when it is not such a duration. */
export function parseIsoDuration(text: string): ParsedDuration | undefined {
  const m = ISO_DURATION.exec(text);
  if (!m) return undefined;
  const n = (i: number) => (m[i] === undefined ? 0 : Number(m[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

export function isDurationSpec(value: unknown): value is DurationSpec {
  if (typeof value === 'string') return parseIsoDuration(value) !== undefined;
  return typeof value === 'object' && value !== null && Number.isInteger((value as { businessDays?: unknown }).businessDays);
}

export interface CalendarOptions {
  /** IANA time zone the calendar days are counted in; default UTC. */
  timeZone?: string;
  /** `YYYY-MM-DD` days off. */
  holidays?: readonly string[];
  /** `YYYY-MM-DD` weekend days that are working days (调休). */
  workdays?: readonly string[];
}

/** `start + spec`, counted in the calendar's zone: `P1D` is the same wall-clock time next day. */
export function addDuration(start: Date, spec: DurationSpec, calendar: CalendarOptions = {}): Date {
  const tz = calendar.timeZone ?? 'UTC';
  // UTC has no offsets to look up: plain arithmetic gives the same instants, without Intl on the hot path
  if (tz === 'UTC') return addDurationUtc(start, spec, calendar);
  const from = new TZDate(start.getTime(), tz);
  if (typeof spec === 'string') {
    const d = parseIsoDuration(spec);
    if (!d) throw new RangeError(`not an ISO 8601 duration: ${spec}`);
    return new Date(add(from, d).getTime());
  }
  const holidays = new Set(calendar.holidays ?? []);
  const workdays = new Set(calendar.workdays ?? []);
  let day = from;
  let left = spec.businessDays;
  while (left > 0) {
    day = addDays(day, 1);
    const ymd = format(day, 'yyyy-MM-dd');
    const working = workdays.has(ymd) || (!isWeekend(day) && !holidays.has(ymd));
    if (working) left--;
  }
  return new Date(day.getTime());
}

/** Whole or fractional days between two instants. */
export function daysBetween(from: string | Date, to: string | Date): number {
  return (new Date(to).getTime() - new Date(from).getTime()) / 86_400_000;
}

const DAY_MS = 86_400_000;

/** addDuration in UTC: months clamp to the month's last day (as date-fns `add` does), days are 24 hours. */
function addDurationUtc(start: Date, spec: DurationSpec, calendar: CalendarOptions): Date {
  if (typeof spec === 'string') {
    const d = parseIsoDuration(spec);
    if (!d) throw new RangeError(`not an ISO 8601 duration: ${spec}`);
    let t = start.getTime();
    if (d.years || d.months) {
      const s = new Date(t);
      const monthIndex = s.getUTCMonth() + d.months + d.years * 12;
      const lastDay = new Date(Date.UTC(s.getUTCFullYear(), monthIndex + 1, 0)).getUTCDate();
      t = Date.UTC(s.getUTCFullYear(), monthIndex, Math.min(s.getUTCDate(), lastDay), s.getUTCHours(), s.getUTCMinutes(), s.getUTCSeconds(), s.getUTCMilliseconds());
    }
    t += (d.weeks * 7 + d.days) * DAY_MS + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
    return new Date(t);
  }
  const holidays = new Set(calendar.holidays ?? []);
  const workdays = new Set(calendar.workdays ?? []);
  let t = start.getTime();
  let left = spec.businessDays;
  while (left > 0) {
    t += DAY_MS;
    const day = new Date(t);
    const ymd = day.toISOString().slice(0, 10);
    const weekday = day.getUTCDay();
    if (workdays.has(ymd) || (weekday !== 0 && weekday !== 6 && !holidays.has(ymd))) left--;
  }
  return new Date(t);
}

/** The zone-aware path, exported for the tests that check the UTC fast path gives the same instants. */
export function addDurationInZone(start: Date, spec: DurationSpec, calendar: CalendarOptions & { timeZone: string }): Date {
  const from = new TZDate(start.getTime(), calendar.timeZone);
  if (typeof spec === 'string') return new Date(add(from, parseIsoDuration(spec)!).getTime());
  const holidays = new Set(calendar.holidays ?? []);
  const workdays = new Set(calendar.workdays ?? []);
  let day = from;
  let left = spec.businessDays;
  while (left > 0) {
    day = addDays(day, 1);
    const ymd = format(day, 'yyyy-MM-dd');
    if (workdays.has(ymd) || (!isWeekend(day) && !holidays.has(ymd))) left--;
  }
  return new Date(day.getTime());
}
