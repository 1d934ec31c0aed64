// storage: port.ts (the Store interface the engine owns) and memory/, sqlite/, postgres/ adapters.
// May import: model, errors (adapters: the port, never the engine).
export * from './port.js';
export { memoryStore } from './memory/memory-store.js';
export { sqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { postgresStore, type PostgresStoreOptions, type PostgresPool, type PostgresClient } from './postgres/postgres-store.js';
