/** The PostgreSQL side of the analytics SQL seam: json operators, typed casts, `$n` placeholders, the store's schema. */
import { sqlQueryPort, type SqlDialect } from '../sql-query.js';
import type { QueryPort } from '../query-port.js';

const CAST: Record<string, string> = { number: 'numeric', money: 'numeric', boolean: 'boolean' };

/** Analytics over one schema; `S` is the quoted schema, `all` runs a `$n` statement. */
export function postgresQueryPort(S: string, all: (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>): QueryPort {
  const dialect: SqlDialect = {
    field(ref, params) {
      params.push(ref.key);
      const cast = CAST[ref.type];
      return cast ? `((o.fields ->> ?)::${cast})` : '(o.fields ->> ?)';
    },
    fieldText(ref, params) {
      params.push(ref.key);
      // numbers print as JavaScript prints them (json text keeps 0.1 as 0.1, 10 as 10)
      return '(o.fields ->> ?)';
    },
    millisBetween: (from, to) => `(EXTRACT(EPOCH FROM (${to}::timestamptz - ${from}::timestamptz)) * 1000)`,
    lostFrom: "(o.state ->> 'lostFrom')",
    async all(sql, params) {
      let n = 0;
      // table names get the schema; `?` placeholders become $1, $2, ...
      const text = sql
        .replace(/\b(FROM|JOIN)\s+(opportunities|stage_history|amount_history|stage_outcomes)\b/g, (_m, kw: string, t: string) => `${kw} ${S}.${t}`)
        .replace(/\?/g, () => `$${++n}`);
      const rows = await all(text, params);
      return rows.map((r) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'bigint' ? Number(v) : v;
        return out;
      });
    },
  };
  return sqlQueryPort(dialect);
}
