/** simulate: drives the real engine with a virtual clock through a seeded population of deals. */
import { createEngine, type Engine, type EngineOptions } from '../engine/index.js';
import { WinpathError } from '../errors/index.js';
import { isOpenStage, stageProbability, type DealState, type FieldDef, type ProcessDefinition } from '../model/index.js';
import { memoryStore } from '../storage/memory/memory-store.js';
import { loadTemplate } from '../template/index.js';
import type { Store } from '../storage/port.js';
import { createRandom, type Random } from './random.js';
import { agreeableValue, satisfyRequirements } from './satisfy.js';

export interface StageBehavior {
  /** Share of deals in this stage that move on (the rest are lost here), 0..1. */
  conversion?: number;
  /** Mean days a deal spends in the stage before it moves on or is lost. */
  dwellDays?: number;
}

export interface SimulationBehavior {
  /** Per open stage; default conversion: next stage's probability / this one's (so stage-to-won equals the stage probability). */
  stages?: Record<string, StageBehavior>;
  /** Deals arrive spread over the first `arrivalDays` days (default: two thirds of `days`). */
  arrivalDays?: number;
  /** Weights of the loss reasons (default: equal). */
  lossReasons?: Record<string, number>;
  owners?: string[];
  /** Amounts are drawn log-uniformly in [min, max] (major units). */
  amount?: { min: number; max: number };
  /** Choices per field key (enum, string, dimension fields). */
  fields?: Record<string, readonly unknown[]>;
  /** Share of approval decisions that reject (default 0). */
  rejectRate?: number;
}

export interface SimulateOptions {
  /** A compiled definition, or a shipped template id / template file to load. */
  template: ProcessDefinition | string;
  store?: Store;
  deals: number;
  seed: number;
  /** The first simulated instant. */
  start: Date | string;
  /** How many days to simulate (default 91, a quarter). */
  days?: number;
  behavior?: SimulationBehavior;
  /** Engine options (timeZone, holidays, lang...) besides store, templates, clock. */
  engine?: Omit<EngineOptions, 'store' | 'templates' | 'clock'>;
  onProgress?: (p: { day: number; days: number; opened: number; closed: number }) => void;
}

export interface StageSimulation {
  stage: string;
  /** Deals that ever entered the stage. */
  entered: number;
  /** Of those, deals closed by the end (won or lost). */
  closed: number;
  won: number;
  /** won / closed among deals that entered the stage (measured). */
  stageToWon: number;
  /**
   * The rate the behaviour implies: this stage's conversion times the expected rate of the stages deals
   * moved on to (weighted by how often each branch was taken), down to won.
   */
  expectedStageToWon: number;
  /** The conversion given (or derived from the probabilities). */
  conversion: number;
  /** Measured: deals that moved on from the stage / deals decided there (moved on or lost). */
  measuredConversion: number;
}

export interface SimulationResult {
  template: string;
  seed: number;
  start: string;
  end: string;
  days: number;
  opened: number;
  won: number;
  lost: number;
  open: number;
  /** Deals a requirement the simulator could not meet kept from moving (counted, then lost as 'stuck'). */
  stuck: number;
  commands: number;
  firedTimers: number;
  stages: StageSimulation[];
  /** The store, ready for analytics. */
  store: Store;
}

const DAY = 86_400_000;

interface Plan {
  id: string;
  owner: string;
  at: number;
}

/**
 * Runs `deals` deals through the real engine, day by day on a virtual clock, seeded.
 * @example const result = await simulate({ template: await loadTemplate('b2b-standard'), deals: 500, seed: 7, start: '2026-07-01' });
 */
