import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, memoryStore, parseTemplate, sqliteStore, type Store } from 'winpath';
import { fakeClock } from './harness.js';

const PEOPLE: Record<string, string[]> = { sales_director: ['dora'], finance: ['fay'], engineer: ['eve'] };
const sam = { id: 'sam' };

async function timedSetup(opts: { store?: Store; timeZone?: string; holidays?: string[]; workdays?: string[]; start?: string } = {}) {
  const def = await parseTemplate(readFileSync(new URL('../fixtures/engine/timed.yaml', import.meta.url), 'utf8'), { format: 'yaml' });
  const clock = fakeClock(opts.start ?? '2026-03-02T09:00:00.000Z'); // a Monday
  let n = 0;
  const make = (store: Store) => createEngine({
    store, templates: [def], clock: clock.now, ids: () => `deal-${++n}`, resolveRole: (r) => PEOPLE[r] ?? [],
    ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), ...(opts.holidays ? { holidays: opts.holidays } : {}), ...(opts.workdays ? { workdays: opts.workdays } : {}),
  });
  const engine = make(opts.store ?? memoryStore());
  return { engine, clock, make };
}

const at = (iso: string) => new Date(iso);

describe('tick: each timer kind fires once, at its instant', () => {
  it('task and approval due dates: nothing before, exactly once at or after, never again', async () => {
    const { engine } = await timedSetup();
    const d = await engine.open({ template: 'timed', title: 'T', owner: 'sam', actor: sam });
    expect((await engine.store.timers(d.id)).map((t) => [t.type, t.dueAt])).toEqual([
      ['approval.overdue', '2026-03-02T13:00:00.000Z'],
      ['task.overdue', '2026-03-04T09:00:00.000Z'],
      ['task.overdue', '2026-03-04T09:00:00.000Z'],
      ['sla.breached', '2026-03-07T09:00:00.000Z'],
      ['opportunity.idle', '2026-03-09T09:00:00.000Z'],
    ]);
    expect(await engine.tick(at('2026-03-02T12:59:59.999Z'))).toEqual([]);
    const approval = await engine.tick(at('2026-03-02T13:00:00.000Z'));
    expect(approval).toEqual([{ id: `${d.id}.budget.1:overdue`, opportunityId: d.id, type: 'approval.overdue', dueAt: '2026-03-02T13:00:00.000Z' }]);
    expect(await engine.tick(at('2026-03-02T13:00:00.000Z'))).toEqual([]);
    const tasks = await engine.tick(at('2026-03-04T10:00:00.000Z'));
    expect(tasks.map((t) => t.type)).toEqual(['task.overdue', 'task.overdue']);
    expect(await engine.tick(at('2026-03-04T11:00:00.000Z'))).toEqual([]);
    const history = await engine.history(d.id);
    expect(history.filter((e) => e.type.endsWith('.overdue')).map((e) => [e.type, e.actor, e.at])).toEqual([
      ['approval.overdue', 'system', '2026-03-02T13:00:00.000Z'],
      ['task.overdue', 'system', '2026-03-04T10:00:00.000Z'],
      ['task.overdue', 'system', '2026-03-04T10:00:00.000Z'],
    ]);
    expect((await engine.tasks({ opportunityId: d.id })).every((t) => t.overdueAt === '2026-03-04T10:00:00.000Z')).toBe(true);
  });

  it('SLA breach writes sla.breached then runs onBreach in order: notify, escalate (reassign), create a task', async () => {
    const { engine } = await timedSetup();
    const d = await engine.open({ template: 'timed', title: 'T', owner: 'sam', actor: sam });
    const fired = await engine.tick(at('2026-03-07T09:00:00.000Z'));
    expect(fired.map((t) => t.type)).toEqual(['approval.overdue', 'task.overdue', 'task.overdue', 'sla.breached']);
    const tail = (await engine.history(d.id)).slice(-4);
    expect(tail.map((e) => e.type)).toEqual(['sla.breached', 'notification.requested', 'task.reassigned', 'task.created']);
    expect(tail[1]!.data).toMatchObject({ recipients: ['dora'], message: 'T is stuck in Qualify' });
    expect(tail[2]!.data).toMatchObject({ from: 'sam', to: 'dora', escalation: true });
    expect(tail[3]!.data).toMatchObject({ key: 'rescue', assignee: 'dora', dueAt: '2026-03-08T09:00:00.000Z' });
    expect(await engine.tick(at('2026-03-07T10:00:00.000Z'))).toEqual([]);
    expect((await engine.store.outbox({ opportunityId: d.id })).map((m) => m.type)).toEqual(['notification.requested']);
  });

  it('cancelled timers never fire: a completed task, a left stage, a decided approval', async () => {
    const { engine, clock } = await timedSetup();
    const d = await engine.open({ template: 'timed', title: 'T', owner: 'sam', actor: sam });
    const [budget] = await engine.approvals({ opportunityId: d.id });
    await engine.decide(budget!.id, { actor: 'fay', decision: 'approve' });
    const call = (await engine.tasks({ opportunityId: d.id })).find((t) => t.key === 'call')!;
    await engine.completeTask(call.id, { actor: sam });
    clock.set('2026-03-03T09:00:00.000Z');
    await engine.advance(d.id, { actor: sam }); // leaves qualify: its SLA and the open design task end
    const fired = await engine.tick(at('2026-03-20T00:00:00.000Z'));
    expect(fired.map((t) => t.type)).toEqual(['sla.breached', 'opportunity.idle']); // propose's own SLA, and idleness
    expect((await engine.history(d.id)).filter((e) => e.type === 'sla.breached').map((e) => e.data['stage'])).toEqual(['propose']);
  });

  it('idle: no command for idleAfter marks the deal idle once per spell; the flag shows in get and explain; a command ends the spell', async () => {
    const { engine, clock } = await timedSetup();
    const d = await engine.open({ template: 'timed', title: 'T', owner: 'sam', actor: sam });
    await engine.tick(at('2026-03-08T09:00:00.000Z')); // other timers fire (and the SLA escalation adds a task due in a day): not activity
    const fired = await engine.tick(at('2026-03-09T09:00:00.000Z'));
    expect(fired.map((t) => t.type)).toEqual(['task.overdue', 'opportunity.idle']);
    expect((await engine.get(d.id)).idle).toBe(true);
    expect((await engine.explain(d.id)).idle).toBe(true);
    expect((await engine.explain(d.id, { lang: 'zh' })).summary).toMatch(/^长期无跟进/);
    expect(await engine.tick(at('2026-03-30T09:00:00.000Z'))).toEqual([]);
    clock.set('2026-04-01T09:00:00.000Z');
    await engine.addNote(d.id, { text: 'called them', actor: sam });
    expect((await engine.get(d.id)).idle).toBe(false);
    expect((await engine.store.timers(d.id)).find((t) => t.type === 'opportunity.idle')!.dueAt).toBe('2026-04-08T09:00:00.000Z');
    expect((await engine.tick(at('2026-04-08T09:00:00.000Z'))).map((t) => t.type)).toEqual(['opportunity.idle']);
  });
});

