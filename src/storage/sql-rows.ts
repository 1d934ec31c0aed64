/** Rows of the SQL stores' tables as port objects (the same columns in SQLite and PostgreSQL; documents read as JSON text). */
import type { OpportunityEvent, Timer } from '../model/index.js';
import type { OutboxStatus, StoredOutboxMessage } from './port.js';

type Row = Record<string, unknown>;

export function toEvent(r: Row): OpportunityEvent {
  return {
    id: r['id'] as string, opportunityId: r['opportunity_id'] as string, seq: r['seq'] as number, type: r['type'] as OpportunityEvent['type'],
    at: r['at'] as string, actor: r['actor'] as string, data: JSON.parse(r['data'] as string) as Record<string, unknown>,
  };
}

export function toTimer(r: Row): Timer {
  return { id: r['id'] as string, opportunityId: r['opportunity_id'] as string, type: r['type'] as Timer['type'], dueAt: r['due_at'] as string };
}

export function toOutbox(r: Row): StoredOutboxMessage {
  return {
    nextAttemptAt: (r['next_attempt_at'] as string | null) ?? null, lastError: (r['last_error'] as string | null) ?? null,
    id: r['id'] as string, opportunityId: r['opportunity_id'] as string, type: r['type'] as string,
    data: JSON.parse(r['data'] as string) as Record<string, unknown>, attempts: r['attempts'] as number,
    status: r['status'] as OutboxStatus, seq: r['seq'] as number,
  };
}
