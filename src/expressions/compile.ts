/** compileExpression: check once at load, evaluate many times against plain snapshots, failing closed. */
import { evaluate as feelinEvaluate, isFunction, isRange } from 'feelin';
import { WinpathError } from '../errors/index.js';
import { analyze, NOW_VARIABLE, parseContextOf, TODAY_VARIABLE, treeSignature, type Analysis, type IterationCost } from './analyze.js';
import { compileTree, unsupported, type CompiledTree } from './compile-tree.js';
import { describeFeelValue } from './describe.js';
import { FeelFault } from './feel-values.js';
import { resolveLimits } from './limits.js';
import { FeelWarning, LimitExceeded, Runtime, type RuntimeLimits } from './runtime.js';
import { prepareContext, prepareRoots, rootPlan, SnapshotRefused, type RootPlan } from './snapshot.js';
import { assertTimeZone, feelDateTime, feelToday } from './temporal.js';
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

/** The result of one evaluation together with the values it read (for guard reasons; built on demand). */
export interface EvaluationRun {
  outcome: EvaluationOutcome;
  context?: () => Record<string, unknown>;
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
  /** The closures, or undefined when this expression evaluates through feelin (the `feelin` evaluator). */
  readonly #tree: CompiledTree | undefined;
  readonly #runtimeLimits: RuntimeLimits;
  readonly #plan: RootPlan | undefined;
  #signature: string | undefined;

