/** Raw better-sqlite3 connections with the pragmas sqliteStore uses, and the size of what a database holds. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** A file database with winpath's pragmas: WAL, synchronous=NORMAL (and foreign keys when asked). */
export function openRaw(path: string, opts: { foreignKeys?: boolean } = {}): Db {
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 4000'); // as sqliteStore sets it: every contender writes with the store's settings
  if (opts.foreignKeys) db.pragma('foreign_keys = ON');
  return db;
}

/** Bytes of pages in use (after a WAL checkpoint), not counting free pages. */
export function usedBytes(db: Db): number {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** Bytes per table and index (dbstat), largest first. */
export function bytesByObject(db: Db): { name: string; bytes: number }[] {
  db.pragma('wal_checkpoint(TRUNCATE)');
  return (db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[]);
}

/** A private temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; file: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `winpath-bench-${prefix}-`));
  return { dir, file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
