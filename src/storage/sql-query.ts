/** The analytics query port in SQL, behind a small dialect seam (SQLite, PostgreSQL): every aggregate computed by the database, every value bound. */
import { middlesOf, type AnalyticsQuery, type Condition, type FieldRef, type GroupRef, type GroupedCount, type QueryPort } from './query-port.js';

/** What differs between the SQL engines; every value still travels as a bound `?` parameter. */
export interface SqlDialect {
  /** A template field of `o.fields` as a comparable value of its type; `path` is the bound JSON key. */
  field(ref: Extract<FieldRef, { kind: 'field' }>, params: unknown[]): string;
  /** A field as text, for grouping. */
  fieldText(ref: Extract<FieldRef, { kind: 'field' }>, params: unknown[]): string;
  /** Milliseconds between two ISO instant columns. */
  millisBetween(from: string, to: string): string;
  /** The stage a lost deal was lost from (from the stored state). */
  lostFrom: string;
  /** Runs a query (with `?` placeholders) and returns its rows. */
  all(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>;
}

const COLUMN_SQL: Record<Extract<FieldRef, { kind: 'column' }>['name'], string> = {
  owner: 'o.owner', stage: 'o.stage', status: 'o.status', template: 'o.template', openedAt: 'o.opened_at', closedAt: 'o.closed_at', amount: 'o.amount_minor',
};
const OPS: Record<Condition['op'], string> = { eq: '=', in: 'IN', gte: '>=', lte: '<=', gt: '>', lt: '<' };

/** SQL for a field or column, with its bound parameters (a field's JSON path is bound, never spliced). */
function refSql(d: SqlDialect, ref: FieldRef, params: unknown[]): string {
  if (ref.kind === 'column') return COLUMN_SQL[ref.name];
  return d.field(ref, params);
}

function scalar(ref: FieldRef, v: string | number | boolean): unknown {
  if (ref.kind === 'column' && ref.name === 'amount' && typeof v === 'number') return Math.round(v * 100);
  return v;
}

function whereSql(d: SqlDialect, q: AnalyticsQuery, params: unknown[]): string {
  const parts = ['o.template = ?'];
  params.push(q.template);
  for (const c of q.where) {
    const left = refSql(d, c.ref, params);
    if (c.op === 'in') {
      const list = c.value as readonly (string | number | boolean)[];
      if (list.length === 0) {
        parts.push('0');
        continue;
      }
      parts.push(`${left} IN (${list.map(() => '?').join(', ')})`);
      for (const v of list) params.push(scalar(c.ref, v));
    } else {
      parts.push(`${left} ${OPS[c.op]} ?`);
      params.push(scalar(c.ref, c.value as string | number | boolean));
    }
  }
  return parts.join(' AND ');
}

function groupSql(d: SqlDialect, g: GroupRef, params: unknown[]): string {
  if (g === null) return 'NULL';
  if (g.kind === 'month') return 'substr(o.opened_at, 1, 7)';
  if (g.kind === 'field') return d.fieldText(g, params);
  return `CAST(${COLUMN_SQL[g.name]} AS TEXT)`;
}

type Row = Record<string, unknown>;
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const boolText = (g: GroupRef, v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (g !== null && g.kind === 'field' && g.type === 'boolean') return v === 1 || v === '1' || v === 'true' || v === true ? 'true' : 'false';
  return String(v);
};

export function sqlQueryPort(d: SqlDialect): QueryPort {
  const all = (sql: string, params: unknown[]) => d.all(sql, params);
  /** Group expression first (its params come first), then the filter. */
  const base = (q: AnalyticsQuery) => {
    const gParams: unknown[] = [];
    const g = groupSql(d, q.groupBy, gParams);
    const wParams: unknown[] = [];
    const w = whereSql(d, q, wParams);
    return { g, w, gParams, wParams, params: [...gParams, ...wParams] };
  };
  const counted = (q: AnalyticsQuery, r: Row): GroupedCount => ({ group: boolText(q.groupBy, r['g']), count: Number(r['n']), amountMinor: Number(r['a'] ?? 0) });

  const port: QueryPort = {
    async openByStage(q) {
      const { g, w, params, gParams, wParams } = base(q);
      if (q.asOf === undefined) {
        return (await all(`SELECT ${g} AS g, o.stage AS stage, COUNT(*) AS n, SUM(COALESCE(o.amount_minor, 0)) AS a
          FROM opportunities o WHERE ${w} AND o.status = 'open' GROUP BY 1, 2`, params)).map((r) => ({ ...counted(q, r), stage: String(r['stage']) }));
      }
      return (await all(`SELECT ${g} AS g, sh.stage AS stage, COUNT(*) AS n,
            SUM(COALESCE((SELECT ah.amount_minor FROM amount_history ah WHERE ah.opportunity_id = o.id AND ah.at <= ? ORDER BY ah.at DESC LIMIT 1), 0)) AS a
          FROM stage_history sh JOIN opportunities o ON o.id = sh.opportunity_id
          WHERE ${w} AND sh.entered_at <= ? AND (sh.exited_at IS NULL OR sh.exited_at > ?) GROUP BY 1, 2`,
      [...gParams, q.asOf, ...wParams, q.asOf, q.asOf])).map((r) => ({ ...counted(q, r), stage: String(r['stage']) }));
    },
    async stageReach(q) {
      const { g, w, params } = base(q);
      const entered = await all(`SELECT ${g} AS g, sh.stage AS s, COUNT(DISTINCT sh.opportunity_id) AS n
        FROM stage_history sh JOIN opportunities o ON o.id = sh.opportunity_id WHERE ${w} GROUP BY 1, 2`, params);
      if (q.enteredOnly) return entered.map((r) => ({ group: boolText(q.groupBy, r['g']), from: String(r['s']), to: null as string | null, deals: Number(r['n']) }));
      const pairs = await all(`WITH first AS (SELECT opportunity_id, stage, MIN(entry) AS e FROM stage_history GROUP BY opportunity_id, stage)
        SELECT ${g} AS g, f.stage AS f, t.stage AS t, COUNT(DISTINCT t.opportunity_id) AS n
        FROM first f JOIN stage_history t ON t.opportunity_id = f.opportunity_id AND t.entry > f.e AND t.stage <> f.stage
          JOIN opportunities o ON o.id = f.opportunity_id
        WHERE ${w} GROUP BY 1, 2, 3`, params);
      return [
        ...entered.map((r) => ({ group: boolText(q.groupBy, r['g']), from: String(r['s']), to: null as string | null, deals: Number(r['n']) })),
        ...pairs.map((r) => ({ group: boolText(q.groupBy, r['g']), from: String(r['f']), to: String(r['t']), deals: Number(r['n']) })),
      ];
    },
    async durations(q) {
      const { g, w, params } = base(q);
      const rows = await all(`SELECT ${g} AS g, sh.stage AS s, ${d.millisBetween('sh.entered_at', 'sh.exited_at')} AS ms
          FROM stage_history sh JOIN opportunities o ON o.id = sh.opportunity_id WHERE ${w} AND sh.exited_at IS NOT NULL
        UNION ALL
        SELECT ${g} AS g, NULL AS s, ${d.millisBetween('o.opened_at', 'o.closed_at')} AS ms
          FROM opportunities o WHERE ${w} AND o.status = 'won'
        ORDER BY 1, 2, 3`, [...params, ...params]);
      const out = new Map<string, { group: string | null; stage: string | null; days: number[] }>();
      for (const r of rows) {
        const group = boolText(q.groupBy, r['g']);
        const stage = str(r['s']);
        const k = `${group}\u0000${stage}`;
        let e = out.get(k);
        if (!e) out.set(k, (e = { group, stage, days: [] }));
        e.days.push(Math.round(Number(r['ms'])) / 86_400_000);
      }
      return [...out.values()];
    },
    async closedReach(q) {
      // unfiltered: the counters the store keeps at append; filtered: from the stage history of the matching deals
      const rows = q.where.length === 0
        ? await all('SELECT stage AS s, closed AS c, won AS n FROM stage_outcomes WHERE template = ?', [q.template])
        : await (() => {
          const { w, wParams } = base(q);
          return all(`SELECT sh.stage AS s, COUNT(DISTINCT o.id) AS c, COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END) AS n
            FROM stage_history sh JOIN opportunities o ON o.id = sh.opportunity_id WHERE ${w} AND o.status IN ('won', 'lost') GROUP BY 1`, wParams);
        })();
      return rows.map((r) => ({ stage: String(r['s']), closed: Number(r['c']), won: Number(r['n']) })).filter((r) => r.closed > 0);
    },
    async stayMiddles(q) {
      if (q.where.length > 0) return middlesOf(await port.durations({ ...q, groupBy: null })).filter((m) => q.stages.includes(m.stage));
      // unfiltered: per stage, its count and its two middle stays read off the (template, stage, dwell_ms) index in one
      // statement, so that a commit landing meanwhile cannot shift the offset away from the count
      const out: { stage: string; count: number; lower: number; upper: number }[] = [];
      for (const stage of q.stages) {
        const rows = await all(`WITH c AS MATERIALIZED (SELECT COUNT(*) AS n FROM stage_history WHERE template = ? AND stage = ? AND dwell_ms IS NOT NULL)
          SELECT (SELECT n FROM c) AS n, h.dwell_ms AS ms FROM stage_history h WHERE h.template = ? AND h.stage = ? AND h.dwell_ms IS NOT NULL
          ORDER BY h.dwell_ms LIMIT 2 OFFSET (SELECT (n - 1) / 2 FROM c)`, [q.template, stage, q.template, stage]);
        const count = Number(rows[0]?.['n'] ?? 0);
        if (count === 0) continue;
        const lower = Number(rows[0]!['ms']) / 86_400_000;
        // an odd count has one middle stay, an even count two
        out.push({ stage, count, lower, upper: count % 2 === 0 ? Number(rows[1]!['ms']) / 86_400_000 : lower });
      }
      return out;
    },
    async losses(q) {
      const { g, w, params } = base(q);
      return (await all(`SELECT ${g} AS g, o.loss_reason AS reason, COALESCE(${d.lostFrom}, o.stage) AS s, COUNT(*) AS n, SUM(COALESCE(o.amount_minor, 0)) AS a
        FROM opportunities o WHERE ${w} AND o.status = 'lost' AND o.loss_reason IS NOT NULL GROUP BY 1, 2, 3`, params))
        .map((r) => ({ ...counted(q, r), reason: String(r['reason']), stage: String(r['s']) }));
    },
    async closing(q) {
      const won = await (async () => {
        const { g, w, params } = base(q);
        return (await all(`SELECT ${g} AS g, COUNT(*) AS n, SUM(COALESCE(o.amount_minor, 0)) AS a FROM opportunities o
          WHERE ${w} AND o.status = 'won' AND o.closed_at >= ? AND o.closed_at < ? GROUP BY 1`, [...params, q.fromInstant, q.toInstant])).map((r) => counted(q, r));
      })();
      if (q.closeField === null) {
        const { g, w, params } = base(q);
        const undated = await all(`SELECT ${g} AS g, o.stage AS s, substr(o.stage_entered_at, 1, 10) AS d, COUNT(*) AS n, SUM(COALESCE(o.amount_minor, 0)) AS a
          FROM opportunities o WHERE ${w} AND o.status = 'open' GROUP BY 1, 2, 3`, params);
        return { won, dated: [], undated: undated.map((r) => ({ ...counted(q, r), stage: String(r['s']), enteredDay: String(r['d']) })) };
      }
      const close = { kind: 'field', key: q.closeField, type: 'date' } as const;
      // the default close-date field is a generated, indexed column (migration 4); any other is read from the JSON
      const closeSql = (params: unknown[]) => (q.closeField === 'expectedCloseDate' ? 'o.expected_close' : d.fieldText(close, params));
      const d1 = base(q);
      const dated = await all(`SELECT ${d1.g} AS g, o.stage AS s, COUNT(*) AS n, SUM(COALESCE(o.amount_minor, 0)) AS a FROM opportunities o
        WHERE ${d1.w} AND o.status = 'open' AND ${closeSql(d1.params)} BETWEEN ? AND ? GROUP BY 1, 2`, [...d1.params, q.fromDate, q.toDate]);
      const d2 = base(q);
      const undated = await all(`SELECT ${d2.g} AS g, o.stage AS s, substr(o.stage_entered_at, 1, 10) AS d, COUNT(*) AS n, SUM(COALESCE(o.amount_minor, 0)) AS a
        FROM opportunities o WHERE ${d2.w} AND o.status = 'open' AND ${closeSql(d2.params)} IS NULL GROUP BY 1, 2, 3`, d2.params);
      return {
        won,
        dated: dated.map((r) => ({ ...counted(q, r), stage: String(r['s']) })),
        undated: undated.map((r) => ({ ...counted(q, r), stage: String(r['s']), enteredDay: String(r['d']) })),
      };
    },
  };
  return port;
}
