/** Meets a deal's current requirements the way its people would: fills fields, submits deliverables, completes tasks, decides approvals. */
import type { Engine } from '../engine/index.js';
import { parseComparisons, type Actor, type Comparison, type FieldDef, type ProcessDefinition } from '../model/index.js';
import type { Random } from './random.js';

export interface SatisfyOptions {
  /** Values for fields that are empty; default: agreeable values by type. */
  value?: (key: string, field: FieldDef) => unknown;
  /** Whether one approval decision rejects (default never). */
  reject?: () => boolean;
  /** Users deciding approvals are taken from each slot's candidates; the requester never decides. */
}

/** An agreeable value of a field's type (booleans true, numbers low in their range, the first enum option...). */
export function agreeableValue(key: string, f: FieldDef, now: Date, rnd?: Random): unknown {
  switch (f.type) {
    case 'boolean': return true;
    case 'enum': return rnd ? rnd.pick(f.options ?? ['x']) : f.options?.[0];
    case 'number': {
      const min = f.min ?? 0;
      const max = f.max ?? min + 100;
      return Math.round((rnd ? rnd.between(min, min + (max - min) * 0.3) : min) * 100) / 100;
    }
    case 'money': return rnd ? Math.round(rnd.between(1_000, 100_000)) : 10_000;
    case 'date': return new Date(now.getTime() + (rnd ? rnd.int(7, 60) : 30) * 86_400_000).toISOString().slice(0, 10);
    case 'list': return [`${key}-1`];
    case 'user': return 'user-1';
    default: return `${key}-${rnd ? rnd.int(1, 9) : 1}`;
  }
}

/**
 * Meets what the deal's current stage requires, acting as `owner` for fields and deliverables, as each
 * task's assignee, and as the approvers' candidates. Checks (FEEL) are met only as far as agreeable
 * values meet them. Returns the number of commands it ran.
 */
export async function satisfyRequirements(engine: Engine, def: ProcessDefinition, id: string, owner: Actor, opts: SatisfyOptions = {}): Promise<number> {
  let commands = 0;
  const loaded = await engine.store.load(id);
  if (!loaded || loaded.state.opportunity.status !== 'open') return 0;
  const state = loaded.state;
  const stage = def.stages.find((s) => s.key === state.opportunity.stage)!;
  const missing: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(def.fields)) {
    const v = state.opportunity.fields[key];
    if (v === undefined || v === null) missing[key] = opts.value ? opts.value(key, f) : agreeableValue(key, f, new Date(state.opportunity.stageEnteredAt));
  }
  // checks of simple comparisons (`score >= 60`) are met the way a salesperson would: by recording such a value
  for (const c of stage.requires?.checks ?? []) {
    const fields = { ...state.opportunity.fields, ...missing };
    if (!holdsNow(c.when, fields)) Object.assign(missing, valuesMaking(c.when, def, fields));
  }
  for (const [key, v] of Object.entries(missing)) if (JSON.stringify(state.opportunity.fields[key]) === JSON.stringify(v)) delete missing[key];
  if (Object.keys(missing).length) {
    await engine.update(id, { fields: missing, actor: owner });
    commands++;
  }
  for (const d of stage.requires?.deliverables ?? []) {
    if (!state.deliverables[d.key]) {
      await engine.submitDeliverable(id, d.key, { ref: `ref://${d.key}`, actor: owner });
      commands++;
    }
  }
  for (let round = 0; round < 4; round++) {
    const st = (await engine.store.load(id))!.state;
    const tasks = st.tasks.filter((t) => t.status === 'open');
    const pending = st.approvals.filter((a) => a.status === 'pending');
    if (tasks.length === 0 && pending.length === 0) break;
    for (const t of tasks) {
      await engine.completeTask(t.id, { actor: t.assignee ? { id: t.assignee } : owner });
      commands++;
    }
    for (const a of pending) {
      const used = new Set(a.decisions.map((d) => d.by));
      const filled = new Set(a.decisions.map((d) => d.slot));
      const slots = a.mode === 'sequential' ? [a.decisions.length] : a.approvers.map((_, i) => i).filter((i) => !filled.has(i));
      const approved = a.decisions.filter((d) => d.decision === 'approve').length;
      const needed = a.mode === 'any' ? 1 : typeof a.mode === 'object' ? Math.max(0, a.mode.quorum - approved) : slots.length;
      for (const slot of slots.slice(0, needed)) {
        const who = (a.candidates[slot] ?? []).find((u) => u !== a.requestedBy && !used.has(u));
        if (!who) continue;
        used.add(who);
        const decision = opts.reject?.() ? 'reject' : 'approve';
        await engine.decide(a.id, { actor: who, decision });
        commands++;
        if (decision === 'reject' || a.mode === 'sequential') break;
      }
    }
  }
  return commands;
}

