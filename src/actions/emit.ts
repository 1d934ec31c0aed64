/** `emit`: an integration event for ERP/OA, carrying the deal's data, delivered through the outbox. */
import { z } from 'zod';
import { feelSchema, type EmitAction } from '../model/index.js';
import { pending, whenHolds, type ActionKindDef } from './action-kind.js';

type Spec = EmitAction['emit'];

const schema = z.strictObject({
  type: z.string().regex(/^[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)+$/, { message: 'an integration event type is dotted lowercase, e.g. quote.requested' }).max(100),
  when: feelSchema.optional(),
}) as z.ZodType<Spec>;

export const emitAction: ActionKindDef<'emit', Spec> = {
  kind: 'emit',
  schema,
  expressions: (s) => (s.when ? [{ source: s.when, path: ['when'], role: 'guard' }] : []),
  references: () => [],
  createdKey: () => undefined,
  plan(s, ctx) {
    if (!whenHolds(s.when, ctx)) return [];
    const o = ctx.state.opportunity;
    return [pending(ctx, 'integration.emitted', {
      type: s.type,
      stage: ctx.stage.key,
      opportunity: {
        id: o.id, template: o.template, templateVersion: o.templateVersion, title: o.title, owner: o.owner,
        amount: o.amount, currency: ctx.def.currency ?? null, fields: { ...o.fields },
      },
    })];
  },
};
