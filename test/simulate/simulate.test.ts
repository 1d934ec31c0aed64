import { describe, expect, it } from 'vitest';
import { loadTemplate, simulate, WinpathError, type SimulationResult } from 'winpath';

const strip = ({ store: _store, ...rest }: SimulationResult) => rest;

describe('simulate', () => {
  it('is deterministic: the same seed gives the same result and the same event log; another seed does not', async () => {
    const template = await loadTemplate('b2b-standard');
    const a = await simulate({ template, deals: 150, seed: 42, start: '2026-07-01T01:00:00Z', days: 60 });
    const b = await simulate({ template, deals: 150, seed: 42, start: '2026-07-01T01:00:00Z', days: 60 });
    const c = await simulate({ template, deals: 150, seed: 43, start: '2026-07-01T01:00:00Z', days: 60 });
    expect(strip(a)).toEqual(strip(b));
    const logOf = async (r: SimulationResult) => Promise.all((await r.store.opportunities()).map((o) => r.store.events(o.id)));
    expect(await logOf(a)).toEqual(await logOf(b));
    expect(strip(a)).not.toEqual(strip(c));
    expect(a.opened).toBe(150);
    expect(a.won + a.lost + a.open).toBe(150);
    expect(a.commands).toBeGreaterThan(150);
  });

  it('leaves a store with open and closed deals, fires timers through tick, and reports progress per day', async () => {
    const template = await loadTemplate('b2b-standard');
    const days: number[] = [];
    const r = await simulate({ template, deals: 200, seed: 7, start: '2026-07-01T01:00:00Z', days: 45, behavior: { stages: { contact: { dwellDays: 20 } } }, onProgress: (p) => days.push(p.day) });
    expect(days).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(r.open).toBeGreaterThan(0);
    expect(r.won + r.lost).toBeGreaterThan(0);
    expect(r.firedTimers).toBeGreaterThan(0); // the 14-day contact SLA breaches for slow deals
    const breached = (await r.store.opportunities({ status: 'open' }))[0]!;
    expect(breached.template).toBe('b2b-standard');
  });

  it('refuses bad options with INPUT_INVALID', async () => {
    const template = await loadTemplate('b2b-standard');
    await expect(simulate({ template, deals: -1, seed: 1, start: '2026-07-01' })).rejects.toBeInstanceOf(WinpathError);
    await expect(simulate({ template, deals: 1, seed: 1, start: 'not a date' })).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });

  it('10,000 deals: the measured stage-to-won rates are within 2 points of the behaviour given', async () => {
    const template = await loadTemplate('b2b-standard');
    const r = await simulate({
      template, deals: 10_000, seed: 2026, start: '2026-01-05T01:00:00Z', days: 240,
      behavior: { arrivalDays: 60, stages: { contact: { conversion: 0.5, dwellDays: 5 }, needs: { conversion: 0.6, dwellDays: 5 }, proposal: { conversion: 0.7, dwellDays: 5 }, negotiation: { conversion: 0.8, dwellDays: 5 } } },
    });
    expect(r.open).toBe(0);
    expect(r.stuck).toBe(0);
    const expected = { contact: 0.5 * 0.6 * 0.7 * 0.8, needs: 0.6 * 0.7 * 0.8, proposal: 0.7 * 0.8, negotiation: 0.8 };
    for (const s of r.stages) {
      expect(s.expectedStageToWon).toBeCloseTo(expected[s.stage as keyof typeof expected], 10);
      expect(Math.abs(s.stageToWon - s.expectedStageToWon), s.stage).toBeLessThan(0.02);
    }
  }, 120_000);
});
