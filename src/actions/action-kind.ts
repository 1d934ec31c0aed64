/** What every entry-action kind provides: its schema, its load-time references, and its pure plan. */
import type { z } from 'zod';
import type { ActionSpec, CalendarOptions, DealState, I18nText, PendingEvent, ProcessDefinition, StageDef } from '../model/index.js';
import type { GuardOutcome, EvaluationOutcome } from '../expressions/index.js';

/** Everything a plan may read. Pure: no I/O, time and ids come in. */
export interface PlanContext {
  def: ProcessDefinition;
  /** The deal, already in the stage whose actions run. */
  state: DealState;
  stage: StageDef;
  actor: string;
  now: Date;
  lang: string;
  calendar: CalendarOptions;
  resolveRole(role: string): string[];
  /** Evaluates a FEEL guard against the deal's snapshot. */
  guard(source: string): GuardOutcome;
  /** Evaluates a FEEL expression against the deal's snapshot. */
  evaluate(source: string): EvaluationOutcome;
  /** Renders a message: picks the language, fills `{title}`, `{stage}`, `{owner}`, `{amount}`, fields. */
  render(message: I18nText, lang?: string): string;
  /** Ids of a task or approval created by this entry of the stage. */
  childId(key: string): string;
}

/** A name an action refers to, checked at load (role, user, field). */
export interface ActionReference {
  kind: 'role' | 'recipient' | 'field' | 'task';
  name: string;
  path: (string | number)[];
}

export interface ActionKindDef<K extends string, S> {
  kind: K;
  schema: z.ZodType<S>;
  /** FEEL expressions in the action, with their path below the action's kind key. */
  expressions(spec: S): { source: string; path: (string | number)[]; role: 'guard' | 'value' }[];
  references(spec: S): ActionReference[];
  /** The key of a task or approval it creates, for uniqueness and `requires` checks. */
  createdKey(spec: S): { key: string; kind: 'task' | 'approval' } | undefined;
  plan(spec: S, ctx: PlanContext): PendingEvent[];
}

export function pending(ctx: PlanContext, type: PendingEvent['type'], data: Record<string, unknown>): PendingEvent {
  return { type, at: ctx.now.toISOString(), actor: ctx.actor, data };
}

/** Actions whose `when` is false, errors or gives anything but true do not run. */
export function whenHolds(when: string | undefined, ctx: PlanContext): boolean {
  return when === undefined || ctx.guard(when).met;
}

export type AnyActionKind = ActionKindDef<string, any>;
export type { ActionSpec };
