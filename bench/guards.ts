// Cost per guard evaluation: every `when` of the shipped templates, compiled closures against
// feelin's `evaluate` on the same guards and the same snapshots, side by side in one run.
// Run: npx tsx bench/guards.ts  (prints a table and writes bench/results/guards.json)
// Env: RUNS (default 5), ITERATIONS per guard and snapshot per run (default 2000 compiled, 100 feelin).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate as feelinEvaluate } from 'feelin';
import { compileExpression, definitionScope, feelDate, feelDateTime, type FeelSnapshot } from '../src/expressions/index.js';
import type { ProcessDefinition } from '../src/model/index.js';
import { loadTemplate } from '../src/template/index.js';

const RUNS = Number(process.env.RUNS ?? 5);
const ITER_COMPILED = Number(process.env.ITERATIONS ?? 2000);
const ITER_FEELIN = Math.max(20, Math.round(ITER_COMPILED / 20));
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clock = new Date('2026-03-02T09:00:00Z');

/** Every `when` string in a definition (transitions, checks, actions), with where it stands. */
function guardsOf(def: ProcessDefinition): { where: string; source: string }[] {
  const out: { where: string; source: string }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'when' && typeof x === 'string') out.push({ where: path, source: x });
        else walk(x, path === '' ? k : `${path}.${k}`);
      }
    }
  };
  walk(def.transitions, 'transitions');
  walk(def.stages, 'stages');
  return out;
}

/** Snapshots shaped as the engine builds them: one with every field set, one mostly empty, one with a discount above 10%. */
function snapshotsOf(def: ProcessDefinition): FeelSnapshot[] {
  const scope = definitionScope(def);
  const sample = (type: string, options: readonly string[] | undefined, i: number): unknown => {
    switch (type) {
      case 'money':
      case 'number': return [1_250_000, 80_000, 0.15][i % 3];
      case 'boolean': return i % 2 === 0;
      case 'date': return feelDate(['2026-06-30', '2026-12-31', '2027-01-15'][i % 3]!);
      case 'enum': return options?.[i % (options.length || 1)] ?? null;
      case 'list': return ['a', 'b'].slice(0, i + 1);
      default: return ['CIO', 'erp', 'acme'][i % 3];
    }
  };
  const statusMap = (shape: unknown, value: (i: number) => unknown): Record<string, unknown> =>
    Object.fromEntries(Object.keys(shape as object).map((k, i) => [k, value(i)]));
  return [0, 1, 2].map((variant) => {
    const snap: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(def.fields)) snap[key] = variant === 1 && !f.required ? null : sample(f.type, f.options, variant);
    if (variant === 2 && 'discount' in def.fields) snap['discount'] = 0.15;
    Object.assign(snap, {
      title: `Deal ${variant}`, owner: 'sam', stage: def.stages[variant % def.stages.length]!.key, daysInStage: 3 + variant, daysOpen: 10 + variant,
      now: feelDateTime(clock),
      deliverables: statusMap(scope['deliverables'], (i) => (i + variant) % 2 === 0),
      tasks: statusMap(scope['tasks'], (i) => ['open', 'done', null][(i + variant) % 3]),
      approvals: statusMap(scope['approvals'], (i) => ['pending', 'approved', 'rejected', null][(i + variant) % 4]),
    });
    snap['amount'] ??= sample('money', undefined, variant);
    return snap;
  });
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s[s.length - 1]! };
}

/** Microseconds per call of `f`, as the mean over `n` calls. */
function perCall(n: number, f: () => unknown): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

const round = (x: number): number => Math.round(x * 100) / 100;

interface Row {
  template: string;
  where: string;
  guard: string;
  compiledUs: { median: number; min: number; max: number };
  /** Each call on a new snapshot object (a spread copy, included in the time): the top-level check is not cached. */
  compiledFreshUs: { median: number; min: number; max: number };
  feelinUs: { median: number; min: number; max: number };
  speedup: number;
}

