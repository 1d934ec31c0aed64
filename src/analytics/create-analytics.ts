/** createAnalytics: funnel, conversion, cycle time, loss reasons, forecast and bottlenecks, live from a store. */
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns';
import { WinpathError } from '../errors/index.js';
import {
  isOpenStage, parseIsoDuration, stageForecast, stageProbability, type FieldType, type ProcessDefinition, type StageDef,
} from '../model/index.js';
import type { Store } from '../storage/port.js';
import { codeQueryPort, type AnalyticsQuery, type Condition, type FieldRef, type GroupRef, type QueryPort } from '../storage/query-port.js';

export interface AnalyticsOptions {
  /** IANA zone for forecast periods (which day a deal closed on); default UTC. */
  timeZone?: string;
  /** The date field holding an open deal's expected close; default `expectedCloseDate`. */
  closeDateField?: string;
}

/** Field equals (value), in (array), or range ({ gte, lte, gt, lt }; dates as YYYY-MM-DD or ISO). */
export type WhereValue = string | number | boolean | readonly (string | number | boolean)[] | { gte?: string | number; lte?: string | number; gt?: string | number; lt?: string | number };

export interface QueryOptions {
  template?: string;
  /** A dimension or any template field, `owner`, `stage`, `status`, or `month` (month opened). */
  groupBy?: string;
  /** Keys: template fields, `owner`, `stage`, `status`, `openedAt`, `closedAt`. */
  where?: Record<string, WhereValue>;
}

export interface FunnelRow {
  group?: string | null;
  stage: string;
  count: number;
  amount: number;
  weightedAmount: number;
  probability: number;
}

export interface ConversionRow {
  group?: string | null;
  from: string;
  to: string;
  entered: number;
  reached: number;
  rate: number;
}

export interface CycleTimeRow {
  group?: string | null;
  stage: string | null;
  count: number;
  meanDays: number;
  medianDays: number;
  p90Days: number;
}

export interface LossReasonRow {
  group?: string | null;
  reason: string;
  count: number;
  amount: number;
  /** How many were lost from each stage. */
  stages: Record<string, number>;
}

export interface ForecastFigures {
  group?: string | null;
  closedWon: number;
  commit: number;
  bestCase: number;
  pipeline: number;
  weighted: number;
  /** Open amount times each stage's stage-to-won rate measured on closed deals. */
  historical: number;
  counts: { closedWon: number; commit: number; bestCase: number; pipeline: number; projected: number };
}

export interface ForecastResult extends ForecastFigures {
  template: string;
  period: { from: string; to: string };
  target: number | null;
  /** target - closedWon - commit (null without a target). */
  gap: number | null;
  rows: ForecastFigures[];
}

export interface BottleneckRow {
  stage: string;
  medianDwellDays: number;
  slaDays: number | null;
  dropOffRate: number;
  entered: number;
  lost: number;
  score: number;
}

export interface Analytics {
  funnel(q?: QueryOptions & { asOf?: string | Date }): Promise<{ template: string; rows: FunnelRow[]; total: { count: number; amount: number; weightedAmount: number } }>;
  conversion(q?: QueryOptions & { from?: string; to?: string }): Promise<{ template: string; rows: ConversionRow[] }>;
  cycleTime(q?: QueryOptions): Promise<{ template: string; rows: CycleTimeRow[] }>;
  lossReasons(q?: QueryOptions): Promise<{ template: string; rows: LossReasonRow[]; total: { count: number; amount: number } }>;
  forecast(q: QueryOptions & { period: string | { from: string; to: string }; target?: number }): Promise<ForecastResult>;
  bottlenecks(q?: QueryOptions): Promise<{ template: string; rows: BottleneckRow[] }>;
}

