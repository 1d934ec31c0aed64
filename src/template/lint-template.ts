/** lintTemplate: soundness findings beyond the load-time errors (warnings a template author should see). */
import type { PathSegment } from '../errors/index.js';
import { addDuration, isOpenStage, type ProcessDefinition } from '../model/index.js';

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
