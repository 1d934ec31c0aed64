/** `approval`: requests a decision from approver slots in one of four modes (all = countersign 会签, any, sequential, quorum). */
import { z } from 'zod';
import { addDuration, durationSchema, feelSchema, i18nTextSchema, keySchema, textFor, type ApprovalAction, type ApprovalMode } from '../model/index.js';
import { pending, whenHolds, type ActionKindDef } from './action-kind.js';

type Spec = ApprovalAction['approval'];

const SLOT = /^(?:user:[^\s,]{1,200}|[A-Za-z][A-Za-z0-9_-]*)$/;
const modeSchema = z.union([
  z.enum(['all', 'any', 'sequential']),
  z.strictObject({ quorum: z.number().int().min(1).max(100) }),
]);

const schema = z.strictObject({
  key: keySchema,
  title: i18nTextSchema.optional(),
  approvers: z.array(z.string().regex(SLOT, { message: 'an approver is a role name or user:<id>' })).min(1).max(50),
  mode: modeSchema.default('all'),
  due: durationSchema.optional(),
  when: feelSchema.optional(),
}).refine((a) => typeof a.mode !== 'object' || a.mode.quorum <= a.approvers.length, {
  message: 'quorum cannot be larger than the number of approvers', path: ['mode'],
}) as unknown as z.ZodType<Spec>;

/** The user ids that may fill one slot. */
export function slotCandidates(slot: string, resolveRole: (role: string) => string[]): string[] {
  return slot.startsWith('user:') ? [slot.slice(5)] : resolveRole(slot);
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'pending';

/** Where a set of decisions leaves an approval, by mode. */
export function approvalOutcome(mode: ApprovalMode, slots: number, decisions: { decision: 'approve' | 'reject' }[]): ApprovalOutcome {
  const approvals = decisions.filter((d) => d.decision === 'approve').length;
  const rejections = decisions.length - approvals;
  if (mode === 'all' || mode === 'sequential') {
    if (rejections > 0) return 'rejected';
    return approvals >= slots ? 'approved' : 'pending';
  }
  const need = mode === 'any' ? 1 : mode.quorum;
  if (approvals >= need) return 'approved';
  return slots - rejections < need ? 'rejected' : 'pending';
}

export const approvalAction: ActionKindDef<'approval', Spec> = {
  kind: 'approval',
  schema,
  expressions: (s) => (s.when ? [{ source: s.when, path: ['when'], role: 'guard' }] : []),
  references: (s) => s.approvers.map((a, i) => ({ kind: 'recipient' as const, name: a, path: ['approvers', i] })),
  createdKey: (s) => ({ key: s.key, kind: 'approval' }),
  plan(s, ctx) {
    if (!whenHolds(s.when, ctx)) return [];
    return [pending(ctx, 'approval.requested', {
      approvalId: ctx.childId(s.key),
      key: s.key,
      stage: ctx.stage.key,
      entry: ctx.state.entry,
      title: textFor(s.title ?? s.key, ctx.lang),
      mode: s.mode,
      approvers: [...s.approvers],
      candidates: s.approvers.map((slot) => slotCandidates(slot, ctx.resolveRole)),
      requestedBy: ctx.actor,
      dueAt: s.due === undefined ? null : addDuration(ctx.now, s.due, ctx.calendar).toISOString(),
    })];
  },
};
