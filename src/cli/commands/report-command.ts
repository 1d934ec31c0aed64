/** winpath report --db FILE: funnel, conversion, forecast, cycle time, loss reasons and bottlenecks, live from the database. */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Store } from '../../index.js';
import type { CommandContext } from '../cli-context.js';
import { collectReport, latestDefinitions, type Report } from '../collect-report.js';
import { collectDashboard } from '../dashboard/collect-dashboard.js';
import { renderDashboard } from '../dashboard/render-dashboard.js';
import { openDatabase } from '../open-database.js';
import { printReport, printTemplates } from '../print-report.js';

export interface ReportCommandOptions {
  db: string;
  template?: string;
  groupBy?: string;
  period?: string;
  target?: number;
  html?: string;
  json?: boolean;
}

/** The report of one template, with the CLI's words for an empty store or an unknown template. */
export function reportOf(store: Store, db: string, opts: Omit<ReportCommandOptions, 'db' | 'html' | 'json'>, ctx: CommandContext): Promise<Report> {
  return collectReport(store, {
    ...opts,
    emptyMessage: ctx.t('error.dbNoDeals', { file: db }),
    emptyFix: ctx.t('error.dbNoDealsFix', { file: db }),
    unknownTemplate: (id) => ctx.t('error.unknownTemplate', { id, file: db }),
  });
}

/** Writes the HTML dashboard of every template in the store, `report.template` shown first with its target. */
export async function writeDashboard(store: Store, file: string, report: Pick<Report, 'template' | 'period'>, targets: Record<string, number>, db: string, ctx: CommandContext): Promise<void> {
  const data = await collectDashboard(store, { period: report.period, targets, selected: report.template, source: basename(db), lang: ctx.lang });
  writeFileSync(file, renderDashboard(data));
}

export async function reportCommand(opts: ReportCommandOptions, ctx: CommandContext): Promise<number> {
  const store = openDatabase(opts.db, ctx.t);
  try {
    const report = await reportOf(store, opts.db, opts, ctx);
    const def = (await latestDefinitions(store)).get(report.template)!;
    if (opts.html !== undefined) {
      await writeDashboard(store, opts.html, report, opts.target === undefined ? {} : { [report.template]: opts.target }, opts.db, ctx);
    }
    if (opts.json) {
      ctx.json({ db: opts.db, ...report, ...(opts.html === undefined ? {} : { html: opts.html }) });
      return 0;
    }
    const { t } = ctx;
    if (report.templates.length > 1) {
      printTemplates(ctx.print, report.templates, t('templates.title'));
      if (opts.template === undefined) ctx.out(`${ctx.style.dim(t('report.choose', { id: report.template, ids: report.templates.map((x) => x.id).join(', ') }))}\n`);
    }
    printReport(ctx.print, report, def);
    if (opts.html !== undefined) ctx.out(`\n${t('html.wrote', { file: opts.html })}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
