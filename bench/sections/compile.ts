/**
 * Template compile time (loadTemplate on every shipped .yaml and .bpmn, then compileProcess), explain latency
 * on an open deal in a SQLite store, and the cost of one guard evaluation for every guard of the shipped
 * templates (compileExpression(...).evaluate, whichever evaluator src/expressions has by default).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, loadTemplate, sqliteStore, type ProcessDefinition } from '../../src/index.js';
import { compileExpression, definitionScope, feelDate, feelDateTime, type FeelSnapshot } from '../../src/expressions/index.js';
import { compileProcess } from '../../src/machine/index.js';
import { config } from '../lib/config.js';
import { ROOT_DIR } from '../lib/process.js';
import { main, report } from '../lib/section.js';
import { tempDir } from '../lib/sqlite.js';
import { median, msSince, now, progress, spread, timeEachAsync, usPerCall } from '../lib/stats.js';

const templatesDir = join(ROOT_DIR, 'templates');

async function templateCompile(): Promise<unknown[]> {
  const files = readdirSync(templatesDir).filter((f) => f.endsWith('.yaml') || f.endsWith('.bpmn')).sort();
  const rows: unknown[] = [];
  for (const file of files) {
    const path = join(templatesDir, file);
    const t0 = now();
    const firstDef = await loadTemplate(path);
    const firstMs = msSince(t0);
    const loadRuns: number[] = [];
    const processRuns: number[] = [];
    for (let r = 0; r < config.runs; r++) {
      const loads: number[] = [];
      const compiles: number[] = [];
      for (let k = 0; k < config.compileRepeats; k++) {
        const a = now();
        const def = await loadTemplate(path);
        loads.push(msSince(a));
        const b = now();
        compileProcess(def); // a new definition object: no cache hit
        compiles.push(msSince(b));
      }
      loadRuns.push(median(loads));
      processRuns.push(median(compiles));
    }
    rows.push({
      file, id: firstDef.id, stages: firstDef.stages.length, guards: guardsOf(firstDef).length,
      firstLoadMs: firstMs, loadTemplateMs: spread(loadRuns), compileProcessMs: spread(processRuns),
    });
  }
  return rows;
}

/** explain() on a b2b-standard deal waiting in the proposal stage (tasks open, the countersign pending). */
async function explainLatency(): Promise<unknown> {
  const tmp = tempDir('explain');
  const def = await loadTemplate('b2b-standard');
  const people: Record<string, string> = { sales_director: 'dora', finance: 'fay', solution_engineer: 'sol', legal: 'lee' };
  let t = Date.parse('2026-03-02T09:00:00Z');
  const engine = createEngine({ store: sqliteStore({ path: tmp.file('explain.db') }), templates: [def], clock: () => new Date((t += 60_000)), resolveRole: (r) => (people[r] ? [people[r]!] : []) });
  const sam = { id: 'sam' };
  const d = await engine.open({ template: 'b2b-standard', title: 'ACME ERP', owner: 'sam', amount: 480_000, actor: sam });
  await engine.update(d.id, { fields: { region: 'east', industry: 'finance', budgetConfirmed: true, decisionMaker: 'CIO', productLine: 'erp', discount: 0.2, expectedCloseDate: '2026-12-01' }, actor: sam });
  for (let step = 0; step < 2; step++) {
    const x = await engine.explain(d.id);
    for (const task of x.tasks) await engine.completeTask(task.id, { actor: task.assignee ?? 'sam' });
    for (const r of x.unmet.filter((u) => u.kind === 'deliverable')) await engine.submitDeliverable(d.id, r.key, { ref: r.key, actor: sam });
    await engine.advance(d.id, { actor: sam });
  }
  const x = await engine.explain(d.id);
  if (x.stage.key !== 'proposal' || x.approvals.length !== 1) throw new Error(`explain deal is in ${x.stage.key} with ${x.approvals.length} pending approvals`);
  await timeEachAsync(Math.min(200, config.explainCalls), () => engine.explain(d.id)); // warm-up
  const runs: number[] = [];
  const p90s: number[] = [];
  for (let r = 0; r < config.runs; r++) {
    const us = (await timeEachAsync(config.explainCalls, () => engine.explain(d.id))).sort((a, b) => a - b);
    runs.push(median(us));
    p90s.push(us[Math.floor(us.length * 0.9)]!);
  }
  await engine.close();
  tmp.remove();
  return { template: 'b2b-standard', stage: x.stage.key, unmet: x.unmet.length, next: x.next.length, callsPerRun: config.explainCalls, medianUs: spread(runs), p90Us: spread(p90s) };
}

/** Every `when` of a definition (transitions, checks, actions), with where it stands. */
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

/** Three snapshots shaped as the engine builds them: every field set, mostly empty, a discount above 10%. */
function snapshotsOf(def: ProcessDefinition, clock: Date): FeelSnapshot[] {
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

async function guardCost(): Promise<unknown> {
  const clock = new Date('2026-03-02T09:00:00Z');
  const files = readdirSync(templatesDir).filter((f) => f.endsWith('.yaml')).sort();
  const rows: { template: string; where: string; guard: string; evaluator: string; us: ReturnType<typeof spread> }[] = [];
  for (const file of files) {
    const def = await loadTemplate(join(templatesDir, file));
    const scope = definitionScope(def);
    const snapshots = snapshotsOf(def, clock);
    for (const { where, source } of guardsOf(def)) {
      const expr = compileExpression(source, { scope });
      const evaluator = String((expr as { evaluator?: unknown }).evaluator ?? 'default');
      usPerCall(config.guardIterations, () => expr.evaluate(snapshots[0]!, { now: clock })); // warm-up
      const runs: number[] = [];
      for (let r = 0; r < config.runs; r++) {
        runs.push(snapshots.reduce((acc, snap) => acc + usPerCall(config.guardIterations, () => expr.evaluate(snap, { now: clock })), 0) / snapshots.length);
      }
      rows.push({ template: file, where, guard: source, evaluator, us: spread(runs) });
    }
  }
  const medians = rows.map((r) => r.us.median);
  const worst = rows.reduce((a, b) => (b.us.median > a.us.median ? b : a), rows[0]!);
  const evaluators = [...new Set(rows.map((r) => r.evaluator))];
  return {
    guards: rows.length, evaluators,
    medianUs: median(medians), p90Us: [...medians].sort((a, b) => a - b)[Math.floor(medians.length * 0.9)] ?? 0,
    maxUs: worst.us.median, worst: { template: worst.template, guard: worst.guard },
    rows,
  };
}

main(async () => {
  progress('compile: templates');
  const templates = await templateCompile();
  progress('compile: explain');
  const explain = await explainLatency();
  progress('compile: guards');
  const guards = await guardCost();
  report('compile', { templates, explain, guards });
});
