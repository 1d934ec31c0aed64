/** createEngine: load a deal, decide purely, append atomically with the expected version, then tell listeners. */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { WinpathError } from '../errors/index.js';
import { compileProcess, decide, fireDueTimers, pendingTimers, type Command, type CompiledProcess, type DecideEnv } from '../machine/index.js';
import {
  advanceInputSchema, approvalFilterSchema, completeTaskInputSchema, dispatchOptionsSchema, findForbiddenKey, outboxFilterSchema, taskFilterSchema, decideInputSchema, deliverableInputSchema, loseInputSchema, noteInputSchema, openInputSchema,
  reassignTaskInputSchema, reopenInputSchema, updateInputSchema, winInputSchema,
  type Actor, type Approval, type ApprovalStatus, type CalendarOptions, type DealState, type EventType, type Opportunity,
  type FiredTimer, type OpportunityEvent, type OutboxMessage, type ProcessDefinition, type Task, type TaskStatus,
} from '../model/index.js';
import type { ApprovalFilter, OutboxStatus, Store, StoredOutboxMessage, TaskFilter } from '../storage/port.js';
import { explainDeal, type Explanation, type ExplainOptions } from './explain.js';

export interface EngineOptions {
  store: Store;
  /** Compiled definitions (from loadTemplate/parseTemplate); deals pin id@version. */
  templates: readonly ProcessDefinition[];
  /** The engine's only source of time. Default: the system clock. */
  clock?: () => Date;
  lang?: 'zh' | 'en';
  /** User ids holding a role for a deal: task assignees, approver slots, notification recipients. */
  resolveRole?: (role: string, opportunity: Opportunity) => string[];
  /** IANA zone for due dates and business days; default UTC. */
  timeZone?: string;
  /** `YYYY-MM-DD` days off. */
  holidays?: string[];
  /** `YYYY-MM-DD` weekend days that are working days (调休). */
  workdays?: string[];
  /** Re-run a command this many times on CONCURRENCY_CONFLICT. Default 0. */
  retry?: number;
  /** New opportunity ids. Default: random UUIDs. */
  ids?: () => string;
  /** Called when a listener throws; the command has committed all the same. */
  onListenerError?: (error: unknown, event: OpportunityEvent) => void;
  /** Outbox delivery: attempts before a message is parked as dead (default 8), backoff after a failure (engine clock). */
  outbox?: { maxAttempts?: number; backoffMs?: number; maxBackoffMs?: number };
  /** How long a claimed timer or message stays leased to this engine (default 60 s of engine time). */
  leaseMs?: number;
}

/** One message handed to a dispatch handler; `id` is the idempotency key, `attempts` counts this attempt (1 = first). */
export type DispatchHandler = (message: OutboxMessage) => Promise<void>;

export interface DispatchOptions {
  /** At most this many messages in this call (default 100). */
  limit?: number;
  /** A handler that has not settled after this long has failed (default 30 s). */
  timeoutMs?: number;
}

export interface DispatchResult {
  delivered: number;
  /** Failed attempts that will be retried after a backoff. */
  failed: number;
  /** Messages parked as dead in this call (after `maxAttempts`); `engine.outbox({ status: 'dead' })` lists them. */
  dead: number;
}

export type Listener = (event: OpportunityEvent) => void;

export interface OpenInput {
  template: string;
  version?: number;
  title: string;
  owner: string;
  amount?: number | null;
  fields?: Record<string, unknown>;
  actor: Actor;
  /** A caller-chosen id (else the engine's `ids`). */
  id?: string;
}

