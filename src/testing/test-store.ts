/** A fresh store per test: in memory, or a SQLite file in a temporary folder removed on close. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore, sqliteStore } from '../storage/index.js';
import type { Store } from '../storage/port.js';

export function createTestStore(kind: 'memory' | 'sqlite' | 'sqlite-file' = 'memory'): Store {
  if (kind === 'memory') return memoryStore();
  if (kind === 'sqlite') return sqliteStore();
  const dir = mkdtempSync(join(tmpdir(), 'winpath-test-'));
  const store = sqliteStore({ path: join(dir, 'test.db') });
  const close = store.close.bind(store);
  return Object.assign(store, {
    close: async () => {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}
