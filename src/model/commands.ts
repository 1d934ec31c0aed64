/** Command inputs as the engine's public methods take them, validated with zod before anything is read. */
import { z } from 'zod';
import { LIMITS } from './field-schema.js';

/** The actor id the engine writes for events it makes itself (timers); users cannot take it. */
export const SYSTEM_ACTOR = 'system';

const id = z.string().min(1).max(200);
export const actorSchema = z.union([
  id.refine((s) => s !== SYSTEM_ACTOR, { message: `"${SYSTEM_ACTOR}" is reserved for the engine` }),
  z.strictObject({
    id: id.refine((s) => s !== SYSTEM_ACTOR, { message: `"${SYSTEM_ACTOR}" is reserved for the engine` }),
    roles: z.array(z.string().min(1).max(100)).max(100).optional(),
  }),
]);

const title = z.string().trim().min(1).max(LIMITS.titleMax);
const note = z.string().max(LIMITS.textMax);
const fieldsInput = z.record(z.string(), z.unknown());

export const openInputSchema = z.strictObject({
  template: z.string().min(1).max(100),
  version: z.number().int().min(1).optional(),
  title,
  owner: id,
  amount: z.number().nullable().optional(),
  fields: fieldsInput.optional(),
  actor: actorSchema,
  id: id.optional(),
});

export const updateInputSchema = z.strictObject({
  fields: fieldsInput.optional(),
  title: title.optional(),
  owner: id.optional(),
  amount: z.number().nullable().optional(),
  actor: actorSchema,
});

export const deliverableInputSchema = z.strictObject({ ref: z.string().max(LIMITS.stringMax).optional(), note: note.optional(), actor: actorSchema });
export const completeTaskInputSchema = z.strictObject({ actor: actorSchema, note: note.optional() });
export const reassignTaskInputSchema = z.strictObject({ to: id, actor: actorSchema });
export const decideInputSchema = z.strictObject({ actor: actorSchema, decision: z.enum(['approve', 'reject']), comment: note.optional() });
export const advanceInputSchema = z.strictObject({ to: z.string().min(1).max(100).optional(), reason: z.string().trim().min(1).max(LIMITS.stringMax).optional(), actor: actorSchema });
export const winInputSchema = z.strictObject({ actor: actorSchema });
export const loseInputSchema = z.strictObject({ reason: z.string().min(1).max(100), note: note.optional(), actor: actorSchema });
export const reopenInputSchema = z.strictObject({ actor: actorSchema, reason: z.string().max(LIMITS.stringMax).optional() });
export const noteInputSchema = z.strictObject({ text: z.string().trim().min(1).max(LIMITS.textMax), actor: actorSchema });

const optionalId = id.optional();
export const taskFilterSchema = z.strictObject({ assignee: optionalId, opportunityId: optionalId, status: z.enum(['open', 'done', 'cancelled']).optional() });
export const approvalFilterSchema = z.strictObject({ approver: optionalId, opportunityId: optionalId, status: z.enum(['pending', 'approved', 'rejected', 'cancelled']).optional() });
export const outboxFilterSchema = z.strictObject({ opportunityId: optionalId, status: z.enum(['pending', 'delivered', 'dead']).optional() });
export const dispatchOptionsSchema = z.strictObject({
  limit: z.number().int().min(1).max(100_000).optional(),
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
});
