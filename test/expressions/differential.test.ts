import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileExpression, type FeelSnapshot } from '../../src/expressions/index.js';
import {
  compiledObserved, diffScope, expressionArb, feelinObserved, sameObserved, show, snapshotArb,
} from './feel-arbitraries.js';

const clock = new Date('2024-05-05T12:00:00Z');
/** Pairs that compile and are compared; refused expressions are generated again (fc.pre) and not counted. */
const PAIRS = Number(process.env.FEEL_DIFF_PAIRS ?? 10_000);
/** Fixed, so that a run is reproducible; set FEEL_DIFF_SEED to explore other samples. */
const SEED = Number(process.env.FEEL_DIFF_SEED ?? 20_260_301);

/**
 * The mapping, both ways: feelin's `evaluate` gives a value with no warning <=> the compiled
 * expression gives `{ ok: true, value }` with an equal value; feelin warns (and gives null) or
 * throws <=> the compiled expression gives `{ ok: false }`. Compared: `ok ? value : FAIL` against
 * `warnings or exception ? FAIL : value`.
 */
describe('differential: compiled closures against feelin evaluate', () => {
  it(`agrees on ${PAIRS} generated (expression, snapshot) pairs`, () => {
    let compared = 0;
    let failures = 0;
    fc.assert(
      fc.property(expressionArb, snapshotArb, (source: string, snapshot: FeelSnapshot) => {
        let expr;
        try {
          expr = compileExpression(source, { scope: diffScope });
        } catch {
          fc.pre(false); // outside the subset (e.g. loops nested too deep): not a pair
          return;
        }
        const mine = compiledObserved(expr.evaluate(snapshot, { now: clock }));
        const reference = feelinObserved(source, snapshot, clock);
        compared++;
        if (mine.fail) failures++;
        if (!sameObserved(mine, reference)) {
          throw new Error(`compiled ${show(mine)} but feelin ${show(reference)} for ${source}`);
        }
      }),
      { numRuns: PAIRS, seed: SEED, maxSkipsPerRun: 10 },
    );
    expect(compared).toBeGreaterThanOrEqual(PAIRS);
    // the generator reaches values as well as failures
    expect(failures / compared).toBeLessThan(0.5);
    expect(failures / compared).toBeGreaterThan(0.05);
  }, 120_000);
});
