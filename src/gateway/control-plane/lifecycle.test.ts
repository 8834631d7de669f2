// Connection lifecycle beyond the handshake: presence, hot-reloaded auth, shutdown/restart closes
// and the slow-consumer guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { Logger } from '../../logging/types.js';
import type { MethodDef } from '../methods/types.js';
import { configWith, connectClient, makeDevice, startTestGateway, TestClient, TEST_TOKEN } from './test-support.js';

test('presence: a UI device appears and disappears with increasing stateVersion; the CLI does not', async () => {
  const gw = await startTestGateway();
  try {
    const observer = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() })).client;
    const uiDevice = makeDevice();
    const ui = await connectClient(gw.url, { token: TEST_TOKEN, device: uiDevice, clientId: 'openclaw-macos', mode: 'ui', platform: 'darwin' });
    assert.equal(ui.res.ok, true);
    const joined = await observer.next((f) => f.event === 'presence' && f.payload.presence.some((p: { deviceId?: string }) => p.deviceId === uiDevice.deviceId));
    const row = joined.payload.presence.find((p: { deviceId?: string }) => p.deviceId === uiDevice.deviceId);
    assert.equal(row.platform, 'darwin');
    assert.equal(row.reason, 'connect');
    assert.equal(typeof row.ts, 'number');
    const from = observer.frames.length;
    ui.client.close();
    const left = await observer.next((f) => f.event === 'presence' && !f.payload.presence.some((p: { deviceId?: string }) => p.deviceId === uiDevice.deviceId), from);
    assert.ok(left.stateVersion!.presence > joined.stateVersion!.presence);
    const list = await observer.request('system-presence');
    assert.deepEqual(list.payload.map((p: { mode?: string; reason?: string }) => `${p.mode}/${p.reason}`), ['gateway/self'], "only the gateway's own row: the CLI observer is not presence");
    observer.close();
  } finally {
    await gw.close();
  }
});

test('hot reload: a new token takes effect for the next connect', async () => {
  const gw = await startTestGateway();
  try {
    const live = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() })).client;
    gw.reconfigure(configWith({}, 'rotated-token-0123456789abcdef0123'));
    const old = await connectClient(gw.url, { token: TEST_TOKEN });
    assert.equal(old.res.error!.details.code, 'AUTH_TOKEN_MISMATCH');
    const fresh = await connectClient(gw.url, { token: 'rotated-token-0123456789abcdef0123' });
    assert.equal(fresh.res.ok, true);
    assert.equal((await live.request('health')).ok, true, 'established sessions are kept');
    fresh.client.close();
    live.close();
  } finally {
    await gw.close();
  }
});

test('shutdown: a shutdown event, then close 1012 "service restart"; later upgrades are refused', async () => {
  const gw = await startTestGateway();
  try {
    const { client } = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() });
    await gw.cp.shutdown({ code: 1012, reason: 'service restart', restartExpectedMs: 1500 });
    const event = client.events('shutdown')[0];
    assert.deepEqual(event.payload, { reason: 'service restart', restartExpectedMs: 1500 });
    assert.deepEqual(await client.closed, { code: 1012, reason: 'service restart' });
    assert.deepEqual(gw.cp.stats(), { connections: 0, authenticated: 0 });
    await assert.rejects(TestClient.open(gw.url));
  } finally {
    await gw.close();
  }
});

test('a client that stops reading is closed as a slow consumer; others are unaffected', async () => {
  const lines: string[] = [];
  const log: Logger = { debug() {}, info() {}, warn: (m) => void lines.push(m), error: (m) => void lines.push(m), child: () => log };
  const flood: MethodDef = {
    name: 'test.flood',
    scope: 'operator.read',
    params: z.object({ count: z.number(), size: z.number() }),
    handler: ({ params, services }) => {
      const blob = 'x'.repeat(params.size);
      for (let i = 0; i < params.count; i++) services.broadcast('system-event', { text: 'flood', i, blob });
      return { sent: params.count };
    },
  };
  const gw = await startTestGateway({ extraMethods: [flood], log });
  try {
    const slow = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() })).client;
    const reader = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice(), scopes: ['operator.read'] })).client;
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const r = await reader.request('test.flood', { count: 80, size: 1024 * 1024 });
    assert.equal(r.ok, true);
    assert.ok(lines.some((l) => l.startsWith('closing slow consumer')), lines.join('\n'));
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    assert.ok(closed.code === 1008 || closed.code === 1006, `closed ${closed.code}`);
    assert.equal((await reader.request('health')).ok, true);
    reader.close();
  } finally {
    await gw.close();
  }
});

test('each rejection is logged once with its detail code and address, never with the secret', async () => {
  const lines: string[] = [];
  const record = (m: string, f?: Record<string, unknown>) => void lines.push(`${m} ${JSON.stringify(f ?? {})}`);
  const log: Logger = { debug: record, info: record, warn: record, error: record, child: () => log };
  const gw = await startTestGateway({ log });
  try {
    const wrong = 'wrong-secret-value-0123456789';
    const { client } = await connectClient(gw.url, { token: wrong, device: makeDevice() });
    await client.closed;
    const ok = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() });
    ok.client.close();
    const rejected = lines.filter((l) => l.includes('connect rejected'));
    assert.equal(rejected.length, 1);
    assert.match(rejected[0], /^connect rejected: AUTH_TOKEN_MISMATCH from 127\.0\.0\.1 /);
    assert.ok(!lines.some((l) => l.includes(wrong) || l.includes(TEST_TOKEN) || l.includes(ok.res.payload.auth.deviceToken)), lines.join('\n'));
  } finally {
    await gw.close();
  }
});
