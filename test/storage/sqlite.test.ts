import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { defineStoreConformance } from '../../src/testing/index.js';

defineStoreConformance({ name: 'sqlite store (:memory:)', capabilities: { durable: false, concurrentWriters: false }, create: () => sqliteStore() });

const dir = mkdtempSync(join(tmpdir(), 'winpath-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
let path = '';
defineStoreConformance({
  name: 'sqlite store (file)',
  capabilities: { durable: true, concurrentWriters: true },
  create: () => sqliteStore({ path: (path = join(dir, `conformance-${++n}.db`)) }),
  reopen: async (store) => {
    await store.close();
    return sqliteStore({ path });
  },
  connect: () => sqliteStore({ path }),
});
