// GatewayClient against a small local server speaking the real v4 wire format, so reconnect,
// pause, resume and retry paths can be driven deterministically. End-to-end tests against the
// real gateway are in gateway-client.e2e.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { eventually, freePort, makeStateDir } from '../testing/harness.js';
import { rejectionError, rejectionClose, type RejectionId, type RejectionContext } from '../protocol/errors.js';
import { signedBearer } from '../protocol/device-auth.js';
import { verifyDeviceProof } from '../auth/device-proof.js';
import { GatewayClient, type ConnectionState, type GatewayClientOptions } from './gateway-client.js';
import { DeviceTokenStore } from './identity.js';
import { GatewayCallError, GatewayClosedError, GatewayUnreachableError } from './errors.js';

interface ConnectSeen {
  params: any;
  proofOk: boolean;
}

type ConnectAnswer = { hello?: Record<string, unknown>; reject?: { id: RejectionId; ctx?: RejectionContext; extra?: Record<string, unknown> } };

/** A one-port fake gateway: challenge, scripted connect answers, scripted methods. */
async function fakeGateway(opts: {
  onConnect?: (seen: ConnectSeen, n: number) => ConnectAnswer;
  onRequest?: (method: string, params: any, ws: WebSocket, reply: (payload: unknown) => void) => void;
}) {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  const connects: ConnectSeen[] = [];
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    const nonce = crypto.randomUUID();
    ws.send(JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce, ts: Date.now() } }));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.method === 'connect') {
        const p = f.params;
        const proof = p.device
          ? verifyDeviceProof({ device: p.device, challengeNonce: nonce, now: Date.now(), clientId: p.client.id, clientMode: p.client.mode, role: p.role, scopes: p.scopes, signedToken: signedBearer(p.auth), platform: p.client.platform, deviceFamily: p.client.deviceFamily })
          : { ok: false };
        const seen = { params: p, proofOk: proof.ok };
        connects.push(seen);
        const answer = opts.onConnect?.(seen, connects.length) ?? {};
        if (answer.reject) {
          ws.send(JSON.stringify({ type: 'res', id: f.id, ok: false, error: rejectionError(answer.reject.id, answer.reject.ctx ?? {}, answer.reject.extra ?? {}) }));
          const c = rejectionClose(answer.reject.id, answer.reject.ctx ?? {})!;
          ws.close(c.code, c.reason);
          return;
        }
        const hello = { type: 'hello-ok', protocol: 4, server: { version: 'fake', connId: crypto.randomUUID() }, features: { methods: [], events: [] }, snapshot: {}, auth: { role: p.role, scopes: p.scopes }, policy: { maxPayload: 1e6, maxBufferedBytes: 1e6, tickIntervalMs: 30_000 }, ...answer.hello };
        ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload: hello }));
        return;
      }
      opts.onRequest?.(f.method, f.params, ws, (payload) => ws.send(JSON.stringify({ type: 'res', id: f.id, ok: true, payload })));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    connects,
    sockets,
    event(ws: WebSocket, event: string, payload: unknown, seq?: number) {
      ws.send(JSON.stringify({ type: 'event', event, payload, ...(seq !== undefined ? { seq } : {}) }));
    },
    dropAll(code = 1012, reason = 'service restart') {
      for (const ws of sockets) ws.close(code, reason);
    },
    async stop() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function client(sd: { dir: string }, url: string, over: Partial<GatewayClientOptions> = {}) {
  const c = new GatewayClient({ url, token: 'shared', stateDir: sd.dir, backoff: { initialMs: 20, maxMs: 80 }, pairingPollMs: 20, ...over });
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  return { c, states };
}

