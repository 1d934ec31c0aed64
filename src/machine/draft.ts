/** Draft: folds events into a private copy of a deal's state as a command (or a tick) decides them. */
import { actionParts, type PlanContext } from '../actions/index.js';
import { eventId, type DealState, type EventType, type OpportunityEvent, type StageDef } from '../model/index.js';
import type { CompiledProcess } from './compile-process.js';
import { guardEvaluator, renderMessage, type DecideEnv } from './deal-context.js';
import { cloneState } from './clone-state.js';
import { applyEvent } from './evolve.js';

export interface Decision {
  /** The events to append, with ids and seqs following the state's version. */
  events: OpportunityEvent[];
  /** The state after them. */
  state: DealState;
}

/** Folds events into a private copy of the state as they are decided. */
export class Draft {
  readonly events: OpportunityEvent[] = [];
  state: DealState | null;
  constructor(
    readonly p: CompiledProcess,
    state: DealState | null,
    readonly env: DecideEnv,
    readonly opportunityId: string,
    readonly actor: string,
  ) {
    this.state = state === null ? null : cloneState(state);
  }

  get s(): DealState {
    return this.state!;
  }

  emit(type: EventType, data: Record<string, unknown>, actor: string = this.actor): void {
    const seq = (this.state?.opportunity.seq ?? 0) + 1;
    const e: OpportunityEvent = { id: eventId(this.opportunityId, seq), opportunityId: this.opportunityId, seq, type, at: this.env.now.toISOString(), actor, data };
    this.state = applyEvent(this.state, e);
    this.events.push(e);
  }

  enter(stage: StageDef, from: string | null): void {
    this.emit('stage.entered', { stage: stage.key, entry: this.s.entry + 1, from });
    for (const action of stage.onEnter ?? []) this.run(action, stage);
  }

  run(action: NonNullable<StageDef['onEnter']>[number], stage: StageDef): void {
    const { kind, spec } = actionParts(action);
    const state = this.s;
    const ev = guardEvaluator(this.p, state, this.env);
    const ctx: PlanContext = {
      def: this.p.def, state, stage, actor: this.actor, now: this.env.now, lang: this.env.lang, calendar: this.env.calendar,
      resolveRole: (role) => (role === 'owner' ? [state.opportunity.owner] : this.env.resolveRole(role, state.opportunity)),
      guard: ev.guard, evaluate: ev.evaluate,
      render: (text, lang) => renderMessage(this.p, state.opportunity, text, lang ?? this.env.lang),
      childId: (key) => `${this.opportunityId}.${key}.${state.entry}`,
    };
    for (const pe of kind.plan(spec, ctx)) this.emit(pe.type, pe.data, pe.actor);
  }

  exit(to: string, kind: 'forward' | 'back' | 'lost' | 'won' | 'reopen', reason?: string): void {
    this.emit('stage.exited', reason === undefined ? { stage: this.s.opportunity.stage, to, kind } : { stage: this.s.opportunity.stage, to, kind, reason });
  }

  result(): Decision {
    return { events: this.events, state: this.s };
  }
}

