/** Commands as fast-check data, and the runner that applies each to the engine and to the reference model and compares. */
import fc from 'fast-check';
import { createEngine, replay, WinpathError, type Engine, type ProcessDefinition, type Store } from 'winpath';
import { RESOLVE, ReferenceModel, type ActorSpec, type MDeal, type Mutation, type Outcome } from './reference-model.js';

const INLINE: Record<string, ActorSpec> = { director: { id: 'dana', roles: ['director'] }, finance: { id: 'max', roles: ['finance'] } };
const ACTORS: ActorSpec[] = ['sam', 'olga', 'dora', 'fay', 'lee', 'mallory', { id: 'max', roles: ['finance'] }, { id: 'dana', roles: ['director'] }];
const actor = fc.constantFrom(...ACTORS);
/** Mostly the people who may act, so sequences get somewhere. */
const mover = fc.oneof({ arbitrary: fc.constantFrom<ActorSpec>('sam', 'dora'), weight: 3 }, { arbitrary: actor, weight: 1 });
/** An index into the deals opened so far; 9 is a deal that does not exist. */
const deal = fc.nat(9);

export type Cmd =
  | { t: 'open'; owner: string; amount: number | null; region?: string | undefined }
  | { t: 'update'; deal: number; region?: string | null | undefined; amount?: number | null | undefined; owner?: string | undefined }
  | { t: 'submit'; deal: number; key: string }
  | { t: 'complete'; deal: number; pick: number; actor: ActorSpec }
  | { t: 'reassign'; deal: number; pick: number; to: string; actor: ActorSpec }
  | { t: 'decide'; deal: number; pick: number; actor: ActorSpec; approve: boolean }
  | { t: 'advance'; deal: number; actor: ActorSpec; to?: string | undefined }
  | { t: 'win'; deal: number; actor: ActorSpec }
  | { t: 'back'; deal: number; actor: ActorSpec; to: string; reason?: string | undefined }
  | { t: 'lose'; deal: number; actor: ActorSpec; reason: string }
  | { t: 'reopen'; deal: number; actor: ActorSpec }
  | { t: 'tick'; hours: number }
  | { t: 'ready'; deal: number }
  | { t: 'approveAll'; deal: number }
  | { t: 'progress'; deal: number; by: 'owner' | 'dora' };

const open = fc.record({
  t: fc.constant('open' as const),
  owner: fc.constantFrom('sam', 'sam', 'olga'),
  amount: fc.constantFrom(500, 5_000, 5_000, 0, -5, 10.555, null),
  region: fc.option(fc.constantFrom('north', 'south', 'mars'), { nil: undefined }),
}, { requiredKeys: ['t', 'owner', 'amount'] });

export const command: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: open, weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant('update' as const), deal,
      region: fc.option(fc.constantFrom('north', 'south', 'mars', null), { nil: undefined }),
      amount: fc.option(fc.constantFrom(0, 700, 5_000, -1, null), { nil: undefined }),
      owner: fc.option(fc.constantFrom('sam', 'olga'), { nil: undefined }),
    }, { requiredKeys: ['t', 'deal'] }),
    weight: 2,
  },
  { arbitrary: fc.record({ t: fc.constant('submit' as const), deal, key: fc.constantFrom('brief', 'brief', 'contract') }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('complete' as const), deal, pick: fc.nat(5), actor }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('reassign' as const), deal, pick: fc.nat(5), to: fc.constantFrom('sam', 'lee', 'tom'), actor }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('decide' as const), deal, pick: fc.nat(3), actor, approve: fc.boolean() }), weight: 3 },
  {
    arbitrary: fc.record({ t: fc.constant('advance' as const), deal, actor: mover, to: fc.option(fc.constantFrom('survey', 'proposal', 'won', 'lost', 'qualify', 'mars'), { nil: undefined, freq: 3 }) }, { requiredKeys: ['t', 'deal', 'actor'] }),
    weight: 6,
  },
  { arbitrary: fc.record({ t: fc.constant('win' as const), deal, actor: mover }), weight: 2 },
  {
    arbitrary: fc.record({ t: fc.constant('back' as const), deal, actor: mover, to: fc.constantFrom('qualify', 'survey'), reason: fc.option(fc.constantFrom('rework', 'rework', '  '), { nil: undefined, freq: 4 }) }, { requiredKeys: ['t', 'deal', 'actor', 'to'] }),
    weight: 3,
  },
  { arbitrary: fc.record({ t: fc.constant('lose' as const), deal, actor: mover, reason: fc.constantFrom('price', 'timing', 'weather') }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('reopen' as const), deal, actor: mover }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('tick' as const), hours: fc.constantFrom(1, 30, 50, 80, 200) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('ready' as const), deal }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('approveAll' as const), deal }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('progress' as const), deal, by: fc.constantFrom('owner' as const, 'dora' as const) }), weight: 8 },
);

