/** What every command gets: the streams, the language and its words, styles, and JSON output. */
import { createProgressBar, createStyle, type CliIo, type ProgressBar, type Style } from './cli-io.js';
import { createText, langFromEnv, type Lang, type Text } from './cli-text.js';
import type { PrintContext } from './print-report.js';

export interface CommandContext {
  io: CliIo;
  lang: Lang;
  t: Text;
  style: Style;
  debug: boolean;
  out(text: string): void;
  err(text: string): void;
  json(value: unknown): void;
  progress: ProgressBar;
  print: PrintContext;
}

export interface GlobalOptions {
  lang?: Lang;
  debug?: boolean;
}

export function createContext(io: CliIo, opts: GlobalOptions): CommandContext {
  const lang = opts.lang ?? langFromEnv(io.env);
  const t = createText(lang);
  const style = createStyle(io.stdout, io.env);
  const out = (text: string) => void io.stdout.write(text);
  return {
    io, lang, t, style, debug: opts.debug === true, out,
    err: (text) => void io.stderr.write(text),
    json: (value) => void io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    progress: createProgressBar(io.stderr, io.env),
    print: { lang, t, style, write: out },
  };
}
