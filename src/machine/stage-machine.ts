/** The definition as an xstate v5 machine; run with the pure `transition`, so no actor lives per deal. */
import { setup, transition, type AnyStateMachine } from 'xstate';
import { isOpenStage, type ProcessDefinition } from '../model/index.js';

/** Events the stage machine takes. `holds` evaluates a FEEL guard against the deal's snapshot. */
export type StageEvent =
  | { type: 'advance'; holds: (source: string) => boolean }
  | { type: `goto.${string}`; holds: (source: string) => boolean }
  | { type: `back.${string}` }
  | { type: 'lose' }
  | { type: `reopen.${string}` };

export type StageMachine = AnyStateMachine;

export function createStageMachine(def: ProcessDefinition): StageMachine {
  const open = def.stages.filter(isOpenStage);
  const lost = def.stages.find((s) => s.outcome === 'lost')!;
  const states: Record<string, object> = {};
  for (const s of def.stages) {
    if (s.outcome === 'won') {
      states[s.key] = { type: 'final' };
      continue;
    }
    if (s.outcome === 'lost') {
      states[s.key] = { on: Object.fromEntries(open.map((o) => [`reopen.${o.key}`, { target: o.key }])) };
      continue;
    }
    const out = def.transitions.filter((t) => t.from === s.key);
    const guarded = (t: (typeof out)[number]) => (t.when === undefined ? { target: t.to } : { target: t.to, guard: { type: 'when', params: { source: t.when } } });
    const on: Record<string, unknown> = { advance: out.map(guarded), lose: { target: lost.key } };
    for (const t of out) {
      const k = `goto.${t.to}`;
      on[k] = [...((on[k] as unknown[] | undefined) ?? []), guarded(t)];
    }
    if (s.allowBack !== false) {
      for (const earlier of open.slice(0, open.indexOf(s))) on[`back.${earlier.key}`] = { target: earlier.key };
    }
    states[s.key] = { on };
  }
  const machine = setup({
    types: { context: {} as Record<string, never>, events: {} as StageEvent },
    guards: {
      when: ({ event }, params: { source: string }) => 'holds' in event && event.holds(params.source),
    },
  }).createMachine({ id: def.id, initial: open[0]!.key, context: {}, states } as never);
  return machine as unknown as StageMachine;
}

/** The stage an event leads to from `from`, or undefined when the machine takes no transition. */
export function nextStage(machine: StageMachine, from: string, event: StageEvent): string | undefined {
  const snapshot = machine.resolveState({ value: from, context: {} });
  const [next] = transition(machine, snapshot, event);
  const value = next.value as string;
  return value !== from ? value : undefined;
}