const validOpen = fc.record({ t: fc.constant('open' as const), owner: fc.constantFrom('sam', 'sam', 'olga'), amount: fc.constantFrom(500, 5_000) });

/** A sequence: a valid open first (most commands need a deal), then short random commands. */
export const sequence = (maxLength: number) => fc.tuple(validOpen, fc.array(command, { minLength: 1, maxLength })).map(([o, rest]) => [o as Cmd, ...rest]);

export interface Harness {
  store: Store;
  /** Deal ids unique within the store (sequences may share one store). */
  prefix: string;
  def: ProcessDefinition;
  mutation?: Mutation;
}

const START = Date.parse('2026-03-02T09:00:00.000Z');

/** A divergence between engine and model: the property fails with this message. */
export class Divergence extends Error {}

/** Runs one sequence against a fresh engine over `h.store` and the model; throws Divergence on the first disagreement. */
export interface SequenceFigures {
  commands: number;
  /** Refusals by code. */
  refused: Record<string, number>;
  /** Successful commands by kind (open, advance, win, back, lose, reopen...). */
  succeeded: Record<string, number>;
}

export async function runSequence(h: Harness, cmds: readonly Cmd[]): Promise<SequenceFigures> {
  const model = new ReferenceModel(START, h.mutation ?? 'none');
  const engine: Engine = createEngine({ store: h.store, templates: [h.def], clock: () => new Date(model.now), resolveRole: (role) => RESOLVE[role] ?? [] });
  const ids: string[] = [];
  const refused: Record<string, number> = {};
  const succeeded: Record<string, number> = {};
  let commands = 0;
  const dealId = (i: number) => (i === 9 || ids.length === 0 ? `${h.prefix}-ghost` : ids[i % ids.length]!);

  /** One engine call checked against the model's outcome; on refusal nothing may be written. */
  async function step(label: string, expected: Outcome, call: () => Promise<unknown>, id?: string): Promise<void> {
    commands++;
    const before = id ? (await h.store.load(id))?.version : undefined;
    let got: Outcome;
    try {
      await call();
      got = { ok: true };
    } catch (e) {
      if (!(e instanceof WinpathError)) throw new Divergence(`${label}: threw ${String(e)}`);
      got = { ok: false, code: e.code as never };
      refused[e.code] = (refused[e.code] ?? 0) + 1;
    }
    if (got.ok !== expected.ok || (!got.ok && !expected.ok && got.code !== expected.code)) {
      throw new Divergence(`${label}: engine ${got.ok ? 'ok' : got.code}, model ${expected.ok ? 'ok' : expected.code}`);
    }
    if (got.ok) {
      const kind = label.split(' ')[0]!;
      succeeded[kind] = (succeeded[kind] ?? 0) + 1;
    }
    if (!got.ok && id) {
      const after = (await h.store.load(id))?.version;
      if (after !== before) throw new Divergence(`${label}: refused, yet version ${before} became ${after}`);
    }
  }

  for (const c of cmds) {
    switch (c.t) {
      case 'open': {
        const id = `${h.prefix}-${ids.length}`;
        const input = { id, template: 'model', title: `Deal ${ids.length}`, owner: c.owner, amount: c.amount, actor: c.owner, ...(c.region === undefined ? {} : { fields: { region: c.region } }) };
        const expected = model.open(id, c.owner, c.amount, c.region, c.owner);
        await step(`open ${JSON.stringify(input)}`, expected, () => engine.open(input));
        if (expected.ok) ids.push(id);
        break;
      }
      case 'update': {
        const fields: Record<string, unknown> = {};
        if (c.region !== undefined) fields['region'] = c.region;
        if (c.amount !== undefined) fields['amount'] = c.amount;
        const patch = { ...(c.region === undefined ? {} : { region: c.region }), ...(c.amount === undefined ? {} : { amount: c.amount }), ...(c.owner === undefined ? {} : { owner: c.owner }) };
        const id = dealId(c.deal);
        await step(`update ${id} ${JSON.stringify(patch)}`, model.update(id, patch), () => engine.update(id, { fields, ...(c.owner === undefined ? {} : { owner: c.owner }), actor: 'sam' }), id);
        break;
      }
      case 'submit': {
        const id = dealId(c.deal);
        await step(`submit ${id} ${c.key}`, model.submit(id, c.key), () => engine.submitDeliverable(id, c.key, { ref: 'doc', actor: 'sam' }), id);
        break;
      }
      case 'complete':
      case 'reassign': {
        const d = model.deals.get(dealId(c.deal));
        const taskId = d && d.tasks.length ? d.tasks[c.pick % d.tasks.length]!.id : `${h.prefix}-no-task`;
        if (c.t === 'complete') await step(`complete ${taskId} as ${JSON.stringify(c.actor)}`, model.task(taskId, c.actor), () => engine.completeTask(taskId, { actor: c.actor }), d?.id);
        else await step(`reassign ${taskId} to ${c.to} as ${JSON.stringify(c.actor)}`, model.task(taskId, c.actor, c.to), () => engine.reassignTask(taskId, { to: c.to, actor: c.actor }), d?.id);
        break;
      }
      case 'decide': {
        const d = model.deals.get(dealId(c.deal));
        const approvalId = d && d.approvals.length ? d.approvals[c.pick % d.approvals.length]!.id : `${h.prefix}-no-approval`;
        const decision = c.approve ? 'approve' : 'reject';
        await step(`decide ${approvalId} ${decision} as ${JSON.stringify(c.actor)}`, model.decide(approvalId, c.actor, decision), () => engine.decide(approvalId, { actor: c.actor, decision }), d?.id);
        break;
      }
      case 'advance': {
        const id = dealId(c.deal);
        await step(`advance ${id} to ${c.to ?? '(next)'} as ${JSON.stringify(c.actor)}`, model.advance(id, c.actor, c.to), () => engine.advance(id, { actor: c.actor, ...(c.to === undefined ? {} : { to: c.to }) }), id);
        break;
      }
      case 'win': {
        const id = dealId(c.deal);
        await step(`win ${id} as ${JSON.stringify(c.actor)}`, model.advance(id, c.actor, 'won'), () => engine.win(id, { actor: c.actor }), id);
        break;
      }
      case 'back': {
        const id = dealId(c.deal);
        await step(`back ${id} to ${c.to} (${c.reason ?? 'no reason'}) as ${JSON.stringify(c.actor)}`, model.advance(id, c.actor, c.to, c.reason),
          () => engine.advance(id, { actor: c.actor, to: c.to, ...(c.reason === undefined ? {} : { reason: c.reason }) }), id);
        break;
      }
      case 'lose': {
        const id = dealId(c.deal);
        await step(`lose ${id} (${c.reason}) as ${JSON.stringify(c.actor)}`, model.lose(id, c.actor, c.reason), () => engine.lose(id, { reason: c.reason, actor: c.actor }), id);
        break;
      }
      case 'reopen': {
        const id = dealId(c.deal);
        await step(`reopen ${id} as ${JSON.stringify(c.actor)}`, model.reopen(id, c.actor), () => engine.reopen(id, { actor: c.actor }), id);
        break;
      }
      case 'tick': {
        commands++;
        model.tick(c.hours);
        await engine.tick();
        break;
      }
      case 'ready': {
        const d = model.deals.get(dealId(c.deal));
        if (d) await ready(d);
        break;
      }
      case 'approveAll': {
        const d = model.deals.get(dealId(c.deal));
        if (d) await approveAll(d);
        break;
      }
      case 'progress': {
        // what a user does to move a deal on: meet the stage's requirements, then advance (each a command checked on its own)
        const d = model.deals.get(dealId(c.deal));
        if (!d) break;
        if (d.stage === 'qualify') await ready(d);
        else await approveAll(d);
        const by = c.by === 'owner' && d.stage !== 'proposal' ? d.owner : 'dora';
        await step(`advance ${d.id} as ${by} (progress)`, model.advance(d.id, by), () => engine.advance(d.id, { actor: by }), d.id);
        break;
      }
    }
    // a command touches its own deal only; a tick may touch every deal
    const touched = c.t === 'tick' ? ids : c.t === 'open' ? ids.slice(-1) : ids.filter((id) => id === dealId(c.deal));
    for (const id of touched) await compare(h.store, model.deals.get(id)!, `after ${c.t}`);
  }

  /** The steps an owner takes to meet qualify's requirements. */
  async function ready(d: MDeal): Promise<void> {
    const owner = d.owner;
    await step(`update ${d.id} region (ready)`, model.update(d.id, { region: 'north' }), () => engine.update(d.id, { fields: { region: 'north' }, actor: owner }), d.id);
    await step(`submit ${d.id} brief (ready)`, model.submit(d.id, 'brief'), () => engine.submitDeliverable(d.id, 'brief', { actor: owner }), d.id);
    for (const t of d.tasks.filter((x) => x.status === 'open' && x.key === 'call')) {
      await step(`complete ${t.id} (ready)`, model.task(t.id, owner), () => engine.completeTask(t.id, { actor: owner }), d.id);
    }
  }

  /** Decides every pending approval: each slot in order, by a user who may fill it and is not the requester. */
  async function approveAll(d: MDeal): Promise<void> {
    // dora or dana for director, fay or max for finance
    for (const a of d.approvals.filter((x) => x.status === 'pending')) {
      for (const slot of a.approvers) {
        const user = [...(RESOLVE[slot] ?? []), INLINE[slot]!].find((u) => (typeof u === 'string' ? u : u.id) !== a.requestedBy)!;
        await step(`decide ${a.id} approve as ${JSON.stringify(user)} (approveAll)`, model.decide(a.id, user, 'approve'), () => engine.decide(a.id, { actor: user, decision: 'approve' }), d.id);
      }
    }
  }

  // every deal as the model has it, its log gapless and replaying to the projection, its outbox holding what its events produced
  for (const id of ids) {
    await compare(h.store, model.deals.get(id)!, 'at the end');
    const events = await h.store.events(id);
    const loaded = (await h.store.load(id))!;
    if (events.some((e, i) => e.seq !== i + 1) || loaded.version !== events.length) throw new Divergence(`deal ${id}: log is not gapless 1..${loaded.version}`);
    if (JSON.stringify(sortKeys(replay(events))) !== JSON.stringify(sortKeys(loaded.state))) throw new Divergence(`deal ${id}: replay differs from the projection`);
    const outbox = (await h.store.outbox({ opportunityId: id })).length;
    if (outbox !== model.deals.get(id)!.outbox) throw new Divergence(`deal ${id}: ${outbox} outbox messages, the model expects ${model.deals.get(id)!.outbox}`);
  }
  return { commands, refused, succeeded };
}

