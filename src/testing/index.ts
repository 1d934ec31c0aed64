// testing: the public test kit: store conformance suite, fixtures.
// May import: engine and below.
export { defineStoreConformance, type StoreConformanceOptions } from './store-conformance.js';
export { createFakeClock, type FakeClock } from './fake-clock.js';
export { drive, pathSteps, assertEveryStageReachesWon, type DriveStep, type DriveOptions } from './drive.js';
export { valuesMaking, satisfyRequirements, agreeableValue } from '../simulate/satisfy.js';
export { createTestStore } from './test-store.js';
export { stagePaths, type StagePath } from '../machine/index.js';
