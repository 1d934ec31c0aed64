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
