/** The names a template's expressions may read, shaped for the parser (DESIGN.md, "FEEL context"). */
import type { ProcessDefinition, ActionSpec } from '../model/index.js';
import type { ExpressionScope } from './types.js';

/** Names every deal snapshot carries besides the template's fields. */
export const BUILTIN_VARIABLES = ['title', 'owner', 'amount', 'stage', 'daysInStage', 'daysOpen', 'now'] as const;
/** Names of the per-key status maps. */
export const STATUS_MAPS = ['deliverables', 'tasks', 'approvals'] as const;

/** Task and approval keys created by a list of actions. */
function createdKeys(actions: readonly ActionSpec[] | undefined, kind: 'task' | 'approval'): string[] {
  const out: string[] = [];
  for (const a of actions ?? []) {
    const spec = (a as unknown as Record<string, { key?: string } | undefined>)[kind];
    if (spec?.key) out.push(spec.key);
  }
  return out;
}

/** The scope of every expression in a template (shape only; built once per definition). */
export function definitionScope(def: Pick<ProcessDefinition, 'fields' | 'stages'>): ExpressionScope {
  const scope: Record<string, ExpressionScope | true> = {};
  for (const key of Object.keys(def.fields)) scope[key] = true;
  for (const name of BUILTIN_VARIABLES) scope[name] = true;
  const deliverables: Record<string, true> = {};
  const tasks: Record<string, true> = {};
  const approvals: Record<string, true> = {};
  for (const stage of def.stages) {
    for (const d of stage.requires?.deliverables ?? []) deliverables[d.key] = true;
    const actions = [...(stage.onEnter ?? []), ...(stage.sla?.onBreach ?? [])];
    for (const k of createdKeys(actions, 'task')) tasks[k] = true;
    for (const k of createdKeys(actions, 'approval')) approvals[k] = true;
  }
  scope['deliverables'] = deliverables;
  scope['tasks'] = tasks;
  scope['approvals'] = approvals;
  return scope;
}
