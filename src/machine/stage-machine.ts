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

/** One candidate move of a state: its target stage (undefined: stays) and its guard, bound to the machine's implementation. */
interface Candidate {
  target: string | undefined;
  guard: ((event: StageEvent) => boolean) | undefined;
  guardType: string | undefined;
}

/** Per stage, per event type, the candidates in xstate's order; null when the machine is not one this table can answer for. */
type TransitionTable = ReadonlyMap<string, ReadonlyMap<string, readonly Candidate[]>>;

const tables = new WeakMap<StageMachine, TransitionTable | null>();
const NO_CONTEXT: Record<string, never> = Object.freeze({});

interface XNode {
  key: string;
  id: string;
  type: string;
  parent?: XNode | undefined;
  states: Record<string, XNode>;
  transitions: Map<string, { target?: readonly XNode[] | undefined; guard?: unknown; actions: readonly unknown[] }[]>;
  always?: readonly unknown[] | undefined;
  entry: readonly unknown[];
  exit: readonly unknown[];
  invoke: readonly unknown[];
  after: readonly unknown[];
}

/**
 * Reads the machine's own state nodes once into a lookup table. Only a flat machine of atomic and
 * final states with event transitions, no actions and named guards with plain params qualifies
 * (what createStageMachine builds); anything else gives null and nextStage keeps to xstate.
 */
function compileTable(machine: StageMachine): TransitionTable | null {
  const root = machine.root as unknown as XNode;
  const guards = (machine.implementations.guards ?? {}) as Record<string, unknown>;
  if (root.transitions.size > 0 || (root.always?.length ?? 0) > 0 || root.entry.length > 0 || root.exit.length > 0 || root.invoke.length > 0) return null;
  const table = new Map<string, Map<string, Candidate[]>>();
  for (const [key, node] of Object.entries(root.states)) {
    if (node.type !== 'atomic' && node.type !== 'final') return null;
    if ((node.always?.length ?? 0) > 0 || node.entry.length > 0 || node.exit.length > 0 || node.invoke.length > 0 || node.after.length > 0) return null;
    if (node.type === 'final' && node.transitions.size > 0) return null;
    const row = new Map<string, Candidate[]>();
    for (const [descriptor, list] of node.transitions) {
      if (descriptor === '*' || descriptor.endsWith('.*')) return null; // wildcard matching stays with xstate
      const candidates: Candidate[] = [];
      for (const t of list) {
        if (t.actions.length > 0) return null;
        let target: string | undefined;
        if (t.target !== undefined && t.target.length > 0) {
          if (t.target.length !== 1 || t.target[0]!.parent !== root) return null;
          target = t.target[0]!.key;
        }
        let guard: Candidate['guard'];
        let guardType: string | undefined;
        if (t.guard !== undefined) {
          if (typeof t.guard !== 'object' || t.guard === null) return null;
          const g = t.guard as { type?: unknown; params?: unknown };
          const impl = typeof g.type === 'string' ? guards[g.type] : undefined;
          if (typeof impl !== 'function' || 'check' in impl || typeof g.params === 'function') return null;
          const params = g.params;
          const check = impl as (args: { context: object; event: StageEvent }, params: unknown) => boolean;
          guard = (event) => check({ context: NO_CONTEXT, event }, params);
          guardType = g.type as string;
        }
        candidates.push({ target, guard, guardType });
      }
      row.set(descriptor, candidates);
    }
    table.set(key, row);
  }
  return table;
}

function tableFor(machine: StageMachine): TransitionTable | null {
  let t = tables.get(machine);
  if (t === undefined) {
    t = compileTable(machine);
    tables.set(machine, t);
  }
  return t;
}

/**
 * The stage an event leads to from `from`, or undefined when the machine takes no transition.
 * Answers from a table read once from the machine's own transitions (xstate's resolveState plus
 * transition cost about 26 µs a command); the first candidate whose guard holds wins, as in xstate.
 */
export function nextStage(machine: StageMachine, from: string, event: StageEvent): string | undefined {
  const row = tableFor(machine)?.get(from);
  if (row === undefined) return nextStageByXstate(machine, from, event);
  const candidates = row.get(event.type);
  if (candidates === undefined) return undefined;
  for (const c of candidates) {
    let passed: boolean;
    try {
      passed = c.guard === undefined || c.guard(event);
    } catch (err) {
      // xstate's wording, so a throwing guard reads the same either way
      const node = (machine.root as unknown as XNode).states[from]!;
      throw new Error(`Unable to evaluate guard ${c.guardType ? `'${c.guardType}' ` : ''}in transition for event '${event.type}' in state node '${node.id}':\n${(err as Error).message}`);
    }
    if (passed) return c.target !== undefined && c.target !== from ? c.target : undefined;
  }
  return undefined;
}

/** The reference: xstate's pure transition from a resolved snapshot (also the answer for machines the table does not cover). */
export function nextStageByXstate(machine: StageMachine, from: string, event: StageEvent): string | undefined {
  const snapshot = machine.resolveState({ value: from, context: {} });
  const [next] = transition(machine, snapshot, event);
  const value = next.value as string;
  return value !== from ? value : undefined;
}
