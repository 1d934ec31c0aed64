import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, loadTemplate, replay, sqliteStore } from 'winpath';

const dir = mkdtempSync(join(tmpdir(), 'winpath-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChildUntilReady(dbPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./drive-deal.child.ts', import.meta.url).pathname, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        child.kill('SIGKILL');
        child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(m[1]!) : reject(new Error(`child exited ${signal}`))));
      }
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited early (${code}): ${err}`));
    });
  });
}

describe('given a deal driven on a SQLite file by a process that is then killed with SIGKILL', () => {
  it('when the store is opened again, the deal, its tasks, approvals and history are intact, and it goes on to won', async () => {
    const db = join(dir, 'deals.db');
    const id = await runChildUntilReady(db);

    const people: Record<string, string> = { sales_director: 'dora', finance: 'fay', solution_engineer: 'sol', legal: 'lee' };
    const engine = createEngine({
      store: sqliteStore({ path: db }),
      templates: [await loadTemplate('b2b-standard')],
      clock: () => new Date('2026-03-03T09:00:00Z'),
      resolveRole: (role) => (people[role] ? [people[role]] : []),
    });
    const deal = await engine.get(id);
    expect(deal).toMatchObject({ stage: 'proposal', status: 'open', amount: 480_000 });
    const history = await engine.history(id);
    expect(history.map((e) => e.seq)).toEqual(history.map((_, i) => i + 1));
    expect(replay(history)).toEqual((await engine.store.load(id))!.state);
    const [approval] = await engine.approvals({ opportunityId: id, status: 'pending' });
    expect(approval).toMatchObject({ key: 'discount', mode: 'all' });
    expect(approval!.decisions.map((d) => d.by)).toEqual(['dora']);
    expect((await engine.tasks({ opportunityId: id, status: 'done' })).length).toBeGreaterThan(0);

    // it goes on: finish the countersign, then every stage to won
    await engine.decide(approval!.id, { actor: 'fay', decision: 'approve' });
    await engine.update(id, { fields: { expectedCloseDate: '2026-06-30' }, actor: 'sam' });
    for (let i = 0; i < 4; i++) {
      const x = await engine.explain(id);
      if (x.status !== 'open') break;
      for (const t of x.tasks) await engine.completeTask(t.id, { actor: t.assignee ?? 'sam' });
      for (const r of x.unmet.filter((u) => u.kind === 'deliverable')) await engine.submitDeliverable(id, r.key, { ref: r.key, actor: 'sam' });
      await engine.advance(id, { actor: 'sam' });
    }
    expect((await engine.get(id)).status).toBe('won');
    expect((await engine.history(id)).at(-1)!.type).toBe('opportunity.won');
    await engine.close();
  });
});
