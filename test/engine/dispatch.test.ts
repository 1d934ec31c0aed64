import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createWorker, verifyWebhookSignature, webhookHandler, type OutboxMessage } from 'winpath';
import { readyToLeaveQualify, sam, setup } from './harness.js';

/** A deal whose move into proposal queued: stage.entered (exported), a notification and quote.requested. */
async function dealWithMessages(opts: { outbox?: { maxAttempts?: number; backoffMs?: number } } = {}) {
  const s = await setup(opts);
  const d = await readyToLeaveQualify(s.engine);
  await s.engine.advance(d.id, { actor: sam });
  return { ...s, d };
}

describe('dispatch', () => {
  it('delivers every message once, in per-deal order, with the event id as idempotency key', async () => {
    const { engine, d } = await dealWithMessages();
    const got: OutboxMessage[] = [];
    const r = await engine.dispatch(async (m) => void got.push(m));
    expect(r).toEqual({ delivered: 4, failed: 0, dead: 0 });
    expect(got.map((m) => m.type)).toEqual(['stage.entered', 'stage.entered', 'notification.requested', 'quote.requested']);
    expect(got.map((m) => Number(m.id.split(':')[1]))).toEqual([...got.map((m) => Number(m.id.split(':')[1]))].sort((a, b) => a - b));
    expect(got.every((m) => m.opportunityId === d.id && m.attempts === 1)).toBe(true);
    expect(await engine.dispatch(async (m) => void got.push(m))).toEqual({ delivered: 0, failed: 0, dead: 0 });
    expect((await engine.outbox({ status: 'delivered' })).length).toBe(4);
  });

  it('survives a handler that fails, then hangs past its timeout, then succeeds: the consumer deduplicating by id sees each message once', async () => {
    const { engine, clock } = await dealWithMessages({ outbox: { backoffMs: 1_000 } });
    const seen = new Set<string>();
    const effects: string[] = [];
    let calls = 0;
    const handler = async (m: OutboxMessage) => {
      calls++;
      if (calls === 1) throw new Error('ERP down');
      if (calls === 2) {
        // the consumer applies it, then hangs: the engine times out and will send it again
        if (!seen.has(m.id)) { seen.add(m.id); effects.push(m.id); }
        await new Promise(() => undefined);
      }
      if (!seen.has(m.id)) { seen.add(m.id); effects.push(m.id); }
    };
    expect(await engine.dispatch(handler, { timeoutMs: 50 })).toEqual({ delivered: 0, failed: 1, dead: 0 });
    const [first] = await engine.outbox({ status: 'pending' });
    expect(first).toMatchObject({ attempts: 1, lastError: 'ERP down', nextAttemptAt: '2026-03-02T09:00:01.000Z' });
    // backoff runs on the engine clock: nothing is due until it moves
    expect(await engine.dispatch(handler, { timeoutMs: 50 })).toEqual({ delivered: 0, failed: 0, dead: 0 });
    clock.advance(1_000);
    expect(await engine.dispatch(handler, { timeoutMs: 50 })).toEqual({ delivered: 0, failed: 1, dead: 0 });
    expect((await engine.outbox({ status: 'pending' }))[0]).toMatchObject({ attempts: 2, lastError: 'handler did not settle within 50 ms', nextAttemptAt: '2026-03-02T09:00:03.000Z' });
    clock.advance(2_000);
    expect(await engine.dispatch(handler, { timeoutMs: 50 })).toEqual({ delivered: 4, failed: 0, dead: 0 });
    expect(effects.length).toBe(4);
    expect(new Set(effects).size).toBe(4);
    expect(calls).toBe(6);
  });

  it('parks a message as dead after maxAttempts, reports it, keeps it, and goes on with the deal\'s next messages', async () => {
    const { engine, clock } = await dealWithMessages({ outbox: { maxAttempts: 2, backoffMs: 10 } });
    const handler = async (m: OutboxMessage) => {
      if (m.type === 'notification.requested') throw new Error('no such user');
    };
    await engine.dispatch(handler);
    clock.advance(10);
    const r = await engine.dispatch(handler);
    expect(r).toEqual({ delivered: 1, failed: 0, dead: 1 });
    expect(await engine.outbox({ status: 'dead' })).toMatchObject([{ type: 'notification.requested', attempts: 2, lastError: 'no such user' }]);
    expect((await engine.outbox({ status: 'delivered' })).map((m) => m.type)).toEqual(['stage.entered', 'stage.entered', 'quote.requested']);
  });

  it('opportunity.won carries what an ERP needs to open an order', async () => {
    const { engine } = await setup();
    const d = await readyToLeaveQualify(engine);
    await engine.update(d.id, { fields: { closeDate: '2026-06-30', region: 'south' }, actor: sam });
    await engine.advance(d.id, { actor: sam });
    const [any] = (await engine.approvals({ opportunityId: d.id, status: 'pending' })).filter((a) => a.key === 'any-ok');
    await engine.decide(any!.id, { actor: 'dora', decision: 'approve' });
    await engine.advance(d.id, { actor: sam });
    const [board] = await engine.approvals({ opportunityId: d.id, status: 'pending' });
    await engine.decide(board!.id, { actor: 'fay', decision: 'approve' });
    await engine.decide(board!.id, { actor: 'carl', decision: 'approve' });
    await engine.win(d.id, { actor: 'dora' });
    const got: OutboxMessage[] = [];
    await engine.dispatch(async (m) => void got.push(m));
    const won = got.find((m) => m.type === 'opportunity.won')!;
    expect(won.data).toMatchObject({ amount: 50_000, currency: 'CNY', title: 'ACME', owner: 'sam', template: 'gated', templateVersion: 1, fields: { region: 'south', closeDate: '2026-06-30' } });
    expect(won.id).toBe((await engine.history(d.id)).at(-1)!.id);
  });
});

