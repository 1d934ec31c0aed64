/** The CLI's streams, environment and styling: colour only on a TTY and never with NO_COLOR. */
import { displayWidth } from './render-table.js';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);

/** ANSI styles for a stream: on when it is a TTY and NO_COLOR is unset (or empty). */
export function createStyle(stream: OutStream, env: Record<string, string | undefined>): Style {
  const on = stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
  return {
    enabled: on, bold: wrap(on, 1, 22), dim: wrap(on, 2, 22), red: wrap(on, 31, 39), green: wrap(on, 32, 39), yellow: wrap(on, 33, 39), cyan: wrap(on, 36, 39),
  };
}

export interface ProgressBar {
  update(done: number, total: number, label: string): void;
  done(): void;
}

/** A one-line progress bar redrawn in place on stderr; on a non-TTY it prints nothing at all. */
export function createProgressBar(stream: OutStream, env: Record<string, string | undefined>): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, done() {} };
  const style = createStyle(stream, env);
  let last = '';
  let drawn = false;
  return {
    update(done, total, label) {
      const width = 28;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const full = Math.round(ratio * width);
      // the label is cut to the terminal's width so the line never wraps (a wrapped line cannot be redrawn in place)
      const cols = stream.columns !== undefined && stream.columns > 40 ? stream.columns : 80;
      let text = label;
      while (text.length > 0 && displayWidth(text) > cols - width - 7) text = text.slice(0, -1);
      const line = `${style.cyan('█'.repeat(full))}${style.dim('░'.repeat(width - full))} ${String(Math.floor(ratio * 100)).padStart(3)}% ${text}`;
      if (line === last) return;
      last = line;
      drawn = true;
      stream.write(`\r\u001b[2K${line}`);
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
      last = '';
    },
  };
}