test('signs the challenge (v3), sends resume caps, and stores the device token from hello-ok', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: () => ({ hello: { auth: { role: 'operator', scopes: ['operator.read'], deviceToken: 'dev-tok' } } }) });
  const { c, states } = client(sd, gw.url);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  const hello = await c.connect();
  assert.equal(hello.type, 'hello-ok');
  const seen = gw.connects[0];
  assert.equal(seen.proofOk, true);
  assert.equal(seen.params.auth.token, 'shared');
  assert.equal(seen.params.auth.deviceToken, undefined);
  assert.deepEqual(seen.params.caps, ['resume']);
  assert.equal(seen.params.client.id, 'cli');
  assert.equal(seen.params.device.id, c.deviceId);
  assert.deepEqual(states.map((s) => s.state), ['connecting', 'connected']);
  assert.equal(new DeviceTokenStore(sd.dir, c.deviceId!).get(gw.url, 'operator')?.token, 'dev-tok');

  // Without a shared token the stored device token is sent, with the scopes stored beside it.
  const second = client(sd, gw.url, { token: undefined });
  t.after(() => second.c.close());
  await second.c.connect();
  assert.equal(gw.connects[1].params.auth.deviceToken, 'dev-tok');
  assert.equal(gw.connects[1].params.auth.token, undefined);
  assert.deepEqual(gw.connects[1].params.scopes, ['operator.read']);
  assert.equal(gw.connects[1].proofOk, true);
});

test('a rejected handshake pauses (no loop) with the detail code, cause and fix', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: () => ({ reject: { id: 'AUTH_TOKEN_MISMATCH', ctx: { hint: 'set gateway.remote.token to match gateway.auth.token' } } }) });
  const { c, states } = client(sd, gw.url);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  const err = await c.connect().then(
    () => assert.fail('should not connect'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GatewayCallError);
  assert.equal(err.detailCode, 'AUTH_TOKEN_MISMATCH');
  assert.equal(err.message, 'unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)');
  assert.match(err.fix ?? '', /openclaw doctor/);
  const last = states.at(-1)!;
  assert.equal(last.state, 'paused');
  assert.equal(last.detailCode, 'AUTH_TOKEN_MISMATCH');
  assert.equal(last.code, 1008);
  assert.equal(c.state, 'paused');
  assert.equal(gw.connects.length, 1);
  // requests fail fast while paused
  await assert.rejects(c.request('health'), GatewayCallError);
});

test('PAIRING_REQUIRED keeps polling and connects by itself once approved', async (t) => {
  const sd = makeStateDir();
  let approved = false;
  const gw = await fakeGateway({
    onConnect: () => (approved ? {} : { reject: { id: 'PAIRING_REQUIRED', ctx: { requestId: 'req-123' }, extra: { requestId: 'req-123', pauseReconnect: false } } }),
  });
  const { c, states } = client(sd, gw.url);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  const connected = c.connect();
  await eventually(() => gw.connects.length >= 2);
  const waiting = states.find((s) => s.state === 'reconnecting')!;
  assert.equal(waiting.detailCode, 'PAIRING_REQUIRED');
  assert.equal(waiting.requestId, 'req-123');
  assert.equal(waiting.fix, 'openclaw devices approve req-123');
  assert.equal(waiting.retryInMs, 20);
  approved = true;
  const hello = await connected;
  assert.equal(hello.type, 'hello-ok');
  assert.equal(c.state, 'connected');
});

test('a stale device token is cleared from the cache; without a shared token the client pauses', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: (seen) => (seen.params.auth?.deviceToken === 'stale' ? { reject: { id: 'AUTH_DEVICE_TOKEN_MISMATCH' } } : {}) });
  const { c, states } = client(sd, gw.url, { token: undefined });
  const store = new DeviceTokenStore(sd.dir, c.deviceId!);
  store.set(gw.url, 'operator', 'stale', ['operator.admin']);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await assert.rejects(c.connect(), (e: unknown) => e instanceof GatewayCallError && e.detailCode === 'AUTH_DEVICE_TOKEN_MISMATCH' && e.message === 'connect failed — device token mismatch');
  assert.equal(store.get(gw.url, 'operator'), undefined);
  assert.equal(states.at(-1)!.state, 'paused');
  assert.equal(states.at(-1)!.code, 4008);
});

