import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryStore, parseTemplate, postgresStore, sqliteStore, type ProcessDefinition, type Store } from 'winpath';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from '../storage/postgres-env.js';
import type { Mutation } from './model/reference-model.js';
import { runSequence, sequence, type SequenceFigures } from './model/run-model.js';

// fast-check command sequences (open, update, submit, complete, reassign, decide, advance, win, back, lose,
// reopen, tick) against every store, each command checked against a reference model of the rules
// (model/reference-model.ts): the outcome and error code, the deal after it, nothing written on a refusal,
// and at the end of each sequence a gapless log that replays to the projection and a complete outbox.
// Sequences: 7,000 on memory and 3,500 on SQLite in every run, 300 more on PostgreSQL when WINPATH_PG_URL is set.
const SCALE = Number(process.env['WINPATH_MODEL_SCALE'] ?? 1);
const RUNS = { memory: Math.round(7_000 * SCALE), sqlite: Math.round(3_500 * SCALE), postgres: Math.round(300 * SCALE) };
const SEED = Number(process.env['WINPATH_MODEL_SEED'] ?? 20261125);
const MAX_LENGTH = 8;

const def: Promise<ProcessDefinition> = parseTemplate(readFileSync(new URL('./fixtures/model.yaml', import.meta.url), 'utf8'), { format: 'yaml', fileName: 'model.yaml' });

interface Totals {
  sequences: number;
  commands: number;
  refused: Record<string, number>;
  succeeded: Record<string, number>;
}

function add(t: Totals, f: SequenceFigures): void {
  t.sequences++;
  t.commands += f.commands;
  for (const [k, v] of Object.entries(f.refused)) t.refused[k] = (t.refused[k] ?? 0) + v;
  for (const [k, v] of Object.entries(f.succeeded)) t.succeeded[k] = (t.succeeded[k] ?? 0) + v;
}

const fmt = (r: Record<string, number>) => Object.entries(r).sort().map(([k, v]) => `${k} ${v}`).join(', ');

/** Runs `numRuns` sequences, each on a store from `open` (fresh, or shared with a new id prefix). */
async function check(name: string, numRuns: number, open: () => Promise<{ store: Store; done: () => Promise<void> }>): Promise<void> {
  const d = await def;
  const totals: Totals = { sequences: 0, commands: 0, refused: {}, succeeded: {} };
  const started = performance.now();
  let n = 0;
  await fc.assert(
    fc.asyncProperty(sequence(MAX_LENGTH), async (cmds) => {
      const { store, done } = await open();
      try {
        add(totals, await runSequence({ store, prefix: `${name}-${n++}`, def: d }, cmds));
      } finally {
        await done();
      }
    }),
    { numRuns, seed: SEED, endOnFailure: false },
  );
  const s = (performance.now() - started) / 1000;
  console.log(`[model ${name}] ${totals.sequences} sequences, ${totals.commands} commands in ${s.toFixed(1)} s, all agreeing with the model; `
    + `succeeded: ${fmt(totals.succeeded)}; refused: ${fmt(totals.refused)}`);
  expect(totals.sequences).toBeGreaterThanOrEqual(numRuns);
  // the sequences reach every corner: wins, losses, reopens, back moves, all four refusal codes (the rarer ones in the long runs)
  const kinds = ['open', 'advance', 'lose', 'decide', 'complete', ...(numRuns >= 3_000 ? ['win', 'back', 'reopen'] : [])];
  for (const kind of kinds) expect(totals.succeeded[kind] ?? 0, kind).toBeGreaterThan(0);
  for (const code of ['INPUT_INVALID', 'NOT_FOUND', 'FORBIDDEN', 'GUARD_FAILED']) expect(totals.refused[code] ?? 0, code).toBeGreaterThan(0);
}

describe('model-based: command sequences against the reference model', () => {
  it(`memory store: ${RUNS.memory} sequences`, async () => {
    await check('memory', RUNS.memory, async () => ({ store: memoryStore(), done: async () => undefined }));
  }, 240_000);

  it(`sqlite store: ${RUNS.sqlite} sequences`, async () => {
    // one in-memory database for the whole run (ids differ per sequence): a new database per sequence would time the migrations
    const store = sqliteStore();
    try {
      await check('sqlite', RUNS.sqlite, async () => ({ store, done: async () => undefined }));
    } finally {
      await store.close();
    }
  }, 240_000);
});

describePg('model-based: PostgreSQL', () => {
  const admin = adminPool();
  const schema = newSchemaName('wpmodel');
  afterAll(async () => {
    await dropSchemas(admin, [schema]);
    await admin.end();
  });

  it(`postgres store: ${RUNS.postgres} sequences`, async () => {
    const store = postgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
    try {
      await check('postgres', RUNS.postgres, async () => ({ store, done: async () => undefined }));
    } finally {
      await store.close();
    }
  }, 240_000);
});

describe('model-based: negative controls (a broken rule or store must make the property fail)', () => {
  async function firstFailure(mutation: Mutation | 'none', wrap: (s: Store) => Store = (s) => s): Promise<{ failed: boolean; runs: number; message: string }> {
    const d = await def;
    let n = 0;
    const r = await fc.check(
      fc.asyncProperty(sequence(MAX_LENGTH), async (cmds) => {
        await runSequence({ store: wrap(memoryStore()), prefix: `control-${n++}`, def: d, mutation: mutation === 'none' ? 'none' : mutation }, cmds);
      }),
      { numRuns: 3_000, seed: SEED, endOnFailure: true },
    );
    return { failed: r.failed, runs: r.numRuns, message: r.errorInstance instanceof Error ? r.errorInstance.message.split('\n')[0]! : String(r.errorInstance) };
  }

  // each caught by the disagreement it should cause, not by something else
  const MUTATIONS: [Mutation, RegExp][] = [
    ['requester-may-decide', /^decide .*: engine FORBIDDEN, model ok$/],
    ['back-keeps-approvals', /deal \S+ differs/],
    ['sla-never-breaches', /outbox messages, the model expects/],
  ];
  for (const [mutation, symptom] of MUTATIONS) {
    it(`a model with the rule "${mutation}" disagrees with the engine`, async () => {
      const r = await firstFailure(mutation);
      console.log(`[model control] mutation ${mutation}: caught after ${r.runs} sequences: ${r.message}`);
      expect(r.failed).toBe(true);
      expect(r.message).toMatch(symptom);
    }, 60_000);
  }

  it('a store that drops the last event of each multi-event commit is caught', async () => {
    const dropping = (inner: Store): Store => ({
      ...inner,
      append: (c) => inner.append(c.events.length > 1 ? { ...c, events: c.events.slice(0, -1) } : c),
    });
    const r = await firstFailure('none', dropping);
    console.log(`[model control] event-dropping store: caught after ${r.runs} sequences: ${r.message}`);
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(/gapless|replay/);
  }, 60_000);
});