describe('due dates in the engine time zone, whatever the host TZ', () => {
  const hostTz = process.env.TZ;
  afterEach(() => {
    if (hostTz === undefined) delete process.env.TZ;
    else process.env.TZ = hostTz;
  });

  for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Auckland']) {
    it(`business days skip weekends and holidays and count make-up workdays (调休), host TZ ${tz}`, async () => {
      process.env.TZ = tz;
      // Thursday 2026-10-08 10:00 in Shanghai; Friday 10-09 is a holiday here, Saturday 10-10 a make-up working day
      const { engine } = await timedSetup({ timeZone: 'Asia/Shanghai', holidays: ['2026-10-09'], workdays: ['2026-10-10'], start: '2026-10-08T02:00:00.000Z' });
      const d = await engine.open({ template: 'timed', title: 'T', owner: 'sam', actor: sam });
      const design = (await engine.tasks({ opportunityId: d.id })).find((t) => t.key === 'design')!;
      // +1: Saturday 10-10 (workday), +2: Monday 10-12; same wall-clock time 10:00 +08:00
      expect(design.dueAt).toBe('2026-10-12T02:00:00.000Z');
    });

    it(`a one-day SLA across the Los Angeles DST change is 23 hours, host TZ ${tz}`, async () => {
      process.env.TZ = tz;
      const { engine, clock } = await timedSetup({ timeZone: 'America/Los_Angeles', start: '2026-03-06T18:00:00.000Z' });
      const d = await engine.open({ template: 'timed', title: 'T', owner: 'sam', actor: sam });
      const [budget] = await engine.approvals({ opportunityId: d.id });
      await engine.decide(budget!.id, { actor: 'fay', decision: 'approve' });
      await engine.completeTask((await engine.tasks({ opportunityId: d.id })).find((t) => t.key === 'call')!.id, { actor: sam });
      clock.set('2026-03-07T18:00:00.000Z'); // Saturday 10:00 PST
      await engine.advance(d.id, { actor: sam });
      const sla = (await engine.store.timers(d.id)).find((t) => t.type === 'sla.breached')!;
      expect(sla.dueAt).toBe('2026-03-08T17:00:00.000Z'); // Sunday 10:00 PDT
    });
  }
});

describe('two engines ticking the same store at once', () => {
  it('fire each due timer once (memory store shared by two engines)', async () => {
    const { engine, make } = await timedSetup();
    const other = make(engine.store);
    for (let i = 0; i < 20; i++) await engine.open({ template: 'timed', title: `T${i}`, owner: 'sam', actor: sam });
    const [a, b] = await Promise.all([engine.tick(at('2026-03-20T00:00:00.000Z')), other.tick(at('2026-03-20T00:00:00.000Z'))]);
    const ids = [...a, ...b].map((t) => t.id);
    expect(ids.length).toBe(20 * 5);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of await engine.store.opportunities()) {
      const types = (await engine.history(o.id)).filter((e) => e.actor === 'system' && e.type !== 'notification.requested' && e.type !== 'task.reassigned' && e.type !== 'task.created').map((e) => e.type);
      expect(types.sort()).toEqual(['approval.overdue', 'opportunity.idle', 'sla.breached', 'task.overdue', 'task.overdue']);
    }
  });

  it('fire each due timer once (two SQLite connections on one file)', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'winpath-tick-'));
    try {
      const { engine, make } = await timedSetup({ store: sqliteStore({ path: join(dir, 'a.db') }) });
      const other = make(sqliteStore({ path: join(dir, 'a.db') }));
      for (let i = 0; i < 10; i++) await engine.open({ template: 'timed', title: `T${i}`, owner: 'sam', actor: sam });
      const rounds = await Promise.all([0, 1, 2].flatMap(() => [engine.tick(at('2026-03-20T00:00:00.000Z')), other.tick(at('2026-03-20T00:00:00.000Z'))]));
      const ids = rounds.flat().map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(10 * 5);
      await engine.close();
      await other.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
