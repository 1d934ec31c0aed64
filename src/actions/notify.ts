/** `notify`: a message to a role, the owner or a user, queued in the outbox. */
import { z } from 'zod';
import { feelSchema, i18nTextSchema, type NotifyAction } from '../model/index.js';
import { pending, whenHolds, type ActionKindDef } from './action-kind.js';
import { slotCandidates } from './approval.js';

type Spec = NotifyAction['notify'];

const schema = z.strictObject({
  to: z.string().regex(/^(?:user:[^\s,]{1,200}|[A-Za-z][A-Za-z0-9_-]*)$/, { message: 'a recipient is a role name, owner, or user:<id>' }),
  message: i18nTextSchema,
  when: feelSchema.optional(),
}) as z.ZodType<Spec>;

export const notifyAction: ActionKindDef<'notify', Spec> = {
  kind: 'notify',
  schema,
  expressions: (s) => (s.when ? [{ source: s.when, path: ['when'], role: 'guard' }] : []),
  references: (s) => [{ kind: 'recipient', name: s.to, path: ['to'] }],
  createdKey: () => undefined,
  plan(s, ctx) {
    if (!whenHolds(s.when, ctx)) return [];
    const messages: Record<string, string> = {};
    const langs = typeof s.message === 'string' ? [ctx.lang] : Object.keys(s.message);
    for (const lang of langs) messages[lang] = ctx.render(s.message, lang);
    return [pending(ctx, 'notification.requested', {
      to: s.to,
      recipients: slotCandidates(s.to, ctx.resolveRole),
      stage: ctx.stage.key,
      message: ctx.render(s.message),
      messages,
    })];
  },
};
