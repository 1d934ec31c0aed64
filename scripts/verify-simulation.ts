// For every shipped template: a seeded simulation of 10,000 deals (every stage converting 90%) completes, and the measured
// stage-to-won rate of every open stage is within 2 points of the behaviour it was given.
// Run: npm run verify:simulation  (DEALS=... to change the size). Exits 1 on a miss.
import { listTemplates, loadTemplate, simulate } from '../src/index.js';

const DEALS = Number(process.env.DEALS ?? 10_000);
let misses = 0;
const started = process.hrtime.bigint();
for (const t of listTemplates()) {
  const template = await loadTemplate(t.id);
  const stages = Object.fromEntries(template.stages.filter((s) => !s.outcome).map((s) => [s.key, { conversion: 0.9, dwellDays: 4 }]));
  const t0 = process.hrtime.bigint();
  const r = await simulate({
    template, deals: DEALS, seed: 20261124, start: '2026-01-05T01:00:00Z', days: 365,
    behavior: { arrivalDays: 90, stages, amount: { min: 200_000, max: 5_000_000 } },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`\n${t.id}: ${r.opened} deals, ${r.won} won, ${r.lost} lost, ${r.open} open, ${r.stuck} stuck, ${r.commands} commands, ${r.firedTimers} timers, ${seconds.toFixed(1)} s`);
  console.log('  stage'.padEnd(24), 'entered'.padStart(8), 'closed'.padStart(8), 'measured'.padStart(9), 'expected'.padStart(9), 'diff'.padStart(7));
  for (const s of r.stages) {
    const diff = (s.stageToWon - s.expectedStageToWon) * 100;
    const ok = Math.abs(diff) <= 2 && s.closed > 0;
    if (!ok) misses++;
    console.log(`  ${s.stage}`.padEnd(24), String(s.entered).padStart(8), String(s.closed).padStart(8), (s.stageToWon * 100).toFixed(2).padStart(9), (s.expectedStageToWon * 100).toFixed(2).padStart(9), `${diff >= 0 ? '+' : ''}${diff.toFixed(2)}`.padStart(7), ok ? '' : '  MISS');
  }
  if (r.open > 0 || r.stuck > 0) {
    console.log(`  MISS: ${r.open} deals still open, ${r.stuck} stuck`);
    misses++;
  }
}
console.log(`\n${misses === 0 ? 'all stage-to-won rates within 2 points' : `${misses} misses`} (${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(0)} s)`);
process.exit(misses === 0 ? 0 : 1);
