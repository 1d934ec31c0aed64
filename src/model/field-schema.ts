/** The template's fields compiled to zod: every write of a field value is validated against its type. */
import { z } from 'zod';
import type { FieldDef } from './definition.js';
import { FORBIDDEN_KEYS } from './schemas.js';

export const LIMITS = {
  titleMax: 500,
  stringMax: 10_000,
  textMax: 100_000,
  listMax: 1_000,
  moneyMaxAbs: 1e13,
} as const;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

export function hasAtMostTwoDecimals(n: number): boolean {
  return Math.abs(Math.round(n * 100) - n * 100) < 1e-6;
}

const schemas = new WeakMap<FieldDef, z.ZodType>();

/** The zod schema of one field's non-null value; built once per frozen field definition (compiled templates are frozen). */
export function fieldValueSchema(def: FieldDef): z.ZodType {
  let s = schemas.get(def);
  if (!s) {
    s = buildFieldValueSchema(def);
    if (Object.isFrozen(def)) schemas.set(def, s);
  }
  return s;
}

function buildFieldValueSchema(def: FieldDef): z.ZodType {
  switch (def.type) {
    case 'string':
      return z.string().max(LIMITS.stringMax);
    case 'text':
      return z.string().max(LIMITS.textMax);
    case 'user':
      return z.string().min(1).max(200);
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.string().refine(isIsoDate, { message: 'must be a date written YYYY-MM-DD' });
    case 'enum':
      return z.enum((def.options ?? []) as [string, ...string[]]);
    case 'list':
      return z.array(z.string().max(LIMITS.stringMax)).max(LIMITS.listMax);
    case 'number':
    case 'money': {
      let s = z.number().finite();
      if (def.min !== undefined) s = s.min(def.min);
      if (def.max !== undefined) s = s.max(def.max);
      if (def.type === 'number') return s;
      if (def.min === undefined) s = s.min(0);
      return s.max(LIMITS.moneyMaxAbs).refine(hasAtMostTwoDecimals, { message: 'money has at most 2 decimals (major units)' });
    }
  }
}

export interface FieldValidation {
  ok: boolean;
  value: Record<string, unknown>;
  problems: { path: (string | number)[]; message: string }[];
}

/**
 * Validates a patch of field values (null clears a value). Unknown keys, forbidden keys such as
 * `__proto__`, and wrong types are problems; `requireAll` also reports missing required fields.
 */
export function validateFields(
  fields: { readonly [key: string]: FieldDef },
  patch: unknown,
  opts: { requireAll?: Record<string, unknown> } = {},
): FieldValidation {
  const problems: FieldValidation['problems'] = [];
  const value: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (patch === undefined) patch = {};
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { ok: false, value, problems: [{ path: ['fields'], message: 'fields must be an object of field key to value' }] };
  }
  const known = Object.keys(fields);
  for (const key of Object.keys(patch)) {
    const v = (patch as Record<string, unknown>)[key];
    if (FORBIDDEN_KEYS.has(key) || !Object.prototype.hasOwnProperty.call(fields, key)) {
      problems.push({ path: ['fields', key], message: `unknown field "${key}"; the template declares: ${known.join(', ')}` });
      continue;
    }
    const def = fields[key]!;
    if (v === null || v === undefined) {
      value[key] = null;
      continue;
    }
    const r = fieldValueSchema(def).safeParse(v);
    if (!r.success) {
      problems.push({ path: ['fields', key], message: `field "${key}" (${def.type}): ${r.error.issues[0]?.message ?? 'invalid value'}` });
      continue;
    }
    value[key] = r.data;
  }
  if (opts.requireAll) {
    const merged = { ...opts.requireAll, ...value };
    for (const [key, def] of Object.entries(fields)) {
      if (def.required && (merged[key] === null || merged[key] === undefined)) {
        problems.push({ path: ['fields', key], message: `field "${key}" is required by the template and cannot be empty` });
      }
    }
  }
  return { ok: problems.length === 0, value: { ...value }, problems };
}
