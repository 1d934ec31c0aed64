import { memoryStore } from '../../src/storage/memory/memory-store.js';
import { defineStoreConformance } from '../../src/testing/index.js';

defineStoreConformance({ name: 'memory store', capabilities: { durable: false, concurrentWriters: false }, create: () => memoryStore() });