describe('webhookHandler', () => {
  async function server(answer: (req: IncomingMessage, body: string) => number | 'hang') {
    const bodies: { headers: IncomingMessage['headers']; body: string }[] = [];
    const srv = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push({ headers: req.headers, body });
        const status = answer(req, body);
        if (status === 'hang') return;
        res.statusCode = status;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`;
    return { url, bodies, close: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }) };
  }

  it('POSTs JSON signed with HMAC-SHA256 that the receiver can verify', async () => {
    const srv = await server(() => 204);
    try {
      const { engine } = await dealWithMessages();
      const r = await engine.dispatch(webhookHandler({ url: srv.url, secret: 's3cret' }));
      expect(r.delivered).toBe(4);
      expect(srv.bodies.length).toBe(4);
      for (const { headers, body } of srv.bodies) {
        expect(headers['content-type']).toBe('application/json');
        expect(verifyWebhookSignature(body, headers['x-winpath-signature'] as string, 's3cret')).toBe(true);
        expect(verifyWebhookSignature(body, headers['x-winpath-signature'] as string, 'wrong')).toBe(false);
        const msg = JSON.parse(body) as OutboxMessage;
        expect(headers['x-winpath-id']).toBe(msg.id);
      }
    } finally {
      await srv.close();
    }
  });

  it('a non-2xx answer or a timeout is a failed attempt, retried later', async () => {
    let n = 0;
    const srv = await server(() => (++n === 1 ? 500 : n === 2 ? 'hang' : 200));
    try {
      const { engine, clock } = await dealWithMessages();
      const hook = webhookHandler({ url: srv.url, secret: 'x', timeoutMs: 100 });
      expect(await engine.dispatch(hook)).toEqual({ delivered: 0, failed: 1, dead: 0 });
      expect((await engine.outbox({ status: 'pending' }))[0]!.lastError).toContain('answered 500');
      clock.advance(60_000);
      expect(await engine.dispatch(hook)).toEqual({ delivered: 0, failed: 1, dead: 0 });
      clock.advance(60_000);
      expect(await engine.dispatch(hook)).toEqual({ delivered: 4, failed: 0, dead: 0 });
    } finally {
      await srv.close();
    }
  });
});

describe('createWorker', () => {
  it('ticks and dispatches in rounds and stops cleanly', async () => {
    const { engine, d } = await dealWithMessages();
    const delivered: string[] = [];
    const rounds: number[] = [];
    let resolveTwo!: () => void;
    const two = new Promise<void>((r) => (resolveTwo = r));
    const worker = createWorker({
      engine, every: 5, handler: async (m) => void delivered.push(m.id),
      onRound: (r) => { rounds.push(r.delivered); if (rounds.length === 2) resolveTwo(); },
    });
    await two;
    await worker.stop();
    const after = rounds.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(rounds.length).toBe(after);
    expect(delivered.length).toBe(4);
    expect(delivered.every((id) => id.startsWith(`${d.id}:`))).toBe(true);
  });
});
