import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cloneState } from '../../src/machine/clone-state.js';

describe('cloneState', () => {
  it('copies JSON data exactly as structuredClone does, sharing nothing with the input', () => {
    fc.assert(fc.property(fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown), (v) => {
      const c = cloneState(v);
      expect(isDeepStrictEqual(c, structuredClone(v))).toBe(true);
      if (typeof v === 'object' && v !== null) expect(c).not.toBe(v);
    }), { numRuns: 500, seed: 3 });
  });

  it('keeps an own __proto__ key as a key, and undefined values', () => {
    const v = JSON.parse('{"__proto__": {"x": 1}, "a": [1, {"b": null}]}') as Record<string, unknown>;
    v['u'] = undefined;
    const c = cloneState(v);
    expect(Object.getPrototypeOf(c)).toBe(Object.prototype);
    expect(isDeepStrictEqual(c, structuredClone(v))).toBe(true);
  });

  it('leaves other values to structuredClone: dates copied, functions refused', () => {
    const d = new Date('2026-03-02T09:00:00Z');
    const c = cloneState({ at: d });
    expect(c.at).not.toBe(d);
    expect(c.at.getTime()).toBe(d.getTime());
    expect(() => cloneState({ f: () => 1 })).toThrow();
  });
});
