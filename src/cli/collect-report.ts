/** collectReport: every analytics figure of one template (and a summary of all) read live from a store. */
import {
  createAnalytics, WinpathError, type Analytics, type ForecastResult, type I18nText, type ProcessDefinition, type Store,
} from '../index.js';

export interface TemplateSummary {
  id: string;
  version: number;
  name: I18nText;
  currency: string | null;
  opened: number;
  won: number;
  lost: number;
  open: number;
}

export interface ReportOptions {
  template?: string | undefined;
  groupBy?: string | undefined;
  /** `2026-Q3`, `2026-09`, `2026` or `FROM..TO`; default: the quarter of the store's latest activity. */
  period?: string | undefined;
  target?: number | undefined;
}

export interface Report {
  template: string;
  groupBy: string | null;
  period: string;
  templates: TemplateSummary[];
  funnel: Awaited<ReturnType<Analytics['funnel']>>;
  conversion: Awaited<ReturnType<Analytics['conversion']>>;
  cycleTime: Awaited<ReturnType<Analytics['cycleTime']>>;
  lossReasons: Awaited<ReturnType<Analytics['lossReasons']>>;
  forecast: ForecastResult;
  bottlenecks: Awaited<ReturnType<Analytics['bottlenecks']>>;
}

/** The newest version of each template the store keeps, by id. */
export async function latestDefinitions(store: Store): Promise<Map<string, ProcessDefinition>> {
  const out = new Map<string, ProcessDefinition>();
  for (const d of await store.definitions()) {
    const seen = out.get(d.id);
    if (!seen || seen.version < d.version) out.set(d.id, d);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** Opened, won, lost and open deals per template, in template id order. */
export async function summarizeTemplates(store: Store): Promise<TemplateSummary[]> {
  const defs = await latestDefinitions(store);
  const deals = await store.opportunities();
  return [...defs.values()].map((d) => {
    const mine = deals.filter((o) => o.template === d.id);
    return {
      id: d.id, version: d.version, name: d.name, currency: d.currency ?? null, opened: mine.length,
      won: mine.filter((o) => o.status === 'won').length, lost: mine.filter((o) => o.status === 'lost').length, open: mine.filter((o) => o.status === 'open').length,
    };
  });
}

/** The quarter (`2026-Q3`) of the latest thing that happened in the store, in UTC. */
export async function latestQuarter(store: Store): Promise<{ period: string; asOf: string | null }> {
  let latest = '';
  for (const o of await store.opportunities()) {
    for (const at of [o.openedAt, o.stageEnteredAt, o.closedAt]) if (at && at > latest) latest = at;
  }
  const d = latest ? new Date(latest) : null;
  if (!d) return { period: '2026-Q1', asOf: null };
  return { period: `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`, asOf: latest };
}

/** `2026-07-01..2026-09-30` as { from, to }; other forms pass through to the analytics. */
export function periodOption(period: string): string | { from: string; to: string } {
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(period);
  return range ? { from: range[1]!, to: range[2]! } : period;
}

/**
 * Every figure for one template: `template`, else the store's only one, else the one with most deals.
 * @throws WinpathError NOT_FOUND for a template the store has no deals of, INPUT_INVALID for a bad group, period or empty store
 */
export async function collectReport(store: Store, opts: ReportOptions & { emptyMessage: string; emptyFix: string; unknownTemplate: (id: string) => string }): Promise<Report> {
  const templates = await summarizeTemplates(store);
  if (templates.length === 0 || templates.every((t) => t.opened === 0)) throw new WinpathError('INPUT_INVALID', opts.emptyMessage, { fix: opts.emptyFix });
  let template = opts.template;
  if (template === undefined) template = [...templates].sort((a, b) => b.opened - a.opened || a.id.localeCompare(b.id))[0]!.id;
  else if (!templates.some((t) => t.id === template)) {
    throw new WinpathError('NOT_FOUND', opts.unknownTemplate(template), { fix: `use --template with one of: ${templates.map((t) => t.id).join(', ')}` });
  }
  const period = opts.period ?? (await latestQuarter(store)).period;
  const a = createAnalytics(store);
  const q = { template, ...(opts.groupBy === undefined ? {} : { groupBy: opts.groupBy }) };
  const [funnel, conversion, cycleTime, lossReasons, forecast, bottlenecks] = await Promise.all([
    a.funnel(q), a.conversion(q), a.cycleTime(q), a.lossReasons(q),
    a.forecast({ ...q, period: periodOption(period), ...(opts.target === undefined ? {} : { target: opts.target }) }),
    a.bottlenecks({ template }),
  ]);
  return { template, groupBy: opts.groupBy ?? null, period, templates, funnel, conversion, cycleTime, lossReasons, forecast, bottlenecks };
}
