// engine: createEngine: load, decide, append, effects, explain, tick, dispatch; the worker and the webhook handler.
// May import: model, machine, actions, the store port, errors.
export {
  createEngine, type Engine, type EngineOptions, type Listener, type OpenInput, type DispatchHandler, type DispatchOptions, type DispatchResult,
} from './create-engine.js';
export { explainDeal, type Explanation, type ExplainOptions, type NextMove } from './explain.js';
export { createWorker, type Worker, type WorkerOptions } from './create-worker.js';
export { webhookHandler, signWebhookBody, verifyWebhookSignature, type WebhookOptions } from './webhook-handler.js';