test('after a gateway token mismatch on loopback, retries once with the stored device token', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: (seen) => (seen.params.auth?.token === 'drifted' ? { reject: { id: 'AUTH_TOKEN_MISMATCH' } } : {}) });
  const { c } = client(sd, gw.url, { token: 'drifted' });
  new DeviceTokenStore(sd.dir, c.deviceId!).set(gw.url, 'operator', 'dev-tok', ['operator.admin']);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  assert.equal(gw.connects.length, 2);
  assert.equal(gw.connects[1].params.auth.token, undefined);
  assert.equal(gw.connects[1].params.auth.deviceToken, 'dev-tok');
  assert.equal(gw.connects[1].proofOk, true);
});

test('reconnects with exponential backoff and jitter, capped', async (t) => {
  const sd = makeStateDir();
  const port = await freePort(); // nothing listens here
  const { c, states } = client(sd, `ws://127.0.0.1:${port}`, { backoff: { initialMs: 10, maxMs: 40 } });
  t.after(async () => {
    await c.close();
    sd.cleanup();
  });
  void c.connect().catch(() => {});
  await eventually(() => states.filter((s) => s.state === 'reconnecting').length >= 5, 10_000);
  const delays = states.filter((s) => s.state === 'reconnecting').map((s) => s.retryInMs!);
  delays.slice(0, 5).forEach((d, i) => {
    const base = Math.min(40, 10 * 2 ** i);
    assert.ok(d >= Math.floor(base * 0.75) && d <= Math.min(40, Math.ceil(base * 1.25)), `attempt ${i}: ${d}ms not within jitter of ${base}ms`);
  });
  assert.ok(states.some((s) => s.state === 'reconnecting' && s.code === 1006 && /gateway stopped/.test(s.cause ?? '')));
});

test('in-flight requests: keyed ones are retried with the same key after reconnect, others reject', async (t) => {
  const sd = makeStateDir();
  let connection = 0;
  const received: Array<{ conn: number; method: string; key?: string }> = [];
  const gw = await fakeGateway({
    onConnect: () => {
      connection++;
      return {};
    },
    onRequest: (method, params, _ws, reply) => {
      received.push({ conn: connection, method, key: params?.idempotencyKey });
      if (connection > 1) reply({ done: params?.idempotencyKey ?? null }); // the first connection never answers
    },
  });
  const { c } = client(sd, gw.url);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  const keyed = c.request('sessions.send', { text: 'hi' }, { idempotencyKey: 'key-1' });
  const unkeyed = c.request('health');
  await eventually(() => received.length === 2);
  gw.dropAll(1012, 'service restart');
  await assert.rejects(unkeyed, (e: unknown) => e instanceof GatewayClosedError && e.message === 'gateway closed (1012): service restart');
  assert.deepEqual(await keyed, { done: 'key-1' });
  assert.deepEqual(received, [
    { conn: 1, method: 'sessions.send', key: 'key-1' },
    { conn: 1, method: 'health', key: undefined },
    { conn: 2, method: 'sessions.send', key: 'key-1' },
  ]);
});

