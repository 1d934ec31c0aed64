/** How a section hands its results to bench/run.ts: a JSON file named by BENCH_OUT (or stdout when run alone). */
import { writeFileSync } from 'node:fs';

export function report(section: string, result: unknown): void {
  const out = process.env['BENCH_OUT'];
  const text = JSON.stringify({ section, result }, null, 2);
  if (out) writeFileSync(out, text);
  else process.stdout.write(`${text}\n`);
}

/** Runs a section's main function; any failure exits the child with the error printed. */
export function main(f: () => Promise<void>): void {
  f().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
