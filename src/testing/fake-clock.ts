/** A clock a test moves by hand: pass `clock.now` to createEngine, then `advance` or `set`. */
import { addDuration, type DurationSpec } from '../model/index.js';

export interface FakeClock {
  now: () => Date;
  /** Moves forward by milliseconds or an ISO 8601 duration (`P3D`). */
  advance(by: number | DurationSpec): Date;
  set(at: string | Date): Date;
}

export function createFakeClock(start: string | Date = '2026-01-05T09:00:00.000Z'): FakeClock {
  let t = new Date(start).getTime();
  if (Number.isNaN(t)) throw new RangeError(`createFakeClock: "${String(start)}" is not a date`);
  return {
    now: () => new Date(t),
    advance(by) {
      t = typeof by === 'number' ? t + by : addDuration(new Date(t), by).getTime();
      return new Date(t);
    },
    set(at) {
      t = new Date(at).getTime();
      return new Date(t);
    },
  };
}
