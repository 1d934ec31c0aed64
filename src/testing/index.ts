// testing: the public test kit: store conformance suite, fixtures.
// May import: engine and below.
export { defineStoreConformance, type StoreConformanceOptions } from './store-conformance.js';
