// GatewayClient and callGateway against the real gateway (in-process startGateway on a free port).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, freePort, localConfig, makeStateDir, type StateDir } from '../testing/harness.js';
import { silentLogger } from '../logging/types.js';
import { startGateway, type GatewayHandle } from '../gateway/server.js';
import { PairingStore } from '../auth/pairing-store.js';
import { GatewayClient, type ConnectionState } from './gateway-client.js';
import { DeviceTokenStore } from './identity.js';
import { callGateway, GatewayCallError, GatewayUnreachableError } from './call.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

async function gateway(sd: StateDir, port?: number): Promise<GatewayHandle> {
  return startGateway({ env: sd.env, flags: { port: port ?? (await freePort()) }, log: silentLogger });
}

function setup(t: { after(fn: () => unknown): void }, config: Record<string, unknown> = localConfig(TOKEN)) {
  const sd = makeStateDir(config);
  const clients: GatewayClient[] = [];
  const handles: GatewayHandle[] = [];
  t.after(async () => {
    for (const c of clients) await c.close();
    for (const h of handles) await h.close().catch(() => {});
    sd.cleanup();
  });
  const track = <T extends GatewayClient>(c: T) => (clients.push(c), c);
  const start = async (port?: number) => {
    const h = await gateway(sd, port);
    handles.push(h);
    return h;
  };
  return { sd, track, start };
}

test('loopback CLI is paired silently, gets a device token, and later connects with it alone', async (t) => {
  const { sd, track, start } = setup(t);
  const gw = await start();
  const first = track(new GatewayClient({ url: gw.url, token: TOKEN, stateDir: sd.dir }));
  const hello = await first.connect();
  assert.equal(hello.type, 'hello-ok');
  assert.ok(hello.auth?.deviceToken);
  assert.ok(hello.resume, 'resume offered to caps:["resume"] clients');
  const stored = new DeviceTokenStore(sd.dir, first.deviceId!).get(gw.url, 'operator');
  assert.equal(stored?.token, hello.auth!.deviceToken);
  assert.equal(new PairingStore(sd.dir).getPaired(first.deviceId!)?.approvedVia, 'silent');
  const health = (await first.request('health')) as { ok: boolean };
  assert.equal(health.ok, true);

  const second = track(new GatewayClient({ url: gw.url, stateDir: sd.dir }));
  const hello2 = await second.connect();
  assert.equal(hello2.auth?.deviceToken, hello.auth!.deviceToken);
});

test('a wrong token pauses with the gateway’s message and fix', async (t) => {
  const { sd, track, start } = setup(t);
  const gw = await start();
  const c = track(new GatewayClient({ url: gw.url, token: 'wrong-token', stateDir: sd.dir }));
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  await assert.rejects(c.connect(), (e: unknown) => e instanceof GatewayCallError && e.detailCode === 'AUTH_TOKEN_MISMATCH' && /^unauthorized: gateway token mismatch/.test(e.message) && /openclaw/.test(e.fix ?? ''));
  assert.equal(states.at(-1)?.state, 'paused');
});

test('pairing required: the client waits, and connects by itself once approved', async (t) => {
  // auth mode none: a local CLI holding the shared token is never asked to pair (the owner must always be able to approve).
  const { sd, track, start } = setup(t, localConfig(TOKEN, { gateway: { auth: { mode: 'none' }, nodes: { pairing: { autoApproveLocal: false } } } }));
  const gw = await start();
  const c = track(new GatewayClient({ url: gw.url, token: TOKEN, stateDir: sd.dir, pairingPollMs: 50 }));
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  const connected = c.connect();
  const waiting = await eventually(() => states.find((s) => s.detailCode === 'PAIRING_REQUIRED'));
  assert.equal(waiting.state, 'reconnecting');
  assert.ok(waiting.requestId);
  assert.equal(waiting.fix, `openclaw devices approve ${waiting.requestId}`);
  // approve from "another process" (gateway keeps running; it re-reads the store)
  assert.ok(new PairingStore(sd.dir).approve(c.deviceId!));
  const hello = await connected;
  assert.ok(hello.auth?.deviceToken);
  assert.equal(c.state, 'connected');
});

