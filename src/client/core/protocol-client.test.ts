// The same protocol client core driven over its transports: an in-memory one (a scripted gateway
// in this process, no sockets), the Node `ws` transport against the real gateway, and the Control
// UI's browser transport (ui/src/gateway/browser-transport.ts, compiled by Vite as the bundle sees
// it) over a global WebSocket with the browser API, against the real gateway too. The identity
// signs asynchronously, as a browser's WebCrypto key does, so the core's async handshake path is
// what both runs exercise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { eventually, freePort, localConfig, makeStateDir } from '../../testing/harness.js';
import { silentLogger } from '../../logging/types.js';
import { startGateway } from '../../gateway/server.js';
import { verifyDeviceProof, deviceIdFromRawKey } from '../../auth/device-proof.js';
import { base64UrlEncode, signedBearer } from '../../protocol/device-auth.js';
import { GatewayCallError } from '../errors.js';
import { wsTransport } from '../ws-transport.js';
import WebSocket from 'ws';
import { uiModuleServer } from '../../e2e/ui-modules.js';
import { ProtocolClient, type ConnectionState, type CoreIdentity, type CoreOptions, type DeviceTokenCache } from './protocol-client.js';
import type { Transport, TransportFactory, TransportHandlers } from './transport.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

function asyncIdentity(): CoreIdentity {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
  return {
    deviceId: deviceIdFromRawKey(raw),
    publicKey: base64UrlEncode(raw),
    sign: async (payload) => base64UrlEncode(crypto.sign(null, Buffer.from(payload, 'utf8'), privateKey)),
  };
}

function memoryTokens(): DeviceTokenCache & { map: Map<string, { token: string; scopes: readonly string[] }> } {
  const map = new Map<string, { token: string; scopes: readonly string[] }>();
  return { map, get: (u, r) => map.get(`${u}|${r}`), set: (u, r, token, scopes) => void map.set(`${u}|${r}`, { token, scopes }), clear: (u, r) => void map.delete(`${u}|${r}`) };
}

/**
 * An in-memory gateway: challenge, device-proof check, a device token on the first shared-token
 * connect, `health`, and an error for any other method. `drop()` cuts every socket (1006).
 */
function memoryGateway() {
  const issued = new Set<string>();
  const live = new Set<{ handlers: TransportHandlers; close(code: number, reason: string): void }>();
  let seq = 0;
  const factory: TransportFactory = (url, handlers) => {
    if (!url.startsWith('mem://')) throw new Error('bad url');
    let state: 'connecting' | 'open' | 'closed' = 'connecting';
    const nonce = crypto.randomUUID();
    const toClient = (f: unknown) => queueMicrotask(() => state === 'open' && handlers.message(JSON.stringify(f)));
    const peer = {
      handlers,
      close(code: number, reason: string) {
        if (state === 'closed') return;
        state = 'closed';
        live.delete(peer);
        queueMicrotask(() => handlers.close(code, reason));
      },
    };
    live.add(peer);
    setImmediate(() => {
      if (state !== 'connecting') return;
      state = 'open';
      handlers.open();
      toClient({ type: 'event', event: 'connect.challenge', payload: { nonce, ts: Date.now() } });
    });
    const onFrame = (f: any) => {
      if (f.method === 'connect') {
        const p = f.params;
        const proof = verifyDeviceProof({ device: p.device, challengeNonce: nonce, now: Date.now(), clientId: p.client.id, clientMode: p.client.mode, role: p.role, scopes: p.scopes, signedToken: signedBearer(p.auth), platform: p.client.platform, deviceFamily: p.client.deviceFamily });
        const authed = p.auth?.token === TOKEN || issued.has(p.auth?.deviceToken);
        if (!proof.ok || !authed) {
          toClient({ type: 'res', id: f.id, ok: false, error: { code: 'INVALID_REQUEST', message: 'unauthorized', details: { code: 'AUTH_TOKEN_MISMATCH' } } });
          return queueMicrotask(() => peer.close(1008, 'unauthorized'));
        }
        const deviceToken = p.auth?.deviceToken ?? `dt-${crypto.randomUUID()}`;
        issued.add(deviceToken);
        const hello = { type: 'hello-ok', protocol: 4, server: { version: 'mem', connId: crypto.randomUUID() }, features: { methods: ['health'], events: [] }, snapshot: {}, auth: { deviceToken, role: p.role, scopes: p.scopes }, policy: { maxPayload: 1e6, maxBufferedBytes: 1e6, tickIntervalMs: 30_000 }, resume: { sessionId: 'mem', cursor: seq, replayed: 0 } };
        return toClient({ type: 'res', id: f.id, ok: true, payload: hello });
      }
      if (f.method === 'health') return toClient({ type: 'res', id: f.id, ok: true, payload: { ok: true } });
      toClient({ type: 'res', id: f.id, ok: false, error: { code: 'INVALID_REQUEST', message: `unknown method: ${f.method}` } });
    };
    const t: Transport = {
      get isOpen() {
        return state === 'open';
      },
      get isClosed() {
        return state === 'closed';
      },
      send: (text) => state === 'open' && queueMicrotask(() => onFrame(JSON.parse(text))),
      close: (code, reason) => peer.close(code, reason ?? ''),
      terminate: () => peer.close(1006, ''),
    };
    return t;
  };
  return { factory, drop: () => [...live].forEach((p) => p.close(1006, '')) };
}

