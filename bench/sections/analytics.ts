/**
 * Analytics queries on large SQLite stores (100,000 and 1,000,000 deals by default).
 *
 * The data is synthetic, bulk-inserted with plain SQL into a database whose schema sqliteStore itself
 * created (migrations run by opening it once), shaped like the simulator's output on b2b-standard:
 * 60% open (spread over the 4 open stages), 15% won, 25% lost with weighted loss reasons and the stage
 * they were lost from, log-uniform amounts (20,000 to 2,000,000 as in simulate()), dwell times per stage
 * drawn like the simulator's (0.5x to 1.5x a stage mean), regions, industries, product lines, 250 owners,
 * an expectedCloseDate on most open deals, 30% of deals with an amount change. Each deal's `state` column
 * holds a real engine state of a b2b-standard deal at the same stage (captured from the engine, the id
 * replaced), so rows have their real size. Only the tables analytics reads are filled (opportunities,
 * stage_history, amount_history, templates); events, tasks and approvals stay empty.
 *
 * The databases are cached in bench/.cache/, keyed by the store's schema version and this generator's version.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createAnalytics, createEngine, loadTemplate, memoryStore, sqliteStore, type Analytics, type ProcessDefinition } from '../../src/index.js';
import { LATEST_SCHEMA_VERSION } from '../../src/storage/sqlite/sqlite-migrations.js';
import { config } from '../lib/config.js';
import { BENCH_DIR } from '../lib/process.js';
import { main, report } from '../lib/section.js';
import { openRaw } from '../lib/sqlite.js';
import { msSince, now, progress, spread } from '../lib/stats.js';
import { createRandom } from '../../src/simulate/random.js';

/** Raise when the generated data changes: cached databases of another version are rebuilt. */
const GENERATOR_VERSION = 3;
const CACHE_DIR = join(BENCH_DIR, '.cache');
const NOW = Date.parse('2026-05-15T00:00:00Z');
const DAY = 86_400_000;
const FORECAST_PERIOD = '2026-Q2';
const PLACEHOLDER = 'zzdealidzz';
const BUDGET_MS = Number(process.env['BENCH_ANALYTICS_BUDGET_MS'] ?? 60_000);

const OPEN_STAGES = ['contact', 'needs', 'proposal', 'negotiation'] as const;
const DWELL_DAYS = [8, 14, 12, 18];
const OPEN_SHARE = [0.4, 0.27, 0.2, 0.13];
const LOST_FROM_SHARE = [0.35, 0.3, 0.22, 0.13];
const LOSS_REASONS: [string, number][] = [['price', 30], ['competitor', 25], ['no_budget', 15], ['no_decision', 12], ['timing', 10], ['product_fit', 8]];
const REGIONS: [string, number][] = [['north', 30], ['south', 25], ['east', 30], ['west', 15]];
const INDUSTRIES = ['manufacturing', 'finance', 'government', 'education', 'healthcare', 'retail', 'energy', 'telecom', 'other'];
const PRODUCT_LINES = ['erp', 'crm', 'mes', 'bi', 'cloud'];

function rng(seed: number): () => number {
  return createRandom(seed).next;
}

function pickIndex(r: () => number, shares: readonly number[]): number {
  let x = r() * shares.reduce((a, b) => a + b, 0);
  for (let i = 0; i < shares.length; i++) {
    x -= shares[i]!;
    if (x < 0) return i;
  }
  return shares.length - 1;
}

const weighted = (r: () => number, items: readonly [string, number][]): string => items[pickIndex(r, items.map(([, w]) => w))]![0];
const iso = (ms: number): string => new Date(ms).toISOString();