test('resume across a gateway restart: exactly the missed events, then live ones', async (t) => {
  const { sd, track, start } = setup(t);
  const port = await freePort();
  const gw1 = await start(port);
  const a = track(new GatewayClient({ url: gw1.url, token: TOKEN, stateDir: sd.dir }));
  const seenA: unknown[] = [];
  a.on('event', (name, payload) => name === 'sessions.changed' && seenA.push(payload));
  await a.connect();
  gw1.services.broadcast('sessions.changed', { n: 1 });
  gw1.services.broadcast('sessions.changed', { n: 2 });
  await eventually(() => seenA.length === 2);
  const cursor = a.resumeState!;
  await a.close();
  gw1.services.broadcast('sessions.changed', { n: 3 });
  await gw1.close();
  const gw2 = await start(port);
  gw2.services.broadcast('sessions.changed', { n: 4 });
  gw2.services.broadcast('sessions.changed', { n: 5 });

  const b = track(new GatewayClient({ url: gw2.url, token: TOKEN, stateDir: sd.dir, resumeFrom: cursor }));
  const seenB: Array<{ payload: unknown; seq: number | undefined }> = [];
  b.on('event', (name, payload, seq) => name === 'sessions.changed' && seenB.push({ payload, seq }));
  const hello = await b.connect();
  assert.equal(hello.resume?.replayed, 3);
  gw2.services.broadcast('sessions.changed', { n: 6 });
  await eventually(() => seenB.length === 4);
  assert.deepEqual(seenB.map((e) => e.payload), [{ n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }]);
  const seqs = seenB.map((e) => e.seq!);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
  assert.ok(seqs[0] > cursor.lastSeq);
});

test('the client reconnects by itself after a restart and resumes without loss', async (t) => {
  const { sd, track, start } = setup(t);
  const port = await freePort();
  const gw1 = await start(port);
  const c = track(new GatewayClient({ url: gw1.url, token: TOKEN, stateDir: sd.dir, backoff: { initialMs: 50, maxMs: 200 } }));
  const seen: unknown[] = [];
  c.on('event', (name, payload) => name === 'sessions.changed' && seen.push(payload));
  await c.connect();
  gw1.services.broadcast('sessions.changed', { n: 1 });
  await eventually(() => seen.length === 1);
  await gw1.close();
  await eventually(() => c.state === 'reconnecting');
  const gw2 = await start(port);
  gw2.services.broadcast('sessions.changed', { n: 2 });
  await eventually(() => c.state === 'connected', 10_000);
  gw2.services.broadcast('sessions.changed', { n: 3 });
  await eventually(() => seen.length >= 3);
  assert.deepEqual(seen, [{ n: 1 }, { n: 2 }, { n: 3 }]);
});

test('callGateway: result, handshake rejection with fix, unreachable message', async (t) => {
  const { sd, start } = setup(t);
  const gw = await start();
  const env = { ...sd.env, OPENCLAW_GATEWAY_URL: gw.url };
  // (before this state dir's device is paired: a paired device's wrong auth.token reads as a stale device token)
  await assert.rejects(callGateway({ method: 'health', env, url: gw.url, token: 'nope' }), (e: unknown) => e instanceof GatewayCallError && e.detailCode === 'AUTH_TOKEN_MISMATCH' && typeof e.fix === 'string');
  const health = (await callGateway({ method: 'health', env })) as { ok: boolean };
  assert.equal(health.ok, true);
  await assert.rejects(callGateway({ method: 'no.such.method', env }), (e: unknown) => e instanceof GatewayCallError && e.message === 'unknown method: no.such.method');
  const down = `ws://127.0.0.1:${await freePort()}`;
  await assert.rejects(callGateway({ method: 'health', env, url: down }), (e: unknown) => e instanceof GatewayUnreachableError && e.message === `gateway connect failed: connection refused at ${down} (is it running? openclaw gateway start)`);
});

test('a rotated device token: the holder is told why, drops the stale token and pauses', async (t) => {
  const { sd, track, start } = setup(t);
  const gw = await start();
  const first = track(new GatewayClient({ url: gw.url, token: TOKEN, stateDir: sd.dir }));
  await first.connect();
  await first.close();
  const deviceId = first.deviceId!;
  new PairingStore(sd.dir).rotateToken(deviceId, 'operator');
  const c = track(new GatewayClient({ url: gw.url, stateDir: sd.dir })); // device token only
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  await assert.rejects(c.connect(), (e: unknown) => e instanceof GatewayCallError && e.detailCode === 'AUTH_DEVICE_TOKEN_MISMATCH' && e.message === 'connect failed — device token mismatch');
  assert.deepEqual([states.at(-1)?.state, states.at(-1)?.code], ['paused', 4008]);
  assert.equal(new DeviceTokenStore(sd.dir, deviceId).get(gw.url, 'operator'), undefined);
});