const COLUMNS = new Map<string, FieldRef>([
  ['owner', { kind: 'column', name: 'owner' }],
  ['stage', { kind: 'column', name: 'stage' }],
  ['status', { kind: 'column', name: 'status' }],
  ['openedAt', { kind: 'column', name: 'openedAt' }],
  ['closedAt', { kind: 'column', name: 'closedAt' }],
]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const round2 = (x: number) => Math.round(x * 100) / 100;
const major = (minor: number) => minor / 100;

/**
 * Analytics computed live from a store: SQL stores answer in SQL, other stores in code, the same answers.
 * @example const a = createAnalytics(store); const { rows } = await a.funnel({ template: 'b2b-standard', groupBy: 'region' });
 * @throws WinpathError INPUT_INVALID for names outside the template's fields, NOT_FOUND for an unknown template
 */
export function createAnalytics(store: Store, opts: AnalyticsOptions = {}): Analytics {
  const port: QueryPort = (store as Store & { query?: QueryPort }).query ?? codeQueryPort(store);
  const timeZone = opts.timeZone ?? 'UTC';
  const closeField = opts.closeDateField ?? 'expectedCloseDate';

  async function definitionFor(template: string | undefined): Promise<ProcessDefinition> {
    const defs = await store.definitions();
    const ids = [...new Set(defs.map((d) => d.id))];
    const id = template ?? (ids.length === 1 ? ids[0] : undefined);
    if (id === undefined) {
      throw new WinpathError('INPUT_INVALID', ids.length === 0 ? 'the store holds no deals yet' : 'the store holds several templates: say which one', { fix: `pass { template } with one of: ${ids.join(', ')}` });
    }
    const versions = defs.filter((d) => d.id === id).sort((a, b) => b.version - a.version);
    if (!versions[0]) throw new WinpathError('NOT_FOUND', `no deals on template "${id}" in this store`, { fix: `use one of: ${ids.join(', ') || '(none)'}` });
    return versions[0];
  }

  function fieldRef(def: ProcessDefinition, name: string, where: 'where' | 'groupBy'): FieldRef {
    const column = COLUMNS.get(name);
    if (column) return column;
    if (Object.prototype.hasOwnProperty.call(def.fields, name)) return { kind: 'field', key: name, type: def.fields[name]!.type };
    const known = [...COLUMNS.keys(), ...Object.keys(def.fields), ...(where === 'groupBy' ? ['month'] : [])];
    throw new WinpathError('INPUT_INVALID', `${where}: "${name}" is not a field of template ${def.id} nor a deal column`, { path: [where, name], fix: `use one of: ${known.join(', ')}` });
  }

  function query(def: ProcessDefinition, q: QueryOptions): AnalyticsQuery {
    let groupBy: GroupRef = null;
    if (q.groupBy !== undefined) groupBy = q.groupBy === 'month' ? { kind: 'month' } : fieldRef(def, q.groupBy, 'groupBy');
    const where: Condition[] = [];
    for (const [name, v] of Object.entries(q.where ?? {})) {
      const ref = fieldRef(def, name, 'where');
      const type: FieldType | 'column' = ref.kind === 'field' ? ref.type : 'column';
      if (Array.isArray(v)) where.push({ ref, op: 'in', value: v });
      else if (v !== null && typeof v === 'object') {
        const range = v as Record<string, unknown>;
        for (const [k, bound] of Object.entries(range)) {
          if (!['gte', 'lte', 'gt', 'lt'].includes(k)) throw new WinpathError('INPUT_INVALID', `where.${name}: "${k}" is not a range bound`, { path: ['where', name, k], fix: 'use gte, lte, gt or lt' });
          if (typeof bound !== 'string' && typeof bound !== 'number') throw new WinpathError('INPUT_INVALID', `where.${name}.${k} must be a number or a date`, { path: ['where', name, k] });
          if (ref.kind === 'column' && (ref.name === 'openedAt' || ref.name === 'closedAt') && typeof bound === 'string' && DATE.test(bound)) {
            // a date bound on an instant column covers the whole (UTC) day
            if (k === 'lte') where.push({ ref, op: 'lt', value: `${nextDay(bound)}` });
            else if (k === 'gt') where.push({ ref, op: 'gte', value: nextDay(bound) });
            else where.push({ ref, op: k as Condition['op'], value: bound });
            continue;
          }
          where.push({ ref, op: k as Condition['op'], value: bound });
        }
        if (type === 'boolean' || type === 'enum') throw new WinpathError('INPUT_INVALID', `where.${name}: a range needs a number, money or date field`, { path: ['where', name] });
      } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') where.push({ ref, op: 'eq', value: v });
      else throw new WinpathError('INPUT_INVALID', `where.${name} must be a value, a list of values, or a range`, { path: ['where', name] });
    }
    return { template: def.id, where, groupBy };
  }

  const groupsOf = (rows: { group: string | null }[], grouped: boolean): (string | null)[] =>
    grouped ? [...new Set(rows.map((r) => r.group))].sort((a, b) => String(a).localeCompare(String(b))) : [null];
  const withGroup = <T extends object>(row: T, grouped: boolean, group: string | null): T => (grouped ? { group, ...row } : row);

  /** Stage-to-won rates on closed deals: a won deal reached won after every stage it entered, so won / closed entrants. */
  async function stageToWonRates(def: ProcessDefinition, q: AnalyticsQuery): Promise<Map<string, number>> {
    const reach = await port.closedReach(q);
    const rates = new Map<string, number>();
    for (const s of def.stages.filter(isOpenStage)) {
      const r = reach.find((x) => x.stage === s.key);
      rates.set(s.key, r && r.closed > 0 ? r.won / r.closed : stageProbability(s) / 100);
    }
    return rates;
  }

  return {
    async funnel(q = {}) {
      const def = await definitionFor(q.template);
      const aq = query(def, q);
      const asOf = q.asOf === undefined ? undefined : new Date(q.asOf).toISOString();
      const rows = await port.openByStage(asOf === undefined ? aq : { ...aq, asOf });
      const grouped = aq.groupBy !== null;
      const out: FunnelRow[] = [];
      for (const group of groupsOf(rows, grouped)) {
        for (const s of def.stages.filter(isOpenStage)) {
          const r = rows.find((x) => x.stage === s.key && (!grouped || x.group === group));
          const p = stageProbability(s);
          const amountMinor = r?.amountMinor ?? 0;
          out.push(withGroup({ stage: s.key, count: r?.count ?? 0, amount: major(amountMinor), weightedAmount: major(Math.round((amountMinor * p) / 100)), probability: p }, grouped, group));
        }
      }
      const total = { count: 0, amountMinor: 0, weightedMinor: 0 };
      for (const r of out) {
        total.count += r.count;
        total.amountMinor += Math.round(r.amount * 100);
        total.weightedMinor += Math.round(r.weightedAmount * 100);
      }
      return { template: def.id, rows: out, total: { count: total.count, amount: major(total.amountMinor), weightedAmount: major(total.weightedMinor) } };
    },

    async conversion(q = {}) {
      const def = await definitionFor(q.template);
      const aq = query(def, q);
      const reach = await port.stageReach(aq);
      const grouped = aq.groupBy !== null;
      const open = def.stages.filter(isOpenStage);
      const won = def.stages.find((s) => s.outcome === 'won')!.key;
      const pairs: [string, string][] = [];
      open.forEach((s, i) => {
        if (open[i + 1]) pairs.push([s.key, open[i + 1]!.key]);
        pairs.push([s.key, won]);
      });
      const rows: ConversionRow[] = [];
      for (const group of groupsOf(reach, grouped)) {
        for (const [from, to] of pairs) {
          if ((q.from !== undefined && from !== q.from) || (q.to !== undefined && to !== q.to)) continue;
          const mine = reach.filter((r) => !grouped || r.group === group);
          const entered = mine.find((r) => r.from === from && r.to === null)?.deals ?? 0;
          const reached = mine.find((r) => r.from === from && r.to === to)?.deals ?? 0;
          rows.push(withGroup({ from, to, entered, reached, rate: entered ? reached / entered : 0 }, grouped, group));
        }
      }
      return { template: def.id, rows };
    },

    async cycleTime(q = {}) {
      const def = await definitionFor(q.template);
      const aq = query(def, q);
      const durations = await port.durations(aq);
      const grouped = aq.groupBy !== null;
      const rows: CycleTimeRow[] = [];
      for (const group of groupsOf(durations, grouped)) {
        for (const stage of [null, ...def.stages.filter(isOpenStage).map((s) => s.key)]) {
          const d = durations.find((r) => r.stage === stage && (!grouped || r.group === group))?.days ?? [];
          rows.push(withGroup({ stage, ...describeDays(d) }, grouped, group));
        }
      }
      return { template: def.id, rows };
    },

    async lossReasons(q = {}) {
      const def = await definitionFor(q.template);
      const aq = query(def, q);
      const losses = await port.losses(aq);
      const grouped = aq.groupBy !== null;
      const rows: LossReasonRow[] = [];
      let count = 0;
      let amountMinor = 0;
      for (const group of groupsOf(losses, grouped)) {
        for (const reason of def.lossReasons) {
          const mine = losses.filter((r) => r.reason === reason && (!grouped || r.group === group));
          const stages: Record<string, number> = {};
          for (const r of mine) stages[r.stage] = (stages[r.stage] ?? 0) + r.count;
          const c = mine.reduce((s, r) => s + r.count, 0);
          const a = mine.reduce((s, r) => s + r.amountMinor, 0);
          count += c;
          amountMinor += a;
          rows.push(withGroup({ reason, count: c, amount: major(a), stages }, grouped, group));
        }
      }
      rows.sort((a, b) => b.count - a.count || b.amount - a.amount);
      return { template: def.id, rows, total: { count, amount: major(amountMinor) } };
    },

    async forecast(q) {
      const def = await definitionFor(q.template);
      const aq = query(def, q);
      const period = parsePeriod(q.period);
      const fromInstant = new TZDate(`${period.from}T00:00:00`, timeZone).toISOString();
      const toInstant = addDays(new TZDate(`${period.to}T00:00:00`, timeZone), 1).toISOString();
      const hasClose = def.fields[closeField]?.type === 'date';
      const [closing, rates] = await Promise.all([
        port.closing({ ...aq, fromInstant: new Date(fromInstant).toISOString(), toInstant: new Date(toInstant).toISOString(), fromDate: period.from, toDate: period.to, closeField: hasClose ? closeField : null }),
        stageToWonRates(def, aq),
      ]);
      // dwell history is needed only to project deals without a close date
      const open = def.stages.filter(isOpenStage);
      const middles = closing.undated.length ? await port.stayMiddles({ ...aq, stages: open.map((s) => s.key) }) : [];
      // an open deal without a close date is projected to close after the median dwell of its stage and every later open stage
      const median = (stage: string) => {
        const m = middles.find((d) => d.stage === stage);
        if (!m) return 0;
        // as describeDays: linear interpolation between the two middle stays, 2 decimals
        const i = (m.count - 1) * 0.5;
        return round2(m.lower + (m.upper - m.lower) * (i - Math.floor(i)));
      };
      const remaining = new Map(open.map((s, i) => [s.key, open.slice(i).reduce((sum, st) => sum + median(st.key), 0)]));
      const grouped = aq.groupBy !== null;
      const groups = groupsOf([...closing.won, ...closing.dated, ...closing.undated], grouped);
      const figures = (group: string | null): ForecastFigures => {
        const f = { closedWon: 0, commit: 0, bestCase: 0, pipeline: 0, weighted: 0, historical: 0 };
        const counts = { closedWon: 0, commit: 0, bestCase: 0, pipeline: 0, projected: 0 };
        for (const w of closing.won) if (!grouped || w.group === group) { f.closedWon += w.amountMinor; counts.closedWon += w.count; }
        const add = (stageKey: string, count: number, amountMinor: number) => {
          const stage = def.stages.find((s) => s.key === stageKey);
          if (!stage) return;
          const cat = stageForecast(stage);
          if (cat === 'commit') { f.commit += amountMinor; counts.commit += count; }
          else if (cat === 'best_case') { f.bestCase += amountMinor; counts.bestCase += count; }
          else if (cat === 'pipeline') { f.pipeline += amountMinor; counts.pipeline += count; }
          f.weighted += (amountMinor * stageProbability(stage)) / 100;
          f.historical += amountMinor * (rates.get(stageKey) ?? 0);
        };
        for (const r of closing.dated) if (!grouped || r.group === group) add(r.stage, r.count, r.amountMinor);
        for (const r of closing.undated) {
          if (grouped && r.group !== group) continue;
          const projected = addDays(new TZDate(`${r.enteredDay}T12:00:00Z`, 'UTC'), Math.round(remaining.get(r.stage) ?? 0)).toISOString().slice(0, 10);
          if (projected >= period.from && projected <= period.to) {
            add(r.stage, r.count, r.amountMinor);
            counts.projected += r.count;
          }
        }
        return {
          ...(grouped ? { group } : {}),
          closedWon: major(f.closedWon), commit: major(f.commit), bestCase: major(f.bestCase), pipeline: major(f.pipeline),
          weighted: major(Math.round(f.weighted)), historical: major(Math.round(f.historical)), counts,
        };
      };
      const { group: _g, ...total } = figures(null);
      const target = q.target ?? null;
      return {
        template: def.id, period, ...total, target,
        gap: target === null ? null : round2(target - total.closedWon - total.commit),
        rows: grouped ? groups.map(figures) : [],
      };
    },

    async bottlenecks(q = {}) {
      const def = await definitionFor(q.template);
      const aq = query(def, q);
      const [durations, reach, losses] = await Promise.all([port.durations({ ...aq, groupBy: null }), port.stageReach({ ...aq, groupBy: null, enteredOnly: true }), port.losses({ ...aq, groupBy: null })]);
      const open = def.stages.filter(isOpenStage);
      const medians = open.map((s) => describeDays(durations.find((d) => d.stage === s.key)?.days ?? []).medianDays);
      const overall = describeDays(medians.filter((m) => m > 0)).medianDays || 1;
      const rows: BottleneckRow[] = open.map((s, i) => {
        const entered = reach.find((r) => r.from === s.key && r.to === null)?.deals ?? 0;
        const lost = losses.filter((l) => l.stage === s.key).reduce((n, l) => n + l.count, 0);
        const slaDays = slaDaysOf(s);
        const dwell = medians[i]!;
        const dropOffRate = entered ? lost / entered : 0;
        // dwell against the SLA (or against the typical stage when there is none), plus the share lost here
        const score = round2(Math.min(dwell / (slaDays ?? overall), 5) + dropOffRate);
        return { stage: s.key, medianDwellDays: dwell, slaDays, dropOffRate, entered, lost, score };
      });
      rows.sort((a, b) => b.score - a.score || a.stage.localeCompare(b.stage));
      return { template: def.id, rows };
    },
  };
}

function nextDay(ymd: string): string {
  return new Date(Date.parse(`${ymd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** mean, median and p90 (linear interpolation), in days, 2 decimals. */
export function describeDays(sorted: readonly number[]): { count: number; meanDays: number; medianDays: number; p90Days: number } {
  const xs = [...sorted].sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { count: 0, meanDays: 0, medianDays: 0, p90Days: 0 };
  const q = (p: number) => {
    const i = (n - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return xs[lo]! + (xs[hi]! - xs[lo]!) * (i - lo);
  };
  return { count: n, meanDays: round2(xs.reduce((s, x) => s + x, 0) / n), medianDays: round2(q(0.5)), p90Days: round2(q(0.9)) };
}

/** `2026-Q4`, `2026-11`, `2026`, or { from, to } (YYYY-MM-DD, both inclusive). */
export function parsePeriod(period: string | { from: string; to: string }): { from: string; to: string } {
  if (typeof period === 'object' && period !== null) {
    if (!DATE.test(period.from) || !DATE.test(period.to) || period.from > period.to) {
      throw new WinpathError('INPUT_INVALID', 'period { from, to } takes two dates YYYY-MM-DD, from <= to', { path: ['period'] });
    }
    return { from: period.from, to: period.to };
  }
  const quarter = /^(\d{4})-Q([1-4])$/.exec(String(period));
  if (quarter) {
    const y = Number(quarter[1]);
    const q = Number(quarter[2]);
    const lastDay = new Date(Date.UTC(y, q * 3, 0)).getUTCDate();
    return { from: `${y}-${String(q * 3 - 2).padStart(2, '0')}-01`, to: `${y}-${String(q * 3).padStart(2, '0')}-${lastDay}` };
  }
  const month = /^(\d{4})-(\d{2})$/.exec(String(period));
  if (month && Number(month[2]) >= 1 && Number(month[2]) <= 12) {
    const lastDay = new Date(Date.UTC(Number(month[1]), Number(month[2]), 0)).getUTCDate();
    return { from: `${month[1]}-${month[2]}-01`, to: `${month[1]}-${month[2]}-${String(lastDay).padStart(2, '0')}` };
  }
  if (/^\d{4}$/.test(String(period))) return { from: `${period}-01-01`, to: `${period}-12-31` };
  throw new WinpathError('INPUT_INVALID', `period "${String(period)}" is not a quarter, month, year or { from, to }`, { path: ['period'], fix: "use e.g. '2026-Q4', '2026-11', '2026' or { from: '2026-10-01', to: '2026-12-31' }" });
}

function slaDaysOf(s: StageDef): number | null {
  const w = s.sla?.within;
  if (w === undefined) return null;
  if (typeof w === 'object') return round2((w.businessDays * 7) / 5);
  const d = parseIsoDuration(w);
  if (!d) return null;
  return round2(d.years * 365 + d.months * 30 + d.weeks * 7 + d.days + d.hours / 24 + d.minutes / 1440 + d.seconds / 86400);
}
