import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { setup } from 'xstate';
import { describe, expect, it, vi } from 'vitest';
import { loadTemplate } from 'winpath';
import { createStageMachine, nextStage, nextStageByXstate, type StageEvent, type StageMachine } from '../../src/machine/index.js';

const templatesDir = fileURLToPath(new URL('../../templates/', import.meta.url));
const shipped = readdirSync(templatesDir).filter((f) => f.endsWith('.yaml')).sort();

type Outcome = boolean | 'throw';
type Answer = { to: string | undefined; asked: string[] } | { error: string; asked: string[] };

/** Every event type some state of the machine takes, read from its state nodes. */
function eventTypes(machine: StageMachine): string[] {
  const states = (machine.root as unknown as { states: Record<string, { transitions: Map<string, unknown> }> }).states;
  return [...new Set(Object.values(states).flatMap((s) => [...s.transitions.keys()]))].sort();
}

/** Runs one lookup with guards answering from `outcomes` in call order; records which guards were asked. */
function ask(f: typeof nextStage, machine: StageMachine, from: string, type: string, outcomes: readonly Outcome[]): Answer {
  const asked: string[] = [];
  const holds = (source: string): boolean => {
    const o = outcomes[asked.length % outcomes.length]!;
    asked.push(source);
    if (o === 'throw') throw new Error(`guard ${source} failed`);
    return o;
  };
  const event = (type === 'advance' || type.startsWith('goto.') ? { type, holds } : { type }) as StageEvent;
  try {
    return { to: f(machine, from, event), asked };
  } catch (e) {
    return { error: (e as Error).message, asked };
  }
}

describe('nextStage: the transition table answers as xstate does', () => {
  it('covers every shipped template', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of shipped) {
    it(`${file}: every stage x every event type, guard outcomes at random`, async () => {
      const def = await loadTemplate(`${templatesDir}${file}`);
      const machine = createStageMachine(def);
      const types = [...eventTypes(machine), 'unknown.event'];
      const stages = def.stages.map((s) => s.key);
      const outcome = fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant<Outcome>('throw') });
      fc.assert(fc.property(fc.array(outcome, { minLength: 1, maxLength: 8 }), (outcomes) => {
        for (const from of stages) {
          for (const type of types) {
            expect(ask(nextStage, machine, from, type, outcomes), `${from} --${type}-->`).toEqual(ask(nextStageByXstate, machine, from, type, outcomes));
          }
        }
      }), { numRuns: 25, seed: 11 });
    });
  }

  it('answers from the table, without resolving an xstate snapshot, for a compiled template', async () => {
    const def = await loadTemplate('b2b-standard');
    const machine = createStageMachine(def);
    const resolve = vi.spyOn(machine, 'resolveState');
    expect(nextStage(machine, def.stages[0]!.key, { type: 'lose' })).toBe('lost');
    expect(resolve).not.toHaveBeenCalled();
  });

  it('gives an unknown stage to xstate, which says it does not exist', async () => {
    const machine = createStageMachine(await loadTemplate('b2b-standard'));
    expect(() => nextStage(machine, 'no-such-stage', { type: 'lose' })).toThrow(/does not exist/);
  });

  it('leaves machines it cannot read as a table (a wildcard here) to xstate', () => {
    const machine = setup({}).createMachine({
      initial: 'a',
      states: { a: { on: { 'goto.*': { target: 'b' } } }, b: { on: { '*': { target: 'a' } } } },
    }) as unknown as StageMachine;
    expect(nextStage(machine, 'a', { type: 'goto.x', holds: () => true })).toBe('b');
    expect(nextStage(machine, 'b', { type: 'lose' })).toBe('a');
  });
});