export async function simulate(opts: SimulateOptions): Promise<SimulationResult> {
  const def = typeof opts.template === 'string' ? await loadTemplate(opts.template) : opts.template;
  if (!def || !Array.isArray(def.stages)) throw new WinpathError('INPUT_INVALID', 'simulate needs a template: a definition from loadTemplate, or a template id or file');
  if (!Number.isInteger(opts.deals) || opts.deals < 0 || opts.deals > 1_000_000) throw new WinpathError('INPUT_INVALID', 'simulate: deals must be an integer in 0..1,000,000');
  const start = new Date(opts.start);
  if (Number.isNaN(start.getTime())) throw new WinpathError('INPUT_INVALID', `simulate: start "${String(opts.start)}" is not a date`);
  const days = opts.days ?? 91;
  const behavior = opts.behavior ?? {};
  const rnd = createRandom(opts.seed);
  const store = opts.store ?? memoryStore();
  const open = def.stages.filter(isOpenStage);
  const won = def.stages.find((s) => s.outcome === 'won')!;
  const owners = behavior.owners ?? ['chen', 'li', 'wang', 'zhang', 'zhao'];
  const conversion = new Map<string, number>();
  open.forEach((s, i) => {
    const next = open[i + 1] ?? won;
    const given = behavior.stages?.[s.key]?.conversion;
    const p = stageProbability(s);
    const q = stageProbability(next);
    conversion.set(s.key, given ?? (p > 0 && q > 0 ? Math.min(1, p / q) : 0.6));
  });
  const dwell = (key: string) => behavior.stages?.[key]?.dwellDays ?? 7;

  let now = start.getTime();
  let n = 0;
  let commands = 0;
  const engine: Engine = createEngine({
    ...opts.engine,
    store,
    templates: [def],
    clock: () => new Date(now),
    ids: () => `sim-${opts.seed}-${++n}`,
    resolveRole: (role) => [`${role}-1`, `${role}-2`, `${role}-3`],
  });
  const run = async <T>(work: Promise<T>): Promise<T> => {
    commands++;
    return work;
  };

  // arrivals, spread over the arrival window
  const arrivalDays = Math.min(behavior.arrivalDays ?? Math.max(1, Math.floor((days * 2) / 3)), days);
  const queue = new PlanQueue();
  const arrivals = Array.from({ length: opts.deals }, () => start.getTime() + rnd.next() * arrivalDays * DAY).sort((a, b) => a - b);
  const entered = new Map<string, Set<string>>();
  const moves = new Map<string, Map<string, number>>();
  const lostAt = new Map<string, number>();
  let stuck = 0;
  let firedTimers = 0;
  let opened = 0;
  let closed = 0;

  const fieldValue = (key: string, f: FieldDef): unknown => {
    const choices = behavior.fields?.[key];
    if (choices && choices.length) return rnd.pick(choices);
    return f.type === 'user' ? rnd.pick(owners) : agreeableValue(key, f, new Date(now), rnd);
  };
  const amount = () => {
    const { min, max } = behavior.amount ?? { min: 20_000, max: 2_000_000 };
    return Math.round(Math.exp(rnd.between(Math.log(min), Math.log(max))) / 100) * 100;
  };

  async function openDeal(at: number): Promise<void> {
    const owner = rnd.pick(owners);
    const fields: Record<string, unknown> = {};
    for (const [key, f] of Object.entries(def.fields)) {
      if (key === 'amount') continue;
      if (f.required || f.dimension || (behavior.fields?.[key] !== undefined)) fields[key] = fieldValue(key, f);
    }
    if (def.fields['expectedCloseDate']?.type === 'date') {
      const ahead = open.reduce((s, st) => s + dwell(st.key), 0);
      fields['expectedCloseDate'] = new Date(at + rnd.between(0.6, 1.4) * ahead * DAY).toISOString().slice(0, 10);
    }
    const d = await run(engine.open({ template: def.id, title: `${def.id} #${opened + 1}`, owner, amount: amount(), fields, actor: { id: owner } }));
    opened++;
    track(d.id, d.stage);
    queue.push({ id: d.id, owner, at: at + rnd.between(0.5, 1.5) * dwell(d.stage) * DAY });
  }

  function track(id: string, stage: string): void {
    let set = entered.get(stage);
    if (!set) entered.set(stage, (set = new Set()));
    set.add(id);
  }

  /** Meets every requirement it can (fields, deliverables, tasks, approvals), then moves or loses the deal. */
  async function act(plan: Plan): Promise<void> {
    const loaded = await store.load(plan.id);
    if (!loaded || loaded.state.opportunity.status !== 'open') return;
    const state = loaded.state;
    const stage = def.stages.find((s) => s.key === state.opportunity.stage)!;
    const actor = { id: plan.owner, roles: [...def.roles] };
    if (!rnd.chance(conversion.get(stage.key) ?? 0.5)) {
      lostAt.set(stage.key, (lostAt.get(stage.key) ?? 0) + 1);
      await run(engine.lose(plan.id, { reason: rnd.weighted(behavior.lossReasons ?? Object.fromEntries(def.lossReasons.map((r) => [r, 1]))), actor }));
      closed++;
      return;
    }
    commands += await satisfyRequirements(engine, def, plan.id, actor, {
      value: (key, f) => fieldValue(key, f),
      reject: () => rnd.chance(behavior.rejectRate ?? 0),
    });
    try {
      const moved = await run(engine.advance(plan.id, { actor }));
      track(plan.id, moved.stage);
      const out = moves.get(stage.key) ?? new Map<string, number>();
      out.set(moved.stage, (out.get(moved.stage) ?? 0) + 1);
      moves.set(stage.key, out);
      if (moved.status === 'won') closed++;
      else {
        queue.push({ ...plan, at: now + rnd.between(0.5, 1.5) * dwell(moved.stage) * DAY });
      }
    } catch (e) {
      if (!(e instanceof WinpathError) || e.code !== 'GUARD_FAILED') throw e;
      stuck++;
      await run(engine.lose(plan.id, { reason: def.lossReasons.includes('stuck') ? 'stuck' : def.lossReasons[def.lossReasons.length - 1]!, note: 'simulator: requirement it could not meet', actor }));
      closed++;
    }
  }

  const end = start.getTime() + days * DAY;
  let nextArrival = 0;
  for (let day = 0; day < days; day++) {
    const dayEnd = start.getTime() + (day + 1) * DAY;
    for (;;) {
      const arrivalAt = nextArrival < arrivals.length ? arrivals[nextArrival]! : Infinity;
      const head = queue.peek();
      const due = head && head.at < dayEnd ? head.at : Infinity;
      const t = Math.min(arrivalAt, due);
      if (t >= dayEnd) break;
      now = Math.max(now, t);
      if (t === arrivalAt) {
        nextArrival++;
        await openDeal(t);
      } else {
        await act(queue.pop()!);
      }
    }
    now = dayEnd;
    firedTimers += (await engine.tick(new Date(now))).length;
    opts.onProgress?.({ day: day + 1, days, opened, closed });
  }

  const deals = await store.opportunities({ template: def.id });
  const status = new Map(deals.map((o) => [o.id, o.status]));
  // expected stage-to-won: the given conversion, then the branches deals actually took, down to won
  const memo = new Map<string, number>();
  const expectedFrom = (key: string, seen: Set<string>): number => {
    if (key === won.key) return 1;
    if (memo.has(key)) return memo.get(key)!;
    if (seen.has(key)) return 0;
    const next = moves.get(key);
    const total = next ? [...next.values()].reduce((a, b) => a + b, 0) : 0;
    let rate = 0;
    if (next && total > 0) {
      const inner = new Set(seen).add(key);
      for (const [to, count] of next) rate += (count / total) * expectedFrom(to, inner);
    } else {
      // no deal moved on from here: follow the list order, as the default transitions do
      const i = open.findIndex((s) => s.key === key);
      rate = i >= 0 ? expectedFrom((open[i + 1] ?? won).key, new Set(seen).add(key)) : 0;
    }
    const value = (conversion.get(key) ?? 0) * rate;
    memo.set(key, value);
    return value;
  };
  const stages: StageSimulation[] = open.map((s) => {
    const ids = [...(entered.get(s.key) ?? [])];
    const closedIds = ids.filter((id) => status.get(id) !== 'open');
    const wonCount = closedIds.filter((id) => status.get(id) === 'won').length;
    const movedOn = [...(moves.get(s.key)?.values() ?? [])].reduce((a, b) => a + b, 0);
    const decided = movedOn + (lostAt.get(s.key) ?? 0);
    return {
      stage: s.key, entered: ids.length, closed: closedIds.length, won: wonCount,
      stageToWon: closedIds.length ? wonCount / closedIds.length : 0, expectedStageToWon: expectedFrom(s.key, new Set()),
      conversion: conversion.get(s.key) ?? 0, measuredConversion: decided ? movedOn / decided : 0,
    };
  });
  return {
    template: def.id, seed: opts.seed, start: start.toISOString(), end: new Date(end).toISOString(), days,
    opened, won: deals.filter((o) => o.status === 'won').length, lost: deals.filter((o) => o.status === 'lost').length,
    open: deals.filter((o) => o.status === 'open').length, stuck, commands, firedTimers, stages, store,
  };
}

export type { Random };

/** A binary min-heap of plans by time (then id, so equal times stay deterministic). */
class PlanQueue {
  private items: Plan[] = [];
  private less(a: Plan, b: Plan): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }
  peek(): Plan | undefined {
    return this.items[0];
  }
  push(p: Plan): void {
    const h = this.items;
    h.push(p);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): Plan | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
