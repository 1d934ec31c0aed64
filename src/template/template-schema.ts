/** zod schema of template format v1 (the YAML form; the BPMN reader builds the same shape). */
import { z } from 'zod';
import { ACTION_KINDS } from '../actions/index.js';
import { didYouMean } from '../errors/index.js';
import {
  EVENT_TYPES, FIELD_KEY_PATTERN, FIELD_TYPES, FORECAST_CATEGORIES, durationSchema, feelSchema, i18nTextSchema, keySchema, roleSchema,
} from '../model/index.js';

/** One action: an object with exactly one key naming its kind, validated by that kind's own schema. */
export const actionSchema = z.unknown().transform((value, ctx) => {
  const kinds = [...ACTION_KINDS.keys()];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: `an action is an object with one key, one of: ${kinds.join(', ')}` });
    return z.NEVER;
  }
  const keys = Object.keys(value);
  const name = keys[0];
  const kind = name === undefined ? undefined : ACTION_KINDS.get(name);
  if (keys.length !== 1 || !kind) {
    const guess = name === undefined ? undefined : didYouMean(name, kinds);
    ctx.addIssue({
      code: 'custom', path: name ? [name] : [],
      message: `an action has exactly one key naming its kind, one of: ${kinds.join(', ')} (got: ${keys.join(', ') || 'none'})${guess && guess !== name ? `; did you mean "${guess}"?` : ''}`,
    });
    return z.NEVER;
  }
  const inner = kind.schema.safeParse((value as Record<string, unknown>)[name!]);
  if (!inner.success) {
    // keep each inner issue's own code (unrecognized keys, unions...) so the reader can say what and where
    for (const issue of inner.error.issues) ctx.addIssue({ ...(issue as object), path: [name!, ...issue.path] } as never);
    return z.NEVER;
  }
  return { [name!]: inner.data } as Record<string, unknown>;
});

const roleList = z.array(roleSchema).max(50);

const fieldSchema = z.strictObject({
  type: z.enum(FIELD_TYPES),
  required: z.boolean().optional(),
  options: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
  dimension: z.boolean().optional(),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  label: i18nTextSchema.optional(),
});

const stageSchema = z.strictObject({
  key: keySchema,
  name: i18nTextSchema,
  outcome: z.enum(['won', 'lost']).optional(),
  probability: z.number().min(0).max(100).optional(),
  forecast: z.enum(FORECAST_CATEGORIES).optional(),
  guidance: i18nTextSchema.optional(),
  allowBack: z.boolean().optional(),
  onEnter: z.array(actionSchema).max(100).optional(),
  requires: z.strictObject({
    fields: z.array(z.string()).max(200).optional(),
    deliverables: z.array(z.strictObject({ key: keySchema, name: i18nTextSchema })).max(100).optional(),
    tasks: z.array(keySchema).max(100).optional(),
    approvals: z.array(keySchema).max(100).optional(),
    checks: z.array(z.strictObject({ key: keySchema.optional(), when: feelSchema, message: i18nTextSchema.optional() })).max(100).optional(),
  }).optional(),
  sla: z.strictObject({ within: durationSchema, onBreach: z.array(actionSchema).max(50).optional() }).optional(),
  permissions: z.strictObject({ advance: roleList.optional(), lose: roleList.optional() }).optional(),
});

export const templateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, { message: 'a template id is lowercase letters, digits and "-"' }).max(100),
  version: z.number().int().min(1),
  name: i18nTextSchema,
  currency: z.string().regex(/^[A-Z]{3}$/, { message: 'a currency is an ISO 4217 code such as CNY or USD' }).optional(),
  roles: roleList.default([]),
  fields: z.record(z.string().regex(FIELD_KEY_PATTERN, { message: 'a field key is a letter followed by letters, digits or "_"' }), fieldSchema).default({}),
  lossReasons: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, { message: 'a loss reason is lowercase snake_case or kebab-case' })).min(1).max(100),
  idleAfter: durationSchema.optional(),
  export: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
  permissions: z.strictObject({
    advance: roleList.optional(), lose: roleList.optional(), reopen: roleList.optional(), completeTask: roleList.optional(),
  }).optional(),
  stages: z.array(stageSchema).min(3).max(100),
  transitions: z.array(z.strictObject({ from: keySchema, to: keySchema, when: feelSchema.optional() })).max(1000).optional(),
});

export type RawTemplate = z.output<typeof templateSchema>;

/** Every key the format knows, for "did you mean" on unknown keys. */
export const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(templateSchema.shape), ...Object.keys(stageSchema.shape), ...Object.keys(fieldSchema.shape),
  'deliverables', 'checks', 'when', 'message', 'within', 'onBreach', 'key', 'title', 'role', 'user', 'due', 'approvers', 'mode',
  'to', 'type', 'field', 'value', 'expression', 'from', 'quorum', 'businessDays', ...ACTION_KINDS.keys(),
];
