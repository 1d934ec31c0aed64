/** collectDashboard: every figure the HTML dashboard shows, per template and per drill-down dimension, computed at generation time. */
import { createAnalytics, textFor, type I18nText, type Store } from '../../index.js';
import { DASHBOARD_TEXT, lossReasonText, type Lang } from '../cli-text.js';
import { latestDefinitions, latestQuarter, periodOption, summarizeTemplates, type Report, type TemplateSummary } from '../collect-report.js';
import { groupLabel } from '../print-report.js';

export type Bilingual = { en: string; zh: string };

export interface DrillRow {
  group: string | null;
  open: number;
  openAmount: number;
  weighted: number;
  won: number;
  lost: number;
  /** won / (won + lost), null before any deal closed. */
  winRate: number | null;
  /** Won in the forecast period, and open in commit stages closing in it. */
  closedWon: number;
  commit: number;
  medianCycleDays: number | null;
}

export interface DashboardTemplate {
  id: string;
  version: number;
  name: Bilingual;
  currency: string | null;
  summary: TemplateSummary;
  stages: { key: string; name: Bilingual; outcome: 'won' | 'lost' | null }[];
  lossReasonNames: Record<string, Bilingual>;
  /** `owner` and the template's dimension fields (region, product line...). */
  dimensions: { key: string; label: Bilingual }[];
  funnel: Report['funnel'];
  conversion: Report['conversion'];
  cycleTime: Report['cycleTime'];
  lossReasons: Report['lossReasons'];
  forecast: Report['forecast'];
  bottlenecks: Report['bottlenecks'];
  /** Per dimension key, one row per group. */
  drill: Record<string, DrillRow[]>;
}

export interface DashboardData {
  format: 'winpath-dashboard@1';
  /** Where the data came from (a file name), shown in the page. */
  source: string | null;
  /** The latest activity in the store. */
  asOf: string | null;
  period: string;
  lang: Lang;
  selected: string;
  templates: DashboardTemplate[];
  text: typeof DASHBOARD_TEXT;
}

export interface CollectDashboardOptions {
  /** Forecast period for every template (`2026-Q3`...); default: the quarter of the latest activity. */
  period?: string | undefined;
  /** Forecast target per template id. */
  targets?: Record<string, number> | undefined;
  /** The template shown first; default the one with most deals. */
  selected?: string | undefined;
  source?: string | undefined;
  lang?: Lang | undefined;
}

const both = (text: I18nText | undefined, fallback: string): Bilingual => ({ en: textFor(text, 'en') || fallback, zh: textFor(text, 'zh') || fallback });
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Reads every template the store keeps through createAnalytics and shapes it for the dashboard. */
export async function collectDashboard(store: Store, opts: CollectDashboardOptions = {}): Promise<DashboardData> {
  const a = createAnalytics(store);
  const defs = await latestDefinitions(store);
  const summaries = (await summarizeTemplates(store)).filter((s) => s.opened > 0);
  const latest = await latestQuarter(store);
  const period = opts.period ?? latest.period;
  const templates: DashboardTemplate[] = [];
  for (const summary of summaries) {
    const def = defs.get(summary.id)!;
    const template = def.id;
    const target = opts.targets?.[template];
    const fq = { template, period: periodOption(period), ...(target === undefined ? {} : { target }) };
    const [funnel, conversion, cycleTime, lossReasons, forecast, bottlenecks] = await Promise.all([
      a.funnel({ template }), a.conversion({ template }), a.cycleTime({ template }), a.lossReasons({ template }), a.forecast(fq), a.bottlenecks({ template }),
    ]);
    const dimensions = ['owner', ...Object.entries(def.fields).filter(([, f]) => f.dimension).map(([k]) => k)]
      .map((key) => ({ key, label: { en: groupLabel(def, key, 'en'), zh: groupLabel(def, key, 'zh') } }));
    const drill: Record<string, DrillRow[]> = {};
    for (const { key } of dimensions) {
      const [fg, cg, lg, pg] = await Promise.all([
        a.funnel({ template, groupBy: key }), a.cycleTime({ template, groupBy: key }), a.lossReasons({ template, groupBy: key }), a.forecast({ ...fq, groupBy: key }),
      ]);
      const groups = new Set<string | null>();
      for (const r of [...fg.rows, ...cg.rows, ...lg.rows, ...pg.rows]) groups.add(r.group ?? null);
      drill[key] = [...groups].sort((x, y) => String(x).localeCompare(String(y))).map((group) => {
        const open = fg.rows.filter((r) => r.group === group);
        const wonRow = cg.rows.find((r) => r.group === group && r.stage === null);
        const won = wonRow?.count ?? 0;
        const lost = lg.rows.filter((r) => r.group === group).reduce((s, r) => s + r.count, 0);
        const fc = pg.rows.find((r) => r.group === group);
        return {
          group,
          open: open.reduce((s, r) => s + r.count, 0),
          openAmount: round2(open.reduce((s, r) => s + r.amount, 0)),
          weighted: round2(open.reduce((s, r) => s + r.weightedAmount, 0)),
          won, lost, winRate: won + lost > 0 ? won / (won + lost) : null,
          closedWon: fc?.closedWon ?? 0, commit: fc?.commit ?? 0,
          medianCycleDays: won > 0 ? wonRow!.medianDays : null,
        };
      });
    }
    templates.push({
      id: def.id, version: def.version, name: both(def.name, def.id), currency: def.currency ?? null, summary,
      stages: def.stages.map((s) => ({ key: s.key, name: both(s.name, s.key), outcome: s.outcome ?? null })),
      lossReasonNames: Object.fromEntries(def.lossReasons.map((r) => [r, lossReasonText(r)])),
      dimensions, funnel, conversion, cycleTime, lossReasons, forecast, bottlenecks, drill,
    });
  }
  const selected = opts.selected !== undefined && templates.some((x) => x.id === opts.selected)
    ? opts.selected
    : [...templates].sort((x, y) => y.summary.opened - x.summary.opened || x.id.localeCompare(y.id))[0]?.id ?? '';
  return { format: 'winpath-dashboard@1', source: opts.source ?? null, asOf: latest.asOf, period, lang: opts.lang ?? 'en', selected, templates, text: DASHBOARD_TEXT };
}
