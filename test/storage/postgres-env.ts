// Where the PostgreSQL tests connect: WINPATH_PG_URL. In CI (CI=true) a missing URL fails them; locally they skip.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

export const PG_URL = process.env['WINPATH_PG_URL'] ?? '';
const IN_CI = !!process.env['CI'] && !/^(false|0)$/i.test(process.env['CI']);

/**
 * `describe(name, body)` when WINPATH_PG_URL is set; otherwise, in CI, one failing test that says
 * why, and locally a skipped suite: the PostgreSQL tests never silently skip in CI.
 */
export function describePg(name: string, body: () => void): void {
  if (PG_URL) {
    describe(name, body);
  } else if (IN_CI) {
    describe(name, () => {
      it('needs WINPATH_PG_URL', () => {
        throw new Error('WINPATH_PG_URL is not set, and CI=true: the PostgreSQL tests must run in CI (.ci/run sets it, e.g. postgresql://postgres@127.0.0.1:5432/test)');
      });
    });
  } else {
    describe.skip(`${name} (skipped locally: set WINPATH_PG_URL to run)`, body);
  }
}

/** A fresh schema name for one test; drop it with dropSchemas(). */
export function newSchemaName(prefix = 'wpt'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A pool of the tests' own for raw SQL (and for dropping their schemas). */
export function adminPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

export async function dropSchemas(pool: pg.Pool, schemas: Iterable<string>): Promise<void> {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
}
