/** Versioned SQLite schema: append migration 2, 3... to MIGRATIONS; never edit one that has shipped. */
import type Database from 'better-sqlite3';
import { WinpathError } from '../../errors/index.js';

export interface SqliteMigration {
  readonly version: number;
  readonly sql: string;
}

export const MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE templates (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  definition TEXT NOT NULL,
  PRIMARY KEY (id, version)
);

CREATE TABLE opportunities (
  id TEXT PRIMARY KEY,
  template TEXT NOT NULL,
  template_version INTEGER NOT NULL,
  title TEXT NOT NULL,
  owner TEXT NOT NULL,
  stage TEXT NOT NULL,
  status TEXT NOT NULL,
  amount_minor INTEGER NULL,
  fields TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  stage_entered_at TEXT NOT NULL,
  closed_at TEXT NULL,
  loss_reason TEXT NULL,
  idle INTEGER NOT NULL,
  version INTEGER NOT NULL,
  state TEXT NOT NULL
);
CREATE INDEX opportunities_template_status ON opportunities (template, status);
CREATE INDEX opportunities_stage ON opportunities (stage);

CREATE TABLE events (
  pos INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (opportunity_id, seq)
);
CREATE INDEX events_type ON events (type);

CREATE TABLE stage_history (
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  entry INTEGER NOT NULL,
  stage TEXT NOT NULL,
  entered_at TEXT NOT NULL,
  exited_at TEXT NULL,
  PRIMARY KEY (opportunity_id, entry)
);

-- ord: the task's place in its deal's list, so creation order survives equal timestamps.
CREATE TABLE tasks (
  id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  ord INTEGER NOT NULL,
  key TEXT NOT NULL,
  stage TEXT NOT NULL,
  entry INTEGER NOT NULL,
  title TEXT NOT NULL,
  role TEXT NULL,
  assignee TEXT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  due_at TEXT NULL,
  completed_at TEXT NULL,
  data TEXT NOT NULL
);
CREATE INDEX tasks_assignee_status ON tasks (assignee, status);
CREATE INDEX tasks_opportunity ON tasks (opportunity_id);

CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  ord INTEGER NOT NULL,
  key TEXT NOT NULL,
  stage TEXT NOT NULL,
  entry INTEGER NOT NULL,
  status TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  due_at TEXT NULL,
  data TEXT NOT NULL
);
CREATE INDEX approvals_status ON approvals (status);
CREATE INDEX approvals_opportunity ON approvals (opportunity_id);

CREATE TABLE approval_candidates (
  approval_id TEXT NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  PRIMARY KEY (approval_id, user_id)
);
CREATE INDEX approval_candidates_user ON approval_candidates (user_id);

CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NULL,
  last_error TEXT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX outbox_status_next ON outbox (status, next_attempt_at);
`,
  },
  {
    // timers (SLA, overdue, idle) kept with the deal; leases so two workers do not claim the same row
    version: 2,
    sql: `
CREATE TABLE timers (
  id TEXT PRIMARY KEY,
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  type TEXT NOT NULL,
  due_at TEXT NOT NULL,
  claimed_until TEXT NULL
);
CREATE INDEX timers_due ON timers (due_at);
CREATE INDEX timers_opportunity ON timers (opportunity_id);
ALTER TABLE outbox ADD COLUMN claimed_until TEXT NULL;
CREATE INDEX outbox_deal_pending ON outbox (opportunity_id, seq) WHERE status = 'pending';
`,
  },
  {
    // analytics: the amount a deal had over time (funnel asOf), and indexes for the aggregate queries
    version: 3,
    sql: `
CREATE TABLE amount_history (
  opportunity_id TEXT NOT NULL REFERENCES opportunities (id),
  at TEXT NOT NULL,
  amount_minor INTEGER NULL,
  PRIMARY KEY (opportunity_id, at)
);
INSERT OR REPLACE INTO amount_history (opportunity_id, at, amount_minor)
  SELECT opportunity_id, at, CAST(round(json_extract(data, '$.fields.amount') * 100) AS INTEGER) FROM events
  WHERE (type = 'opportunity.opened' OR (type = 'opportunity.updated' AND json_type(data, '$.fields.amount') IS NOT NULL)) ORDER BY pos;
CREATE INDEX opportunities_template_status_stage ON opportunities (template, status, stage);
CREATE INDEX stage_history_stage ON stage_history (stage, opportunity_id);
CREATE INDEX stage_history_entered ON stage_history (entered_at);
`,
  },
];

/** The newest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Brings the database up to LATEST_SCHEMA_VERSION in one IMMEDIATE transaction, so two
 * processes opening the same new file do not both migrate. Returns the versions applied now.
 * @throws WinpathError INPUT_INVALID when the database was written by a newer winpath.
 */
export function migrate(db: Database.Database, path: string): number[] {
  const run = db.transaction((): number[] => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    if (current > LATEST_SCHEMA_VERSION) {
      throw new WinpathError('INPUT_INVALID', `database ${path} has schema version ${current}, newer than this winpath knows (${LATEST_SCHEMA_VERSION})`, {
        fix: 'upgrade winpath to the version that wrote this database',
        schemaVersion: current,
        knownVersion: LATEST_SCHEMA_VERSION,
      });
    }
    // applied_at is bookkeeping, taken from SQLite's clock: no deal data depends on it.
    const record = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    const applied: number[] = [];
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version);
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
