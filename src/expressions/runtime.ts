/** The state of one evaluation: the step budget, the bound variables, the values read, the clock. */
import type { FeelDate, FeelDateTime } from 'feelin';
import { getType, type StepMeter } from './feel-values.js';

/** Bounds applied while an expression runs (see ExpressionLimits). */
export interface RuntimeLimits {
  maxSteps: number;
  maxCreatedStringLength: number;
  maxCreatedListItems: number;
}

/** The budget ran out, or a value would grow over its cap: the evaluation fails closed with LIMIT_EXCEEDED. */
export class LimitExceeded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

/** Where feelin reports a warning (and gives null), winpath fails closed with EVALUATION_FAILED and this message. */
export class FeelWarning extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeelWarning';
  }
}

export class Runtime implements StepMeter {
  steps: number;
  readonly slots: unknown[];
  readonly roots: unknown[];
  readonly limits: RuntimeLimits;
  readonly now: () => FeelDateTime;
  readonly today: () => FeelDate;

  constructor(limits: RuntimeLimits, slotCount: number, roots: unknown[], now: () => FeelDateTime, today: () => FeelDate) {
    this.steps = limits.maxSteps;
    this.limits = limits;
    this.slots = new Array<unknown>(slotCount).fill(null);
    this.roots = roots;
    this.now = now;
    this.today = today;
  }

  exceeded(): never {
    throw new LimitExceeded(`it ran out of its budget of ${this.limits.maxSteps} evaluation steps`);
  }

  /** Charges the work of touching `n` characters (one step per 16). */
  chars(n: number): void {
    if ((this.steps -= n >>> 4) < 0) this.exceeded();
  }

  /** Charges the work of touching `n` items (one step each). */
  items(n: number): void {
    if ((this.steps -= n) < 0) this.exceeded();
  }

  /** A string the expression creates, checked against the cap. */
  string(s: string): string {
    if (s.length > this.limits.maxCreatedStringLength) this.stringTooLong(s.length);
    this.chars(s.length);
    return s;
  }

  stringTooLong(n: number): never {
    throw new LimitExceeded(`it would create a string of ${n} characters or more, over the limit of ${this.limits.maxCreatedStringLength}`);
  }

  /** A list length the expression is about to create, checked against the cap. */
  listLength(n: number): void {
    if (n > this.limits.maxCreatedListItems) {
      throw new LimitExceeded(`it would create a list of ${n} items, over the limit of ${this.limits.maxCreatedListItems}`);
    }
    this.items(n);
  }

  warn(template: string, values: Record<string, unknown> = {}): never {
    throw new FeelWarning(formatDetails(template, values));
  }
}

/** feelin's warning text: `{name}` replaced by the quoted, shortened value. */
export function formatDetails(template: string, values: Record<string, unknown>): string {
  return Object.keys(values).reduce((message, key) => message.replace(`{${key}}`, `'${formatValue(values[key])}'`), template);
}

export function formatValue(value: unknown): string {
  const type = getType(value);
  if (type === 'string') {
    const s = value as string;
    return `"${s.length > 60 ? `${s.slice(0, 59)}…` : s}"`;
  }
  if (type === 'list') return `[${(value as unknown[]).length} items]`;
  if (type === 'context') return '{...}';
  if (type === 'nil') return 'null';
  if (type === 'literal') return 'a value';
  return String(value);
}
