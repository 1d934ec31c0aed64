// winpath: the public API (re-exports only).
export { WinpathError, ERROR_CODES, isWinpathError, type ErrorCode, type ErrorDetails, type Issue, type UnmetRequirement } from './errors/index.js';
export type {
  ProcessDefinition, StageDef, TransitionDef, FieldDef, FieldType, I18nText, DurationSpec, ActionSpec, ApprovalMode, ForecastCategory,
  Opportunity, OpportunityStatus, Task, TaskStatus, Approval, ApprovalStatus, ApprovalDecision, DealState, Actor,
  OpportunityEvent, EventType, OutboxMessage, Timer, TimerType, FiredTimer,
} from './model/index.js';
export { EVENT_TYPES, textFor, addDuration } from './model/index.js';
export { parseTemplate, loadTemplate, toYaml, toBpmn, winpathModdleDescriptor, listTemplates, lintTemplate, type LintFinding, type ParseTemplateOptions, type TemplateListing } from './template/index.js';
export {
  memoryStore, sqliteStore, type Store, type StoreCapabilities, type Commit, type SqliteStoreOptions, type StoredOutboxMessage, type OutboxStatus,
} from './storage/index.js';
export { postgresStore, type PostgresStoreOptions, type PostgresPool, type FeedPage } from './storage/index.js';
export {
  createEngine, createWorker, webhookHandler, signWebhookBody, verifyWebhookSignature,
  type Engine, type EngineOptions, type Explanation, type ExplainOptions, type NextMove, type DispatchHandler, type DispatchOptions, type DispatchResult,
  type Worker, type WorkerOptions, type WebhookOptions,
} from './engine/index.js';
export { replay, evolve } from './machine/index.js';
export { simulate, type SimulateOptions, type SimulationResult, type SimulationBehavior, type StageBehavior, type StageSimulation } from './simulate/index.js';
export { createAnalytics, parsePeriod, describeDays, type Analytics, type AnalyticsOptions, type QueryOptions, type WhereValue, type FunnelRow, type ConversionRow, type CycleTimeRow, type LossReasonRow, type ForecastResult, type ForecastFigures, type BottleneckRow } from './analytics/index.js';
