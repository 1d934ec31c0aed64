/** `set` (YAML only): sets one field to a literal value or the value of a FEEL expression. */
import { z } from 'zod';
import { WinpathError } from '../errors/index.js';
import { FIELD_KEY_PATTERN, feelSchema, validateFields, type SetAction } from '../model/index.js';
import { pending, whenHolds, type ActionKindDef } from './action-kind.js';

type Spec = SetAction['set'];

const schema = z.strictObject({
  field: z.string().regex(FIELD_KEY_PATTERN),
  value: z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]).optional(),
  expression: feelSchema.optional(),
  when: feelSchema.optional(),
}).refine((s) => (s.value === undefined) !== (s.expression === undefined), { message: 'give exactly one of value or expression' }) as unknown as z.ZodType<Spec>;

export const setAction: ActionKindDef<'set', Spec> = {
  kind: 'set',
  schema,
  expressions: (s) => [
    ...(s.when ? [{ source: s.when, path: ['when'], role: 'guard' as const }] : []),
    ...(s.expression ? [{ source: s.expression, path: ['expression'], role: 'value' as const }] : []),
  ],
  references: (s) => [{ kind: 'field', name: s.field, path: ['field'] }],
  createdKey: () => undefined,
  plan(s, ctx) {
    if (!whenHolds(s.when, ctx)) return [];
    let value = s.value;
    if (s.expression !== undefined) {
      const out = ctx.evaluate(s.expression);
      if (!out.ok) {
        throw new WinpathError('EXPRESSION_INVALID', `set ${s.field} in stage "${ctx.stage.key}": ${out.reason}`, { fix: 'correct the expression in the template, or guard the action with `when`' });
      }
      value = (out.value ?? null) as Spec['value'];
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) value = String(value);
    }
    const checked = validateFields(ctx.def.fields, { [s.field]: value });
    if (!checked.ok) {
      throw new WinpathError('EXPRESSION_INVALID', `set ${s.field} in stage "${ctx.stage.key}": ${checked.problems[0]?.message}`, { fix: 'make the value or expression give a value of the field type' });
    }
    const fields = checked.value;
    const o = ctx.state.opportunity;
    if (Object.is(o.fields[s.field] ?? null, fields[s.field] ?? null)) return [];
    return [pending(ctx, 'opportunity.updated', { fields, source: 'set' })];
  },
};
