/** winpath lint FILE: soundness findings beyond the load-time checks; errors fail, warnings do not. */
import { lintTemplate } from '../../index.js';
import type { CommandContext } from '../cli-context.js';
import { locationOf } from '../describe-error.js';
import { loadForCheck } from './validate-command.js';

export async function lintCommand(file: string, opts: { json?: boolean }, ctx: CommandContext): Promise<number> {
  const def = await loadForCheck(file, ctx, opts.json === true);
  if (!def) return 1;
  const findings = lintTemplate(def);
  const errors = findings.filter((f) => f.level === 'error').length;
  const warnings = findings.length - errors;
  if (opts.json) {
    ctx.json({ ok: errors === 0, file, template: def.id, version: def.version, errors, warnings, findings });
    return errors ? 1 : 0;
  }
  const { style, t } = ctx;
  if (findings.length === 0) {
    ctx.out(`${style.green('✓')} ${t('lint.clean', { file, id: def.id, version: def.version })}\n`);
    return 0;
  }
  for (const f of findings) {
    const level = f.level === 'error' ? style.red('error') : style.yellow('warning');
    ctx.out(`${level} ${style.bold(f.code)} ${file}${f.path.length ? ` ${locationOf({ path: f.path })}` : ''}: ${f.message}\n`);
    if (f.fix) ctx.out(`  ${style.dim(`${t('fix')}${f.fix}`)}\n`);
  }
  ctx.out(`\n${t('lint.summary', { errors, warnings })}\n`);
  return errors ? 1 : 0;
}
