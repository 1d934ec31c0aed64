// Child process of the crash runs: drives seeded random commands against a SQLite file until the parent
// kills it with SIGKILL. Every committed event id goes to a journal file (written after the commit returns),
// so the parent knows a lower bound of what was committed.
// `mode: 'split'` is the negative control: a store that commits a command's outbox messages in a second
// transaction, as a careless adapter would; the parent's checker must catch the loss.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine, parseTemplate, sqliteStore, WinpathError, type Actor, type Engine, type Store } from '../../../src/index.js';
import { createRng } from './random.js';
import { PEOPLE, ROUND_SPAN_MS, type CrashChildConfig } from './shared.js';

const USERS = ['sam', 'dora', 'fay', 'lee', 'carl', 'eve', 'mallory'];
const EXPECTED = new Set(['GUARD_FAILED', 'INPUT_INVALID', 'FORBIDDEN', 'NOT_FOUND']);

/**
 * The split-commit control: events and projection in one transaction, the outbox in a second one, 2 ms
 * later (the round trip a careless adapter makes to a second system), so that kills land in the gap.
 */
function splitStore(path: string): Store {
  const inner = sqliteStore({ path });
  const raw = new Database(path, { timeout: 5000 });
  const insert = raw.prepare("INSERT INTO outbox (id, opportunity_id, seq, type, data, status, attempts, created_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)");
  const writeOutbox = raw.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(...r);
  });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return {
    ...inner,
    async append(c) {
      await inner.append({ ...c, outbox: [] });
      if (c.outbox.length) Atomics.wait(pause, 0, 0, 2);
      writeOutbox.immediate(c.outbox.map((m) => {
        const e = c.events.find((x) => x.id === m.id)!;
        return [m.id, m.opportunityId, e.seq, m.type, JSON.stringify(m.data), e.at];
      }));
    },
  };
}

async function main(config: CrashChildConfig): Promise<void> {
  const rng = createRng(config.seed);
  const fixture = (name: string) => join(config.templates, name);
  const gated = await parseTemplate(readFileSync(fixture('gated.yaml'), 'utf8'), { format: 'yaml', fileName: 'gated.yaml' });
  const timed = await parseTemplate(readFileSync(fixture('timed.yaml'), 'utf8'), { format: 'yaml', fileName: 'timed.yaml' });
  const store = config.mode === 'split' ? splitStore(config.db) : sqliteStore({ path: config.db });
  let t = Date.parse(config.startAt);
  const end = t + ROUND_SPAN_MS - 86_400_000;
  let n = 0;
  const engine: Engine = createEngine({
    store, templates: [gated, timed], clock: () => new Date(t), ids: () => `r${config.round}-${++n}`,
    resolveRole: (role) => PEOPLE[role] ?? [], outbox: { maxAttempts: 1_000_000, backoffMs: 1_000 },
  });
  const journal = openSync(config.journal, 'a');
  engine.on('*', (e) => void writeSync(journal, `${e.id}\n`));
  const deals = (await store.opportunities({ status: 'open', limit: 12 })).map((o) => o.id);
  process.stdout.write('READY\n');

  const actor = (): Actor => (rng.chance(0.15) ? { id: rng.pick(USERS), roles: [rng.pick(['sales_director', 'finance', 'legal'])] } : rng.pick(USERS));
  const stages = ['qualify', 'survey', 'proposal', 'negotiation', 'propose', 'won', 'lost', 'mars'];

  async function step(): Promise<void> {
    if (deals.length < 3 || rng.chance(0.05)) {
      const gatedDeal = rng.chance(0.7);
      const d = await engine.open({
        template: gatedDeal ? 'gated' : 'timed', title: `Deal ${n + 1}`, owner: 'sam', amount: rng.pick([5, 50_000, 2_000_000]), actor: 'sam',
        ...(gatedDeal && rng.chance(0.5) ? { fields: { region: rng.pick(['north', 'south']) } } : {}),
      });
      deals.push(d.id);
      if (deals.length > 12) deals.shift();
      return;
    }
    const id = rng.pick(deals);
    const r = rng.next();
    if (r < 0.12) {
      const fields: Record<string, unknown> = rng.chance(0.5) ? { region: rng.pick(['north', 'south', 'mars']) } : {};
      if (rng.chance(0.4)) fields['discount'] = rng.pick([0, 0.05, 0.3, 2]);
      if (rng.chance(0.3)) fields['closeDate'] = rng.pick(['2026-06-30', '2026-02-30']);
      if (rng.chance(0.3)) fields['amount'] = rng.pick([0, 10, 2_000_000, -1]);
      await engine.update(id, { fields, actor: 'sam' });
    } else if (r < 0.2) {
      await engine.submitDeliverable(id, 'brief', { ref: `doc://${n}`, actor: 'sam' });
    } else if (r < 0.36) {
      const open = await engine.tasks({ opportunityId: id, status: 'open' });
      if (open.length === 0) return;
      const task = rng.pick(open);
      if (rng.chance(0.15)) await engine.reassignTask(task.id, { to: rng.pick(USERS), actor: 'dora' });
      else await engine.completeTask(task.id, { actor: rng.chance(0.7) ? task.assignee ?? 'sam' : actor() });
    } else if (r < 0.52) {
      const pending = await engine.approvals({ opportunityId: id, status: 'pending' });
      if (pending.length === 0) return;
      await engine.decide(rng.pick(pending).id, { actor: actor(), decision: rng.chance(0.85) ? 'approve' : 'reject' });
    } else if (r < 0.7) {
      const won = await engine.advance(id, { actor: rng.pick(['sam', 'dora']) });
      if (won.status === 'won') deals.splice(deals.indexOf(id), 1);
    } else if (r < 0.74) {
      await engine.advance(id, { to: rng.pick(stages), reason: 'rework', actor: 'dora' });
    } else if (r < 0.78) {
      await engine.lose(id, { reason: rng.pick(['price', 'timing', 'weather']), actor: 'dora' });
    } else if (r < 0.82) {
      await engine.reopen(id, { actor: 'dora' });
    } else if (r < 0.86) {
      await engine.addNote(id, { text: `note ${n}`, actor: 'sam' });
    } else if (r < 0.94) {
      await engine.tick();
    } else {
      await engine.dispatch(async (m) => {
        if (rng.chance(0.2)) throw new Error(`consumer down for ${m.id}`);
      }, { limit: 20 });
    }
  }

  for (;;) {
    t = Math.min(end, t + rng.int(20 * 60_000));
    try {
      await step();
    } catch (e) {
      if (!(e instanceof WinpathError) || !EXPECTED.has(e.code)) {
        process.stderr.write(`UNEXPECTED ${e instanceof Error ? e.stack : String(e)}\n`);
        closeSync(journal);
        process.exit(3);
      }
    }
  }
}

await main(JSON.parse(process.argv[2]!) as CrashChildConfig);
