/** compileExpression: check once at load, evaluate many times against plain snapshots, failing closed. */
import { evaluate as feelinEvaluate, isFunction, isRange } from 'feelin';
import { WinpathError } from '../errors/index.js';
import { analyze, NOW_VARIABLE, parseContextOf, TODAY_VARIABLE, treeSignature, type Analysis, type IterationCost } from './analyze.js';
import { describeFeelValue } from './describe.js';
import { resolveLimits } from './limits.js';
import { prepareContext, SnapshotRefused } from './snapshot.js';
import { feelDateTime, feelToday } from './temporal.js';
import type {
  CompiledExpression, CompileOptions, EvaluateOptions, EvaluationOutcome, ExpressionLimits, ExpressionScope, FeelSnapshot,
} from './types.js';

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Splits `  = amount > 0 ` into the body `amount > 0` and its offset in the original text. */
function stripSource(source: string): { body: string; base: number } {
  let i = 0;
  while (i < source.length && /\s/.test(source[i]!)) i++;
  if (source[i] === '=') {
    i++;
    while (i < source.length && /\s/.test(source[i]!)) i++;
  }
  return { body: source.slice(i).trimEnd(), base: i };
}

/** The result of one evaluation together with the context it saw (for guard reasons). */
export interface EvaluationRun {
  outcome: EvaluationOutcome;
  context?: Record<string, unknown>;
}

/** A checked expression. Construct through compileExpression. */
export class FeelExpression implements CompiledExpression {
  readonly source: string;
  readonly freeVariables: readonly string[];
  /** Scope paths read, spelled as in the scope (`['deliverables', 'visit-record']`). */
  readonly paths: readonly (readonly string[])[];
  readonly #evalSource: string;
  readonly #scope: ExpressionScope;
  readonly #limits: Readonly<ExpressionLimits>;
  readonly #usesNowCall: boolean;
  readonly #usesTodayCall: boolean;
  readonly #iterationCosts: readonly IterationCost[];
  #signature: string | undefined;

  /** @internal */
  constructor(source: string, analysis: Analysis, scope: ExpressionScope, limits: Readonly<ExpressionLimits>) {
    this.source = source;
    this.freeVariables = Object.freeze([...analysis.freeVariables]);
    this.paths = Object.freeze(analysis.paths.map((p) => Object.freeze([...p])));
    this.#evalSource = analysis.evalSource;
    this.#scope = scope;
    this.#limits = limits;
    this.#usesNowCall = analysis.usesNowCall;
    this.#usesTodayCall = analysis.usesTodayCall;
    this.#iterationCosts = analysis.iterationCosts;
  }

  evaluate(snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationOutcome {
    return this.run(snapshot, options).outcome;
  }

  /** @internal evaluate, also giving the context evaluated against. Never throws. */
  run(snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationRun {
    const name = `expression "${clip(this.source)}"`;
    try {
      const now = options?.now;
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
        return { outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `${name} cannot be evaluated: no valid clock instant (options.now) was given` } };
      }
      const timeZone = options.timeZone ?? 'UTC';
      const prepared = prepareContext(snapshot, this.#scope, this.#limits);
      const context = prepared.context;
      // time comes only from the engine clock: `now`, `now()` and `today()` all read options.now
      const nowValue = feelDateTime(now, timeZone);
      context['now'] = nowValue;
      if (this.#usesNowCall) context[NOW_VARIABLE] = nowValue;
      if (this.#usesTodayCall) context[TODAY_VARIABLE] = feelToday(now, timeZone);

      const longest = Math.max(1, prepared.maxListLength);
      for (const c of this.#iterationCosts) {
        const worst = c.literal * longest ** c.fromData;
        if (worst > this.#limits.maxIterations) {
          return {
            outcome: {
              ok: false,
              code: 'LIMIT_EXCEEDED',
              reason: `${name} could iterate up to ${worst.toExponential(1)} times over this snapshot (its longest list has ${prepared.maxListLength} items), over the limit of ${this.#limits.maxIterations}`,
            },
          };
        }
      }
      if (prepared.mayReparse && treeSignature(this.#evalSource, context) !== this.#compiledSignature()) {
        return {
          outcome: {
            ok: false,
            code: 'EVALUATION_FAILED',
            reason: `${name} would read differently against this snapshot: data under a variable has keys (with "-", spaces or keywords) that the template does not declare`,
          },
          context,
        };
      }

      const result = feelinEvaluate(this.#evalSource, context, undefined);
      if (result.warnings.length > 0) {
        const first = result.warnings[0]!;
        const more = result.warnings.length - 1;
        const msg = first.message.split(NOW_VARIABLE).join('now()').split(TODAY_VARIABLE).join('today()');
        return {
          outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `${name} failed: ${msg}${more > 0 ? ` (and ${more} more warning${more > 1 ? 's' : ''})` : ''}` },
          context,
        };
      }
      const value = result.value;
      if (typeof value === 'function' || isFunction(value) || isRange(value)) {
        return { outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `${name} gave ${describeFeelValue(value)}, not a value` }, context };
      }
      return { outcome: { ok: true, value }, context };
    } catch (e) {
      if (e instanceof SnapshotRefused) return { outcome: { ok: false, code: e.code, reason: `${name} not evaluated: ${e.message}` } };
      const msg = e instanceof WinpathError ? e.message.replace(/^\[[A-Z_]+\] /, '').split('\n')[0] : e instanceof Error ? e.message : String(e);
      return { outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `${name} failed: ${clip(msg ?? 'unknown error', 200)}` } };
    }
  }

  #compiledSignature(): string {
    this.#signature ??= treeSignature(this.#evalSource, parseContextOf(this.#scope, ['now', NOW_VARIABLE, TODAY_VARIABLE]));
    return this.#signature;
  }
}

/**
 * Checks a FEEL expression against the subset and the scope, once, at load.
 * Throws WinpathError `EXPRESSION_INVALID` (or `LIMIT_EXCEEDED`) with `details.offset`/`length`
 * pointing into `source` as given (a leading `=` counted).
 */
export function compileExpression(source: string, options: CompileOptions): CompiledExpression {
  return compileFeel(source, options);
}

/** compileExpression with its concrete type. */
export function compileFeel(source: string, options: CompileOptions): FeelExpression {
  if (typeof source !== 'string') {
    throw new WinpathError('EXPRESSION_INVALID', `an expression must be a string, not ${source === null ? 'null' : typeof source}`, { offset: 0, length: 0 });
  }
  const limits = resolveLimits(options?.limits);
  const scope: ExpressionScope = options?.scope ?? {};
  // length first: feelin's parser needs seconds and hundreds of MB to reject a 200,000-term expression
  if (source.length > limits.maxLength) {
    const { body, base } = stripSource(source);
    if (body.length > limits.maxLength) {
      throw new WinpathError(
        'LIMIT_EXCEEDED',
        `expression is ${body.length} characters long, over the limit of ${limits.maxLength} at offset ${base + limits.maxLength}`,
        { offset: base + limits.maxLength, length: body.length - limits.maxLength, fix: 'split it into several checks' },
      );
    }
  }
  const { body, base } = stripSource(source);
  if (body === '') {
    throw new WinpathError('EXPRESSION_INVALID', `expression is empty at offset ${base}`, { offset: base, length: 0, fix: 'write a FEEL expression such as `amount > 0`' });
  }
  const analysis = analyze(body, base, source, scope, limits);
  return new FeelExpression(body, analysis, scope, limits);
}
