/** winpath simulate TEMPLATE --deals N --seed S --db FILE: seeded deals through the real engine into a SQLite file. */
import { isWinpathError, loadTemplate, simulate, sqliteStore, WinpathError, type SimulationResult } from '../../index.js';
import type { CommandContext } from '../cli-context.js';
import { DEFAULT_START, simulationBehavior } from '../simulation-behavior.js';
import { formatNumber, formatRate } from '../format-figures.js';
import { renderTable } from '../render-table.js';
import { stageName } from '../print-report.js';

export interface SimulateCommandOptions {
  deals: number;
  seed: number;
  db: string;
  days?: number;
  start?: string;
  json?: boolean;
}

/** The simulation result without its store, for JSON. */
export function simulationFacts(r: SimulationResult): Omit<SimulationResult, 'store'> {
  const { store: _store, ...facts } = r;
  return facts;
}

/** Runs one template's simulation into `store`, turning an id collision into a clear error. */
export async function runSimulation(
  opts: Parameters<typeof simulate>[0], db: string, ctx: CommandContext,
): Promise<SimulationResult> {
  try {
    return await simulate(opts);
  } catch (e) {
    if (isWinpathError(e, 'CONCURRENCY_CONFLICT')) {
      throw new WinpathError('INPUT_INVALID', ctx.t('error.seedTaken', { file: db, seed: opts.seed }), { fix: ctx.t('error.seedTakenFix') }, { cause: e });
    }
    throw e;
  }
}

export async function simulateCommand(template: string, opts: SimulateCommandOptions, ctx: CommandContext): Promise<number> {
  const def = await loadTemplate(template);
  const days = opts.days ?? 91;
  const start = opts.start ?? DEFAULT_START;
  if (!opts.json) ctx.err(`${ctx.t('simulate.start', { deals: formatNumber(opts.deals, ctx.lang), template: def.id, days, start, seed: opts.seed })}\n`);
  const store = sqliteStore({ path: opts.db });
  try {
    const result = await runSimulation({
      template: def, store, deals: opts.deals, seed: opts.seed, start, days, behavior: simulationBehavior(def, days),
      onProgress: (p) => ctx.progress.update(p.day, p.days, ctx.t('progress', { template: def.id, ...p })),
    }, opts.db, ctx);
    ctx.progress.done();
    if (opts.json) {
      ctx.json({ db: opts.db, ...simulationFacts(result) });
      return 0;
    }
    const { t, lang } = ctx;
    ctx.out(`${t('simulate.done', {
      template: def.id, opened: result.opened, won: result.won, lost: result.lost, open: result.open, stuck: result.stuck,
      commands: formatNumber(result.commands, lang), timers: formatNumber(result.firedTimers, lang), db: opts.db,
    })}\n\n`);
    ctx.out(renderTable(
      [{ header: t('col.stage') }, { header: t('col.entered'), align: 'right' }, { header: t('col.lost'), align: 'right' }, { header: t('col.won'), align: 'right' }, { header: t('col.toWon'), align: 'right' }],
      result.stages.map((s) => [stageName(def, s.stage, ctx.print), formatNumber(s.entered, lang), formatNumber(s.closed - s.won, lang), formatNumber(s.won, lang), formatRate(s.stageToWon, lang)]),
      { color: ctx.style.enabled },
    ));
    return 0;
  } finally {
    ctx.progress.done();
    await store.close();
  }
}
