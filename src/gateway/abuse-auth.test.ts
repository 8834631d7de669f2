// Issue 17 item 18, against a spawned `openclaw gateway run`: forwarded requests from a same-host
// proxy that gateway.trustedProxies does not list fail closed (HTTP 403 proxy_attribution_required,
// WebSocket upgrade and /v1 alike), and wrong-secret floods from loopback are slowed down, also
// when every attempt carries a new Origin, while the right secret still gets in.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { eventually, gatewayRuns, localConfig, makeStateDir, GATEWAY_WAIT_MS } from '../testing/harness.js';
import { connectParams, TestClient, type ConnectOptions, type Frame } from './control-plane/test-support.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const { start } = gatewayRuns();
const state = makeStateDir(localConfig(TOKEN));
after(() => state.cleanup());

/** One raw HTTP/1.1 exchange; resolves with everything the server sent before closing. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let out = '';
    sock.on('data', (d) => (out += d.toString()));
    sock.on('error', reject);
    sock.on('close', () => resolve(out));
    sock.write(request);
    // A server that keeps the connection open after answering: take the answer once it is complete.
    sock.on('data', () => {
      const m = /content-length: (\d+)/i.exec(out);
      const head = out.indexOf('\r\n\r\n');
      if (m && head >= 0 && Buffer.byteLength(out.slice(head + 4)) >= Number(m[1])) sock.destroy();
    });
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
}

function bodyOf(response: string): any {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

test('forwarding headers from an unlisted loopback proxy: 403 proxy_attribution_required on the WebSocket upgrade and on /v1', async () => {
  const { gw, port } = await start(state);
  try {
    for (const header of ['X-Forwarded-For: 203.0.113.9', 'Forwarded: for=203.0.113.9', 'X-Real-IP: 203.0.113.9']) {
      const upgrade = await rawExchange(
        port,
        `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${header}\r\n\r\n`,
      );
      assert.equal(statusOf(upgrade), 403, upgrade);
      const ws = bodyOf(upgrade);
      assert.equal(ws.error.code, 'proxy_attribution_required');
      assert.match(ws.error.fix, /gateway\.trustedProxies/);

      const v1 = await rawExchange(port, `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\n${header}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(v1), 403, v1);
      const body = bodyOf(v1);
      assert.equal(body.error.type, 'proxy_attribution_required');
      assert.equal(body.error.code, 'proxy_attribution_required');
      assert.match(body.error.message, /gateway\.trustedProxies/);
    }
    // The same request without forwarding headers is the local owner: it works.
    const direct = await rawExchange(port, `GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(direct), 200, direct);
  } finally {
    gw.kill('SIGKILL');
  }
});

/** A connect whose answer may be held for seconds (a throttled guess). */
async function connectClient(url: string, o: ConnectOptions, wsOpts: { origin?: string } = {}): Promise<{ client: TestClient; res: Frame }> {
  const client = await TestClient.open(url, wsOpts);
  const nonce = await client.challenge();
  client.send({ type: 'req', id: 'c1', method: 'connect', params: connectParams(nonce, o) });
  const res = await client.next((f) => f.type === 'res' && f.id === 'c1', 0, GATEWAY_WAIT_MS);
  return { client, res };
}

/** Fires wrong guesses `parallel` at a time until one is refused as rate limited; returns that refusal. */
async function floodUntilLimited(guess: (i: number) => Promise<{ limited: boolean; retryAfterMs?: number }>, parallel = 16, max = 400): Promise<{ attempts: number; retryAfterMs: number }> {
  let next = 0;
  let found: number | undefined;
  const worker = async () => {
    while (found === undefined && next < max) {
      const r = await guess(next++);
      if (r.limited) found ??= r.retryAfterMs ?? 0;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  assert.notEqual(found, undefined, `${max} wrong guesses from loopback were all checked; none was slowed down or refused`);
  return { attempts: next, retryAfterMs: found! };
}

test('a wrong-token flood from loopback is throttled (also with a new Origin each time); the right token still connects', async () => {
  const { gw, port } = await start(state);
  const url = `ws://127.0.0.1:${port}`;
  try {
    const wsGuess = (origin?: (i: number) => string) => async (i: number) => {
      const { client, res } = await connectClient(url, { token: `wrong-${i}` }, origin ? { origin: origin(i) } : {});
      client.close();
      const code = res.error?.details?.code;
      assert.ok(code === 'AUTH_TOKEN_MISMATCH' || code === 'AUTH_RATE_LIMITED' || code === 'CONTROL_UI_ORIGIN_NOT_ALLOWED', JSON.stringify(res));
      return { limited: code === 'AUTH_RATE_LIMITED', retryAfterMs: res.error?.retryAfterMs };
    };
    const cli = await floodUntilLimited(wsGuess());
    // Slowed down, never the five-minute lockout: the owner waits seconds at most.
    assert.ok(cli.retryAfterMs > 0 && cli.retryAfterMs <= 5_000, String(cli.retryAfterMs));
    const owner = await eventually(async () => {
      const { client, res } = await connectClient(url, { token: TOKEN });
      client.close();
      return res.ok ? res : undefined;
    }, GATEWAY_WAIT_MS, 250);
    assert.equal(owner.ok, true);

    // Rotating Origin (each a loopback page, so each passes the origin check) shares the one budget.
    await floodUntilLimited(wsGuess((i) => `http://localhost:${20_000 + i}`));

    // /v1 with a wrong bearer: the same throttle (429 with Retry-After), the right bearer still works.
    const v1 = await floodUntilLimited(async (i) => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer wrong-${i}` } });
      await res.arrayBuffer();
      assert.ok(res.status === 401 || res.status === 429, String(res.status));
      return { limited: res.status === 429, retryAfterMs: Number(res.headers.get('retry-after')) * 1000 };
    });
    assert.ok(v1.retryAfterMs > 0 && v1.retryAfterMs <= 5_000, String(v1.retryAfterMs));
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).status === 200, GATEWAY_WAIT_MS, 250);
  } finally {
    gw.kill('SIGKILL');
  }
});
