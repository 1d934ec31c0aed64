import { FeelDate, FeelDateTime, FeelDuration, FeelTime, isFunction, isRange } from 'feelin';

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Short text for a FEEL value, for reasons: `null`, `"north"`, `date 2026-12-31`, `a list of 3 items`. */
export function describeFeelValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  switch (typeof v) {
    case 'boolean':
    case 'number':
      return String(v);
    case 'string':
      return clip(JSON.stringify(v), 60);
    case 'function':
      return 'a function';
    case 'object':
      break;
    default:
      return `a ${typeof v}`;
  }
  if (v instanceof FeelDate) return `date ${v.toString()}`;
  if (v instanceof FeelDateTime) return `date and time ${v.toString()}`;
  if (v instanceof FeelTime) return `time ${v.toString()}`;
  if (v instanceof FeelDuration) return `duration ${v.toString()}`;
  if (isFunction(v)) return 'a function';
  if (isRange(v)) return 'a range';
  if (Array.isArray(v)) return `a list of ${v.length} item${v.length === 1 ? '' : 's'}`;
  const keys = Object.keys(v);
  if (keys.length === 0) return 'an empty context';
  return `a context with ${clip(keys.slice(0, 5).join(', '), 60)}${keys.length > 5 ? ', …' : ''}`;
}
