import type { ExpressionLimits } from './types.js';

/** The default bounds (FINDINGS: feelin has none of its own; these keep a guard from hanging or exhausting the heap). */
export const EXPRESSION_LIMITS: Readonly<ExpressionLimits> = Object.freeze({
  maxLength: 2_000,
  maxDepth: 40,
  maxListItems: 1_000,
  maxStringLength: 10_000,
  maxRangeSpan: 1_000,
  maxIterationNesting: 2,
  maxIterations: 1_000_000,
  maxSnapshotDepth: 16,
  maxSnapshotItems: 100_000,
  maxSteps: 1_000_000,
  maxCreatedStringLength: 100_000,
  maxCreatedListItems: 100_000,
});

export function resolveLimits(overrides: Partial<ExpressionLimits> | undefined): Readonly<ExpressionLimits> {
  if (!overrides) return EXPRESSION_LIMITS;
  const out: ExpressionLimits = { ...EXPRESSION_LIMITS };
  for (const key of Object.keys(EXPRESSION_LIMITS) as (keyof ExpressionLimits)[]) {
    const v = overrides[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
  }
  return Object.freeze(out);
}
