/** webhookHandler: a ready dispatch handler that POSTs each message as JSON, signed with HMAC-SHA256. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WinpathError } from '../errors/index.js';
import type { OutboxMessage } from '../model/index.js';
import type { DispatchHandler } from './create-engine.js';

export interface WebhookOptions {
  url: string;
  /** The shared secret of the signature header `x-winpath-signature: sha256=<hex>` over the raw body. */
  secret: string;
  /** Abort the request after this long (default 10 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

/** The signature header value for a body: `sha256=<hex HMAC-SHA256>`. */
export function signWebhookBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers: whether a signature header matches the raw body (constant-time compare). */
export function verifyWebhookSignature(body: string, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const want = Buffer.from(signWebhookBody(body, secret));
  const got = Buffer.from(signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * @example await engine.dispatch(webhookHandler({ url: 'https://erp.example/hooks/winpath', secret }));
 */
export function webhookHandler(opts: WebhookOptions): DispatchHandler {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new WinpathError('INPUT_INVALID', `webhookHandler: "${opts?.url}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WinpathError('INPUT_INVALID', 'webhookHandler: the URL must be http or https');
  if (!opts.secret) throw new WinpathError('INPUT_INVALID', 'webhookHandler needs a secret to sign the body');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return async (m: OutboxMessage) => {
    const body = JSON.stringify({ id: m.id, opportunityId: m.opportunityId, type: m.type, data: m.data, attempts: m.attempts });
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        ...opts.headers,
        'content-type': 'application/json',
        'x-winpath-id': m.id,
        'x-winpath-event': m.type,
        'x-winpath-signature': signWebhookBody(body, opts.secret),
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) throw new Error(`webhook ${url.origin}${url.pathname} answered ${res.status}`);
  };
}
