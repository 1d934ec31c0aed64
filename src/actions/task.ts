/** `task`: creates a task for a role or a user on stage entry, with an optional due duration. */
import { z } from 'zod';
import { addDuration, durationSchema, feelSchema, i18nTextSchema, keySchema, roleSchema, textFor, type TaskAction } from '../model/index.js';
import { pending, whenHolds, type ActionKindDef } from './action-kind.js';

type Spec = TaskAction['task'];

const schema = z.strictObject({
  key: keySchema,
  title: i18nTextSchema,
  role: roleSchema.optional(),
  user: z.string().min(1).max(200).optional(),
  due: durationSchema.optional(),
  when: feelSchema.optional(),
}).refine((t) => !(t.role !== undefined && t.user !== undefined), { message: 'give either role or user, not both' }) as unknown as z.ZodType<Spec>;

export const taskAction: ActionKindDef<'task', Spec> = {
  kind: 'task',
  schema,
  expressions: (s) => (s.when ? [{ source: s.when, path: ['when'], role: 'guard' }] : []),
  references: (s) => (s.role ? [{ kind: 'role', name: s.role, path: ['role'] }] : []),
  createdKey: (s) => ({ key: s.key, kind: 'task' }),
  plan(s, ctx) {
    if (!whenHolds(s.when, ctx)) return [];
    const role = s.user !== undefined ? null : s.role ?? 'owner';
    const assignee = s.user ?? (role === null ? null : ctx.resolveRole(role)[0] ?? null);
    return [pending(ctx, 'task.created', {
      taskId: ctx.childId(s.key),
      key: s.key,
      stage: ctx.stage.key,
      entry: ctx.state.entry,
      title: textFor(s.title, ctx.lang),
      role,
      assignee,
      dueAt: s.due === undefined ? null : addDuration(ctx.now, s.due, ctx.calendar).toISOString(),
    })];
  },
};
