/** The analytics query port: aggregates a store answers about its deals; SQL stores compute them in SQL, others in code. */
import type { FieldType, OpportunityEvent, Opportunity } from '../model/index.js';
import type { Store } from './port.js';

/** A column of the opportunity projection, or a template field (validated by analytics before it reaches a store). */
export type FieldRef =
  | { kind: 'column'; name: 'owner' | 'stage' | 'status' | 'template' | 'openedAt' | 'closedAt' | 'amount' }
  | { kind: 'field'; key: string; type: FieldType };

export interface Condition {
  ref: FieldRef;
  op: 'eq' | 'in' | 'gte' | 'lte' | 'gt' | 'lt';
  value: string | number | boolean | readonly (string | number | boolean)[];
}

/** Group rows by a column or field, or by the month a deal opened (`YYYY-MM`, UTC). */
export type GroupRef = FieldRef | { kind: 'month' } | null;

export interface AnalyticsQuery {
  template: string;
  where: readonly Condition[];
  groupBy: GroupRef;
}

export interface GroupedCount {
  group: string | null;
  count: number;
  amountMinor: number;
}

export interface QueryPort {
  /** Open deals per (group, stage): now, or as they stood at `asOf` (stage and amount then). */
  openByStage(q: AnalyticsQuery & { asOf?: string }): Promise<(GroupedCount & { stage: string })[]>;
  /** `to: null`: deals that ever entered `from`; otherwise deals that entered `to` after entering `from`. */
  stageReach(q: AnalyticsQuery & { enteredOnly?: boolean }): Promise<{ group: string | null; from: string; to: string | null; deals: number }[]>;
  /** Completed stays in each stage (days), and (`stage: null`) open-to-won cycles of won deals. */
  durations(q: AnalyticsQuery): Promise<{ group: string | null; stage: string | null; days: number[] }[]>;
  /** Per stage: closed (won or lost) deals that entered it, and how many of them were won; `groupBy` is ignored. */
  closedReach(q: AnalyticsQuery): Promise<{ stage: string; closed: number; won: number }[]>;
  /**
   * Per stage of `stages`: how many completed stays, and the two middle ones in days (the same value twice for an
   * odd count), from which the median is exact; stages without a completed stay are left out; `groupBy` is ignored.
   */
  stayMiddles(q: AnalyticsQuery & { stages: readonly string[] }): Promise<{ stage: string; count: number; lower: number; upper: number }[]>;
  /** Lost deals per (group, reason, stage lost from). */
  losses(q: AnalyticsQuery): Promise<(GroupedCount & { reason: string; stage: string })[]>;
  /**
   * Closing in [fromInstant, toInstant): deals won then; open deals whose `closeField` date is in
   * [fromDate, toDate]; and open deals without that date, per stage and the UTC day they entered it.
   */
  closing(q: AnalyticsQuery & { fromInstant: string; toInstant: string; fromDate: string; toDate: string; closeField: string | null }): Promise<{
    won: GroupedCount[];
    dated: (GroupedCount & { stage: string })[];
    undated: (GroupedCount & { stage: string; enteredDay: string })[];
  }>;
}

// ---- the in-code implementation, over any Store's port methods (the memory store, third-party stores) ----

interface Entry {
  stage: string;
  enteredAt: string;
  exitedAt: string | null;
}

interface DealFacts {
  o: Opportunity;
  entries: Entry[];
  /** [at, amountMinor] in order. */
  amounts: [string, number | null][];
  lostFrom: string | null;
}

const toMinor = (a: number | null | undefined): number => (a === null || a === undefined ? 0 : Math.round(a * 100));

