import { afterAll, afterEach } from 'vitest';
import { postgresStore } from '../../src/storage/postgres/postgres-store.js';
import { defineStoreConformance } from '../../src/testing/index.js';
import { adminPool, describePg, dropSchemas, newSchemaName, PG_URL } from './postgres-env.js';

describePg('postgres', () => {
  const admin = adminPool();
  const used: string[] = [];
  let schema = '';
  afterEach(async () => dropSchemas(admin, used.splice(0)));
  afterAll(async () => admin.end());

  defineStoreConformance({
    name: 'postgres store',
    capabilities: { durable: true, concurrentWriters: true },
    create: () => {
      schema = newSchemaName();
      used.push(schema);
      return postgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
    },
    reopen: async (store) => {
      await store.close();
      return postgresStore({ connectionString: PG_URL, schema, poolSize: 4 });
    },
    connect: () => postgresStore({ connectionString: PG_URL, schema, poolSize: 4 }),
  });
});
