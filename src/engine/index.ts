// engine: createEngine: load, decide, append, effects, explain (tick and dispatch come with timers).
// May import: model, machine, actions, the store port, errors.
export { createEngine, type Engine, type EngineOptions, type Listener, type OpenInput } from './create-engine.js';
export { explainDeal, type Explanation, type ExplainOptions, type NextMove } from './explain.js';
