/** Benchmark sizes: the sizes by default, BENCH_QUICK=1 for a short run, each overridable by env. */
export const QUICK = process.env['BENCH_QUICK'] === '1';

function num(name: string, full: number, quick: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return QUICK ? quick : full;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v} is not a positive number`);
  return Math.round(n);
}

function list(name: string, full: number[], quick: number[]): number[] {
  const v = process.env[name];
  if (v === undefined || v === '') return QUICK ? quick : full;
  return v.split(',').map((s) => {
    const n = Number(s.trim().replace(/_/g, ''));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: "${s}" is not a positive number`);
    return Math.round(n);
  });
}

export const config = {
  quick: QUICK,
  /** Runs per measurement; the table shows their median, min and max. */
  runs: num('BENCH_RUNS', 5, 3),
  /** Deals walked from open to won per run, by winpath, the raw replay and xstate. */
  deals: num('BENCH_DEALS', 1000, 100),
  /** Deals per run for bpmn-engine with a live engine per deal (its state saved after every step). */
  bpmnDeals: num('BENCH_BPMN_DEALS', 200, 30),
  /** Deals per run for bpmn-engine recovered from SQLite before every step. */
  bpmnRecoverDeals: num('BENCH_BPMN_RECOVER_DEALS', 50, 10),
  /** Single-row transactions per run for SQLite's own limit. */
  sqliteTransactions: num('BENCH_SQLITE_TXNS', 20_000, 3_000),
  /** Deals opened into a winpath SQLite store for the heap measurement. */
  memoryDeals: num('BENCH_MEMORY_DEALS', 100_000, 5_000),
  /** Live bpmn-engine instances waiting at a user task for the heap measurement. */
  bpmnMemoryDeals: num('BENCH_BPMN_MEMORY_DEALS', 1_000, 100),
  /** Analytics dataset sizes (deals). */
  analyticsSizes: list('BENCH_ANALYTICS_SIZES', [100_000, 1_000_000], [10_000, 50_000]),
  /** Timed runs per analytics query (after one untimed first call). */
  analyticsRuns: num('BENCH_ANALYTICS_RUNS', 5, 3),
  /** Timed explain calls per run. */
  explainCalls: num('BENCH_EXPLAIN_CALLS', 2_000, 300),
  /** loadTemplate calls per template per run. */
  compileRepeats: num('BENCH_COMPILE_REPEATS', 10, 3),
  /** Guard evaluations per guard and snapshot per run. */
  guardIterations: num('BENCH_GUARD_ITERATIONS', 2_000, 300),
  /** Sections to run (comma-separated): throughput, memory, compile, analytics. Default: all. */
  only: (process.env['BENCH_ONLY'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''),
};

export type BenchConfig = typeof config;