/** Real engine states of b2b-standard deals (open in each stage, won, lost from each stage), their id a placeholder. */
async function stateTemplates(def: ProcessDefinition): Promise<Map<string, string[]>> {
  const people: Record<string, string> = { sales_director: 'dora', finance: 'fay', solution_engineer: 'sol', legal: 'lee' };
  const store = memoryStore();
  let t = Date.parse('2026-03-02T09:00:00Z');
  const engine = createEngine({ store, templates: [def], clock: () => new Date((t += 3_600_000)), resolveRole: (role) => (people[role] ? [people[role]!] : []) });
  const sam = { id: 'sam' };
  const out = new Map<string, string[]>();
  const walk = async (key: string, stages: number, end: 'open' | 'won' | 'lost'): Promise<void> => {
    const id = `${PLACEHOLDER}${out.size}`;
    await engine.open({ id, template: 'b2b-standard', title: 'ACME ERP upgrade', owner: 'sam', amount: 480_000, actor: sam });
    await engine.update(id, { fields: { region: 'east', industry: 'finance', budgetConfirmed: true, decisionMaker: 'CIO', productLine: 'erp', discount: 0.2, expectedCloseDate: '2026-12-01' }, actor: sam });
    for (let step = 0; step < stages; step++) {
      const x = await engine.explain(id);
      for (const task of x.tasks) await engine.completeTask(task.id, { actor: task.assignee ?? 'sam' });
      for (const a of x.approvals) for (const who of ['dora', 'fay']) await engine.decide(a.id, { actor: who, decision: 'approve' });
      for (const u of x.unmet.filter((m) => m.kind === 'deliverable')) await engine.submitDeliverable(id, u.key, { ref: u.key, actor: sam });
      await engine.advance(id, { actor: sam });
    }
    if (end === 'lost') await engine.lose(id, { reason: 'price', actor: sam });
    const loaded = await store.load(id);
    if (!loaded) throw new Error(`no state for ${key}`);
    out.set(key, JSON.stringify(loaded.state).split(id));
  };
  for (let k = 0; k < OPEN_STAGES.length; k++) await walk(`open:${OPEN_STAGES[k]}`, k, 'open');
  await walk('won', OPEN_STAGES.length, 'won');
  for (let k = 0; k < OPEN_STAGES.length; k++) await walk(`lost:${OPEN_STAGES[k]}`, k, 'lost');
  await engine.close();
  return out;
}

