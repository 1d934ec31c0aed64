// machine: IR -> xstate machine; pure decide(state, command) -> events, evolve(state, event) -> state.
// May import: model, expressions, actions, errors.
export { compileProcess, type CompiledProcess } from './compile-process.js';
export { createStageMachine, nextStage, nextStageByXstate, type StageMachine, type StageEvent } from './stage-machine.js';
export { decide, type Command, type Decision } from './decide.js';
export { applyEvent, evolve, replay } from './evolve.js';
export { evaluateRequirements, unmetOf, type RequirementStatus } from './requirements.js';
export { buildSnapshot, guardEvaluator, renderMessage, mayAct, type DecideEnv } from './deal-context.js';
export { msg, type Lang } from './messages.js';
export { pendingTimers, fireDueTimers, type TickDecision } from './timers.js';
export { Draft } from './draft.js';
export { stagePaths, type StagePath } from './stage-paths.js';