/** The engine's stored deal against the model's, on what the rules decide. */
async function compare(store: Store, m: MDeal, when: string): Promise<void> {
  const loaded = await store.load(m.id);
  if (!loaded) throw new Divergence(`${when}: deal ${m.id} is missing`);
  const s = loaded.state;
  const o = s.opportunity;
  const engine = {
    stage: o.stage, status: o.status, owner: o.owner, amount: o.amount, region: (o.fields['region'] as string | undefined) ?? null, idle: o.idle,
    lossReason: o.lossReason, brief: s.deliverables['brief'] !== undefined,
    tasks: s.tasks.map((t) => `${t.id}:${t.status}:${t.assignee}:${t.overdueAt !== null}`),
    approvals: s.approvals.map((a) => `${a.id}:${a.status}:${a.requestedBy}:${a.decisions.map((d) => `${d.slot}${d.by}${d.decision}`).join(',')}`),
  };
  const model = {
    stage: m.stage, status: m.status, owner: m.owner, amount: m.amount, region: m.region, idle: m.idle, lossReason: m.lossReason, brief: m.brief,
    tasks: m.tasks.map((t) => `${t.id}:${t.status}:${t.assignee}:${t.overdue}`),
    approvals: m.approvals.map((a) => `${a.id}:${a.status}:${a.requestedBy}:${a.decisions.map((d) => `${d.slot}${d.by}${d.decision}`).join(',')}`),
  };
  const a = JSON.stringify(engine);
  const b = JSON.stringify(model);
  if (a !== b) throw new Divergence(`${when}: deal ${m.id} differs\n  engine ${a}\n  model  ${b}`);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
