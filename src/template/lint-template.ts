/** lintTemplate: soundness findings beyond the load-time errors (warnings a template author should see). */
import type { PathSegment } from '../errors/index.js';
import { addDuration, isOpenStage, parseComparisons, type Comparison, type FieldDef, type ProcessDefinition } from '../model/index.js';

export interface LintFinding {
  level: 'error' | 'warning';
  code: string;
  path: PathSegment[];
  message: string;
  fix?: string;
}

const EPOCH = new Date('2026-01-05T09:00:00Z');

export function lintTemplate(def: ProcessDefinition): LintFinding[] {
  const out: LintFinding[] = [];
  const never = (when: string | undefined) => when !== undefined && neverHolds(when, def.fields);
  def.transitions.forEach((t, i) => {
    if (never(t.when)) out.push({ level: 'error', code: 'TRANSITION_NEVER_HOLDS', path: ['transitions', i, 'when'], message: `transition ${t.from} -> ${t.to} can never be taken: "${t.when}" cannot hold given the field types`, fix: 'compare with a value the field can take (its options, min and max)' });
  });
  def.stages.forEach((s, i) => {
    s.requires?.checks?.forEach((c, j) => {
      if (never(c.when)) out.push({ level: 'error', code: 'CHECK_NEVER_HOLDS', path: ['stages', i, 'requires', 'checks', j, 'when'], message: `check "${c.key ?? `checks[${j}]`}" of stage "${s.key}" can never hold ("${c.when}"), so no deal can leave the stage forward`, fix: 'compare with a value the field can take (its options, min and max)' });
    });
    (s.onEnter ?? []).forEach((a, j) => {
      const spec = Object.values(a)[0] as { when?: string };
      if (never(spec.when)) out.push({ level: 'warning', code: 'ACTION_NEVER_RUNS', path: ['stages', i, 'onEnter', j], message: `an entry action of stage "${s.key}" never runs: "${spec.when}" cannot hold`, fix: 'correct the `when`, or remove the action' });
    });
  });
  const seenDefault = new Set<string>();
  def.transitions.forEach((t, i) => {
    if (seenDefault.has(t.from)) {
      out.push({ level: 'warning', code: 'DEAD_TRANSITION', path: ['transitions', i], message: `transition ${t.from} -> ${t.to} comes after one without \`when\`, so it is never taken`, fix: 'move the unconditional (default) transition last' });
    }
    if (t.when === undefined) seenDefault.add(t.from);
  });
  const open = def.stages.filter(isOpenStage);
  let last = -1;
  def.stages.forEach((s, i) => {
    if (!isOpenStage(s)) return;
    const created = new Map<string, { kind: string; due?: unknown }>();
    for (const a of s.onEnter ?? []) {
      const r = a as unknown as Record<string, { key?: string; due?: unknown }>;
      if (r['task']?.key) created.set(r['task'].key, { kind: 'task', due: r['task'].due });
      if (r['approval']?.key) created.set(r['approval'].key, { kind: 'approval', due: r['approval'].due });
    }
    s.requires?.tasks?.forEach((k, j) => {
      if (created.get(k)?.kind !== 'task') out.push({ level: 'warning', code: 'REQUIRED_TASK_NOT_CREATED', path: ['stages', i, 'requires', 'tasks', j], message: `stage "${s.key}" requires task "${k}" but its onEnter does not create it, so the requirement never binds`, fix: `create the task in the onEnter of "${s.key}"` });
    });
    s.requires?.approvals?.forEach((k, j) => {
      if (created.get(k)?.kind !== 'approval') out.push({ level: 'warning', code: 'REQUIRED_APPROVAL_NOT_REQUESTED', path: ['stages', i, 'requires', 'approvals', j], message: `stage "${s.key}" requires approval "${k}" but its onEnter does not request it`, fix: `request the approval in the onEnter of "${s.key}"` });
    });
    if (s.probability !== undefined) {
      if (s.probability < last) out.push({ level: 'warning', code: 'PROBABILITY_NOT_RISING', path: ['stages', i, 'probability'], message: `stage "${s.key}" has probability ${s.probability}, lower than an earlier stage (${last})`, fix: 'probabilities should rise along the main path' });
      last = Math.max(last, s.probability);
    }
    if (s.sla) {
      const slaEnd = addDuration(EPOCH, s.sla.within).getTime();
      for (const [key, c] of created) {
        if (c.due === undefined) continue;
        if (addDuration(EPOCH, c.due as string).getTime() > slaEnd) {
          out.push({ level: 'warning', code: 'SLA_SHORTER_THAN_TASK', path: ['stages', i, 'sla', 'within'], message: `stage "${s.key}" has an SLA shorter than the due time of its ${c.kind} "${key}"`, fix: 'lengthen the SLA or shorten the due time' });
        }
      }
    }
    if (!s.guidance && open.length > 0) out.push({ level: 'warning', code: 'NO_GUIDANCE', path: ['stages', i], message: `open stage "${s.key}" has no guidance for the salesperson`, fix: 'add `guidance: { en: ..., zh: ... }`' });
  });
  return out;
}

/** Whether a guard of simple comparisons can never hold given the fields' types, options and bounds (undecidable shapes: false). */
export function neverHolds(when: string, fields: ProcessDefinition['fields']): boolean {
  const dnf = parseComparisons(when);
  if (!dnf) return false;
  return dnf.every((conj) => conj.some((c) => atomNeverHolds(c, fields[c.field])) || contradicts(conj, fields));
}

function atomNeverHolds(c: Comparison, f: FieldDef | undefined): boolean {
  if (!f || !('literal' in c.value)) return false;
  const v = c.value.literal;
  if (v === null) return false;
  const numeric = f.type === 'number' || f.type === 'money';
  if (numeric) {
    if (typeof v !== 'number') return true;
    const min = f.min ?? (f.type === 'money' ? 0 : undefined);
    const max = f.max;
    if (max !== undefined && ((c.op === '>' && v >= max) || (c.op === '>=' && v > max) || (c.op === '=' && v > max))) return true;
    if (min !== undefined && ((c.op === '<' && v <= min) || (c.op === '<=' && v < min) || (c.op === '=' && v < min))) return true;
    return false;
  }
  if (f.type === 'boolean') return typeof v !== 'boolean' || (c.op !== '=' && c.op !== '!=');
  if (f.type === 'enum') return typeof v !== 'string' || (c.op === '=' && !(f.options ?? []).includes(v));
  if (f.type === 'string' || f.type === 'text' || f.type === 'user') return typeof v !== 'string';
  return false;
}

/** `x > 5 and x < 3`: numeric bounds on one field that leave no value. */
function contradicts(conj: Comparison[], fields: ProcessDefinition['fields']): boolean {
  const lo = new Map<string, number>();
  const hi = new Map<string, number>();
  for (const c of conj) {
    if (!('literal' in c.value) || typeof c.value.literal !== 'number') continue;
    const t = fields[c.field]?.type;
    if (t !== 'number' && t !== 'money') continue;
    const v = c.value.literal;
    if (c.op === '>' || c.op === '>=' || c.op === '=') lo.set(c.field, Math.max(lo.get(c.field) ?? -Infinity, c.op === '>' ? v + Number.EPSILON * Math.max(1, Math.abs(v)) : v));
    if (c.op === '<' || c.op === '<=' || c.op === '=') hi.set(c.field, Math.min(hi.get(c.field) ?? Infinity, c.op === '<' ? v - Number.EPSILON * Math.max(1, Math.abs(v)) : v));
  }
  for (const [k, l] of lo) if (l > (hi.get(k) ?? Infinity)) return true;
  return false;
}
