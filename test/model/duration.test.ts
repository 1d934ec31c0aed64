import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDuration, addDurationInZone } from '../../src/model/duration.js';

describe('addDuration', () => {
  it('the UTC fast path gives exactly the instants of the zone-aware path in UTC', () => {
    const iso = fc.tuple(fc.nat(3), fc.nat(14), fc.nat(5), fc.nat(40), fc.nat(30), fc.nat(70), fc.nat(70))
      .filter((p) => p.some((x) => x > 0))
      .map(([y, mo, w, d, h, mi, s]) => `P${y ? `${y}Y` : ''}${mo ? `${mo}M` : ''}${w ? `${w}W` : ''}${d ? `${d}D` : ''}${h || mi || s ? `T${h ? `${h}H` : ''}${mi ? `${mi}M` : ''}${s ? `${s}S` : ''}` : ''}`);
    const spec = fc.oneof(iso, fc.integer({ min: 1, max: 40 }).map((n) => ({ businessDays: n })));
    const start = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true });
    const days = fc.array(fc.date({ min: new Date('2026-01-01'), max: new Date('2026-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { maxLength: 10 });
    fc.assert(fc.property(start, spec, days, days, (s, sp, holidays, workdays) => {
      const cal = { holidays, workdays };
      expect(addDuration(s, sp, cal).toISOString()).toBe(addDurationInZone(s, sp, { ...cal, timeZone: 'UTC' }).toISOString());
    }), { numRuns: 2000, seed: 7 });
  });

  it('clamps months to the last day, as date-fns does', () => {
    expect(addDuration(new Date('2026-01-31T10:00:00Z'), 'P1M').toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addDuration(new Date('2024-01-31T10:00:00Z'), 'P1M').toISOString()).toBe('2024-02-29T10:00:00.000Z');
  });
});
