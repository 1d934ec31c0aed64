/** Versioned PostgreSQL schema, the same versions as SQLite's: append migration 3, 4...; never edit one that has shipped. */
import { WinpathError } from '../../errors/index.js';

export interface PostgresMigration {
  readonly version: number;
  /** The statements, with `$S` standing for the quoted schema name. */
  readonly sql: string;
}

// Text columns are COLLATE "C" so that ids and ISO instants sort byte by byte, as in SQLite and the
// memory store; documents are `json` (kept as written: jsonb would reorder a definition's fields).
export const PG_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE $S.templates (
  id text COLLATE "C" NOT NULL,
  version integer NOT NULL,
  definition json NOT NULL,
  ord bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (id, version)
);

CREATE TABLE $S.opportunities (
  id text COLLATE "C" PRIMARY KEY,
  template text COLLATE "C" NOT NULL,
  template_version integer NOT NULL,
  title text COLLATE "C" NOT NULL,
  owner text COLLATE "C" NOT NULL,
  stage text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  amount_minor bigint NULL,
  fields json NOT NULL,
  opened_at text COLLATE "C" NOT NULL,
  stage_entered_at text COLLATE "C" NOT NULL,
  closed_at text COLLATE "C" NULL,
  loss_reason text COLLATE "C" NULL,
  idle boolean NOT NULL,
  version integer NOT NULL,
  state json NOT NULL
);
CREATE INDEX opportunities_template_status ON $S.opportunities (template, status);
CREATE INDEX opportunities_stage ON $S.opportunities (stage);
CREATE INDEX opportunities_opened ON $S.opportunities (opened_at, id);

-- xid: the writing transaction, so the feed can read in an order no late commit can slip behind.
CREATE TABLE $S.events (
  pos bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  id text COLLATE "C" NOT NULL CONSTRAINT events_id_unique UNIQUE,
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  seq integer NOT NULL,
  type text COLLATE "C" NOT NULL,
  at text COLLATE "C" NOT NULL,
  actor text COLLATE "C" NOT NULL,
  data json NOT NULL,
  CONSTRAINT events_deal_seq_unique UNIQUE (opportunity_id, seq)
);
CREATE INDEX events_type ON $S.events (type);
CREATE INDEX events_feed ON $S.events (xid, pos);

CREATE TABLE $S.stage_history (
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  entry integer NOT NULL,
  stage text COLLATE "C" NOT NULL,
  entered_at text COLLATE "C" NOT NULL,
  exited_at text COLLATE "C" NULL,
  PRIMARY KEY (opportunity_id, entry)
);

-- ord: the task's place in its deal's list, so creation order survives equal timestamps.
CREATE TABLE $S.tasks (
  id text COLLATE "C" PRIMARY KEY,
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  ord integer NOT NULL,
  key text COLLATE "C" NOT NULL,
  stage text COLLATE "C" NOT NULL,
  entry integer NOT NULL,
  title text COLLATE "C" NOT NULL,
  role text COLLATE "C" NULL,
  assignee text COLLATE "C" NULL,
  status text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  due_at text COLLATE "C" NULL,
  completed_at text COLLATE "C" NULL,
  data json NOT NULL
);
CREATE INDEX tasks_assignee_status ON $S.tasks (assignee, status);
CREATE INDEX tasks_opportunity ON $S.tasks (opportunity_id);

CREATE TABLE $S.approvals (
  id text COLLATE "C" PRIMARY KEY,
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  ord integer NOT NULL,
  key text COLLATE "C" NOT NULL,
  stage text COLLATE "C" NOT NULL,
  entry integer NOT NULL,
  status text COLLATE "C" NOT NULL,
  requested_by text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL,
  due_at text COLLATE "C" NULL,
  data json NOT NULL
);
CREATE INDEX approvals_status ON $S.approvals (status);
CREATE INDEX approvals_opportunity ON $S.approvals (opportunity_id);

CREATE TABLE $S.approval_candidates (
  approval_id text COLLATE "C" NOT NULL REFERENCES $S.approvals (id) ON DELETE CASCADE,
  user_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (approval_id, user_id)
);
CREATE INDEX approval_candidates_user ON $S.approval_candidates (user_id);

CREATE TABLE $S.outbox (
  id text COLLATE "C" PRIMARY KEY,
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  seq integer NOT NULL,
  type text COLLATE "C" NOT NULL,
  data json NOT NULL,
  status text COLLATE "C" NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at text COLLATE "C" NULL,
  last_error text NULL,
  created_at text COLLATE "C" NOT NULL
);
CREATE INDEX outbox_status_next ON $S.outbox (status, next_attempt_at);
`,
  },
  {
    // timers (SLA, overdue, idle) kept with the deal; leases so two workers do not claim the same row
    version: 2,
    sql: `
CREATE TABLE $S.timers (
  id text COLLATE "C" PRIMARY KEY,
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  type text COLLATE "C" NOT NULL,
  due_at text COLLATE "C" NOT NULL,
  claimed_until text COLLATE "C" NULL
);
CREATE INDEX timers_due ON $S.timers (due_at);
CREATE INDEX timers_opportunity ON $S.timers (opportunity_id);
ALTER TABLE $S.outbox ADD COLUMN claimed_until text COLLATE "C" NULL;
CREATE INDEX outbox_deal_pending ON $S.outbox (opportunity_id, seq) WHERE status = 'pending';
`,
  },
  {
    // analytics: the amount a deal had over time (funnel asOf), and indexes for the aggregate queries
    version: 3,
    sql: `
