/** Small statistics and timing helpers shared by the sections. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** The median of a list (0 for an empty list). */
export function median(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : spread(xs).median;
}

/** Milliseconds since `t0` (from now()). */
export function now(): bigint {
  return process.hrtime.bigint();
}

export function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Times each of `n` calls of an async function individually; returns per-call microseconds. */
export async function timeEachAsync(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await f(i);
    out.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  return out;
}

/** Mean microseconds per call over `n` synchronous calls. */
export function usPerCall(n: number, f: () => unknown): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

/** Writes a progress line to stderr (stdout stays clean for the table). */
export function progress(msg: string): void {
  process.stderr.write(`  [bench] ${msg}\n`);
}
