import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertFeelDateTime, feelDateTime } from '../../src/expressions/index.js';

const outcome = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
};

describe('assertFeelDateTime', () => {
  it('throws exactly where feelDateTime throws, whether or not the zone was written before', () => {
    const zones = fc.constantFrom('UTC', 'Asia/Shanghai', 'America/New_York', 'Pacific/Kiritimati', 'Not/A_Zone');
    const date = fc.oneof(
      fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z') }),
      fc.date(),
      fc.constantFrom(new Date(Number.NaN), new Date('9999-12-31T23:59:59Z'), new Date('+010000-01-01T00:00:00Z'), new Date('0999-12-31T12:00:00Z')),
    );
    fc.assert(fc.property(date, zones, fc.boolean(), (d, zone, warm) => {
      if (warm) outcome(() => feelDateTime(new Date('2026-03-02T09:00:00Z'), zone));
      expect(outcome(() => assertFeelDateTime(d, zone))).toBe(outcome(() => feelDateTime(d, zone)));
    }), { numRuns: 500, seed: 5 });
  });
});
