/** drive: walks a deal along a path of stages, meeting each stage's requirements on the way. */
import type { Engine } from '../engine/index.js';
import { WinpathError } from '../errors/index.js';
import { stagePaths, type StagePath } from '../machine/index.js';
import type { Actor, Opportunity, ProcessDefinition } from '../model/index.js';
import { satisfyRequirements, valuesMaking } from '../simulate/satisfy.js';

export type DriveStep =
  | string
  | { to: string; fields?: Record<string, unknown> }
  | { lose: string }
  | { back: string; reason?: string };

export interface DriveOptions {
  /** Acts for fields, deliverables and moves (default: the owner holding every template role). */
  actor?: Actor;
}

/**
 * Moves the deal through `steps`: a stage key (or `{ to, fields }`) meets the current stage's
 * requirements (fields, deliverables, tasks, approvals) and advances there, making a simple `when`
 * of that transition true (`amount >= 1000000` and the like) when the fields do not already;
 * `{ lose: reason }` loses it; `{ back: stage }` moves back.
 * @throws WinpathError when a step cannot be taken (GUARD_FAILED says what is unmet)
 */
export async function drive(engine: Engine, def: ProcessDefinition, id: string, steps: readonly DriveStep[], opts: DriveOptions = {}): Promise<Opportunity> {
  let deal = await engine.get(id);
  const actor: Actor = opts.actor ?? { id: deal.owner, roles: [...def.roles] };
  for (const step of steps) {
    if (typeof step === 'object' && 'lose' in step) {
      deal = await engine.lose(id, { reason: step.lose, actor });
      continue;
    }
    if (typeof step === 'object' && 'back' in step) {
      deal = await engine.advance(id, { to: step.back, reason: step.reason ?? 'rework', actor });
      continue;
    }
    const to = typeof step === 'string' ? step : step.to;
    const given = typeof step === 'string' ? {} : step.fields ?? {};
    const transition = def.transitions.find((t) => t.from === deal.stage && t.to === to);
    const wanted = { ...(transition?.when ? valuesMaking(transition.when, def, deal.fields) : {}), ...given };
    if (Object.keys(wanted).length) await engine.update(id, { fields: wanted, actor });
    await satisfyRequirements(engine, def, id, actor);
    deal = await engine.advance(id, { to, actor });
  }
  return deal;
}

/** Every simple path of the template, as `drive` steps (won paths end with the won stage, lost ones with a loss). */
export function pathSteps(def: ProcessDefinition): { path: StagePath; steps: DriveStep[] }[] {
  return stagePaths(def).map((path) => ({
    path,
    steps: path.stages.slice(1).map((s, i, all) => (i === all.length - 1 && path.outcome === 'lost' ? { lose: def.lossReasons[0]! } : s)),
  }));
}

/** Throws unless every open stage lies on some path to won and some path to lost. */
export function assertEveryStageReachesWon(def: ProcessDefinition): void {
  const paths = stagePaths(def);
  const onWon = new Set(paths.filter((p) => p.outcome === 'won').flatMap((p) => p.stages));
  const onLost = new Set(paths.filter((p) => p.outcome === 'lost').flatMap((p) => p.stages));
  const missing = def.stages.filter((s) => !s.outcome && (!onWon.has(s.key) || !onLost.has(s.key))).map((s) => s.key);
  if (missing.length) {
    throw new WinpathError('GUARD_FAILED', `template ${def.id}: no path through stage(s) ${missing.join(', ')} reaches both won and lost`, {
      unmet: missing.map((key) => ({ kind: 'transition' as const, key, message: `stage "${key}" is on no path to won` })),
    });
  }
}
