import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { compileFeel, definitionScope, feelDate, feelDateTime, type FeelSnapshot } from '../../src/expressions/index.js';
import type { ProcessDefinition } from '../../src/model/index.js';
import { loadTemplate } from '../../src/template/index.js';
import { compiledObserved, feelinObserved, sameObserved, show } from './feel-arbitraries.js';

const dir = join(import.meta.dirname, '..', '..', 'templates');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const clock = new Date('2026-03-02T09:00:00Z');

function whens(def: ProcessDefinition): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'when' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(def.transitions);
  walk(def.stages);
  return out;
}

/** Snapshots as the engine builds them: every field (typed: dates as FEEL dates), status maps with every declared key. */
function snapshots(def: ProcessDefinition): FeelSnapshot[] {
  const scope = definitionScope(def);
  const value = (type: string, options: readonly string[] | undefined, i: number): unknown => {
    if (i === 3) return null;
    switch (type) {
      case 'money':
      case 'number': return [2_000_000, 0.05, 60][i];
      case 'boolean': return i !== 1;
      case 'date': return feelDate(['2026-06-30', '2026-01-10', '2027-02-01'][i]!);
      case 'enum': return options?.[i % options.length] ?? null;
      case 'list': return ['a'];
      default: return ['hot', 'behind', 'renewal'][i];
    }
  };
  const map = (shape: unknown, v: (i: number) => unknown): Record<string, unknown> => Object.fromEntries(Object.keys(shape as object).map((k, i) => [k, v(i)]));
  return [0, 1, 2, 3].map((variant) => {
    const snap: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(def.fields)) snap[key] = value(f.type, f.options, variant);
    return {
      ...snap,
      amount: snap['amount'] ?? null,
      title: 'Deal', owner: 'sam', stage: def.stages[0]!.key, daysInStage: variant, daysOpen: 2 * variant, now: feelDateTime(clock),
      deliverables: map(scope['deliverables'], (i) => (i + variant) % 2 === 0),
      tasks: map(scope['tasks'], (i) => ['open', 'done', null][(i + variant) % 3]),
      approvals: map(scope['approvals'], (i) => ['pending', 'approved', 'rejected', null][(i + variant) % 4]),
    };
  });
}

describe('the guards of the shipped templates', () => {
  for (const file of files) {
    it(`${file}: every guard compiles, and gives feelin's answers`, async () => {
      const def = await loadTemplate(join(dir, file));
      const scope = definitionScope(def);
      const guards = whens(def);
      expect(guards.length).toBeGreaterThan(0);
      for (const source of guards) {
        const expr = compileFeel(source, { scope });
        expect(expr.evaluator).toBe('compiled');
        for (const snap of snapshots(def)) {
          const mine = compiledObserved(expr.evaluate(snap, { now: clock }));
          const reference = feelinObserved(source.replace(/^\s*=/, ''), snap, clock);
          expect(`${source}: ${show(mine)}`).toBe(`${source}: ${show(reference)}`);
          expect(sameObserved(mine, reference)).toBe(true);
        }
      }
    });
  }
});
