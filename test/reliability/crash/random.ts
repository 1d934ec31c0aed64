/** The seeded generator the crash driver, its children and the fuzzer replay from: the simulator's own (mulberry32). */
import { createRandom } from '../../../src/simulate/random.js';

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function createRng(seed: number): Rng {
  const r = createRandom(seed);
  return { next: r.next, int: (n) => r.int(0, n - 1), pick: r.pick, chance: r.chance };
}
