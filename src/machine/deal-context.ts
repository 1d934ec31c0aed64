/** What commands and explanations read about a deal: its FEEL snapshot, rendered messages, who may act. */
import { assertFeelDateTime, feelDate, checkGuard, type FeelSnapshot, type GuardOutcome, type EvaluationOutcome } from '../expressions/index.js';
import {
  actorId, actorRoles, daysBetween, textFor, type Actor, type CalendarOptions, type DealState, type I18nText, type Opportunity,
} from '../model/index.js';
import type { CompiledProcess } from './compile-process.js';

/** What the engine supplies to every pure decision: time, language, calendar, role resolution. */
export interface DecideEnv {
  now: Date;
  lang: string;
  calendar: CalendarOptions;
  resolveRole(role: string, opportunity: Opportunity): string[];
}

/** The deal as FEEL sees it: typed values (dates as FEEL dates), no functions, no getters. */
export function buildSnapshot(p: CompiledProcess, state: DealState, env: DecideEnv): FeelSnapshot {
  const o = state.opportunity;
  const snap: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(p.def.fields)) {
    const v = o.fields[key];
    if (v === undefined || v === null) snap[key] = null;
    else if (f.type === 'date') snap[key] = feelDate(v as string);
    else if (Array.isArray(v)) snap[key] = [...v];
    else snap[key] = v;
  }
  snap['title'] = o.title;
  snap['owner'] = o.owner;
  snap['amount'] = o.amount;
  snap['stage'] = o.stage;
  snap['daysInStage'] = Math.floor(daysBetween(o.stageEnteredAt, env.now));
  snap['daysOpen'] = Math.floor(daysBetween(o.openedAt, env.now));
  // every evaluator reads `now` from the clock (options.now), built only when an expression uses it;
  // the clock is still checked here, and the key stays so the snapshot keeps its size (limits count keys)
  assertFeelDateTime(env.now, env.calendar.timeZone);
  snap['now'] = null;
  const deliverables: Record<string, boolean> = {};
  for (const key of Object.keys(p.scope['deliverables'] as object)) deliverables[key] = state.deliverables[key] !== undefined;
  const tasks: Record<string, string | null> = {};
  for (const key of Object.keys(p.scope['tasks'] as object)) tasks[key] = null;
  for (const t of state.tasks) tasks[t.key] = t.status;
  const approvals: Record<string, string | null> = {};
  for (const key of Object.keys(p.scope['approvals'] as object)) approvals[key] = null;
  for (const a of state.approvals) approvals[a.key] = a.status;
  snap['deliverables'] = deliverables;
  snap['tasks'] = tasks;
  snap['approvals'] = approvals;
  return snap;
}

/** Evaluates guards and expressions against one snapshot, built lazily once. */
export function guardEvaluator(p: CompiledProcess, state: DealState, env: DecideEnv): {
  guard(source: string): GuardOutcome;
  evaluate(source: string): EvaluationOutcome;
} {
  let snap: FeelSnapshot | undefined;
  const get = () => (snap ??= buildSnapshot(p, state, env));
  const opts = env.calendar.timeZone === undefined ? { now: env.now } : { now: env.now, timeZone: env.calendar.timeZone };
  return {
    guard: (source) => checkGuard(p.expression(source), get(), opts),
    evaluate: (source) => p.expression(source).evaluate(get(), opts),
  };
}

/** Fills `{title}`, `{stage}`, `{owner}`, `{amount}` and field keys in a template message. */
export function renderMessage(p: CompiledProcess, o: Opportunity, text: I18nText, lang: string): string {
  return textFor(text, lang).replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    if (name === 'title') return o.title;
    if (name === 'owner') return o.owner;
    if (name === 'stage') return textFor(p.stage(o.stage)?.name, lang) || o.stage;
    if (name === 'amount') return o.amount === null ? '' : String(o.amount);
    if (Object.prototype.hasOwnProperty.call(p.def.fields, name)) {
      const v = o.fields[name];
      return v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v);
    }
    return whole;
  });
}

/** Whether an actor holds one of the listed roles (`owner` is the deal's owner). Absent list: anyone. */
export function mayAct(allowed: readonly string[] | undefined, actor: Actor, o: Opportunity, env: DecideEnv): boolean {
  if (allowed === undefined) return true;
  const id = actorId(actor);
  const roles = actorRoles(actor);
  return allowed.some((r) => (r === 'owner' ? id === o.owner : roles.includes(r) || env.resolveRole(r, o).includes(id)));
}
