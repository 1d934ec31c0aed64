/** winpath demo: a quarter of deals on every shipped template into SQLite, the b2b-standard report, one deal's next steps, the HTML dashboard. */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createAnalytics, listTemplates, loadTemplate, sqliteStore, type Store } from '../../index.js';
import type { CommandContext } from '../cli-context.js';
import { latestDefinitions, summarizeTemplates } from '../collect-report.js';
import { formatNumber } from '../format-figures.js';
import { printReport, printTemplates } from '../print-report.js';
import { DEMO_DEFAULTS } from '../cli-defaults.js';
import { simulationBehavior } from '../simulation-behavior.js';
import { explainDeal } from './explain-command.js';
import { reportOf, writeDashboard } from './report-command.js';
import { runSimulation } from './simulate-command.js';

export interface DemoOptions {
  db: string;
  html: string;
  seed: number;
  /** Deals per template. */
  deals: number;
  days: number;
  start: string;
}

export { DEMO_DEFAULTS };

const FEATURED = 'b2b-standard';

/** A round target a little above what the quarter closed and committed: 9,079,100 -> 11,000,000. */
export function roundTarget(achieved: number): number {
  if (!(achieved > 0)) return 1_000_000;
  const aim = achieved * 1.2;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(aim)) - 1);
  return Math.ceil(aim / step) * step;
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}

/** Targets per template: the rounded closed-won plus commit of the period. */
async function targetsFor(store: Store, period: string): Promise<Record<string, number>> {
  const a = createAnalytics(store);
  const out: Record<string, number> = {};
  for (const id of (await latestDefinitions(store)).keys()) {
    const f = await a.forecast({ template: id, period });
    out[id] = roundTarget(f.closedWon + f.commit);
  }
  return out;
}

export async function demoCommand(opts: DemoOptions, ctx: CommandContext): Promise<number> {
  const started = performance.now();
  const { t, lang, style } = ctx;
  const listing = listTemplates();
  ctx.out(`${style.bold(t('demo.start', { days: opts.days, start: opts.start.slice(0, 10), count: listing.length, seed: opts.seed }))}\n`);
  removeDatabase(opts.db);
  const store = sqliteStore({ path: opts.db });
  try {
    const totalDays = listing.length * opts.days;
    let end = opts.start;
    for (const [i, entry] of listing.entries()) {
      const def = await loadTemplate(entry.id);
      const result = await runSimulation({
        template: def, store, deals: opts.deals, seed: opts.seed + i, start: opts.start, days: opts.days, behavior: simulationBehavior(def, opts.days),
        onProgress: (p) => ctx.progress.update(i * opts.days + p.day, totalDays, `${i + 1}/${listing.length} ${ctx.t('progress', { template: def.id, ...p })}`),
      }, opts.db, ctx);
      end = result.end;
    }
    ctx.progress.done();

    const summaries = await summarizeTemplates(store);
    const startDay = opts.start.slice(0, 10);
    const endDay = new Date(Date.parse(end) - 1).toISOString().slice(0, 10);
    printTemplates(ctx.print, summaries, t('demo.period', { from: startDay, to: endDay }));

    const featured = summaries.some((s) => s.id === FEATURED) ? FEATURED : summaries[0]!.id;
    const first = await reportOf(store, opts.db, { template: featured }, ctx);
    const targets = await targetsFor(store, first.period);
    const report = await reportOf(store, opts.db, { template: featured, period: first.period, target: targets[featured]! }, ctx);
    const def = (await latestDefinitions(store)).get(featured)!;
    printReport(ctx.print, report, def);

    // the open deal furthest along (then the largest): the one a manager would ask about
    const order = new Map(def.stages.map((s, i) => [s.key, i]));
    const open = (await store.opportunities({ template: featured, status: 'open' }))
      .sort((a, b) => (order.get(b.stage) ?? 0) - (order.get(a.stage) ?? 0) || (b.amount ?? 0) - (a.amount ?? 0) || a.id.localeCompare(b.id));
    if (open[0]) {
      ctx.out(`\n${style.bold(style.cyan(`== ${t('demo.explain')} ==`))}\n`);
      await explainDeal(store, open[0].id, ctx, { at: new Date(end) });
    }

    await writeDashboard(store, opts.html, report, targets, opts.db, ctx);
    const deals = summaries.reduce((s, x) => s + x.opened, 0);
    ctx.out(`\n${style.green('✓')} ${t('demo.wrote', { db: opts.db, deals: formatNumber(deals, lang), html: opts.html })}\n`);
    ctx.out(`  ${t('demo.open', { url: pathToFileURL(resolve(ctx.io.cwd, opts.html)).href })}\n`);
    const other = [...(await latestDefinitions(store)).values()].find((d) => d.id !== featured && d.fields['region']?.dimension);
    ctx.out(`  ${t('demo.try', { cmd: `winpath report --db ${opts.db}${other ? ` --template ${other.id} --group-by region` : ' --group-by owner'}` })}\n`);
    if (open[0]) ctx.out(`  ${t('demo.try', { cmd: `winpath explain --db ${opts.db} ${open[0].id}` })}\n`);
    // the time goes to stderr so that stdout is the same on every run
    ctx.err(`${t('demo.took', { seconds: formatNumber((performance.now() - started) / 1000, lang, 1) })}\n`);
    return 0;
  } finally {
    ctx.progress.done();
    await store.close();
  }
}
