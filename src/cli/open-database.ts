/** Opening an existing winpath database for reading: a missing or empty file is an error, never a new database. */
import { existsSync, statSync } from 'node:fs';
import { sqliteStore, WinpathError, type Store } from '../index.js';
import type { Text } from './cli-text.js';

/**
 * Opens `file` as a SQLite store when it exists and is not empty.
 * @throws WinpathError NOT_FOUND for a missing file, INPUT_INVALID for an empty or corrupt one
 */
export function openDatabase(file: string, t: Text): Store {
  if (!existsSync(file)) throw new WinpathError('NOT_FOUND', t('error.dbMissing', { file }), { fix: t('error.dbMissingFix') });
  const st = statSync(file);
  if (st.isDirectory()) throw new WinpathError('INPUT_INVALID', `${file} is a directory, not a winpath database`, { fix: t('error.dbMissingFix') });
  if (st.size === 0) throw new WinpathError('INPUT_INVALID', t('error.dbEmpty', { file }), { fix: t('error.dbMissingFix') });
  return sqliteStore({ path: file });
}
