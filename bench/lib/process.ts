/**
 * The benchmark's five-stage process, as each contender runs it: the winpath template
 * (fixtures/five-stage.yaml), the same flow in BPMN for bpmn-engine (fixtures/five-stage.bpmn)
 * and an xstate machine. Every contender walks the same deals: even deals are large
 * (1,500,000: the gateway sends them through the executive review), odd deals small (300,000).
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as bpmnElements from 'bpmn-elements';
import { Engine as BpmnEngine } from 'bpmn-engine';
import { BpmnModdle } from 'bpmn-moddle';
import Serializer, { TypeResolver } from 'moddle-context-serializer';
import { and, assign, setup } from 'xstate';
import type { Engine } from '../../src/index.js';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = join(BENCH_DIR, '..');
export const YAML_FIXTURE = join(BENCH_DIR, 'fixtures', 'five-stage.yaml');
export const BPMN_FIXTURE = join(BENCH_DIR, 'fixtures', 'five-stage.bpmn');
export const TEMPLATE_ID = 'bench-five-stage';

/** Role holders: the countersign's two approvers and the executive reviewer. */
export const PEOPLE: Record<string, string> = { sales_director: 'dora', finance: 'fay' };
export const resolveRole = (role: string): string[] => (PEOPLE[role] ? [PEOPLE[role]!] : []);

export const amountOf = (i: number): number => (i % 2 === 0 ? 1_500_000 : 300_000);
export const isLarge = (i: number): boolean => amountOf(i) >= 1_000_000;

/** winpath commands per deal: open, (task + advance) per stage, two approvals + advance in the proposal. */
export const winpathCommandsOf = (i: number): number => (isLarge(i) ? 12 : 10);
/** bpmn-engine steps per deal: execute, then one signal per user task (two for the countersign). */
export const bpmnStepsOf = (i: number): number => (isLarge(i) ? 7 : 6);

const sam = { id: 'sam' };

/**
 * Walks deal `i` from open to won through the engine's API, one command (one transaction) at a time.
 * Task and approval ids follow the engine's `<deal>.<key>.<entry>` scheme; a wrong id fails the command.
 */
export async function walkWinpathDeal(engine: Engine, id: string, i: number): Promise<number> {
  await engine.open({ id, template: TEMPLATE_ID, title: `Deal ${i}`, owner: 'sam', amount: amountOf(i), actor: sam });
  await engine.completeTask(`${id}.qualify-call.1`, { actor: sam });
  await engine.advance(id, { actor: sam });
  await engine.completeTask(`${id}.discovery-meeting.2`, { actor: sam });
  await engine.advance(id, { actor: sam });
  await engine.decide(`${id}.countersign.3`, { actor: 'dora', decision: 'approve' });
  await engine.decide(`${id}.countersign.3`, { actor: 'fay', decision: 'approve' });
  await engine.advance(id, { actor: sam });
  let entry = 4;
  if (isLarge(i)) {
    await engine.completeTask(`${id}.exec-review.4`, { actor: 'dora' });
    await engine.advance(id, { actor: sam });
    entry = 5;
  }
  await engine.completeTask(`${id}.contract.${entry}`, { actor: sam });
  const o = await engine.advance(id, { actor: sam });
  if (o.status !== 'won') throw new Error(`deal ${id} ended in ${o.stage} (${o.status}), not won`);
  return winpathCommandsOf(i);
}

// ---------------------------------------------------------------- xstate

interface SaleContext { amount: number; taskDone: boolean; approvedBy: string[] }
export type SaleEvent = { type: 'TASK_DONE' } | { type: 'APPROVE'; by: string } | { type: 'ADVANCE' };

/** The same process as an xstate v5 machine: a task per stage, the countersign (both approvers), the gateway on the amount. */
export const saleMachine = setup({
  types: { context: {} as SaleContext, events: {} as SaleEvent, input: {} as { amount: number } },
  guards: {
    taskDone: ({ context }) => context.taskDone,
    large: ({ context }) => context.amount >= 1_000_000,
    allApproved: ({ context }) => context.approvedBy.length === 2,
    canApprove: ({ context, event }) => event.type === 'APPROVE' && (event.by === 'dora' || event.by === 'fay') && !context.approvedBy.includes(event.by),
  },
  actions: {
    reset: assign({ taskDone: false, approvedBy: [] }),
    taskDone: assign({ taskDone: true }),
    approve: assign({ approvedBy: ({ context, event }) => (event.type === 'APPROVE' ? [...context.approvedBy, event.by] : context.approvedBy) }),
  },
}).createMachine({
  id: 'sale',
  initial: 'qualify',
  // the pure transition calls this factory without input on every step (FINDINGS): tolerate it
  context: ({ input }) => ({ amount: (input as { amount?: number } | undefined)?.amount ?? 0, taskDone: false, approvedBy: [] }),
  states: {
    qualify: { entry: 'reset', on: { TASK_DONE: { actions: 'taskDone' }, ADVANCE: { guard: 'taskDone', target: 'discovery' } } },
    discovery: { entry: 'reset', on: { TASK_DONE: { actions: 'taskDone' }, ADVANCE: { guard: 'taskDone', target: 'proposal' } } },
    proposal: {
      entry: 'reset',
      on: {
        APPROVE: { guard: 'canApprove', actions: 'approve' },
        ADVANCE: [{ guard: and(['allApproved', 'large']), target: 'executiveReview' }, { guard: 'allApproved', target: 'negotiation' }],
      },
    },
    executiveReview: { entry: 'reset', on: { TASK_DONE: { actions: 'taskDone' }, ADVANCE: { guard: 'taskDone', target: 'negotiation' } } },
    negotiation: { entry: 'reset', on: { TASK_DONE: { actions: 'taskDone' }, ADVANCE: { guard: 'taskDone', target: 'won' } } },
    won: { type: 'final' },
  },
});

/** The events that walk deal `i` from open to won (after the initial transition): the same commands winpath gets. */
export function xstateEventsOf(i: number): SaleEvent[] {
  const task: SaleEvent = { type: 'TASK_DONE' };
  const adv: SaleEvent = { type: 'ADVANCE' };
  const evs: SaleEvent[] = [task, adv, task, adv, { type: 'APPROVE', by: 'dora' }, { type: 'APPROVE', by: 'fay' }, adv];
  if (isLarge(i)) evs.push(task, adv);
  evs.push(task, adv);
  return evs;
}

// ---------------------------------------------------------------- bpmn-engine

export const bpmnSource = (): string => readFileSync(BPMN_FIXTURE, 'utf8');

/** The BPMN parsed and serialized once (the `sourceContext` engine option), so no deal pays for the XML parse. */
export async function bpmnSourceContext(): Promise<unknown> {
  const moddle = new BpmnModdle();
  const moddleContext = await moddle.fromXML(bpmnSource());
  const types = TypeResolver({ ...(bpmnElements as unknown as Record<string, unknown>) } as never);
  return Serializer(moddleContext as never, types);
}

export interface Waiting { id: string; executionId: string }

/** An execution listener that records the user tasks (and multi-instance iterations) waiting for a signal. */
export function waitListener(into: Waiting[]): EventEmitter {
  const l = new EventEmitter();
  l.on('activity.wait', (api: { id: string; executionId: string }) => {
    into.push({ id: api.id, executionId: api.executionId });
  });
  return l;
}

export function newBpmnEngine(name: string, sourceContext: unknown): BpmnEngine {
  return new BpmnEngine({ name, sourceContext: sourceContext as never });
}

export { BpmnEngine };
