/** Every simple path through a template's stage machine, found with @xstate/graph on the real machine. */
import { getSimplePaths } from '@xstate/graph';
import { isOpenStage, type ProcessDefinition } from '../model/index.js';
import { compileProcess } from './compile-process.js';
import type { StageEvent } from './stage-machine.js';

export interface StagePath {
  /** Stage keys from the first stage to the terminal one. */
  stages: string[];
  outcome: 'won' | 'lost';
}

/**
 * Every simple path (no stage twice) from the first stage to won or lost, moving forward along the
 * transitions (each `when` taken as possibly true) or losing; back moves and reopen are left out.
 */
export function stagePaths(def: ProcessDefinition): StagePath[] {
  const p = compileProcess(def);
  const holds = () => true;
  const events = (snapshot: { value: unknown }): StageEvent[] => {
    const stage = p.stage(String(snapshot.value));
    if (!stage || !isOpenStage(stage)) return [];
    const targets = [...new Set(p.transitionsFrom(stage.key).map((t) => t.to))];
    return [...targets.map((to) => ({ type: `goto.${to}`, holds }) as StageEvent), { type: 'lose' }];
  };
  const paths = getSimplePaths(p.machine, { events: events as never });
  const out: StagePath[] = [];
  for (const path of paths) {
    const end = p.stage(String(path.state.value));
    if (!end?.outcome) continue;
    const stages = path.steps.map((s) => String(s.state.value));
    out.push({ stages, outcome: end.outcome });
  }
  return out.sort((a, b) => a.stages.join('>').localeCompare(b.stages.join('>')));
}