function factsOf(o: Opportunity, events: OpportunityEvent[]): DealFacts {
  const entries: Entry[] = [];
  const amounts: [string, number | null][] = [];
  let lostFrom: string | null = null;
  for (const e of events) {
    if (e.type === 'stage.entered') {
      const last = entries[entries.length - 1];
      if (last && last.exitedAt === null) last.exitedAt = e.at;
      entries.push({ stage: e.data['stage'] as string, enteredAt: e.at, exitedAt: null });
    } else if (e.type === 'stage.exited') {
      const last = entries[entries.length - 1];
      if (last && last.exitedAt === null) last.exitedAt = e.at;
    } else if (e.type === 'opportunity.opened') {
      const f = e.data['fields'] as Record<string, unknown>;
      amounts.push([e.at, typeof f['amount'] === 'number' ? toMinor(f['amount']) : null]);
    } else if (e.type === 'opportunity.updated') {
      const f = e.data['fields'] as Record<string, unknown> | undefined;
      if (f && 'amount' in f) amounts.push([e.at, typeof f['amount'] === 'number' ? toMinor(f['amount']) : null]);
    } else if (e.type === 'opportunity.lost') {
      lostFrom = e.data['from'] as string;
    }
  }
  return { o, entries, amounts, lostFrom };
}

function value(o: Opportunity, ref: FieldRef): unknown {
  if (ref.kind === 'field') return o.fields[ref.key] ?? null;
  return ref.name === 'amount' ? o.amount : o[ref.name];
}

function matches(o: Opportunity, c: Condition): boolean {
  const v = value(o, c.ref);
  if (v === null || v === undefined) return false;
  const cmp = (x: unknown) => (typeof v === 'number' && typeof x === 'number' ? v - x : String(v) < String(x) ? -1 : String(v) > String(x) ? 1 : 0);
  switch (c.op) {
    case 'eq': return cmp(c.value) === 0;
    case 'in': return (c.value as readonly unknown[]).some((x) => cmp(x) === 0);
    case 'gte': return cmp(c.value) >= 0;
    case 'lte': return cmp(c.value) <= 0;
    case 'gt': return cmp(c.value) > 0;
    case 'lt': return cmp(c.value) < 0;
  }
}

export function groupOf(o: Opportunity, g: GroupRef): string | null {
  if (g === null) return null;
  if (g.kind === 'month') return o.openedAt.slice(0, 7);
  const v = value(o, g);
  return v === null || v === undefined ? null : String(v);
}

const DAY = 86_400_000;
const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY;

