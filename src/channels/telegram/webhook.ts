// The HTTP listener Telegram POSTs updates to in webhook mode. Telegram keeps an update and
// retries it until it gets a 2xx, so we answer 200 only after the update is durable (header
// `x-openclaw-delivery-accepted: durable`) and 503 when it is not, to have it sent again.
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';

export const DELIVERY_HEADER = 'x-openclaw-delivery-accepted';
const MAX_BODY = 1024 * 1024;

export interface WebhookListenerOptions {
  host: string;
  port: number;
  path: string;
  /** When set, requests must carry it in X-Telegram-Bot-Api-Secret-Token. */
  secret?: string;
  /** Resolves `durable` once stored, `ignored` for updates that carry nothing for us; rejects when not stored. */
  handle(update: Update): Promise<'durable' | 'ignored'>;
  /** An authenticated request arrived (transport activity). */
  onRequest?(at: number): void;
  onError?(message: string): void;
}

export interface WebhookListener {
  readonly port: number;
  close(): Promise<void>;
}

function secretMatches(expected: string, got: string | string[] | undefined): boolean {
  if (typeof got !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const reply = (res: http.ServerResponse, status: number, headers: Record<string, string> = {}) => {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain', ...headers });
  res.end(http.STATUS_CODES[status] ?? '');
};

export async function startWebhookListener(opts: WebhookListenerOptions): Promise<WebhookListener> {
  // One update at a time, in arrival order, like the polling path.
  let chain: Promise<unknown> = Promise.resolve();

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== opts.path) return reply(res, 404);
    if (req.method !== 'POST') return reply(res, 405, { allow: 'POST' });
    if (opts.secret && !secretMatches(opts.secret, req.headers['x-telegram-bot-api-secret-token'])) return reply(res, 401);
    opts.onRequest?.(Date.now());
    const body = await readBody(req);
    if (body === null) return reply(res, 413);
    let update: Update;
    try {
      update = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(res, 400);
    }
    if (!update || typeof update !== 'object' || typeof update.update_id !== 'number') return reply(res, 400);
    const result = chain.then(() => opts.handle(update));
    chain = result.catch(() => undefined);
    try {
      const outcome = await result;
      reply(res, 200, { [DELIVERY_HEADER]: outcome });
    } catch (err) {
      opts.onError?.(`webhook update ${update.update_id} not stored (Telegram will retry): ${err instanceof Error ? err.message : String(err)}`);
      reply(res, 503, { 'retry-after': '1' });
    }
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch(() => reply(res, 500));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => opts.onError?.(`webhook listener error: ${err.message}`));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
