/** winpath explain --db FILE ID: what to do next on one deal, and which moves are open or why not. */
import { createEngine, type Store } from '../../index.js';
import type { CommandContext } from '../cli-context.js';
import { openDatabase } from '../open-database.js';
import { printExplanation } from '../print-report.js';

/** Explains one deal of the store in the context's language; `at` fixes the engine clock (default: now). */
export async function explainDeal(store: Store, id: string, ctx: CommandContext, opts: { to?: string | undefined; at?: Date; json?: boolean | undefined }): Promise<void> {
  const templates = await store.definitions();
  const at = opts.at;
  const engine = createEngine({ store, templates, lang: ctx.lang, ...(at ? { clock: () => at } : {}) });
  const x = await engine.explain(id, { lang: ctx.lang, ...(opts.to === undefined ? {} : { to: opts.to }) });
  const deal = await engine.get(id);
  if (opts.json) {
    ctx.json({ ...x, deal });
    return;
  }
  const def = templates.find((d) => d.id === deal.template && d.version === deal.templateVersion)!;
  printExplanation(ctx.print, x, deal, def);
}

export async function explainCommand(id: string, opts: { db: string; to?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const store = openDatabase(opts.db, ctx.t);
  try {
    await explainDeal(store, id, ctx, { to: opts.to, json: opts.json });
    return 0;
  } finally {
    await store.close();
  }
}