function core(transport: TransportFactory, url: string, extra: Partial<CoreOptions> & Pick<CoreOptions, 'identity' | 'tokens'>) {
  const states: ConnectionState[] = [];
  const c = new ProtocolClient(
    { url, clientId: 'test', clientMode: 'test', clientVersion: '0.0.0-test', platform: 'test', userAgent: 'core-test', transport, backoff: { initialMs: 20, maxMs: 50 }, ...extra },
    { event: () => {}, state: (s) => states.push(s), hello: () => {} },
  );
  return { c, states };
}

/** The scenario both transports must pass. */
async function sharedScenario(transport: TransportFactory, url: string) {
  const identity = asyncIdentity();
  const tokens = memoryTokens();
  const { c: first } = core(transport, url, { token: TOKEN, identity, tokens });
  try {
    const hello = await first.connect();
    assert.equal(hello.type, 'hello-ok');
    assert.ok(hello.auth?.deviceToken, 'a device token is issued to a signed, authenticated device');
    assert.equal(tokens.get(url, 'operator')?.token, hello.auth!.deviceToken, 'the core keeps it in the injected cache');
    assert.equal(((await first.request('health')) as { ok: boolean }).ok, true);
    const err = await first.request('no.such.method').then(
      () => assert.fail('an unknown method must reject'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof GatewayCallError, `expected a GatewayCallError, got ${String(err)}`);
  } finally {
    await first.close();
  }
  assert.equal(first.state, 'closed');
  // No shared secret now: the cached device token alone signs in.
  const { c: second } = core(transport, url, { identity, tokens });
  try {
    const hello2 = await second.connect();
    assert.equal(hello2.type, 'hello-ok');
  } finally {
    await second.close();
  }
}

test('core over the in-memory transport: signed handshake, requests, device-token reuse', async () => {
  const mem = memoryGateway();
  await sharedScenario(mem.factory, 'mem://gateway');
});

test('core over the ws transport against the real gateway: the same scenario', async (t) => {
  const sd = makeStateDir(localConfig(TOKEN));
  const gw = await startGateway({ env: sd.env, flags: { port: await freePort() }, log: silentLogger });
  t.after(async () => {
    await gw.close().catch(() => {});
    sd.cleanup();
  });
  await sharedScenario(wsTransport, gw.url);
});

test('core over the browser transport (global WebSocket API) against the real gateway: the same scenario', async (t) => {
  const sd = makeStateDir(localConfig(TOKEN));
  const gw = await startGateway({ env: sd.env, flags: { port: await freePort() }, log: silentLogger });
  const vite = await uiModuleServer();
  const g = globalThis as { WebSocket?: unknown };
  const hadWebSocket = 'WebSocket' in g;
  const previous = g.WebSocket;
  g.WebSocket ??= WebSocket; // Node 20 has no global WebSocket; `ws` implements the browser API shape
  t.after(async () => {
    if (!hadWebSocket) delete g.WebSocket;
    else g.WebSocket = previous;
    await vite.close();
    await gw.close().catch(() => {});
    sd.cleanup();
  });
  const { browserTransport } = (await vite.ssrLoadModule('/src/gateway/browser-transport.ts')) as { browserTransport: TransportFactory };
  await sharedScenario(browserTransport, gw.url);
});

test('core over the in-memory transport: a dropped socket reconnects and retries a keyed request', async () => {
  const mem = memoryGateway();
  const { c, states } = core(mem.factory, 'mem://gateway', { token: TOKEN, identity: asyncIdentity(), tokens: memoryTokens() });
  try {
    await c.connect();
    mem.drop();
    await eventually(() => states.some((s) => s.state === 'reconnecting' && s.closeKind === 'lost'));
    const r = (await c.request('health', {}, { idempotencyKey: 'k1' })) as { ok: boolean };
    assert.equal(r.ok, true);
    assert.equal(c.state, 'connected');
  } finally {
    await c.close();
  }
});

test('core: an identity that cannot sign ends the attempt with the reason, not a hang', async () => {
  const mem = memoryGateway();
  const identity: CoreIdentity = { ...asyncIdentity(), sign: async () => Promise.reject(new Error('IndexedDB blocked')) };
  const { c } = core(mem.factory, 'mem://gateway', { token: TOKEN, identity, tokens: null, reconnect: false });
  await assert.rejects(c.connect(), /device identity unavailable: IndexedDB blocked/);
  await c.close();
});

test('core: a URL the transport refuses pauses with the fix', async () => {
  const mem = memoryGateway();
  const { c, states } = core(mem.factory, 'http://not-a-socket', { identity: null, tokens: null });
  await assert.rejects(c.connect(), /invalid gateway URL/);
  assert.equal(states.at(-1)?.state, 'paused');
  await c.close();
});

test('core: a caller policy pauses on a rejected secret, and retryNow uses the credentials read at that moment', async () => {
  const mem = memoryGateway();
  let token = 'wrong-token';
  const outcomes: string[] = [];
  const { c } = core(mem.factory, 'mem://gateway', {
    identity: async () => asyncIdentity(),
    tokens: null,
    credentials: () => ({ token }),
    reconnectPolicy: (o) => {
      outcomes.push(o.rejection?.detailCode ?? `close ${o.code}`);
      return { kind: 'pause', error: new Error('waiting for a new token') };
    },
  });
  try {
    await assert.rejects(c.connect(), /waiting for a new token/);
    assert.deepEqual(outcomes, ['AUTH_TOKEN_MISMATCH']);
    assert.equal(c.state, 'paused');
    await assert.rejects(c.request('health'), /waiting for a new token/, 'paused: requests fail at once with the reason');
    token = TOKEN;
    c.retryNow();
    await eventually(() => c.state === 'connected');
    assert.ok(c.deviceId, 'the lazily loaded identity is known after connecting');
    assert.equal(((await c.request('health')) as { ok: boolean }).ok, true);
  } finally {
    await c.close();
  }
});

test('the core and the transport interface import nothing from node: or ws (the Control UI bundles them)', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { findPackageRoot } = await import('../../gateway/control-ui-http.js');
  const dir = path.join(findPackageRoot(), 'src', 'client', 'core');
  const sources = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  assert.ok(sources.length >= 2);
  for (const f of sources) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.doesNotMatch(text, /from ['"](node:|ws['"])/, `${f} must stay portable`);
  }
  const errors = fs.readFileSync(path.join(findPackageRoot(), 'src', 'client', 'errors.ts'), 'utf8');
  assert.doesNotMatch(errors, /from ['"](node:|ws['"])/, 'errors.ts is bundled with the core');
});
