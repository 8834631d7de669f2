import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBrowserOrigin } from './origin.js';

const base = { host: 'gw.example.com', allowedOrigins: [] as string[], allowHostHeaderFallback: false, isLocal: false };

test('missing, "null" and non-URL origins are rejected as missing or invalid', () => {
  for (const origin of [undefined, '', 'null', 'not a url', 'file://']) {
    assert.deepEqual(checkBrowserOrigin({ ...base, origin }), { ok: false, reason: 'origin missing or invalid' }, String(origin));
  }
});

test('allowlist matches exact normalized origins and "*"', () => {
  const allowedOrigins = ['https://GW.example.com:443', 'http://10.0.0.5:18789'];
  assert.deepEqual(checkBrowserOrigin({ ...base, allowedOrigins, origin: 'https://gw.example.com' }), { ok: true, via: 'allowlist' });
  assert.deepEqual(checkBrowserOrigin({ ...base, allowedOrigins, origin: 'http://10.0.0.5:18789' }), { ok: true, via: 'allowlist' });
  assert.deepEqual(checkBrowserOrigin({ ...base, allowedOrigins, origin: 'http://gw.example.com' }), { ok: false, reason: 'origin not allowed' });
  assert.deepEqual(checkBrowserOrigin({ ...base, allowedOrigins, origin: 'https://gw.example.com.evil.test' }), { ok: false, reason: 'origin not allowed' });
  assert.deepEqual(checkBrowserOrigin({ ...base, allowedOrigins: ['*'], origin: 'https://anything.test' }), { ok: true, via: 'allowlist' });
});

test('host-header fallback only when enabled and the host matches', () => {
  const o = { ...base, origin: 'https://gw.example.com', host: 'gw.example.com:443' };
  assert.deepEqual(checkBrowserOrigin(o), { ok: false, reason: 'origin not allowed' });
  assert.deepEqual(checkBrowserOrigin({ ...o, allowHostHeaderFallback: true }), { ok: true, via: 'host-header-fallback' });
  assert.deepEqual(checkBrowserOrigin({ ...o, allowHostHeaderFallback: true, host: 'other.example.com' }), { ok: false, reason: 'origin not allowed' });
});

test('loopback origins pass only for local requests', () => {
  for (const origin of ['http://127.0.0.1:18789', 'http://localhost:5173', 'http://[::1]:18789']) {
    assert.deepEqual(checkBrowserOrigin({ ...base, origin, isLocal: true }), { ok: true, via: 'local-loopback' }, origin);
    assert.deepEqual(checkBrowserOrigin({ ...base, origin, isLocal: false }), { ok: false, reason: 'origin not allowed' }, origin);
  }
  assert.deepEqual(checkBrowserOrigin({ ...base, origin: 'http://evil.test', isLocal: true }), { ok: false, reason: 'origin not allowed' });
  assert.deepEqual(checkBrowserOrigin({ ...base, origin: 'http://localhost.evil.test', isLocal: true }), { ok: false, reason: 'origin not allowed' });
});