const files = readdirSync(join(root, 'templates')).filter((f) => f.endsWith('.yaml')).sort();
const rows: Row[] = [];
for (const file of files) {
  const def = await loadTemplate(join(root, 'templates', file));
  const scope = definitionScope(def);
  const snapshots = snapshotsOf(def);
  const contexts = snapshots.map((s) => ({ ...s, now: feelDateTime(clock) }));
  for (const { where, source } of guardsOf(def)) {
    const expr = compileExpression(source, { scope });
    const body = source.replace(/^\s*=/, '').trim();
    // the same answers, or the comparison means nothing
    snapshots.forEach((snap, i) => {
      const a = expr.evaluate(snap, { now: clock });
      const b = feelinEvaluate(body, contexts[i]!);
      const bv = b.warnings.length > 0 ? 'failed' : b.value;
      const av = a.ok ? a.value : 'failed';
      if (av !== bv) throw new Error(`${file} ${where}: compiled ${String(av)} but feelin ${String(bv)} for "${source}"`);
    });
    const compiled: number[] = [];
    const fresh: number[] = [];
    const reference: number[] = [];
    // warm up both paths
    perCall(ITER_COMPILED, () => expr.evaluate(snapshots[0]!, { now: clock }));
    perCall(ITER_FEELIN, () => feelinEvaluate(body, contexts[0]!));
    for (let r = 0; r < RUNS; r++) {
      compiled.push(snapshots.reduce((acc, snap) => acc + perCall(ITER_COMPILED, () => expr.evaluate(snap, { now: clock })), 0) / snapshots.length);
      fresh.push(snapshots.reduce((acc, snap) => acc + perCall(ITER_COMPILED, () => expr.evaluate({ ...snap }, { now: clock })), 0) / snapshots.length);
      reference.push(contexts.reduce((acc, ctx) => acc + perCall(ITER_FEELIN, () => feelinEvaluate(body, ctx)), 0) / contexts.length);
    }
    const c = stats(compiled);
    const n = stats(fresh);
    const f = stats(reference);
    rows.push({
      template: file, where, guard: source,
      compiledUs: { median: round(c.median), min: round(c.min), max: round(c.max) },
      compiledFreshUs: { median: round(n.median), min: round(n.min), max: round(n.max) },
      feelinUs: { median: round(f.median), min: round(f.min), max: round(f.max) },
      speedup: Math.round(f.median / c.median),
    });
  }
}

const pad = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
const num = (x: number, n: number): string => x.toFixed(2).padStart(n);
console.log(`guards of ${files.length} template(s), ${RUNS} runs x 3 snapshots; µs per evaluation (median, min-max over runs)`);
console.log(`${pad('guard', 56)} ${'compiled'.padStart(22)} ${'new snapshot'.padStart(13)} ${'feelin evaluate'.padStart(26)} ${'x'.padStart(5)}`);
for (const r of rows) {
  console.log(
    `${pad(r.guard, 56)} ${num(r.compiledUs.median, 7)} (${num(r.compiledUs.min, 5)}-${num(r.compiledUs.max, 5)}) ${num(r.compiledFreshUs.median, 13)} ${num(r.feelinUs.median, 9)} (${num(r.feelinUs.min, 6)}-${num(r.feelinUs.max, 6)}) ${String(r.speedup).padStart(5)}`,
  );
}
const all = (k: 'compiledUs' | 'compiledFreshUs' | 'feelinUs'): number => stats(rows.map((r) => r[k].median)).median;
const summary = {
  guards: rows.length,
  medianCompiledUs: round(all('compiledUs')),
  medianCompiledFreshSnapshotUs: round(all('compiledFreshUs')),
  medianFeelinUs: round(all('feelinUs')),
  medianSpeedup: Math.round(all('feelinUs') / all('compiledUs')),
};
console.log(`median over guards: compiled ${summary.medianCompiledUs} µs (new snapshot object each call: ${summary.medianCompiledFreshSnapshotUs} µs), feelin ${summary.medianFeelinUs} µs (${summary.medianSpeedup}x)`);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'guards.json'),
  `${JSON.stringify({ node: process.version, platform: `${process.platform}-${process.arch}`, runs: RUNS, iterations: { compiled: ITER_COMPILED, feelin: ITER_FEELIN }, snapshotsPerGuard: 3, summary, rows }, null, 2)}\n`,
);
console.log('wrote bench/results/guards.json');
