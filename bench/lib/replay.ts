/**
 * winpath's row pattern, for the "raw better-sqlite3 writing the same rows" figure: a wrapper around the store's
 * append() records, per commit, the rows sqliteStore's writeCommit changes (the same SQL statements, every value
 * prepared, rows it would leave unchanged skipped); replayCommits() then writes them, one transaction per commit.
 */
import type { Statement } from 'better-sqlite3';
import type { Commit, Store } from '../../src/index.js';
import { outcomeMoves, toMinor } from '../../src/storage/port.js';
import { changedColumns, OPPORTUNITY_COLUMNS, opportunityValues, updateOpportunitySql } from '../../src/storage/sqlite/sqlite-store.js';
import type { Db } from './sqlite.js';

/** The statements sqliteStore's writeCommit runs that change rows (the same SQL), with every value prepared. */
export const SQL = {
  insertOpportunity: `INSERT INTO opportunities (id, ${OPPORTUNITY_COLUMNS.join(', ')}, version, state)
    VALUES (?, ${OPPORTUNITY_COLUMNS.map(() => '?').join(', ')}, ?, ?)`,
  insertEvent: 'INSERT INTO events (id, opportunity_id, seq, type, at, actor, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
  amountAt: 'INSERT OR REPLACE INTO amount_history (opportunity_id, at, amount_minor) VALUES (?, ?, ?)',
  enterStage: 'INSERT INTO stage_history (opportunity_id, entry, stage, entered_at, template) VALUES (?, ?, ?, ?, ?)',
  closeStage: `UPDATE stage_history SET exited_at = ?, dwell_ms = CAST(round((unixepoch(?, 'subsec') - unixepoch(entered_at, 'subsec')) * 1000) AS INTEGER)
    WHERE opportunity_id = ? AND exited_at IS NULL`,
  outcomesLeave: `UPDATE stage_outcomes SET closed = closed - 1, won = won - ? WHERE template = ? AND stage IN (SELECT stage FROM stage_history WHERE opportunity_id = ? AND entry < ?)`,
  outcomesJoin: `INSERT INTO stage_outcomes (template, stage, closed, won) SELECT ?, stage, 1, ? FROM stage_history WHERE opportunity_id = ? GROUP BY stage
    ON CONFLICT (template, stage) DO UPDATE SET closed = closed + 1, won = won + excluded.won`,
  insertTask: `INSERT INTO tasks (id, opportunity_id, ord, key, stage, entry, title, role, assignee, status, created_at, due_at, completed_at, data)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateTask: `UPDATE tasks SET ord = ?, key = ?, stage = ?, entry = ?, title = ?, role = ?, assignee = ?, status = ?, created_at = ?, due_at = ?,
    completed_at = ?, data = ? WHERE id = ?`,
  insertApproval: `INSERT INTO approvals (id, opportunity_id, ord, key, stage, entry, status, requested_by, created_at, due_at, data)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateApproval: `UPDATE approvals SET ord = ?, key = ?, stage = ?, entry = ?, status = ?, requested_by = ?, created_at = ?, due_at = ?, data = ? WHERE id = ?`,
  clearCandidates: 'DELETE FROM approval_candidates WHERE approval_id = ?',
  insertCandidate: 'INSERT OR IGNORE INTO approval_candidates (approval_id, user_id) VALUES (?, ?)',
  insertOutbox: "INSERT INTO outbox (id, opportunity_id, seq, type, data, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
  deleteTimer: 'DELETE FROM timers WHERE id = ?',
  upsertTimer: `INSERT INTO timers (id, opportunity_id, type, due_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET type = excluded.type, due_at = excluded.due_at WHERE timers.due_at IS NOT excluded.due_at OR timers.type IS NOT excluded.type`,
} as const;
export type SqlName = keyof typeof SQL;
/** A statement of SQL (by name), or the opportunity UPDATE of the columns a commit changed (its own SQL text). */
export type RowOp = { name: SqlName; params: unknown[] } | { name: 'updateOpportunity'; sql: string; params: unknown[] };
export type CommitRows = RowOp[];

