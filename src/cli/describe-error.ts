/** One clear line per failure (the WinpathError code, what, where), the fix on a second line, the stack only with --debug. */
import type { WinpathError } from '../index.js';

type Path = readonly (string | number)[] | undefined;

function formatPath(path: Path): string {
  let out = '';
  for (const seg of path ?? []) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** `file:line:col (path)`, or whatever part of it the error knows. */
export function locationOf(where: { file?: string | undefined; line?: number | undefined; column?: number | undefined; path?: Path }): string {
  let place = where.file ?? '';
  if (where.line !== undefined) place += `${place ? ':' : 'line '}${where.line}${where.column !== undefined ? `:${where.column}` : ''}`;
  const p = formatPath(where.path);
  return [place, p && (place ? `(${p})` : p)].filter(Boolean).join(' ');
}

/** A WinpathError, told by shape so that this module does not load the library (usage errors stay fast). */
function isWinpathError(e: unknown): e is WinpathError {
  return e instanceof Error && e.name === 'WinpathError' && typeof (e as { code?: unknown }).code === 'string' && typeof (e as { details?: unknown }).details === 'object';
}

/** The first line of a WinpathError's message (without the `at` and `fix` lines it carries). */
export function headlineOf(e: WinpathError): string {
  return e.message.split('\n')[0]!;
}

/** The lines to print for an error: `winpath: [CODE] what at where`, then `  fix: ...`; the stack with `debug`. */
export function describeError(e: unknown, opts: { debug: boolean; hint: string; fixLabel?: string }): string[] {
  const lines: string[] = [];
  if (isWinpathError(e)) {
    const d = e.details;
    const loc = locationOf({ file: d.file, line: d.line, column: d.column, path: d.path });
    // a location the headline already names (a file-level problem) is not repeated
    lines.push(`winpath: ${headlineOf(e)}${loc && !headlineOf(e).includes(loc) ? ` at ${loc}` : ''}`);
    if (d.fix) lines.push(`  ${opts.fixLabel ?? 'fix: '}${d.fix}`);
  } else {
    const err = e instanceof Error ? e : new Error(String(e));
    lines.push(`winpath: ${err.message.split('\n')[0]}`);
    if (!opts.debug) lines.push(`  ${opts.hint}`);
  }
  if (opts.debug && e instanceof Error && e.stack) lines.push(e.stack);
  return lines;
}
