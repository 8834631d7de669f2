import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { applySecurityHeaders, handleProbe, type Readiness } from './probes.js';

test('readiness answers 503 with status and pending while starting or draining; only GET/HEAD are probes', async () => {
  let readiness: Readiness = { phase: 'starting', pending: ['listener'] };
  const server = http.createServer((req, res) => {
    applySecurityHeaders(res);
    if (!handleProbe(req, res, readiness)) {
      res.statusCode = 418;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    let res = await fetch(`${base}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { ok: false, status: 'starting', pending: ['listener'] });
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/startupz`)).status, 503);
    readiness = { phase: 'draining', pending: ['connections'] };
    res = await fetch(`${base}/ready?verbose=1`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { ok: false, status: 'draining', pending: ['connections'] });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await fetch(`${base}/health`, { method: 'POST' })).status, 418);
    readiness = { phase: 'ready', pending: [] };
    assert.deepEqual(await (await fetch(`${base}/startup`)).json(), { ok: true, status: 'started' });
    const head = await fetch(`${base}/health`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  } finally {
    server.close();
  }
});