  /** @internal */
  constructor(source: string, analysis: Analysis, scope: ExpressionScope, limits: Readonly<ExpressionLimits>, tree: CompiledTree | undefined) {
    this.source = source;
    this.freeVariables = Object.freeze([...analysis.freeVariables]);
    this.paths = Object.freeze(analysis.paths.map((p) => Object.freeze([...p])));
    this.#evalSource = analysis.evalSource;
    this.#scope = scope;
    this.#limits = limits;
    this.#usesNowCall = analysis.usesNowCall;
    this.#usesTodayCall = analysis.usesTodayCall;
    this.#iterationCosts = analysis.iterationCosts;
    this.#tree = tree;
    this.#plan = tree ? rootPlan(tree.rootKeys, scope) : undefined;
    this.#runtimeLimits = Object.freeze({
      maxSteps: limits.maxSteps,
      maxCreatedStringLength: limits.maxCreatedStringLength,
      maxCreatedListItems: limits.maxCreatedListItems,
    });
  }

  /** Which evaluator runs this expression. */
  get evaluator(): 'compiled' | 'feelin' {
    return this.#tree ? 'compiled' : 'feelin';
  }

  evaluate(snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationOutcome {
    return this.run(snapshot, options).outcome;
  }

  /** @internal evaluate, also giving the values read. Never throws. */
  run(snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationRun {
    return this.#tree ? this.#runCompiled(this.#tree, snapshot, options) : this.#runFeelin(snapshot, options);
  }

  #iterationRefusal(name: string, maxListLength: number): EvaluationOutcome | undefined {
    const longest = Math.max(1, maxListLength);
    for (const c of this.#iterationCosts) {
      const worst = c.literal * longest ** c.fromData;
      if (worst > this.#limits.maxIterations) {
        return {
          ok: false,
          code: 'LIMIT_EXCEEDED',
          reason: `${name} could iterate up to ${worst.toExponential(1)} times over this snapshot (its longest list has ${maxListLength} items), over the limit of ${this.#limits.maxIterations}`,
        };
      }
    }
    return undefined;
  }

  #runCompiled(tree: CompiledTree, snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationRun {
    const now = options?.now;
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      return { outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `expression "${clip(this.source)}" cannot be evaluated: no valid clock instant (options.now) was given` } };
    }
    const timeZone = options.timeZone ?? 'UTC';
    const rootKeys: readonly string[] = tree.rootKeys;
    let roots: unknown[] = [];
    try {
      assertTimeZone(timeZone);
      const prepared = prepareRoots(snapshot, this.#plan!, this.#limits);
      roots = prepared.roots;
      if (this.#iterationCosts.length > 0) {
        const refusal = this.#iterationRefusal(`expression "${clip(this.source)}"`, prepared.maxListLength);
        if (refusal) return { outcome: refusal };
      }
      if (prepared.mayReparse) {
        const parseContext = parseContextOf(this.#scope, ['now', NOW_VARIABLE, TODAY_VARIABLE]);
        rootKeys.forEach((k, i) => { parseContext[k] = roots[i]; });
        if (treeSignature(this.#evalSource, parseContext) !== this.#compiledSignature()) {
          return {
            outcome: {
              ok: false,
              code: 'EVALUATION_FAILED',
              reason: `expression "${clip(this.source)}" would read differently against this snapshot: data under a variable has keys (with "-", spaces or keywords) that the template does not declare`,
            },
          };
        }
      }
      const rt = new Runtime(this.#runtimeLimits, tree.slotCount, roots, () => feelDateTime(now, timeZone), () => feelToday(now, timeZone));
      const value = tree.evaluate(rt);
      return { outcome: { ok: true, value: value === undefined ? null : value }, context: () => this.#readContext(rootKeys, roots, now, timeZone) };
    } catch (e) {
      return { outcome: this.#failure(e), context: () => this.#readContext(rootKeys, roots, now, timeZone) };
    }
  }

  #readContext(rootKeys: readonly string[], roots: unknown[], now: Date, timeZone: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    rootKeys.forEach((k, i) => { out[k] = roots[i] === undefined ? null : roots[i]; });
    try {
      out['now'] = feelDateTime(now, timeZone);
    } catch {
      out['now'] = null;
    }
    return out;
  }

  #failure(e: unknown): EvaluationOutcome {
    const name = `expression "${clip(this.source)}"`;
    if (e instanceof LimitExceeded) return { ok: false, code: 'LIMIT_EXCEEDED', reason: `${name} was stopped: ${e.message}` };
    if (e instanceof SnapshotRefused) return { ok: false, code: e.code, reason: `${name} not evaluated: ${e.message}` };
    if (e instanceof RangeError && /call stack/i.test(e.message)) return { ok: false, code: 'LIMIT_EXCEEDED', reason: `${name} was stopped: it nests too deeply` };
    const msg = e instanceof FeelWarning || e instanceof FeelFault
      ? e.message
      : e instanceof WinpathError ? e.message.replace(/^\[[A-Z_]+\] /, '').split('\n')[0] : e instanceof Error ? e.message : String(e);
    return { ok: false, code: 'EVALUATION_FAILED', reason: `${name} failed: ${clip(msg ?? 'unknown error', 200)}` };
  }

  /** The reference path: feelin's interpreter on the whole checked and projected snapshot. */
  #runFeelin(snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationRun {
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

      const refusal = this.#iterationRefusal(name, prepared.maxListLength);
      if (refusal) return { outcome: refusal };
      if (prepared.mayReparse && treeSignature(this.#evalSource, context) !== this.#compiledSignature()) {
        return {
          outcome: {
            ok: false,
            code: 'EVALUATION_FAILED',
            reason: `${name} would read differently against this snapshot: data under a variable has keys (with "-", spaces or keywords) that the template does not declare`,
          },
          context: () => context,
        };
      }

      const result = feelinEvaluate(this.#evalSource, context, undefined);
      if (result.warnings.length > 0) {
        const first = result.warnings[0]!;
        const more = result.warnings.length - 1;
        const msg = first.message.split(NOW_VARIABLE).join('now()').split(TODAY_VARIABLE).join('today()');
        return {
          outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `${name} failed: ${msg}${more > 0 ? ` (and ${more} more warning${more > 1 ? 's' : ''})` : ''}` },
          context: () => context,
        };
      }
      const value = result.value;
      if (typeof value === 'function' || isFunction(value) || isRange(value)) {
        return { outcome: { ok: false, code: 'EVALUATION_FAILED', reason: `${name} gave ${describeFeelValue(value)}, not a value` }, context: () => context };
      }
      return { outcome: { ok: true, value }, context: () => context };
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
  const tree = options?.evaluator === 'feelin' ? undefined : compileTree(analysis.tree, body, scope, unsupported(base, source));
  return new FeelExpression(body, analysis, scope, limits, tree);
}
