/** The behaviour the CLI simulates with: deals arriving all quarter, dwell scaled to the number of stages, named product lines. */
import type { ProcessDefinition, SimulationBehavior } from '../index.js';

export { DEFAULT_START } from './cli-defaults.js';

const PRODUCT_LINES = ['ERP', 'CRM', 'MES', 'BI', 'Cloud'];

/** Deals arrive over the whole window and a main path takes about 48 days, so a quarter ends with deals won, lost and still open. */
export function simulationBehavior(def: ProcessDefinition, days: number): SimulationBehavior {
  const open = def.stages.filter((s) => s.outcome === undefined);
  const dwellDays = Math.min(12, Math.max(4, Math.round(48 / Math.max(1, open.length))));
  const behavior: SimulationBehavior = {
    arrivalDays: days,
    stages: Object.fromEntries(open.map((s) => [s.key, { dwellDays }])),
  };
  if (def.fields['productLine']?.type === 'string') behavior.fields = { productLine: PRODUCT_LINES };
  return behavior;
}