/** Records, per commit, the rows it writes: a wrapper around the store's append (used on an untimed pass). */
export function captureRows(into: CommitRows[]): (s: Store) => Store {
  const known = new Map<string, Record<string, unknown>>(); // deal id -> the opportunity columns last written
  const rows = new Map<string, string>(); // task/approval id -> data + ord last written
  const timers = new Map<string, Map<string, string>>();
  return (inner) => ({
    ...inner,
    async append(c: Commit) {
      const ops: RowOp[] = [];
      const o = c.state.opportunity;
      const values = opportunityValues(o);
      const prev = known.get(c.opportunityId);
      if (prev) {
        const { mask, params } = changedColumns(prev, values);
        ops.push({ name: 'updateOpportunity', sql: updateOpportunitySql(mask), params: [...params, o.seq, JSON.stringify(c.state), c.opportunityId] });
      } else ops.push({ name: 'insertOpportunity', params: [c.opportunityId, ...values, o.seq, JSON.stringify(c.state)] });
      known.set(c.opportunityId, Object.fromEntries(OPPORTUNITY_COLUMNS.map((col, i) => [col, values[i]])));
      for (const e of c.events) {
        ops.push({ name: 'insertEvent', params: [e.id, e.opportunityId, e.seq, e.type, e.at, e.actor, JSON.stringify(e.data)] });
        const fields = e.data['fields'] as Record<string, unknown> | undefined;
        if ((e.type === 'opportunity.opened' || e.type === 'opportunity.updated') && fields && 'amount' in fields) {
          ops.push({ name: 'amountAt', params: [c.opportunityId, e.at, toMinor((fields['amount'] as number | null) ?? null)] });
        }
        if (e.type === 'stage.entered') {
          ops.push({ name: 'closeStage', params: [e.at, e.at, c.opportunityId] });
          ops.push({ name: 'enterStage', params: [c.opportunityId, e.data['entry'], e.data['stage'], e.at, o.template] });
        } else if (e.type === 'stage.exited') ops.push({ name: 'closeStage', params: [e.at, e.at, c.opportunityId] });
      }
      const moves = outcomeMoves(c, prev?.['status'] as string | undefined);
      if (moves.leave) ops.push({ name: 'outcomesLeave', params: [moves.leave.won, o.template, c.opportunityId, moves.leave.beforeEntry] });
      if (moves.join) ops.push({ name: 'outcomesJoin', params: [o.template, moves.join.won, c.opportunityId] });
      c.state.tasks.forEach((t, ord) => {
        const data = JSON.stringify(t);
        const key = `${ord}\u0000${data}`;
        const prev = rows.get(t.id);
        if (prev === key) return;
        rows.set(t.id, key);
        if (prev === undefined) {
          ops.push({ name: 'insertTask', params: [t.id, c.opportunityId, ord, t.key, t.stage, t.entry, t.title, t.role, t.assignee, t.status, t.createdAt, t.dueAt, t.completedAt, data] });
        } else {
          ops.push({ name: 'updateTask', params: [ord, t.key, t.stage, t.entry, t.title, t.role, t.assignee, t.status, t.createdAt, t.dueAt, t.completedAt, data, t.id] });
        }
      });
      c.state.approvals.forEach((a, ord) => {
        const data = JSON.stringify(a);
        const key = `${ord}\u0000${data}`;
        const prev = rows.get(a.id);
        if (prev === key) return;
        rows.set(a.id, key);
        if (prev === undefined) ops.push({ name: 'insertApproval', params: [a.id, c.opportunityId, ord, a.key, a.stage, a.entry, a.status, a.requestedBy, a.createdAt, a.dueAt, data] });
        else ops.push({ name: 'updateApproval', params: [ord, a.key, a.stage, a.entry, a.status, a.requestedBy, a.createdAt, a.dueAt, data, a.id] });
        ops.push({ name: 'clearCandidates', params: [a.id] });
        const users = new Set<string>(a.candidates.flat());
        for (const slot of a.approvers) if (slot.startsWith('user:')) users.add(slot.slice('user:'.length));
        for (const u of users) ops.push({ name: 'insertCandidate', params: [a.id, u] });
      });
      for (const m of c.outbox) {
        const ev = c.events.find((e) => e.id === m.id);
        ops.push({ name: 'insertOutbox', params: [m.id, m.opportunityId, ev?.seq ?? 0, m.type, JSON.stringify(m.data), m.attempts, ev?.at ?? c.events.at(-1)?.at ?? o.openedAt] });
      }
      const before = timers.get(c.opportunityId) ?? new Map<string, string>();
      const after = new Map(c.timers.map((t) => [t.id, `${t.type}\u0000${t.dueAt}`]));
      for (const id of before.keys()) if (!after.has(id)) ops.push({ name: 'deleteTimer', params: [id] });
      for (const t of c.timers) if (before.get(t.id) !== after.get(t.id)) ops.push({ name: 'upsertTimer', params: [t.id, c.opportunityId, t.type, t.dueAt] });
      timers.set(c.opportunityId, after);
      into.push(ops);
      return inner.append(c);
    },
  });
}


/** Writes the captured commits into `db`, one IMMEDIATE transaction each; returns the milliseconds taken. */
export function replayCommits(db: Db, commits: readonly CommitRows[]): number {
  const stmts = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Record<SqlName, Statement<unknown[]>>;
  const updates = new Map<string, Statement<unknown[]>>();
  for (const ops of commits) {
    for (const op of ops) if ('sql' in op && !updates.has(op.sql)) updates.set(op.sql, db.prepare(op.sql));
  }
  const tx = db.transaction((ops: CommitRows) => {
    for (const op of ops) ('sql' in op ? updates.get(op.sql)! : stmts[op.name]).run(...op.params);
  });
  const t0 = process.hrtime.bigint();
  for (const ops of commits) tx.immediate(ops);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
