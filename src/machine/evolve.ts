/** evolve(state, event) -> state: the one fold that rebuilds a deal from its log. */
import {
  SYSTEM_ACTOR, type Approval, type ApprovalDecision, type ApprovalMode, type DealState, type OpportunityEvent, type Task,
} from '../model/index.js';
import { cloneState } from './clone-state.js';

/** Applies one event in place (the engine applies a command's events to a private copy). */
export function applyEvent(state: DealState | null, e: OpportunityEvent): DealState {
  const d = e.data;
  if (e.type === 'opportunity.opened') {
    const fields = { ...(d['fields'] as Record<string, unknown>) };
    return {
      opportunity: {
        id: e.opportunityId, template: d['template'] as string, templateVersion: d['templateVersion'] as number,
        title: d['title'] as string, owner: d['owner'] as string, amount: (fields['amount'] as number | null | undefined) ?? null,
        fields, stage: '', status: 'open', idle: false, openedAt: e.at, stageEnteredAt: e.at, closedAt: null, lossReason: null, seq: e.seq,
      },
      entry: 0, lostFrom: null, deliverables: {}, tasks: [], approvals: [], lastActivityAt: e.at, slaBreached: false,
    };
  }
  if (!state) throw new Error(`event ${e.id} (${e.type}) before opportunity.opened`);
  const o = state.opportunity;
  o.seq = e.seq;
  if (e.actor !== SYSTEM_ACTOR) {
    state.lastActivityAt = e.at;
    o.idle = false;
  }
  switch (e.type) {
    case 'opportunity.updated': {
      const fields = d['fields'] as Record<string, unknown> | undefined;
      if (fields) {
        for (const [k, v] of Object.entries(fields)) {
          if (v === null) delete o.fields[k];
          else o.fields[k] = v;
        }
        o.amount = (o.fields['amount'] as number | undefined) ?? null;
      }
      if (typeof d['title'] === 'string') o.title = d['title'];
      if (typeof d['owner'] === 'string') o.owner = d['owner'];
      break;
    }
    case 'stage.entered':
      o.stage = d['stage'] as string;
      o.stageEnteredAt = e.at;
      state.entry = d['entry'] as number;
      state.slaBreached = false;
      break;
    case 'stage.exited':
      for (const t of state.tasks) if (t.stage === d['stage'] && t.entry === state.entry && t.status === 'open') t.status = 'cancelled';
      for (const a of state.approvals) {
        if (a.stage === d['stage'] && a.entry === state.entry && a.status === 'pending') {
          a.status = 'cancelled';
          a.completedAt = e.at;
        }
      }
      break;
    case 'deliverable.submitted':
      state.deliverables[d['key'] as string] = {
        ref: (d['ref'] as string | undefined) ?? null, note: (d['note'] as string | undefined) ?? null, submittedAt: e.at, submittedBy: e.actor,
      };
      break;
    case 'task.created': {
      const t: Task = {
        id: d['taskId'] as string, opportunityId: o.id, key: d['key'] as string, stage: d['stage'] as string, entry: d['entry'] as number,
        title: d['title'] as string, role: (d['role'] as string | null) ?? null, assignee: (d['assignee'] as string | null) ?? null,
        status: 'open', createdAt: e.at, dueAt: (d['dueAt'] as string | null) ?? null, completedAt: null, completedBy: null, note: null, overdueAt: null,
      };
      state.tasks.push(t);
      break;
    }
    case 'task.completed': {
      const t = state.tasks.find((x) => x.id === d['taskId']);
      if (t) {
        t.status = 'done';
        t.completedAt = e.at;
        t.completedBy = e.actor;
        t.note = (d['note'] as string | undefined) ?? null;
      }
      break;
    }
    case 'task.reassigned': {
      const t = state.tasks.find((x) => x.id === d['taskId']);
      if (t) t.assignee = d['to'] as string;
      break;
    }
    case 'approval.requested': {
      const a: Approval = {
        id: d['approvalId'] as string, opportunityId: o.id, key: d['key'] as string, stage: d['stage'] as string, entry: d['entry'] as number,
        title: d['title'] as string, mode: d['mode'] as ApprovalMode, approvers: [...(d['approvers'] as string[])],
        candidates: (d['candidates'] as string[][]).map((c) => [...c]), requestedBy: d['requestedBy'] as string, status: 'pending',
        decisions: [], createdAt: e.at, dueAt: (d['dueAt'] as string | null) ?? null, completedAt: null, overdueAt: null,
      };
      state.approvals.push(a);
      break;
    }
    case 'approval.decided': {
      const a = state.approvals.find((x) => x.id === d['approvalId']);
      if (a) {
        const dec: ApprovalDecision = {
          slot: d['slot'] as number, by: e.actor, decision: d['decision'] as 'approve' | 'reject', comment: (d['comment'] as string | undefined) ?? null, at: e.at,
        };
        a.decisions.push(dec);
      }
      break;
    }
    case 'approval.completed': {
      const a = state.approvals.find((x) => x.id === d['approvalId']);
      if (a) {
        a.status = d['status'] as 'approved' | 'rejected';
        a.completedAt = e.at;
      }
      break;
    }
    case 'opportunity.won':
      o.status = 'won';
      o.closedAt = e.at;
      break;
    case 'opportunity.lost':
      o.status = 'lost';
      o.closedAt = e.at;
      o.lossReason = d['reason'] as string;
      state.lostFrom = d['from'] as string;
      break;
    case 'opportunity.reopened':
      o.status = 'open';
      o.closedAt = null;
      o.lossReason = null;
      state.lostFrom = null;
      break;
    case 'opportunity.idle':
      o.idle = true;
      break;
    case 'sla.breached':
      state.slaBreached = true;
      break;
    case 'task.overdue': {
      const t = state.tasks.find((x) => x.id === d['taskId']);
      if (t) t.overdueAt = e.at;
      break;
    }
    case 'approval.overdue': {
      const a = state.approvals.find((x) => x.id === d['approvalId']);
      if (a) a.overdueAt = e.at;
      break;
    }
    default:
      break;
  }
  return state;
}

/** Pure: the state after one event (the input is not changed). */
export function evolve(state: DealState | null, event: OpportunityEvent): DealState {
  return applyEvent(state === null ? null : cloneState(state), event);
}

/** Rebuilds a deal's state from its whole log. */
export function replay(events: readonly OpportunityEvent[]): DealState | null {
  let state: DealState | null = null;
  for (const e of events) state = applyEvent(state, e);
  return state;
}
