import { FeelDate, FeelDateTime, FeelDuration, FeelTime, dateAndTime, parseDate } from 'feelin';
import { WinpathError } from '../errors/index.js';

/** A FEEL temporal value built by winpath: the only non-JSON values a snapshot may hold. */
export type FeelTemporalValue = FeelDate | FeelTime | FeelDateTime | FeelDuration;

const TEMPORAL_CLASSES = [FeelDate, FeelTime, FeelDateTime, FeelDuration] as const;

/** True for feelin's own temporal classes (exactly, not subclasses). */
export function isFeelTemporal(v: unknown): v is FeelTemporalValue {
  if (typeof v !== 'object' || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return TEMPORAL_CLASSES.some((c) => proto === c.prototype);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A FEEL `date` from `YYYY-MM-DD`, so that a date field compares and adds as a date. */
export function feelDate(isoDate: string): FeelDate {
  const d = typeof isoDate === 'string' && ISO_DATE.test(isoDate) ? parseDate(isoDate) : null;
  if (!d) {
    throw new WinpathError('INPUT_INVALID', `"${String(isoDate)}" is not a date (YYYY-MM-DD)`, { fix: 'write the date as YYYY-MM-DD, e.g. 2026-12-31' });
  }
  return d;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size > 64) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

function isUtc(timeZone: string): boolean {
  return timeZone === 'UTC' || timeZone === 'Etc/UTC' || timeZone === 'Z';
}

/** Wall-clock parts of an instant in a zone: `YYYY-MM-DD` and `HH:mm:ss.SSS`. */
function wallClock(date: Date, timeZone: string): { day: string; time: string } {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new WinpathError('INPUT_INVALID', 'the clock gave an invalid date', { fix: 'pass a valid Date as now' });
  }
  const ms = String(date.getUTCMilliseconds()).padStart(3, '0');
  if (isUtc(timeZone)) {
    const iso = date.toISOString();
    return { day: iso.slice(0, 10), time: iso.slice(11, 19) + '.' + ms };
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatterFor(timeZone).formatToParts(date);
  } catch (e) {
    throw new WinpathError('INPUT_INVALID', `unknown time zone "${timeZone}"`, { fix: 'use an IANA zone such as Asia/Shanghai' }, { cause: e });
  }
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '00';
  let year = get('year');
  if (year.length < 4) year = year.padStart(4, '0');
  return { day: `${year}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}:${get('second')}.${ms}` };
}

/** Throws INPUT_INVALID unless `timeZone` is an IANA zone this runtime knows (cached). */
export function assertTimeZone(timeZone: string): void {
  if (isUtc(timeZone) || formatters.has(timeZone)) return;
  try {
    formatterFor(timeZone);
  } catch (e) {
    throw new WinpathError('INPUT_INVALID', `unknown time zone "${timeZone}"`, { fix: 'use an IANA zone such as Asia/Shanghai' }, { cause: e });
  }
}

// The last instant written, per kind: a guard run asks for the same clock reading many times.
let lastDateTime: { ms: number; zone: string; value: FeelDateTime } | undefined;
let lastToday: { ms: number; zone: string; value: FeelDate } | undefined;

/** A FEEL zoned `date and time` for an instant, written in `timeZone` (default UTC). The value is frozen (and may be shared). */
export function feelDateTime(date: Date, timeZone = 'UTC'): FeelDateTime {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (lastDateTime && lastDateTime.ms === ms && lastDateTime.zone === timeZone) return lastDateTime.value;
  const { day, time } = wallClock(date, timeZone);
  const v = dateAndTime(`${day}T${time}${isUtc(timeZone) ? 'Z' : `@${timeZone}`}`);
  if (!v) throw new WinpathError('INPUT_INVALID', `cannot write ${date.toISOString()} in time zone "${timeZone}"`);
  Object.freeze(v);
  lastDateTime = { ms, zone: timeZone, value: v };
  if (writtenZones.size > 64) writtenZones.clear();
  writtenZones.add(timeZone);
  return v;
}

/** Zones feelDateTime has written an instant in: it writes any other instant of the safe range there too. */
const writtenZones = new Set<string>();
// years 1000 to 9000: four-digit years in every zone, far from the ends of Date and Temporal
const SAFE_FROM = Date.UTC(1000, 0, 1);
const SAFE_TO = Date.UTC(9000, 0, 1);

/**
 * Throws where feelDateTime would (invalid date, unknown zone, a year it cannot write), without the
 * Temporal parse for an ordinary instant in a zone already written: a command checks its clock this
 * way and builds `now` only when an expression reads it.
 */
export function assertFeelDateTime(date: Date, timeZone = 'UTC'): void {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (ms >= SAFE_FROM && ms <= SAFE_TO && writtenZones.has(timeZone)) return;
  feelDateTime(date, timeZone);
}

/** The calendar day of an instant in `timeZone` (default UTC), as a FEEL `date` (frozen, and may be shared). */
export function feelToday(date: Date, timeZone = 'UTC'): FeelDate {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (lastToday && lastToday.ms === ms && lastToday.zone === timeZone) return lastToday.value;
  const v = Object.freeze(feelDate(wallClock(date, timeZone).day));
  lastToday = { ms, zone: timeZone, value: v };
  return v;
}
