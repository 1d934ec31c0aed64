import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corruptionControls, formatFigures, runCrashRounds } from './crash/run.js';

// The suite's reduced count; scripts/crash-run.ts runs the full one (>= 200 kills).
const KILLS = Number(process.env['WINPATH_CRASH_KILLS'] ?? 40);
const SEED = Number(process.env['WINPATH_CRASH_SEED'] ?? 20261125);
const dir = mkdtempSync(join(tmpdir(), 'winpath-reliability-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crash safety: a writer on a SQLite file killed with SIGKILL at random moments', () => {
  it(`given ${KILLS} kills, when the store is opened after each: every log is gapless, replays to its projection, nothing is orphaned, every committed message is kept and delivered`, async () => {
    const f = await runCrashRounds({ kills: KILLS, dir, seed: SEED });
    console.log(`${formatFigures('crash', f)} (seed ${SEED})`);
    expect(f.childFailures).toEqual([]);
    expect(f.problems).toEqual([]);
    expect(f.kills).toBe(KILLS);
    // the run did real work, and some kills landed between a commit and the child's journal write
    expect(f.eventsJournaled).toBeGreaterThan(KILLS * 20);
    expect(f.outboxMessages).toBeGreaterThan(0);
    expect(f.deals).toBeGreaterThan(10);
  }, 180_000);

  it('negative control: the checker flags every kind of damage done to a copy of the file', async () => {
    let source = join(dir, 'one-transaction-lane-0.db');
    if (!existsSync(source)) {
      // run alone (-t): make a file of its own
      const own = mkdtempSync(join(dir, 'control-'));
      await runCrashRounds({ kills: 6, dir: own, seed: SEED, lanes: 1 });
      source = join(own, 'one-transaction-lane-0.db');
    }
    const outcomes = await corruptionControls(source, dir);
    const flagged = outcomes.filter((o) => o.changed > 0 && o.problems.length > 0);
    console.log(`[crash control] ${flagged.length} of ${outcomes.length} corruptions flagged:\n${outcomes.map((o) => `  - ${o.name}: ${o.problems[0] ?? 'NOT FLAGGED'}`).join('\n')}`);
    for (const o of outcomes) {
      expect(o.changed, `${o.name}: the corruption changed a row`).toBeGreaterThan(0);
      expect(o.problems.length, `${o.name}: flagged`).toBeGreaterThan(0);
    }
  }, 60_000);

  it('negative control: a store that commits the outbox in a second transaction is caught losing messages', async () => {
    const f = await runCrashRounds({ kills: 60, dir, seed: SEED + 1, mode: 'split', stopOnProblem: true });
    console.log(`${formatFigures('crash control: split commit', f)}; first caught after ${f.kills} kills: ${f.problems[0] ?? 'NEVER'}`);
    expect(f.childFailures).toEqual([]);
    expect(f.problems.length).toBeGreaterThan(0);
    expect(f.problems[0]).toMatch(/committed without its outbox message/);
  }, 180_000);
});
