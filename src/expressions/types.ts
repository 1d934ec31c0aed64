/** The one small interface every guard goes through: compile at load, evaluate against a JSON snapshot. */

/**
 * Names known where an expression stands, shaped like the snapshot it will see: a key per
 * variable, nested objects for paths whose member names FEEL must know to parse
 * (`deliverables.visit-record`). Values are ignored; only the shape matters.
 */
export type ExpressionScope = { readonly [name: string]: ExpressionScope | true };

/** The plain data an expression evaluates against (JSON values plus the FEEL temporals winpath builds). */
export type FeelSnapshot = { readonly [name: string]: unknown };

export interface EvaluateOptions {
  /** The engine clock's instant, the only time an expression may see (`now`, `now()`, `today()`). */
  now: Date;
  /** IANA zone for `today()`; default UTC. */
  timeZone?: string;
}

/** The outcome of one evaluation: a value, or a reason it failed (it then fails closed). */
export type EvaluationOutcome =
  | { ok: true; value: unknown }
  | { ok: false; reason: string; code: 'LIMIT_EXCEEDED' | 'EVALUATION_FAILED' };

export interface CompiledExpression {
  /** The expression text as written (a leading `=` removed). */
  readonly source: string;
  /** Top-level names the expression reads (bound names of for/some/every excluded). */
  readonly freeVariables: readonly string[];
  evaluate(snapshot: FeelSnapshot, options: EvaluateOptions): EvaluationOutcome;
}

export interface CompileOptions {
  scope: ExpressionScope;
  /** Overrides of the default limits (tests and tooling; templates use the defaults). */
  limits?: Partial<ExpressionLimits>;
  /**
   * `compiled` (default): the expression is compiled once into closures with a step budget.
   * `feelin`: each evaluation calls feelin's interpreter (the reference, 100x slower; for comparison only).
   */
  evaluator?: 'compiled' | 'feelin';
}

/** A guard holds only when its expression gives exactly `true`; anything else is a reason. */
export type GuardOutcome = { met: true } | { met: false; reason: string; code?: 'LIMIT_EXCEEDED' | 'EVALUATION_FAILED' | 'NOT_TRUE' };

/** Static and run-time bounds an expression and its snapshot must stay within (see `EXPRESSION_LIMITS`). */
export interface ExpressionLimits {
  /** Characters of expression text (checked before parsing). */
  maxLength: number;
  /** Nesting depth of the parse tree. */
  maxDepth: number;
  /** Items in one list literal. */
  maxListItems: number;
  /** Characters in one string literal. */
  maxStringLength: number;
  /** Values in a literal range used as an iteration domain (`for i in 1..10`). */
  maxRangeSpan: number;
  /** for / some / every / filter levels nested in one another. */
  maxIterationNesting: number;
  /** Worst-case iterations of nested loops over the snapshot's lists, checked before evaluating. */
  maxIterations: number;
  /** Container nesting depth of a snapshot. */
  maxSnapshotDepth: number;
  /** Values (object entries plus list items) in a snapshot. */
  maxSnapshotItems: number;
  /** Evaluation steps of one run: every node evaluated, every loop iteration, every item or 16 characters handled. */
  maxSteps: number;
  /** Characters of a string an expression creates (concatenation, string(), string join, ...). */
  maxCreatedStringLength: number;
  /** Items of a list an expression creates (for, concatenate, append, flatten, ...). */
  maxCreatedListItems: number;
}