export interface Engine {
  open(input: OpenInput): Promise<Opportunity>;
  get(id: string): Promise<Opportunity>;
  update(id: string, input: { fields?: Record<string, unknown>; title?: string; owner?: string; amount?: number | null; actor: Actor }): Promise<Opportunity>;
  submitDeliverable(id: string, key: string, input: { ref?: string; note?: string; actor: Actor }): Promise<Opportunity>;
  completeTask(taskId: string, input: { actor: Actor; note?: string }): Promise<Opportunity>;
  reassignTask(taskId: string, input: { to: string; actor: Actor }): Promise<Opportunity>;
  decide(approvalId: string, input: { actor: Actor; decision: 'approve' | 'reject'; comment?: string }): Promise<Opportunity>;
  advance(id: string, input: { to?: string; reason?: string; actor: Actor }): Promise<Opportunity>;
  win(id: string, input: { actor: Actor }): Promise<Opportunity>;
  lose(id: string, input: { reason: string; note?: string; actor: Actor }): Promise<Opportunity>;
  reopen(id: string, input: { actor: Actor; reason?: string }): Promise<Opportunity>;
  addNote(id: string, input: { text: string; actor: Actor }): Promise<Opportunity>;
  explain(id: string, opts?: ExplainOptions): Promise<Explanation>;
  history(id: string): Promise<OpportunityEvent[]>;
  tasks(filter?: { assignee?: string; status?: TaskStatus; opportunityId?: string }): Promise<Task[]>;
  approvals(filter?: { approver?: string; status?: ApprovalStatus; opportunityId?: string }): Promise<Approval[]>;
  /** Fires every timer due at `now` (default: the engine clock) exactly once; returns what fired. */
  tick(now?: Date): Promise<FiredTimer[]>;
  /** Delivers due outbox messages at least once, in per-deal order, with retries and backoff. */
  dispatch(handler: DispatchHandler, opts?: DispatchOptions): Promise<DispatchResult>;
  /** Outbox messages as stored (pending, delivered, dead). */
  outbox(filter?: { status?: OutboxStatus; opportunityId?: string }): Promise<StoredOutboxMessage[]>;
  on(type: EventType | '*', listener: Listener): () => void;
  close(): Promise<void>;
  /** The store this engine writes to. */
  readonly store: Store;
}

function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const bad = findForbiddenKey(input);
  if (bad) throw new WinpathError('INPUT_INVALID', `${what}: key "${String(bad.at(-1))}" is not allowed (at ${bad.join('.')})`, { path: bad, fix: 'remove the key' });
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
  const where = path.length ? ` at ${path.join('.')}` : '';
  throw new WinpathError('INPUT_INVALID', `${what}: ${issue.message}${where}`, { path, problems: r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
}

function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new WinpathError('INPUT_INVALID', `${what} must be a non-empty string of at most 200 characters`);
  return id;
}

/**
 * Creates an engine over a store and a set of compiled templates.
 * @example
 * const engine = createEngine({ store: sqliteStore({ path: 'deals.db' }), templates: [await loadTemplate('b2b-standard')] });
 */