function uuid(r: () => number): string {
  let h = '';
  for (let i = 0; i < 4; i++) h += Math.floor(r() * 0x1_0000_0000).toString(16).padStart(8, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Builds the synthetic database (see the header) at `path`. */
async function build(path: string, deals: number): Promise<void> {
  const def = await loadTemplate('b2b-standard');
  const states = await stateTemplates(def);
  const store = sqliteStore({ path }); // runs the migrations: the schema is the store's own
  await store.saveDefinition(def);
  await store.close();
  const db = openRaw(path);
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const tables = ['opportunities', 'stage_history', 'amount_history'];
  const indexes = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => '?').join(', ')})`).all(...tables) as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX ${ix.name}`); // rebuilt after the load, as the migrations define them
  const insOpp = db.prepare(`INSERT INTO opportunities (id, template, template_version, title, owner, stage, status, amount_minor, fields, opened_at,
    stage_entered_at, closed_at, loss_reason, idle, version, state) VALUES (?, 'b2b-standard', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  const insStage = db.prepare(`INSERT INTO stage_history (opportunity_id, entry, stage, entered_at, exited_at, template, dwell_ms)
    VALUES (?, ?, ?, ?, ?, 'b2b-standard', ?)`);
  const insAmount = db.prepare('INSERT INTO amount_history (opportunity_id, at, amount_minor) VALUES (?, ?, ?)');
  const r = rng(20260515 + deals);
  const one = (n: number): void => {
    const id = uuid(r);
    const roll = r();
    const status = roll < 0.6 ? 'open' : roll < 0.75 ? 'won' : 'lost';
    const last = status === 'open' ? pickIndex(r, OPEN_SHARE) : status === 'won' ? OPEN_STAGES.length - 1 : pickIndex(r, LOST_FROM_SHARE);
    const dwell = (k: number): number => (0.5 + r()) * DWELL_DAYS[k]! * DAY;
    // stage entries: the open stages up to `last`, then won / lost (closed) or none (open, still in `last`)
    const durations: number[] = [];
    for (let k = 0; k <= last; k++) durations.push(dwell(k));
    const end = status === 'open' ? NOW : NOW - r() * 365 * DAY; // closed deals closed over the last year
    const elapsedInLast = status === 'open' ? r() * durations[last]! : durations[last]!;
    let at = end - elapsedInLast - durations.slice(0, last).reduce((a, b) => a + b, 0);
    const openedAt = at;
    const entries: { stage: string; at: number }[] = [];
    for (let k = 0; k <= last; k++) {
      entries.push({ stage: OPEN_STAGES[k]!, at });
      at += durations[k]!;
    }
    if (status !== 'open') entries.push({ stage: status, at: end });
    const amount = Math.round(Math.exp(Math.log(20_000) + r() * (Math.log(2_000_000) - Math.log(20_000))) / 100) * 100;
    const changed = r() < 0.3;
    const firstAmount = changed ? Math.round((amount * (0.7 + r() * 0.6)) / 100) * 100 : amount;
    const fields: Record<string, unknown> = {
      amount, region: weighted(r, REGIONS), industry: INDUSTRIES[Math.floor(r() * INDUSTRIES.length)], productLine: PRODUCT_LINES[Math.floor(r() * PRODUCT_LINES.length)],
    };
    if (last >= 1) Object.assign(fields, { budgetConfirmed: true, decisionMaker: r() < 0.5 ? 'CIO' : 'CFO' });
    if (last >= 2) fields['discount'] = Math.round(r() * 25) / 100;
    if (r() < 0.3) fields['competitor'] = r() < 0.5 ? 'rival-a' : 'rival-b';
    if (status !== 'open') fields['expectedCloseDate'] = iso(end).slice(0, 10);
    else if (r() < 0.8) fields['expectedCloseDate'] = iso(NOW + r() * 180 * DAY).slice(0, 10);
    const stage = status === 'open' ? OPEN_STAGES[last]! : status;
    const stateKey = status === 'won' ? 'won' : `${status}:${OPEN_STAGES[last]}`;
    const state = states.get(stateKey)!.join(id);
    const lossReason = status === 'lost' ? weighted(r, LOSS_REASONS) : null;
    const enteredLast = entries[entries.length - 1]!.at;
    insOpp.run(id, `Deal ${n}`, `owner-${1 + Math.floor(r() * 250)}`, stage, status, amount * 100, JSON.stringify(fields), iso(openedAt), iso(enteredLast),
      status === 'open' ? null : iso(end), lossReason, 2 + entries.length * 4, state);
    entries.forEach((e, i) => {
      const exit = i + 1 < entries.length ? iso(entries[i + 1]!.at) : null;
      insStage.run(id, i + 1, e.stage, iso(e.at), exit, exit === null ? null : Date.parse(exit) - Date.parse(iso(e.at)));
    });
    insAmount.run(id, iso(openedAt), firstAmount * 100);
    if (changed) insAmount.run(id, iso(openedAt + (end - openedAt) * (0.2 + r() * 0.6)), amount * 100);
  };
  const batch = db.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) one(n);
  });
  const step = 20_000;
  for (let from = 0; from < deals; from += step) {
    batch(from, Math.min(deals, from + step));
    if ((from / step) % 10 === 9) progress(`analytics: ${Math.min(deals, from + step).toLocaleString('en')}/${deals.toLocaleString('en')} deals inserted`);
  }
  progress('analytics: building indexes');
  for (const ix of indexes) db.exec(ix.sql);
  // the per-stage counters the store keeps at append, computed once as migration 4 backfills them
  db.exec(`DELETE FROM stage_outcomes;
    INSERT INTO stage_outcomes (template, stage, closed, won)
      SELECT o.template, sh.stage, COUNT(DISTINCT o.id), COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END)
      FROM stage_history sh JOIN opportunities o ON o.id = sh.opportunity_id WHERE o.status IN ('won', 'lost') GROUP BY 1, 2`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** The cached database for `deals` deals, built first when missing. */
async function dataset(deals: number): Promise<{ path: string; built: boolean; buildSeconds: number | null }> {
  const path = join(CACHE_DIR, `analytics-s${LATEST_SCHEMA_VERSION}-g${GENERATOR_VERSION}-${deals}.db`);
  if (existsSync(path)) return { path, built: false, buildSeconds: null };
  progress(`analytics: building the ${deals.toLocaleString('en')}-deal database (cached in bench/.cache/ for later runs)`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${path}.building`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  const t0 = now();
  await build(tmp, deals);
  renameSync(tmp, path);
  return { path, built: true, buildSeconds: msSince(t0) / 1000 };
}