test('resume: presents the last seq, and replayed duplicates are delivered once', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({
    onConnect: (seen) => ({ hello: { resume: { sessionId: 'log-1', cursor: seen.params.resume ? 7 : 2, replayed: 0 } } }),
  });
  const { c } = client(sd, gw.url);
  const got: Array<[string, number | undefined]> = [];
  c.on('event', (name, _p, seq) => got.push([name, seq]));
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  const ws1 = [...gw.sockets][0];
  gw.event(ws1, 'sessions.changed', {}, 2); // not newer than the cursor: already seen
  gw.event(ws1, 'sessions.changed', {}, 3);
  gw.event(ws1, 'tick', {}); // unsequenced events always pass
  gw.event(ws1, 'sessions.changed', {}, 4);
  await eventually(() => got.length === 3);
  assert.deepEqual(c.resumeState, { sessionId: 'log-1', lastSeq: 4 });
  gw.dropAll(1012, 'service restart');
  await eventually(() => gw.connects.length === 2 && gw.sockets.size === 1 && c.state === 'connected');
  assert.deepEqual(gw.connects[1].params.resume, { sessionId: 'log-1', lastSeq: 4 });
  const ws2 = [...gw.sockets][0];
  for (const seq of [3, 4, 5, 6, 7, 5, 8]) gw.event(ws2, 'sessions.changed', {}, seq);
  await eventually(() => got.some(([, s]) => s === 8));
  assert.deepEqual(got, [
    ['sessions.changed', 3],
    ['tick', undefined],
    ['sessions.changed', 4],
    ['sessions.changed', 5],
    ['sessions.changed', 6],
    ['sessions.changed', 7],
    ['sessions.changed', 8],
  ]);
});

test('resume.gap with sessionChanged adopts the hello cursor even under the same session id', async (t) => {
  const sd = makeStateDir();
  // Second connect: the server lost its log but kept the id; its new log is at 3.
  const gw = await fakeGateway({ onConnect: (_seen, n) => ({ hello: { resume: { sessionId: 'log-1', cursor: n === 1 ? 0 : 3, replayed: 0 } } }) });
  const { c } = client(sd, gw.url);
  const got: Array<[string, number | undefined]> = [];
  c.on('event', (name, _p, seq) => got.push([name, seq]));
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  for (const seq of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) gw.event([...gw.sockets][0], 'sessions.changed', {}, seq);
  await eventually(() => c.resumeState?.lastSeq === 10);
  gw.dropAll(1012, 'service restart');
  await eventually(() => gw.connects.length === 2 && gw.sockets.size === 1 && c.state === 'connected');
  assert.deepEqual(gw.connects[1].params.resume, { sessionId: 'log-1', lastSeq: 10 });
  got.length = 0;
  const ws2 = [...gw.sockets][0];
  gw.event(ws2, 'resume.gap', { fromSeq: 1, toSeq: 3, sessionChanged: true });
  gw.event(ws2, 'sessions.changed', {}, 3); // at the new cursor: already covered by the gap
  gw.event(ws2, 'sessions.changed', {}, 4);
  gw.event(ws2, 'sessions.changed', {}, 5);
  await eventually(() => got.some(([, s]) => s === 5));
  assert.deepEqual(got, [['resume.gap', undefined], ['sessions.changed', 4], ['sessions.changed', 5]]);
  assert.deepEqual(c.resumeState, { sessionId: 'log-1', lastSeq: 5 });
});

test('events without seq (tick, presence, health, shutdown) are delivered and leave dedupe intact', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: () => ({ hello: { resume: { sessionId: 'log-1', cursor: 2, replayed: 0 } } }) });
  const { c } = client(sd, gw.url);
  const got: Array<[string, number | undefined]> = [];
  c.on('event', (name, _p, seq) => got.push([name, seq]));
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  const ws = [...gw.sockets][0];
  gw.event(ws, 'sessions.changed', {}, 3);
  for (const name of ['tick', 'presence', 'health']) gw.event(ws, name, {});
  gw.event(ws, 'tick', {}, 99); // a per-connection counter on a transient event must not move the cursor
  gw.event(ws, 'sessions.changed', {}, 3); // duplicate
  gw.event(ws, 'sessions.changed', {}, 4);
  gw.event(ws, 'shutdown', { reason: 'test', restartExpectedMs: null });
  await eventually(() => got.some(([name]) => name === 'shutdown'));
  assert.deepEqual(got, [
    ['sessions.changed', 3],
    ['tick', undefined],
    ['presence', undefined],
    ['health', undefined],
    ['tick', 99],
    ['sessions.changed', 4],
    ['shutdown', undefined],
  ]);
  assert.deepEqual(c.resumeState, { sessionId: 'log-1', lastSeq: 4 });
});