export function createEngine(options: EngineOptions): Engine {
  const { store } = options;
  if (!store || typeof store.append !== 'function') throw new WinpathError('INPUT_INVALID', 'createEngine needs a store', { fix: 'pass { store: sqliteStore() } or memoryStore()' });
  const clock = options.clock ?? (() => new Date());
  const lang = options.lang ?? 'en';
  const retry = options.retry ?? 0;
  const newId = options.ids ?? (() => randomUUID());
  const resolveRole = options.resolveRole ?? (() => []);
  const calendar: CalendarOptions = {};
  if (options.timeZone !== undefined) calendar.timeZone = options.timeZone;
  if (options.holidays !== undefined) calendar.holidays = options.holidays;
  if (options.workdays !== undefined) calendar.workdays = options.workdays;

  const byId = new Map<string, ProcessDefinition[]>();
  for (const def of options.templates ?? []) {
    const list = byId.get(def.id) ?? [];
    if (list.some((d) => d.version === def.version)) throw new WinpathError('INPUT_INVALID', `template ${def.id}@${def.version} is given twice`);
    list.push(def);
    list.sort((a, b) => b.version - a.version);
    byId.set(def.id, list);
  }
  const saved = new WeakSet<ProcessDefinition>();
  const listeners = new Map<string, Set<Listener>>();

  const env = (): DecideEnv => {
    const now = clock();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new WinpathError('INPUT_INVALID', 'the engine clock gave no valid Date');
    return { now, lang, calendar, resolveRole: (role, opp) => resolveRole(role, opp) ?? [] };
  };

  async function processFor(template: string, version: number): Promise<CompiledProcess> {
    const def = byId.get(template)?.find((d) => d.version === version) ?? (await store.definition(template, version));
    if (!def) throw new WinpathError('NOT_FOUND', `template ${template}@${version} is neither given to the engine nor kept in the store`, { fix: 'pass the definition in createEngine({ templates })' });
    return compileProcess(def);
  }

  function notify(events: OpportunityEvent[]): void {
    for (const e of events) {
      for (const key of [e.type, '*']) {
        for (const l of listeners.get(key) ?? []) {
          try {
            l(e);
          } catch (err) {
            options.onListenerError?.(err, e);
          }
        }
      }
    }
  }

  function outboxFor(p: CompiledProcess, events: OpportunityEvent[]): OutboxMessage[] {
    const exported = new Set<string>(p.def.export ?? []);
    const out: OutboxMessage[] = [];
    for (const e of events) {
      if (e.type === 'integration.emitted') out.push({ id: e.id, opportunityId: e.opportunityId, type: e.data['type'] as string, data: { ...e.data, at: e.at, actor: e.actor }, attempts: 0 });
      else if (e.type === 'notification.requested' || exported.has(e.type)) out.push({ id: e.id, opportunityId: e.opportunityId, type: e.type, data: { ...e.data, at: e.at, actor: e.actor }, attempts: 0 });
    }
    return out;
  }

  async function commit(p: CompiledProcess, expectedVersion: number, events: OpportunityEvent[], state: DealState): Promise<void> {
    if (events.length === 0) return;
    const timers = pendingTimers(p, state, calendar);
    await store.append({ opportunityId: state.opportunity.id, expectedVersion, events, state, outbox: outboxFor(p, events), timers });
    notify(events);
  }

  const leaseMs = options.leaseMs ?? 60_000;
  const maxAttempts = options.outbox?.maxAttempts ?? 8;
  const backoffMs = options.outbox?.backoffMs ?? 1_000;
  const maxBackoffMs = options.outbox?.maxBackoffMs ?? 3_600_000;

  /** Fires one deal's due timers; on a conflict re-reads and re-judges (never surfaces it). */
  async function fireDeal(id: string, now: Date): Promise<FiredTimer[]> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const loaded = await store.load(id);
      if (!loaded) return [];
      const p = await processFor(loaded.state.opportunity.template, loaded.state.opportunity.templateVersion);
      const d = fireDueTimers(p, loaded.state, { ...env(), now });
      if (d.events.length === 0) return [];
      try {
        await commit(p, loaded.version, d.events, d.state);
        return d.fired;
      } catch (e) {
        if (e instanceof WinpathError && e.code === 'CONCURRENCY_CONFLICT') continue;
        throw e;
      }
    }
    return []; // still contended: the lease runs out and a later tick fires it
  }

  function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`handler did not settle within ${ms} ms`)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  /** Read, decide, append; on a conflict re-read and re-decide up to `retry` times. */
  async function run(id: string, command: Command): Promise<Opportunity> {
    for (let attempt = 0; ; attempt++) {
      const loaded = await store.load(id);
      if (!loaded) throw new WinpathError('NOT_FOUND', `no deal "${id}"`);
      const p = await processFor(loaded.state.opportunity.template, loaded.state.opportunity.templateVersion);
      const { events, state } = decide(p, loaded.state, command, env());
      try {
        await commit(p, loaded.version, events, state);
        return state.opportunity;
      } catch (e) {
        if (e instanceof WinpathError && e.code === 'CONCURRENCY_CONFLICT' && attempt < retry) continue;
        throw e;
      }
    }
  }

  async function ownerOf(kind: 'task' | 'approval', childId: string): Promise<string> {
    checkId(childId, `${kind} id`);
    const found = kind === 'task' ? await store.task(childId) : await store.approval(childId);
    if (!found) throw new WinpathError('NOT_FOUND', `no ${kind} "${childId}"`);
    return found.opportunityId;
  }

  const engine: Engine = {
    store,
    async open(input) {
      const i = parseInput(openInputSchema, input, 'open');
      const versions = byId.get(i.template);
      if (!versions) throw new WinpathError('NOT_FOUND', `no template "${i.template}" was given to the engine`, { fix: `use one of: ${[...byId.keys()].join(', ') || '(none: pass templates to createEngine)'}` });
      const def = i.version === undefined ? versions[0]! : versions.find((d) => d.version === i.version);
      if (!def) throw new WinpathError('NOT_FOUND', `template ${i.template} has no version ${i.version}`, { fix: `versions given: ${versions.map((d) => d.version).join(', ')}` });
      if (!saved.has(def)) {
        await store.saveDefinition(def);
        saved.add(def);
      }
      const p = compileProcess(def);
      const id = i.id ?? newId();
      const cmd: Command = { type: 'open', id, title: i.title, owner: i.owner, amount: i.amount, fields: i.fields, actor: i.actor };
      const { events, state } = decide(p, null, cmd, env());
      await commit(p, 0, events, state);
      return state.opportunity;
    },
    async get(id) {
      const loaded = await store.load(checkId(id, 'deal id'));
      if (!loaded) throw new WinpathError('NOT_FOUND', `no deal "${id}"`);
      return loaded.state.opportunity;
    },
    async update(id, input) {
      const i = parseInput(updateInputSchema, input, 'update');
      return run(checkId(id, 'deal id'), { type: 'update', fields: i.fields, title: i.title, owner: i.owner, amount: i.amount, actor: i.actor });
    },
    async submitDeliverable(id, key, input) {
      const i = parseInput(deliverableInputSchema, input, 'submitDeliverable');
      return run(checkId(id, 'deal id'), { type: 'submitDeliverable', key: checkId(key, 'deliverable key'), ref: i.ref, note: i.note, actor: i.actor });
    },
    async completeTask(taskId, input) {
      const i = parseInput(completeTaskInputSchema, input, 'completeTask');
      return run(await ownerOf('task', taskId), { type: 'completeTask', taskId, note: i.note, actor: i.actor });
    },
    async reassignTask(taskId, input) {
      const i = parseInput(reassignTaskInputSchema, input, 'reassignTask');
      return run(await ownerOf('task', taskId), { type: 'reassignTask', taskId, to: i.to, actor: i.actor });
    },
    async decide(approvalId, input) {
      const i = parseInput(decideInputSchema, input, 'decide');
      return run(await ownerOf('approval', approvalId), { type: 'decide', approvalId, decision: i.decision, comment: i.comment, actor: i.actor });
    },
    async advance(id, input) {
      const i = parseInput(advanceInputSchema, input, 'advance');
      return run(checkId(id, 'deal id'), { type: 'advance', to: i.to, reason: i.reason, actor: i.actor });
    },
    async win(id, input) {
      const i = parseInput(winInputSchema, input, 'win');
      return run(checkId(id, 'deal id'), { type: 'win', actor: i.actor });
    },
    async lose(id, input) {
      const i = parseInput(loseInputSchema, input, 'lose');
      return run(checkId(id, 'deal id'), { type: 'lose', reason: i.reason, note: i.note, actor: i.actor });
    },
    async reopen(id, input) {
      const i = parseInput(reopenInputSchema, input, 'reopen');
      return run(checkId(id, 'deal id'), { type: 'reopen', reason: i.reason, actor: i.actor });
    },
    async addNote(id, input) {
      const i = parseInput(noteInputSchema, input, 'addNote');
      return run(checkId(id, 'deal id'), { type: 'addNote', text: i.text, actor: i.actor });
    },
    async explain(id, opts = {}) {
      const loaded = await store.load(checkId(id, 'deal id'));
      if (!loaded) throw new WinpathError('NOT_FOUND', `no deal "${id}"`);
      const p = await processFor(loaded.state.opportunity.template, loaded.state.opportunity.templateVersion);
      const e = env();
      return explainDeal(p, loaded.state, { ...e, lang: opts.lang ?? lang }, opts);
    },
    async history(id) {
      checkId(id, 'deal id');
      const events = await store.events(id);
      if (events.length === 0) throw new WinpathError('NOT_FOUND', `no deal "${id}"`);
      return events;
    },
    async tasks(filter = {}) {
      return store.tasks(parseInput(taskFilterSchema, filter, 'tasks') as TaskFilter);
    },
    async approvals(filter = {}) {
      return store.approvals(parseInput(approvalFilterSchema, filter, 'approvals') as ApprovalFilter);
    },
    async tick(nowArg) {
      const now = nowArg ?? env().now;
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new WinpathError('INPUT_INVALID', 'tick(now) takes a valid Date');
      const fired: FiredTimer[] = [];
      const batchSize = 100;
      for (;;) {
        const batch = await store.claimTimers({ now: now.toISOString(), limit: batchSize, leaseUntil: new Date(now.getTime() + leaseMs).toISOString() });
        const deals = [...new Set(batch.map((t) => t.opportunityId))];
        for (const id of deals) fired.push(...(await fireDeal(id, now)));
        if (batch.length < batchSize) break;
      }
      return fired;
    },
    async dispatch(handler, opts = {}) {
      if (typeof handler !== 'function') throw new WinpathError('INPUT_INVALID', 'dispatch(handler) takes an async function (message) => void');
      const o = parseInput(dispatchOptionsSchema, opts, 'dispatch');
      const limit = o.limit ?? 100;
      const timeoutMs = o.timeoutMs ?? 30_000;
      const result: DispatchResult = { delivered: 0, failed: 0, dead: 0 };
      let handled = 0;
      while (handled < limit) {
        const now = env().now;
        const batch = await store.claimOutbox({
          now: now.toISOString(), limit: limit - handled, leaseUntil: new Date(now.getTime() + Math.max(leaseMs, timeoutMs * 2)).toISOString(),
        });
        if (batch.length === 0) break;
        for (const m of batch) {
          handled++;
          const attempts = m.attempts + 1;
          try {
            await withTimeout(Promise.resolve().then(() => handler({ id: m.id, opportunityId: m.opportunityId, type: m.type, data: m.data, attempts })), timeoutMs);
            await store.settleOutbox(m.id, { status: 'delivered' });
            result.delivered++;
          } catch (e) {
            const error = e instanceof Error ? e.message : String(e);
            if (attempts >= maxAttempts) {
              await store.settleOutbox(m.id, { status: 'dead', error });
              result.dead++;
            } else {
              const wait = Math.min(backoffMs * 2 ** (attempts - 1), maxBackoffMs);
              await store.settleOutbox(m.id, { status: 'pending', error, nextAttemptAt: new Date(env().now.getTime() + wait).toISOString() });
              result.failed++;
            }
          }
        }
      }
      return result;
    },
    async outbox(filter = {}) {
      return store.outbox(parseInput(outboxFilterSchema, filter, 'outbox') as { status?: OutboxStatus; opportunityId?: string });
    },
    on(type, listener) {
      const set = listeners.get(type) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(type, set);
      return () => {
        set.delete(listener);
      };
    },
    async close() {
      await store.close();
    },
  };
  return engine;
}
