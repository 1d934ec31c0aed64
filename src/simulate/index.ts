// simulate: the virtual-clock simulator driving the real engine.
// May import: engine and below.
export { simulate, type SimulateOptions, type SimulationResult, type SimulationBehavior, type StageBehavior, type StageSimulation } from './simulate.js';
export { createRandom, type Random } from './random.js';
