/** checkGuard: a guard holds only when its expression gives exactly `true`; anything else is a reason. */
import { FeelExpression, type EvaluationRun } from './compile.js';
import { describeFeelValue } from './describe.js';
import type { CompiledExpression, EvaluateOptions, FeelSnapshot, GuardOutcome } from './types.js';

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function valueAt(context: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = context;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** The read paths that had no value, most general first, without repeating what a shorter path says. */
function missing(expr: CompiledExpression, read: (() => Record<string, unknown>) | undefined): string[] {
  if (!read) return [];
  const context = read();
  const paths = expr instanceof FeelExpression ? expr.paths : expr.freeVariables.map((v) => [v]);
  const out: string[][] = [];
  for (const p of [...paths].sort((a, b) => a.length - b.length)) {
    if (out.some((q) => q.length < p.length && q.every((s, i) => p[i] === s))) continue;
    const v = valueAt(context, p);
    if (v === null || v === undefined) out.push([...p]);
  }
  return out.map((p) => p.join('.'));
}

/** Evaluates a guard; met only when the value is exactly `true`. Never throws. */
export function checkGuard(expr: CompiledExpression, snapshot: FeelSnapshot, options: EvaluateOptions): GuardOutcome {
  const name = `expression "${clip(expr.source)}"`;
  let run: EvaluationRun;
  try {
    run = expr instanceof FeelExpression ? expr.run(snapshot, options) : { outcome: expr.evaluate(snapshot, options) };
  } catch (e) {
    return { met: false, code: 'EVALUATION_FAILED', reason: `${name} failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const { outcome } = run;
  if (!outcome.ok) return { met: false, code: outcome.code, reason: outcome.reason };
  const v = outcome.value;
  if (v === true) return { met: true };
  if (v === false) return { met: false, code: 'NOT_TRUE', reason: `${name} is false` };
  if (v === null || v === undefined) {
    const empty = missing(expr, run.context);
    const why = empty.length === 1
      ? `variable "${empty[0]}" has no value`
      : empty.length > 1
        ? `variables ${empty.map((p) => `"${p}"`).join(', ')} have no value`
        : 'a value it needs is missing or of a type that cannot be compared';
    return { met: false, code: 'NOT_TRUE', reason: `${name} gave null: ${why}` };
  }
  return { met: false, code: 'NOT_TRUE', reason: `${name} gave ${describeFeelValue(v)}, not true` };
}
