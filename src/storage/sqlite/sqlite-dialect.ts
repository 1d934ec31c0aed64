/** The SQLite side of the analytics SQL seam: json_extract, unixepoch, prepared statements cached per text. */
import type Database from 'better-sqlite3';
import { sqlQueryPort, type SqlDialect } from '../sql-query.js';
import type { QueryPort } from '../query-port.js';

export function sqliteQueryPort(db: Database.Database): QueryPort {
  const cache = new Map<string, Database.Statement<unknown[]>>();
  const dialect: SqlDialect = {
    field(ref, params) {
      params.push(`$."${ref.key}"`);
      return 'json_extract(o.fields, ?)';
    },
    fieldText(ref, params) {
      params.push(`$."${ref.key}"`);
      // JSON booleans come back as 1/0 from json_extract: keep them readable as text
      return ref.type === 'boolean' ? "(CASE json_extract(o.fields, ?) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)" : 'CAST(json_extract(o.fields, ?) AS TEXT)';
    },
    millisBetween: (from, to) => `(unixepoch(${to}, 'subsec') - unixepoch(${from}, 'subsec')) * 1000`,
    lostFrom: "json_extract(o.state, '$.lostFrom')",
    async all(sql, params) {
      let st = cache.get(sql);
      if (!st) {
        st = db.prepare(sql);
        cache.set(sql, st);
      }
      // booleans bind as 1/0, as json_extract returns them
      return st.all(...params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p))) as Record<string, unknown>[];
    },
  };
  return sqlQueryPort(dialect);
}