test('without reconnect, an unreachable gateway rejects with the exact message', async (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const url = `ws://127.0.0.1:${await freePort()}`;
  const { c, states } = client(sd, url, { reconnect: false });
  await assert.rejects(c.connect(), (e: unknown) => e instanceof GatewayUnreachableError && e.message === `gateway connect failed: connection refused at ${url} (is it running? openclaw gateway start)`);
  assert.equal(states.at(-1)!.state, 'closed');
  await c.close();
});

test('close() rejects pending requests and stops reconnecting', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({});
  const { c, states } = client(sd, gw.url);
  t.after(async () => {
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  const pending = assert.rejects(c.request('never.answered'), (e: unknown) => e instanceof GatewayClosedError && e.message === 'gateway closed (1000): client closed');
  await c.close();
  await pending;
  assert.equal(states.at(-1)!.state, 'closed');
  await assert.rejects(c.request('health'), GatewayClosedError);
  await assert.rejects(c.connect(), GatewayClosedError);
});

test('a silent connection (no frames for 2 tick intervals) is closed 4000 tick timeout and re-established', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: () => ({ hello: { policy: { maxPayload: 1e6, maxBufferedBytes: 1e6, tickIntervalMs: 1000 } } }) });
  const { c, states } = client(sd, gw.url);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  const dropped = await eventually(() => states.find((s) => s.state === 'reconnecting'), 10_000);
  assert.equal(dropped.code, 4000);
  assert.equal(dropped.reason, 'tick timeout');
  await eventually(() => gw.connects.length === 2 && c.state === 'connected', 10_000);
});

test('a bootstrap code is sent only while there is no token, once; the issued device token replaces it', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({ onConnect: (seen) => ({ hello: { auth: { role: 'operator', scopes: seen.params.scopes, deviceToken: 'from-bootstrap' } } }) });
  const { c } = client(sd, gw.url, { token: undefined, bootstrapToken: 'code-1', scopes: ['operator.read'] });
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  assert.deepEqual(gw.connects[0].params.auth, { bootstrapToken: 'code-1' });
  assert.equal(gw.connects[0].proofOk, true, 'the bootstrap code is the signed bearer');
  gw.dropAll(1012, 'service restart');
  await eventually(() => gw.connects.length === 2 && c.state === 'connected');
  assert.deepEqual(gw.connects[1].params.auth, { deviceToken: 'from-bootstrap' });
});

test('an invalid URL is reported, not thrown', async (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const { c, states } = client(sd, 'not a url');
  await assert.rejects(c.connect(), /invalid gateway URL/);
  assert.equal(states.at(-1)!.state, 'paused');
  await c.close();
});

test('a close without a rejection says what happened: 1001 stopped, 1012 restarting, 1006 lost', async (t) => {
  const sd = makeStateDir();
  const gw = await fakeGateway({});
  const { c, states } = client(sd, gw.url);
  t.after(async () => {
    await c.close();
    await gw.stop();
    sd.cleanup();
  });
  await c.connect();
  const kinds: Array<[number, string]> = [[1001, 'stopped'], [1012, 'restarting']];
  for (const [code, kind] of kinds) {
    gw.dropAll(code, code === 1001 ? 'going away' : 'service restart');
    await eventually(() => states.some((s) => s.state === 'reconnecting' && s.code === code));
    assert.equal(states.find((s) => s.state === 'reconnecting' && s.code === code)!.closeKind, kind);
    await eventually(() => states[states.length - 1].state === 'connected', 10_000);
  }
  for (const ws of gw.sockets) ws.terminate();
  await eventually(() => states.some((s) => s.state === 'reconnecting' && s.code === 1006));
  assert.equal(states.find((s) => s.state === 'reconnecting' && s.code === 1006)!.closeKind, 'lost');
});
