/**
 * The template fuzz driver: gathers the seed documents, then judges `count` inputs in child processes under a
 * watchdog, so that an input that hangs or kills the process is named instead of stalling the suite.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseTemplate, toBpmn } from 'winpath';
import { rawTemplate } from '../../bpmn/arbitrary-template.js';
import { bundleScript } from '../support/bundle.js';
import type { SeedDoc } from './corpus.js';
import type { FuzzChildConfig, FuzzVerdictLine } from './child.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p, ext) : ext.test(f) ? [p] : [];
  });
}

const gathered = new Map<number, Promise<SeedDoc[]>>();

/** The shipped templates (weight 1: large), every YAML and BPMN test fixture, and generated templates in both forms (once per seed). */
export function gatherSeeds(seed: number): Promise<SeedDoc[]> {
  let seeds = gathered.get(seed);
  if (!seeds) gathered.set(seed, (seeds = gather(seed, 30)));
  return seeds;
}

async function gather(seed: number, generated: number): Promise<SeedDoc[]> {
  const seeds: SeedDoc[] = [];
  for (const f of filesUnder(join(ROOT, 'templates'), /\.(ya?ml|bpmn)$/)) {
    seeds.push({ name: f.slice(ROOT.length), format: f.endsWith('.bpmn') ? 'bpmn' : 'yaml', text: readFileSync(f, 'utf8'), weight: 1 });
  }
  for (const f of filesUnder(join(ROOT, 'test', 'fixtures'), /\.(ya?ml|bpmn)$/)) {
    seeds.push({ name: f.slice(ROOT.length), format: f.endsWith('.bpmn') ? 'bpmn' : 'yaml', text: readFileSync(f, 'utf8'), weight: 2 });
  }
  for (const [i, raw] of fc.sample(rawTemplate, { numRuns: generated, seed }).entries()) {
    const yaml = stringify(raw);
    seeds.push({ name: `generated-${i}.yaml`, format: 'yaml', text: yaml, weight: 3 });
    seeds.push({ name: `generated-${i}.bpmn`, format: 'bpmn', text: await toBpmn(await parseTemplate(yaml, { format: 'yaml' })), weight: 3 });
  }
  return seeds;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Per-input bound, as a hang detector (default 2,000 ms). */
  boundMs?: number;
  /** With no answer for this long the child is killed and the input named (default 20 s). */
  hangMs?: number;
  /** Child processes side by side (default 2). */
  workers?: number;
  control?: FuzzChildConfig['control'];
}

export interface FuzzFigures {
  inputs: number;
  yaml: number;
  bpmn: number;
  accepted: number;
  refused: Record<string, number>;
  violations: string[];
  violationCount: number;
  unlocatedIssues: number;
  /** Inputs during whose loading a library printed a process warning to stderr. */
  inputsWithProcessWarnings: number;
  warningExamples: string[];
  /** Inputs that hung or killed the process (also in violations). */
  hangs: number;
  deaths: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  seeds: number;
  ms: number;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzFigures> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'winpath-fuzz-'));
  const seedsFile = join(dir, 'seeds.json');
  const seeds = await gatherSeeds(opts.seed);
  writeFileSync(seedsFile, JSON.stringify(seeds));
  const bundle = await bundleScript(fileURLToPath(new URL('./child.ts', import.meta.url)), 'fuzz-child');
  const figures: FuzzFigures = {
    inputs: 0, yaml: 0, bpmn: 0, accepted: 0, refused: {}, violations: [], violationCount: 0, unlocatedIssues: 0, inputsWithProcessWarnings: 0, warningExamples: [], hangs: 0, deaths: 0,
    p50Ms: 0, p99Ms: 0, maxMs: 0, seeds: seeds.length, ms: 0,
  };
  const times: number[] = [];
  const hangMs = opts.hangMs ?? 20_000;

  function record(v: FuzzVerdictLine): void {
    figures.inputs++;
    figures[v.format]++;
    if (v.accepted) figures.accepted++;
    if (v.code) figures.refused[v.code] = (figures.refused[v.code] ?? 0) + 1;
    if (v.violation) {
      figures.violationCount++;
      if (figures.violations.length < 50) figures.violations.push(`input ${v.i} (${v.name}, ${v.ops.join('+')}): ${v.violation}`);
    }
    figures.unlocatedIssues += v.unlocated;
    if (v.warnings) {
      figures.inputsWithProcessWarnings++;
      if (figures.warningExamples.length < 5) figures.warningExamples.push(`input ${v.i} (${v.name}, ${v.ops.join('+')})`);
    }
    times.push(v.ms);
  }

  /** Runs [from, to) in one child; on a hang or a death, names the input in flight and goes on after it. */
  async function range(from: number, to: number): Promise<void> {
    while (from < to) {
      const config: FuzzChildConfig = { seeds: seedsFile, seed: opts.seed, from, to, boundMs: opts.boundMs ?? 2_000, ...(opts.control ? { control: opts.control } : {}) };
      const outcome = await new Promise<{ last: number; done: number; why?: string }>((resolve) => {
        const child = spawn(process.execPath, [bundle.file, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
        let buf = '';
        let err = '';
        let last = from - 1;
        let done = from - 1;
        let lastAt = performance.now();
        let hung = false;
        let started = false; // start-up (loading the bundle and the seeds) gets a bound of its own
        const watchdog = setInterval(() => {
          if (performance.now() - lastAt > (started ? hangMs : Math.max(hangMs, 30_000))) {
            hung = true;
            child.kill('SIGKILL');
          }
        }, 250);
        child.stdout.on('data', (b: Buffer) => {
          buf += b.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            lastAt = performance.now();
            started = true;
            if (line.startsWith('P ')) last = Number(line.slice(2));
            else if (line.startsWith('V ')) {
              const v = JSON.parse(line.slice(2)) as FuzzVerdictLine;
              done = v.i;
              record(v);
            }
          }
        });
        child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
        child.on('exit', (code, signal) => {
          clearInterval(watchdog);
          if (done === to - 1) resolve({ last, done });
          else resolve({ last, done, why: hung ? `no answer within ${hangMs} ms (a hang)` : `the process died (code ${code}, signal ${signal}): ${err.split('\n').slice(0, 3).join(' ')}` });
        });
      });
      if (!outcome.why) break;
      // the input in flight hung or killed the process: name it, and go on after it
      figures.inputs++;
      figures.violationCount++;
      if (outcome.why.startsWith('no answer')) figures.hangs++;
      else figures.deaths++;
      figures.violations.push(`input ${outcome.last}: ${outcome.why}`);
      from = Math.max(outcome.last, outcome.done) + 1;
    }
  }

  try {
    const workers = opts.workers ?? 2;
    const step = Math.ceil(opts.count / workers);
    await Promise.all(Array.from({ length: workers }, (_, w) => range(w * step, Math.min(opts.count, (w + 1) * step))));
  } finally {
    bundle.remove();
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  figures.p50Ms = times[Math.floor(times.length / 2)] ?? 0;
  figures.p99Ms = times[Math.floor(times.length * 0.99)] ?? 0;
  figures.maxMs = times.at(-1) ?? 0;
  figures.ms = performance.now() - started;
  return figures;
}