/**
 * Field values that make a guard of simple comparisons true (the first side of an `or` that can be
 * made true): `field op literal`, or `field op otherField [* / + - number]` judged on `fields`; dates
 * compare by day. {} when the guard has another shape.
 */
export function valuesMaking(when: string, def: ProcessDefinition, fields: Record<string, unknown> = {}): Record<string, unknown> {
  const dnf = parseComparisons(when);
  if (!dnf) return {};
  for (const conj of dnf) {
    const out = solve(conj, def, fields);
    if (out && Object.keys(out).length) return out;
  }
  return {};
}

function solve(conj: Comparison[], def: ProcessDefinition, fields: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const { field: key, op, value: rhs } of conj) {
    if (!def.fields[key]) return undefined;
    let value: unknown;
    if ('literal' in rhs) {
      if (rhs.literal === null) return undefined;
      value = rhs.literal;
    } else {
      const base = { ...fields, ...out }[rhs.field];
      if (typeof base === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(base) && !rhs.arith) {
        const shift = op === '>' ? 1 : op === '<' ? -1 : 0;
        out[key] = new Date(Date.parse(`${base}T00:00:00Z`) + shift * 86_400_000).toISOString().slice(0, 10);
        continue;
      }
      if (typeof base !== 'number') return undefined;
      const k = rhs.arith?.by ?? 0;
      const o = rhs.arith?.op;
      value = Math.round((o === '*' ? base * k : o === '/' ? base / k : o === '+' ? base + k : o === '-' ? base - k : base) * 100) / 100;
    }
    if (typeof value === 'number') out[key] = op === '>' ? value + 1 : op === '<' ? value - 1 : op === '!=' ? value + 1 : value;
    else if (op === '=' || op === '>=' || op === '<=') out[key] = value;
    else if (op === '!=' && typeof value === 'boolean') out[key] = !value;
    else if (op === '!=') out[key] = def.fields[key]!.options?.find((x) => x !== value) ?? `${String(value)}-other`;
  }
  return out;
}

/** Whether a guard of simple comparisons holds on these field values (false for other shapes). */
export function holdsNow(when: string, fields: Record<string, unknown>): boolean {
  const dnf = parseComparisons(when);
  if (!dnf) return false;
  return dnf.some((conj) => conj.every(({ field, op, value: rhs }) => {
    const v = fields[field] ?? null;
    let w: unknown;
    if ('literal' in rhs) w = rhs.literal;
    else {
      const base = fields[rhs.field];
      if (typeof base !== 'number' || !rhs.arith) w = base ?? null;
      else w = rhs.arith.op === '*' ? base * rhs.arith.by : rhs.arith.op === '/' ? base / rhs.arith.by : rhs.arith.op === '+' ? base + rhs.arith.by : base - rhs.arith.by;
    }
    if (op === '=') return v === w;
    if (op === '!=') return v !== w;
    if (v === null || w === null || typeof v !== typeof w) return false;
    const a = v as number | string;
    const b = w as number | string;
    return op === '>' ? a > b : op === '<' ? a < b : op === '>=' ? a >= b : a <= b;
  }));
}
