/**
 * The crash checker: opens a SQLite file as winpath would after a crash and lists every way its data
 * disagrees with itself. An empty `problems` list is the claim; the negative controls feed it broken files.
 */
import Database from 'better-sqlite3';
import { createEngine, replay, sqliteStore, type OpportunityEvent, type ProcessDefinition } from '../../../src/index.js';
import { compileProcess, pendingTimers } from '../../../src/machine/index.js';

export interface CheckOptions {
  /** Event ids the child journaled after their commits returned: each must be stored. */
  journal?: readonly string[];
  /** Replay only deals with events after this `events.pos` (the SQL checks always cover every deal). */
  sincePos?: number;
}

export interface CheckReport {
  deals: number;
  events: number;
  tasks: number;
  approvals: number;
  outbox: number;
  /** Deals replayed event by event in this check. */
  replayed: number;
  /** Journaled ids found / journaled ids. */
  journaled: number;
  /** Stored events whose commit returned too late to be journaled (at most one command's worth per kill). */
  unjournaledTail: number;
  /** The highest events.pos seen, for the next incremental check. */
  lastPos: number;
  problems: string[];
}

/** JSON with sorted keys: equal data, equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
      return out;
    }
    return v;
  });
}

const OUTBOX_ALWAYS = ['notification.requested', 'integration.emitted'];

export async function checkStoreFile(path: string, opts: CheckOptions = {}): Promise<CheckReport> {
  const problems: string[] = [];
  const problem = (s: string) => {
    if (problems.length < 200) problems.push(s);
  };
  let store;
  try {
    store = sqliteStore({ path });
  } catch (e) {
    return { deals: 0, events: 0, tasks: 0, approvals: 0, outbox: 0, replayed: 0, journaled: 0, unjournaledTail: 0, lastPos: 0, problems: [`the store does not open: ${String(e)}`] };
  }
  const db = new Database(path, { fileMustExist: true });
  try {
    const all = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
    const one = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).get(...params) as T;

    // Deals written since the last check (all of them on a full check): the checks that read state documents
    // look at these; a commit that lost its events but kept its projection still shows in check 1, which reads every deal.
    const since = opts.sincePos ?? 0;
    db.exec('DROP TABLE IF EXISTS temp.touched');
    db.prepare('CREATE TEMP TABLE touched AS SELECT DISTINCT opportunity_id AS id FROM events WHERE pos > ?').run(since);
    const touchedDeal = since === 0 ? '1 = 1' : 'o.id IN (SELECT id FROM temp.touched)';

    // 1. every deal's log is gapless (1..n, no duplicates by the unique index) and the projection is at its version
    for (const r of all<{ id: string; version: number; n: number | null; mn: number | null; mx: number | null }>(`
      SELECT o.id, o.version, e.n, e.mn, e.mx FROM opportunities o
      LEFT JOIN (SELECT opportunity_id, count(*) AS n, min(seq) AS mn, max(seq) AS mx FROM events GROUP BY opportunity_id) e ON e.opportunity_id = o.id
      WHERE e.n IS NULL OR e.mn != 1 OR e.n != e.mx OR o.version != e.mx`)) {
      problem(`deal ${r.id}: log has ${r.n ?? 0} events, seq ${r.mn}..${r.mx}, projection at version ${r.version}`);
    }
    for (const r of all<{ id: string }>('SELECT DISTINCT opportunity_id AS id FROM events WHERE pos > ? AND opportunity_id NOT IN (SELECT id FROM opportunities)', since)) {
      problem(`events of deal ${r.id}, which has no projection row`);
    }
    // 2. the projection's columns agree with its state document
    for (const r of all<{ id: string }>(`SELECT id FROM opportunities o WHERE ${touchedDeal} AND (version != state ->> '$.opportunity.seq'
        OR stage IS NOT state ->> '$.opportunity.stage' OR status IS NOT state ->> '$.opportunity.status' OR id != state ->> '$.opportunity.id'
        OR template IS NOT state ->> '$.opportunity.template' OR title IS NOT state ->> '$.opportunity.title')`)) {
      problem(`deal ${r.id}: projection columns disagree with its state`);
    }
    // 3. no task or approval row is orphaned, missing, or different from its deal's state
    for (const kind of ['tasks', 'approvals'] as const) {
      const rows = since === 0 ? `${kind} t` : `(SELECT * FROM ${kind} WHERE opportunity_id IN (SELECT id FROM temp.touched)) t`;
      for (const r of all<{ id: string }>(`SELECT t.id FROM ${rows} LEFT JOIN opportunities o ON o.id = t.opportunity_id
          WHERE o.id IS NULL OR NOT EXISTS (SELECT 1 FROM json_each(o.state, '$.${kind}') j WHERE j.value ->> '$.id' = t.id AND json(j.value) = json(t.data) AND j.value ->> '$.status' = t.status)`)) {
        problem(`${kind} row ${r.id} is orphaned or differs from its deal's state`);
      }
      for (const r of all<{ id: string }>(`SELECT o.id FROM opportunities o
          WHERE ${touchedDeal} AND json_array_length(o.state, '$.${kind}') != (SELECT count(*) FROM ${kind} t WHERE t.opportunity_id = o.id)`)) {
        problem(`deal ${r.id}: its state and the ${kind} table hold different numbers of rows`);
      }
    }
    // 4. the outbox holds exactly one message per event that must produce one
    const defs = await store.definitions();
    for (const r of all<{ id: string }>(`SELECT m.id FROM outbox m LEFT JOIN events e ON e.id = m.id
        WHERE (${since === 0 ? '1 = 1' : 'm.opportunity_id IN (SELECT id FROM temp.touched)'}) AND (e.id IS NULL OR e.opportunity_id != m.opportunity_id OR e.seq != m.seq)`)) {
      problem(`outbox message ${r.id} has no matching event`);
    }
    const exportClause = defs.map((d) => `(o.template = ${sqlText(d.id)} AND o.template_version = ${d.version} AND e.type IN (${(d.export ?? []).map(sqlText).join(', ') || "''"}))`);
    for (const r of all<{ id: string; type: string }>(`SELECT e.id, e.type FROM events e JOIN opportunities o ON o.id = e.opportunity_id
        WHERE e.pos > ? AND NOT EXISTS (SELECT 1 FROM outbox m WHERE m.id = e.id) AND (e.type IN (${OUTBOX_ALWAYS.map(sqlText).join(', ')})${exportClause.map((c) => ` OR ${c}`).join('')})`, since)) {
      problem(`event ${r.id} (${r.type}) was committed without its outbox message`);
    }
    // 5. the other projections: stage history, timers, amount history
    for (const r of all<{ id: string }>(`SELECT o.id FROM opportunities o WHERE ${touchedDeal} AND (SELECT count(*) FROM stage_history h WHERE h.opportunity_id = o.id)
        != (SELECT count(*) FROM events e WHERE e.opportunity_id = o.id AND e.type = 'stage.entered')`)) {
      problem(`deal ${r.id}: stage history disagrees with its stage.entered events`);
    }
    for (const r of all<{ id: string }>("SELECT t.id FROM timers t LEFT JOIN opportunities o ON o.id = t.opportunity_id WHERE o.id IS NULL OR o.status != 'open'")) {
      problem(`timer ${r.id} belongs to no open deal`);
    }
    for (const r of all<{ id: string }>(`SELECT o.id FROM opportunities o JOIN amount_history h ON h.opportunity_id = o.id
        WHERE ${touchedDeal} AND h.at = (SELECT max(at) FROM amount_history x WHERE x.opportunity_id = o.id) AND h.amount_minor IS NOT o.amount_minor`)) {
      problem(`deal ${r.id}: amount history ends at another amount than the deal's`);
    }
    // the forecast counters and stay lengths kept at append equal what the deals' histories say
    for (const r of all<{ template: string; stage: string }>(`WITH want AS (SELECT o.template, sh.stage, COUNT(DISTINCT o.id) AS closed,
          COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END) AS won
        FROM stage_history sh JOIN opportunities o ON o.id = sh.opportunity_id WHERE o.status IN ('won', 'lost') GROUP BY 1, 2)
      SELECT coalesce(w.template, k.template) AS template, coalesce(w.stage, k.stage) AS stage FROM want w
        FULL JOIN (SELECT * FROM stage_outcomes WHERE closed != 0 OR won != 0) k ON k.template = w.template AND k.stage = w.stage
      WHERE k.closed IS NOT w.closed OR k.won IS NOT w.won`)) {
      problem(`stage_outcomes ${r.template}/${r.stage} differs from the closed deals' stage history`);
    }
    for (const r of all<{ id: string }>(`SELECT h.opportunity_id AS id FROM stage_history h WHERE (h.exited_at IS NULL) != (h.dwell_ms IS NULL)
        OR h.dwell_ms != CAST(round((unixepoch(h.exited_at, 'subsec') - unixepoch(h.entered_at, 'subsec')) * 1000) AS INTEGER)`)) {
      problem(`deal ${r.id}: a stay's length differs from its entry and exit`);
    }
    // 6. what the child saw committed is still there
    let journaled = 0;
    // an event id is "<deal>:<seq>": look it up by the (deal, seq) key (the id itself has no index since schema 4)
    const hasEvent = db.prepare('SELECT 1 FROM events WHERE opportunity_id = ? AND seq = ? AND id = ?');
    for (const id of opts.journal ?? []) {
      const cut = id.lastIndexOf(':');
      if (hasEvent.get(id.slice(0, cut), Number(id.slice(cut + 1)), id)) journaled++;
      else problem(`event ${id} was committed (journaled) but is gone`);
    }
    const seen = new Set(opts.journal ?? []);
    const unjournaledTail = opts.journal ? all<{ id: string }>('SELECT id FROM events WHERE pos > ?', since).filter((r) => !seen.has(r.id)).length : 0;
    // 7. replaying each (touched) deal's log gives exactly its stored projection, and its pending timers
    const byKey = new Map<string, ProcessDefinition>(defs.map((d) => [`${d.id}@${d.version}`, d]));
    const touched = all<{ id: string }>('SELECT id FROM temp.touched').map((r) => r.id);
    for (const id of touched) {
      const events: OpportunityEvent[] = await store.events(id);
      const loaded = await store.load(id);
      if (!loaded) {
        problem(`deal ${id}: events but no projection`);
        continue;
      }
      const rebuilt = replay(events);
      if (stableJson(rebuilt) !== stableJson(loaded.state)) problem(`deal ${id}: replaying its ${events.length} events does not give the stored projection`);
      if (loaded.version !== events.length) problem(`deal ${id}: loaded at version ${loaded.version} with ${events.length} events`);
      const def = byKey.get(`${loaded.state.opportunity.template}@${loaded.state.opportunity.templateVersion}`);
      if (!def) {
        problem(`deal ${id}: its template is not kept in the store`);
        continue;
      }
      const want = pendingTimers(compileProcess(def), loaded.state, {}).map((t) => `${t.id} ${t.type} ${t.dueAt}`).sort();
      const have = (await store.timers(id)).map((t) => `${t.id} ${t.type} ${t.dueAt}`).sort();
      if (stableJson(want) !== stableJson(have)) problem(`deal ${id}: stored timers [${have.join(', ')}] are not the pending ones [${want.join(', ')}]`);
      if (stableJson(await store.tasks({ opportunityId: id })) !== stableJson(sortByCreation(loaded.state.tasks))) problem(`deal ${id}: store.tasks differs from its state`);
    }
    const count = (table: string) => one<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).n;
    return {
      deals: count('opportunities'), events: count('events'), tasks: count('tasks'), approvals: count('approvals'), outbox: count('outbox'),
      replayed: touched.length, journaled, unjournaledTail,
      lastPos: one<{ p: number | null }>('SELECT max(pos) AS p FROM events').p ?? 0, problems,
    };
  } finally {
    db.close();
    await store.close();
  }
}

function sortByCreation<T extends { createdAt: string }>(items: readonly T[]): T[] {
  return items.map((x, i) => ({ x, i })).sort((a, b) => (a.x.createdAt < b.x.createdAt ? -1 : a.x.createdAt > b.x.createdAt ? 1 : a.i - b.i)).map((e) => e.x);
}

function sqlText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export interface DeliveryReport {
  pendingBefore: number;
  delivered: number;
  problems: string[];
}

/** Delivers every pending outbox message with `dispatch` at `now`; each must go out once, in per-deal seq order. */
export async function deliverAll(path: string, now: Date): Promise<DeliveryReport> {
  const engine = createEngine({ store: sqliteStore({ path }), templates: [], clock: () => now });
  const problems: string[] = [];
  try {
    const pending = await engine.outbox({ status: 'pending' });
    const got: { id: string; opportunityId: string; seq: number }[] = [];
    const seqOf = new Map(pending.map((m) => [m.id, m.seq]));
    for (let i = 0; i < 10_000; i++) {
      const r = await engine.dispatch(async (m) => void got.push({ id: m.id, opportunityId: m.opportunityId, seq: seqOf.get(m.id) ?? -1 }), { limit: 500 });
      if (r.failed || r.dead) problems.push(`dispatch reported ${r.failed} failed and ${r.dead} dead with a handler that never fails`);
      if (r.delivered === 0) break;
    }
    const want = pending.map((m) => m.id).sort();
    const have = got.map((m) => m.id).sort();
    if (stableJson(want) !== stableJson(have)) problems.push(`dispatch delivered ${have.length} messages, ${want.length} were pending`);
    const lastSeq = new Map<string, number>();
    for (const m of got) {
      if ((lastSeq.get(m.opportunityId) ?? 0) > m.seq) problems.push(`message ${m.id} went out before an earlier message of its deal`);
      lastSeq.set(m.opportunityId, m.seq);
    }
    const left = await engine.outbox({ status: 'pending' });
    if (left.length) problems.push(`${left.length} messages still pending after dispatch`);
    const dead = await engine.outbox({ status: 'dead' });
    if (dead.length) problems.push(`${dead.length} messages are dead`);
    return { pendingBefore: pending.length, delivered: got.length, problems };
  } finally {
    await engine.close();
  }
}
