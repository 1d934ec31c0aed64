/** `reassign` (escalation): moves the stage's open tasks, or one of them by key, to a role, the owner or a user. */
import { z } from 'zod';
import { feelSchema, keySchema } from '../model/index.js';
import { pending, whenHolds, type ActionKindDef } from './action-kind.js';
import { slotCandidates } from './approval.js';

export interface ReassignSpec {
  /** The key of the task to move; absent: every open task of the stage's current entry. */
  task?: string;
  to: string;
  when?: string;
}

const schema = z.strictObject({
  task: keySchema.optional(),
  to: z.string().regex(/^(?:user:[^\s,]{1,200}|[A-Za-z][A-Za-z0-9_-]*)$/, { message: 'a recipient is a role name, owner, or user:<id>' }),
  when: feelSchema.optional(),
}) as unknown as z.ZodType<ReassignSpec>;

export const reassignAction: ActionKindDef<'reassign', ReassignSpec> = {
  kind: 'reassign',
  schema,
  expressions: (s) => (s.when ? [{ source: s.when, path: ['when'], role: 'guard' }] : []),
  references: (s) => [{ kind: 'recipient', name: s.to, path: ['to'] }, ...(s.task ? [{ kind: 'task' as const, name: s.task, path: ['task'] }] : [])],
  createdKey: () => undefined,
  plan(s, ctx) {
    if (!whenHolds(s.when, ctx)) return [];
    const to = slotCandidates(s.to, ctx.resolveRole)[0];
    if (to === undefined) return [];
    return ctx.state.tasks
      .filter((t) => t.status === 'open' && t.stage === ctx.stage.key && t.entry === ctx.state.entry && (s.task === undefined || t.key === s.task) && t.assignee !== to)
      .map((t) => pending(ctx, 'task.reassigned', { taskId: t.id, from: t.assignee, to, escalation: true }));
  },
};
