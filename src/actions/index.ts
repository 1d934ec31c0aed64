// actions: one file per entry-action kind (task, approval, notify, emit, set, reassign): schema and pure plan.
// May import: model, expressions, errors.
import type { ActionSpec } from '../model/index.js';
import type { AnyActionKind } from './action-kind.js';
import { approvalAction } from './approval.js';
import { emitAction } from './emit.js';
import { notifyAction } from './notify.js';
import { reassignAction } from './reassign.js';
import { setAction } from './set.js';
import { taskAction } from './task.js';

export * from './action-kind.js';
export { approvalOutcome, slotCandidates, type ApprovalOutcome } from './approval.js';
export type { ReassignSpec } from './reassign.js';

/** The registry of action kinds: a new kind is a new file plus one line here. */
export const ACTION_KINDS: ReadonlyMap<string, AnyActionKind> = new Map<string, AnyActionKind>(
  [taskAction, approvalAction, notifyAction, emitAction, setAction, reassignAction].map((k) => [k.kind, k]),
);

/** The kind definition and the inner spec of an action. */
export function actionParts(action: ActionSpec): { kind: AnyActionKind; spec: unknown; name: string } {
  const name = Object.keys(action)[0]!;
  const kind = ACTION_KINDS.get(name);
  if (!kind) throw new Error(`unknown action kind ${name}`);
  return { kind, spec: (action as unknown as Record<string, unknown>)[name], name };
}
