// doctor --url against the gateway's real diagnostics endpoint (GET /__openclaw__/diag) behind a
// real nginx configured from docs/reverse-proxy.md: the findings built on it (client IP, trusted
// proxy, ?token= surviving the proxy) come from what the gateway actually saw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGateway, startNginx } from './testing/proxies.js';
import { diagnoseUrl } from './url-probe.js';

/** nginx connects to the gateway from 127.0.0.2, so the proxy and the client (127.0.0.1) differ. */
const bindProxy = (s: string) => s.replace(/(proxy_pass [^;]+;)/, '$1\n        proxy_bind 127.0.0.2;');

const find = (r: Awaited<ReturnType<typeof diagnoseUrl>>, id: string) => r.checks.find((c) => c.id === id)!;

test('proxy headers from an untrusted proxy: doctor names the proxy and the trustedProxies command', async () => {
  const backend = await startGateway();
  const proxy = await startNginx(backend.port, bindProxy);
  try {
    const r = await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 });
    const ip = find(r, 'url-client-ip');
    assert.equal(ip.level, 'warn');
    assert.match(ip.message, /sees the proxy 127\.0\.0\.2 as the client/);
    assert.equal(ip.fix, `openclaw config set gateway.trustedProxies '["127.0.0.2"]'`);
    assert.equal(find(r, 'url-token').level, 'ok'); // ?token= survives the documented config
  } finally {
    await proxy.stop();
    await backend.stop();
  }
});

test('a trusted proxy: doctor reports the client IP the gateway sees', async () => {
  const backend = await startGateway({ trustedProxies: ['127.0.0.2'] });
  const proxy = await startNginx(backend.port, bindProxy);
  try {
    const ip = find(await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 }), 'url-client-ip');
    assert.equal(ip.level, 'ok');
    assert.match(ip.message, /sees this client as 127\.0\.0\.1 \(X-Forwarded-For from trusted proxy 127\.0\.0\.2\)/);
  } finally {
    await proxy.stop();
    await backend.stop();
  }
});

test('a proxy that drops the query string: doctor says ?token= does not reach the gateway', async () => {
  const backend = await startGateway({ trustedProxies: ['127.0.0.1'] });
  const proxy = await startNginx(backend.port, (s) => s.replace(/proxy_pass http:\/\/127\.0\.0\.1:18789;/, 'proxy_pass http://127.0.0.1:18789$uri;'));
  try {
    const token = find(await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 }), 'url-token');
    assert.equal(token.level, 'error');
    assert.match(token.message, /\?token= query parameter does not reach the gateway/);
  } finally {
    await proxy.stop();
    await backend.stop();
  }
});

test('doctor on the proxy host itself: X-Forwarded-For names only trusted addresses, which is not a proxy fault', async () => {
  const backend = await startGateway({ trustedProxies: ['127.0.0.1'] });
  const proxy = await startNginx(backend.port);
  try {
    const ip = find(await diagnoseUrl({ url: proxy.url, timeoutMs: 3000 }), 'url-client-ip');
    assert.equal(ip.level, 'ok');
    assert.match(ip.message, /names only trusted addresses \(127\.0\.0\.1\): this doctor runs on a proxy host/);
  } finally {
    await proxy.stop();
    await backend.stop();
  }
});
