/** winpath validate FILE: loads a template with every load-time check and reports all of its problems. */
import { isWinpathError, loadTemplate, type ProcessDefinition } from '../../index.js';
import type { CommandContext } from '../cli-context.js';
import { describeError, locationOf } from '../describe-error.js';

/** Loads the template; on a template error prints every issue (or the JSON answer) and gives undefined. */
export async function loadForCheck(file: string, ctx: CommandContext, json: boolean): Promise<ProcessDefinition | undefined> {
  try {
    return await loadTemplate(file);
  } catch (e) {
    if (!isWinpathError(e) || !['TEMPLATE_INVALID', 'UNSUPPORTED_BPMN', 'LIMIT_EXCEEDED', 'EXPRESSION_INVALID'].includes(e.code)) throw e;
    if (json) {
      ctx.json({ ok: false, file, error: e.toJSON() });
      return undefined;
    }
    for (const line of describeError(e, { debug: ctx.debug, hint: ctx.t('debugHint'), fixLabel: ctx.t('fix') })) ctx.err(`${line}\n`);
    for (const issue of (e.details.issues ?? []).slice(1)) {
      const loc = locationOf(issue);
      ctx.err(`  ${ctx.t('validate.also', { message: `${issue.message}${loc ? ` at ${loc}` : ''}` })}\n`);
    }
    return undefined;
  }
}

export async function validateCommand(file: string, opts: { json?: boolean }, ctx: CommandContext): Promise<number> {
  const def = await loadForCheck(file, ctx, opts.json === true);
  if (!def) return 1;
  const facts = { file, id: def.id, version: def.version, stages: def.stages.length, fields: Object.keys(def.fields).length, transitions: def.transitions.length };
  if (opts.json) ctx.json({ ok: true, ...facts });
  else ctx.out(`${ctx.style.green('✓')} ${ctx.t('validate.ok', facts)}\n`);
  return 0;
}