type QueryName = 'funnel' | 'funnelByRegion' | 'conversion' | 'cycleTime' | 'lossReasons' | 'forecast' | 'forecastEast' | 'bottlenecks';
const QUERIES: Record<QueryName, (a: Analytics) => Promise<unknown>> = {
  funnel: (a) => a.funnel({ template: 'b2b-standard' }),
  funnelByRegion: (a) => a.funnel({ template: 'b2b-standard', groupBy: 'region' }),
  conversion: (a) => a.conversion({ template: 'b2b-standard' }),
  cycleTime: (a) => a.cycleTime({ template: 'b2b-standard' }),
  lossReasons: (a) => a.lossReasons({ template: 'b2b-standard' }),
  forecast: (a) => a.forecast({ template: 'b2b-standard', period: FORECAST_PERIOD }),
  // filtered: the stage-to-won rates come from the matching deals' stage history, not the kept counters
  forecastEast: (a) => a.forecast({ template: 'b2b-standard', period: FORECAST_PERIOD, where: { region: 'east' } }),
  bottlenecks: (a) => a.bottlenecks({ template: 'b2b-standard' }),
};

async function measure(deals: number): Promise<unknown> {
  const ds = await dataset(deals);
  const store = sqliteStore({ path: ds.path });
  const analytics = createAnalytics(store);
  const queries: Record<string, unknown> = {};
  let check: unknown = null;
  for (const [name, q] of Object.entries(QUERIES) as [QueryName, (a: Analytics) => Promise<unknown>][]) {
    progress(`analytics: ${deals.toLocaleString('en')} deals, ${name}`);
    const t0 = now();
    const first = await q(analytics);
    const firstMs = msSince(t0);
    if (name === 'funnel') check = (first as { total: unknown }).total;
    // several timed runs, fewer when one call is slow: at most about BUDGET_MS of timed calls per query
    const runs = Math.min(config.analyticsRuns, Math.floor(BUDGET_MS / Math.max(firstMs, 1)));
    const ms: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = now();
      await q(analytics);
      ms.push(msSince(t));
    }
    // a query slower than the budget is timed once: its first call is the figure
    queries[name] = runs > 0 ? { firstMs, ms: spread(ms) } : { firstMs, ms: spread([firstMs]), firstCallOnly: true };
  }
  await store.close();
  return { deals, path: ds.path.slice(ds.path.indexOf('bench/')), fileBytes: statSync(ds.path).size, built: ds.built, buildSeconds: ds.buildSeconds, openFunnelTotal: check, forecastPeriod: FORECAST_PERIOD, queries };
}

main(async () => {
  const sizes: unknown[] = [];
  for (const n of config.analyticsSizes) sizes.push(await measure(n));
  report('analytics', { generatorVersion: GENERATOR_VERSION, schemaVersion: LATEST_SCHEMA_VERSION, now: iso(NOW), sizes });
});
