/** Opportunity (a deal), its tasks and approvals, and the per-deal state the engine folds from events. */
import type { ApprovalMode } from './definition.js';

export type OpportunityStatus = 'open' | 'won' | 'lost';

export interface Opportunity {
  id: string;
  template: string;
  templateVersion: number;
  title: string;
  owner: string;
  /** Equal to `fields.amount`; major units, at most 2 decimals. */
  amount: number | null;
  fields: Record<string, unknown>;
  stage: string;
  status: OpportunityStatus;
  /** No command for the template's `idleAfter` ("rotting"). */
  idle: boolean;
  openedAt: string;
  stageEnteredAt: string;
  closedAt: string | null;
  lossReason: string | null;
  /** The version: the seq of the deal's last event. */
  seq: number;
}

export type TaskStatus = 'open' | 'done' | 'cancelled';

export interface Task {
  id: string;
  opportunityId: string;
  key: string;
  stage: string;
  /** Which entry of the stage created it (1 for the first entry). */
  entry: number;
  title: string;
  role: string | null;
  /** A user id, or null when the role resolved to no one. */
  assignee: string | null;
  status: TaskStatus;
  createdAt: string;
  dueAt: string | null;
  completedAt: string | null;
  completedBy: string | null;
  note: string | null;
  /** When its overdue timer fired, if it did. */
  overdueAt: string | null;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'cancelled';

export interface ApprovalDecision {
  /** Index of the approver slot the decision filled. */
  slot: number;
  by: string;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: string;
}

export interface Approval {
  id: string;
  opportunityId: string;
  key: string;
  stage: string;
  entry: number;
  title: string;
  mode: ApprovalMode;
  /** Slots as written: a role name or `user:<id>`. */
  approvers: string[];
  /** For each slot, the user ids that may fill it (resolved when requested). */
  candidates: string[][];
  requestedBy: string;
  status: ApprovalStatus;
  decisions: ApprovalDecision[];
  createdAt: string;
  dueAt: string | null;
  completedAt: string | null;
  /** When its overdue timer fired, if it did. */
  overdueAt: string | null;
}

export interface DeliverableRecord {
  ref: string | null;
  note: string | null;
  submittedAt: string;
  submittedBy: string;
}

/** Everything the engine needs to decide a command on one deal, folded from its events. */
export interface DealState {
  opportunity: Opportunity;
  /** Entry counter of the current stage (increases on every stage.entered). */
  entry: number;
  /** The open stage a lost deal was lost from (for reopen). */
  lostFrom: string | null;
  deliverables: Record<string, DeliverableRecord>;
  tasks: Task[];
  approvals: Approval[];
  /** Instant of the last event written by a command (idle timers count from it). */
  lastActivityAt: string;
  /** The SLA of the current stage entry has fired. */
  slaBreached: boolean;
}

export type Actor = string | { id: string; roles?: string[] | undefined };

export function actorId(actor: Actor): string {
  return typeof actor === 'string' ? actor : actor.id;
}

export function actorRoles(actor: Actor): readonly string[] {
  return typeof actor === 'string' ? [] : actor.roles ?? [];
}
