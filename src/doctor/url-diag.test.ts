// The diagnostics endpoint contract doctor --url relies on (GET /__openclaw__/diag, specified in the
// doctor report to the lead): a local server speaking exactly that JSON, so the findings built on it
// (client IP, trusted proxy, ?token= surviving the proxy) are tested before the gateway ships it.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startNginx } from './testing/proxies.js';
import { diagnoseUrl, DIAG_PATH, type GatewayDiag } from './url-probe.js';

/** Answers /health and the diag endpoint the way the spec says: it reflects what arrived. */
async function diagServer(trusted: string[]): Promise<{ port: number; close(): void }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const xff = req.headers['x-forwarded-for'];
    const forwardedFor = typeof xff === 'string' ? xff : null;
    const peerTrusted = trusted.includes(peer);
    const body: GatewayDiag | { ok: true; status: string } = url.pathname === `/${DIAG_PATH}`
      ? { ok: true, peer, peerTrusted, forwardedFor, clientIp: peerTrusted ? (forwardedFor?.split(',').pop()?.trim() ?? null) : peer, tokenQuery: url.searchParams.has('token'), origin: req.headers.origin ?? null, originAllowed: true, keepAliveSeconds: 30 }
      : { ok: true, status: 'live' };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

const find = (r: Awaited<ReturnType<typeof diagnoseUrl>>, id: string) => r.checks.find((c) => c.id === id)!;

test('proxy headers from an untrusted proxy: doctor names the proxy and the trustedProxies command', async () => {
  const backend = await diagServer([]);
  const proxy = await startNginx(backend.port);
  try {
    const r = await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 });
    const ip = find(r, 'url-client-ip');
    assert.equal(ip.level, 'warn');
    assert.match(ip.message, /sees the proxy 127\.0\.0\.1 as the client/);
    assert.equal(ip.fix, `openclaw config set gateway.trustedProxies '["127.0.0.1"]'`);
    assert.equal(find(r, 'url-token').level, 'ok'); // ?token= survives the documented config
  } finally {
    await proxy.stop();
    backend.close();
  }
});

test('a trusted proxy: doctor reports the client IP the gateway sees', async () => {
  const backend = await diagServer(['127.0.0.1']);
  const proxy = await startNginx(backend.port);
  try {
    const ip = find(await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 }), 'url-client-ip');
    assert.equal(ip.level, 'ok');
    assert.match(ip.message, /sees this client as 127\.0\.0\.1 \(X-Forwarded-For from trusted proxy 127\.0\.0\.1\)/);
  } finally {
    await proxy.stop();
    backend.close();
  }
});

test('a proxy that drops the query string: doctor says ?token= does not reach the gateway', async () => {
  const backend = await diagServer(['127.0.0.1']);
  const proxy = await startNginx(backend.port, (s) => s.replace(/proxy_pass http:\/\/127\.0\.0\.1:18789;/, 'proxy_pass http://127.0.0.1:18789$uri;'));
  try {
    const token = find(await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 }), 'url-token');
    assert.equal(token.level, 'error');
    assert.match(token.message, /\?token= query parameter does not reach the gateway/);
  } finally {
    await proxy.stop();
    backend.close();
  }
});