CREATE TABLE $S.amount_history (
  opportunity_id text COLLATE "C" NOT NULL REFERENCES $S.opportunities (id),
  at text COLLATE "C" NOT NULL,
  amount_minor bigint NULL,
  PRIMARY KEY (opportunity_id, at)
);
INSERT INTO $S.amount_history (opportunity_id, at, amount_minor)
  SELECT DISTINCT ON (opportunity_id, at) opportunity_id, at, round((data -> 'fields' ->> 'amount')::numeric * 100)::bigint FROM $S.events
  WHERE type = 'opportunity.opened' OR (type = 'opportunity.updated' AND jsonb_exists(data::jsonb -> 'fields', 'amount'))
  ORDER BY opportunity_id, at, seq DESC;
CREATE INDEX opportunities_template_status_stage ON $S.opportunities (template, status, stage);
CREATE INDEX stage_history_stage ON $S.stage_history (stage, opportunity_id);
CREATE INDEX stage_history_entered ON $S.stage_history (entered_at);
`,
  },
  {
    // As SQLite's migration 4: lighter event writes (no type index, no UNIQUE on the id, which "<deal>:<seq>" makes
    // unique already), covering indexes for the funnel and the forecast with the default close-date field as a
    // generated column, each finished stay's length and its deal's template in stage_history, and stage_outcomes
    // (closed deals that entered each stage, and the won ones among them) kept by the store at append.
    version: 4,
    sql: `
ALTER TABLE $S.events DROP CONSTRAINT events_id_unique;
DROP INDEX $S.events_type;

ALTER TABLE $S.opportunities ADD COLUMN expected_close text COLLATE "C" GENERATED ALWAYS AS (fields ->> 'expectedCloseDate') STORED;
DROP INDEX $S.opportunities_template_status;
DROP INDEX $S.opportunities_template_status_stage;
CREATE INDEX opportunities_funnel ON $S.opportunities (template, status, stage) INCLUDE (amount_minor);
CREATE INDEX opportunities_closing ON $S.opportunities (template, status, expected_close, stage) INCLUDE (stage_entered_at, amount_minor);
CREATE INDEX opportunities_closed ON $S.opportunities (template, status, closed_at) INCLUDE (amount_minor);

ALTER TABLE $S.stage_history ADD COLUMN template text COLLATE "C" NULL, ADD COLUMN dwell_ms bigint NULL;
UPDATE $S.stage_history sh SET template = o.template,
  dwell_ms = CASE WHEN sh.exited_at IS NULL THEN NULL ELSE round(EXTRACT(EPOCH FROM (sh.exited_at::timestamptz - sh.entered_at::timestamptz)) * 1000)::bigint END
  FROM $S.opportunities o WHERE o.id = sh.opportunity_id;
DROP INDEX $S.stage_history_stage;
DROP INDEX $S.stage_history_entered;
CREATE INDEX stage_history_dwell ON $S.stage_history (template, stage, dwell_ms) WHERE dwell_ms IS NOT NULL;

CREATE TABLE $S.stage_outcomes (
  template text COLLATE "C" NOT NULL,
  stage text COLLATE "C" NOT NULL,
  closed bigint NOT NULL,
  won bigint NOT NULL,
  PRIMARY KEY (template, stage)
);
INSERT INTO $S.stage_outcomes (template, stage, closed, won)
  SELECT o.template, sh.stage, COUNT(DISTINCT o.id), COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END)
  FROM $S.stage_history sh JOIN $S.opportunities o ON o.id = sh.opportunity_id WHERE o.status IN ('won', 'lost') GROUP BY 1, 2;
`,
  },
];

/** The newest schema version this code knows. */
export const PG_LATEST_SCHEMA_VERSION = PG_MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** The first key of the two-key advisory lock every winpath migration takes ('wpat'); the second is hashtext(schema). */
export const MIGRATION_LOCK_CLASS = 0x77706174;

/** The part of a pg client the migrations use. */
export interface MigrationClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The schema name quoted for SQL, after checking it is a plain lower-case identifier.
 * @throws WinpathError INPUT_INVALID for any other name.
 */
export function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new WinpathError('INPUT_INVALID', `postgresStore: schema ${JSON.stringify(schema)} is not a plain lower-case identifier`, {
      fix: 'use 1 to 63 characters of a-z, 0-9 and _, not starting with a digit (for example "winpath" or "winpath_test_1")',
      path: ['schema'],
    });
  }
  return `"${schema}"`;
}

/**
 * Creates the schema when needed and brings it up to PG_LATEST_SCHEMA_VERSION in one transaction
 * under an advisory lock keyed on the schema name, so two processes starting at once do not both
 * migrate. The caller holds `client` for the call. Returns the versions applied now.
 * @throws WinpathError INPUT_INVALID when the schema was written by a newer winpath.
 */
export async function migratePostgres(client: MigrationClient, schema: string): Promise<number[]> {
  const S = quoteSchema(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::int4, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${S}.schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`);
    const { rows } = await client.query(`SELECT max(version) AS v FROM ${S}.schema_migrations`);
    const current = (rows[0]?.['v'] as number | null | undefined) ?? 0;
    if (current > PG_LATEST_SCHEMA_VERSION) {
      throw new WinpathError('INPUT_INVALID', `PostgreSQL schema "${schema}" has schema version ${current}, newer than this winpath knows (${PG_LATEST_SCHEMA_VERSION})`, {
        fix: 'upgrade winpath to the version that wrote this schema',
        schemaVersion: current,
        knownVersion: PG_LATEST_SCHEMA_VERSION,
      });
    }
    const applied: number[] = [];
    for (const m of [...PG_MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (m.version <= current) continue;
      await client.query(m.sql.replaceAll('$S', S));
      // applied_at is bookkeeping, taken from the server's clock: no deal data depends on it.
      await client.query(`INSERT INTO ${S}.schema_migrations (version, applied_at)
        VALUES ($1, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))`, [m.version]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
