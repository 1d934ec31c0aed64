/** winpath convert FILE --to yaml|bpmn [-o OUT]: writes a template in the other format (stdout without -o). */
import { writeFileSync } from 'node:fs';
import { loadTemplate, toBpmn, toYaml } from '../../index.js';
import type { CommandContext } from '../cli-context.js';

export async function convertCommand(file: string, opts: { to: 'yaml' | 'bpmn'; output?: string }, ctx: CommandContext): Promise<number> {
  const def = await loadTemplate(file);
  const text = opts.to === 'bpmn' ? await toBpmn(def) : toYaml(def);
  if (opts.output === undefined) {
    ctx.out(text.endsWith('\n') ? text : `${text}\n`);
    return 0;
  }
  writeFileSync(opts.output, text);
  ctx.out(`${ctx.t('convert.wrote', { file: opts.output, format: opts.to })}\n`);
  return 0;
}