/** Answers the query port from any Store's public methods, in code. */
export function codeQueryPort(store: Store): QueryPort {
  const deals = async (q: AnalyticsQuery): Promise<DealFacts[]> => {
    const all = (await store.opportunities({ template: q.template })).filter((o) => q.where.every((c) => matches(o, c)));
    return Promise.all(all.map(async (o) => factsOf(o, await store.events(o.id))));
  };
  const bump = <T extends { count: number; amountMinor: number }>(m: Map<string, T>, key: string, make: () => T, amount: number) => {
    let r = m.get(key);
    if (!r) m.set(key, (r = make()));
    r.count++;
    r.amountMinor += amount;
  };
  const port: QueryPort = {
    async openByStage(q) {
      const out = new Map<string, GroupedCount & { stage: string }>();
      for (const d of await deals(q)) {
        const group = groupOf(d.o, q.groupBy);
        let stage: string | undefined;
        let amount = toMinor(d.o.amount);
        if (q.asOf === undefined) {
          if (d.o.status === 'open') stage = d.o.stage;
        } else {
          const at = d.entries.filter((e) => e.enteredAt <= q.asOf!).pop();
          if (at && (at.exitedAt === null || at.exitedAt > q.asOf)) stage = at.stage;
          amount = d.amounts.filter(([t]) => t <= q.asOf!).pop()?.[1] ?? 0;
        }
        if (stage === undefined) continue;
        bump(out, `${group}\u0000${stage}`, () => ({ group, stage: stage!, count: 0, amountMinor: 0 }), amount);
      }
      return [...out.values()];
    },
    async stageReach(q) {
      const out = new Map<string, { group: string | null; from: string; to: string | null; deals: number }>();
      const add = (group: string | null, from: string, to: string | null) => {
        const k = `${group}\u0000${from}\u0000${to}`;
        const r = out.get(k) ?? { group, from, to, deals: 0 };
        r.deals++;
        out.set(k, r);
      };
      for (const d of await deals(q)) {
        const group = groupOf(d.o, q.groupBy);
        const firstEntry = new Map<string, number>();
        d.entries.forEach((e, i) => { if (!firstEntry.has(e.stage)) firstEntry.set(e.stage, i); });
        for (const [from, i] of firstEntry) {
          add(group, from, null);
          if (q.enteredOnly) continue;
          const later = new Set(d.entries.slice(i + 1).map((e) => e.stage));
          for (const to of later) if (to !== from) add(group, from, to);
        }
      }
      return [...out.values()];
    },
    async durations(q) {
      const out = new Map<string, { group: string | null; stage: string | null; days: number[] }>();
      const push = (group: string | null, stage: string | null, d: number) => {
        const k = `${group}\u0000${stage}`;
        const r = out.get(k) ?? { group, stage, days: [] };
        r.days.push(d);
        out.set(k, r);
      };
      for (const d of await deals(q)) {
        const group = groupOf(d.o, q.groupBy);
        for (const e of d.entries) if (e.exitedAt !== null) push(group, e.stage, days(e.enteredAt, e.exitedAt));
        if (d.o.status === 'won' && d.o.closedAt) push(group, null, days(d.o.openedAt, d.o.closedAt));
      }
      for (const r of out.values()) r.days.sort((a, b) => a - b);
      return [...out.values()];
    },
    async closedReach(q) {
      const out = new Map<string, { stage: string; closed: number; won: number }>();
      for (const d of await deals(q)) {
        if (d.o.status === 'open') continue;
        for (const stage of new Set(d.entries.map((e) => e.stage))) {
          const r = out.get(stage) ?? { stage, closed: 0, won: 0 };
          r.closed++;
          if (d.o.status === 'won') r.won++;
          out.set(stage, r);
        }
      }
      return [...out.values()];
    },
    async stayMiddles(q) {
      return middlesOf(await port.durations({ ...q, groupBy: null })).filter((m) => q.stages.includes(m.stage));
    },
    async losses(q) {
      const out = new Map<string, GroupedCount & { reason: string; stage: string }>();
      for (const d of await deals(q)) {
        if (d.o.status !== 'lost' || !d.o.lossReason) continue;
        const group = groupOf(d.o, q.groupBy);
        const stage = d.lostFrom ?? d.o.stage;
        bump(out, `${group}\u0000${d.o.lossReason}\u0000${stage}`, () => ({ group, reason: d.o.lossReason!, stage, count: 0, amountMinor: 0 }), toMinor(d.o.amount));
      }
      return [...out.values()];
    },
    async closing(q) {
      const won = new Map<string, GroupedCount>();
      const dated = new Map<string, GroupedCount & { stage: string }>();
      const undated = new Map<string, GroupedCount & { stage: string; enteredDay: string }>();
      for (const d of await deals(q)) {
        const o = d.o;
        const group = groupOf(o, q.groupBy);
        const amount = toMinor(o.amount);
        if (o.status === 'won' && o.closedAt && o.closedAt >= q.fromInstant && o.closedAt < q.toInstant) {
          bump(won, `${group}`, () => ({ group, count: 0, amountMinor: 0 }), amount);
        } else if (o.status === 'open') {
          const close = q.closeField ? (o.fields[q.closeField] as string | undefined) ?? null : null;
          if (close !== null) {
            if (close >= q.fromDate && close <= q.toDate) bump(dated, `${group}\u0000${o.stage}`, () => ({ group, stage: o.stage, count: 0, amountMinor: 0 }), amount);
          } else {
            const enteredDay = o.stageEnteredAt.slice(0, 10);
            bump(undated, `${group}\u0000${o.stage}\u0000${enteredDay}`, () => ({ group, stage: o.stage, enteredDay, count: 0, amountMinor: 0 }), amount);
          }
        }
      }
      return { won: [...won.values()], dated: [...dated.values()], undated: [...undated.values()] };
    },
  };
  return port;
}

/** The two middle completed stays of each stage, from sorted durations (the shape `stayMiddles` answers). */
export function middlesOf(durations: readonly { stage: string | null; days: readonly number[] }[]): { stage: string; count: number; lower: number; upper: number }[] {
  const out: { stage: string; count: number; lower: number; upper: number }[] = [];
  for (const d of durations) {
    if (d.stage === null || d.days.length === 0) continue;
    const i = (d.days.length - 1) / 2;
    out.push({ stage: d.stage, count: d.days.length, lower: d.days[Math.floor(i)]!, upper: d.days[Math.ceil(i)]! });
  }
  return out;
}
