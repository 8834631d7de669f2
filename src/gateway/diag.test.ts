// GET|HEAD /__openclaw__/diag on a real gateway process: what arrived and how the gateway reads it,
// unauthenticated, never echoing the token, rate-limited per peer; and doctor --url built on it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { diagnoseUrl, DIAG_PATH } from '../doctor/url-probe.js';
import { localConfig, makeStateDir, READY_LINE, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { DIAG_LIMIT, DIAG_ROUTE, FixedWindowLimiter } from './probes.js';

const WAIT_MS = 30_000;
const TOKEN = 'test-token-0123456789abcdef0123456789';
const DIAG_KEYS = ['ok', 'peer', 'peerTrusted', 'forwardedFor', 'clientIp', 'tokenQuery', 'origin', 'originAllowed', 'keepAliveSeconds'].sort();

const running: Array<{ gw: GatewayProcess; state: StateDir }> = [];
after(async () => {
  for (const { gw, state } of running) {
    gw.kill('SIGTERM');
    await gw.exited;
    state.cleanup();
  }
});

async function gateway(gatewayExtra: Record<string, unknown>): Promise<number> {
  const state = makeStateDir(localConfig(TOKEN, { gateway: gatewayExtra }));
  const gw = spawnCli(['gateway', 'run', '--port', '0'], { env: state.env });
  running.push({ gw, state });
  const m = await gw.waitFor(/\[gateway\] listening on ws:\/\/127\.0\.0\.1:(\d+) \(pid \d+\)/, WAIT_MS);
  assert.match(m[0], READY_LINE);
  return Number(m[1]);
}

/** Raw request (fetch drops some headers and cannot HEAD with a body check). */
function request(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a direct request: peer, client IP, token presence only, origin verdicts, keepalive; HEAD has no body', async () => {
  assert.equal(DIAG_ROUTE, `/${DIAG_PATH}`, 'the route doctor --url asks for');
  const port = await gateway({ websocket: { keepAlive: 25 } });
  const plain = await request(port, `${DIAG_ROUTE}?token=${TOKEN}`);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['cache-control'], 'no-store');
  assert.equal(plain.headers['x-content-type-options'], 'nosniff');
  assert.ok(!plain.body.includes(TOKEN), 'the token value is never echoed');
  const diag = JSON.parse(plain.body);
  assert.deepEqual(Object.keys(diag).sort(), DIAG_KEYS);
  assert.deepEqual(diag, { ok: true, peer: '127.0.0.1', peerTrusted: false, forwardedFor: null, clientIp: '127.0.0.1', tokenQuery: true, origin: null, originAllowed: null, keepAliveSeconds: 25 });

  const noToken = JSON.parse((await request(port, DIAG_ROUTE)).body);
  assert.equal(noToken.tokenQuery, false);

  const local = JSON.parse((await request(port, DIAG_ROUTE, { headers: { origin: `http://127.0.0.1:${port}` } })).body);
  assert.equal(local.origin, `http://127.0.0.1:${port}`);
  assert.equal(local.originAllowed, true);
  const foreign = JSON.parse((await request(port, DIAG_ROUTE, { headers: { origin: 'https://evil.example' } })).body);
  assert.equal(foreign.originAllowed, false);

  // Forwarding headers from a peer that is not a trusted proxy are reported, and ignored.
  const spoofed = JSON.parse((await request(port, DIAG_ROUTE, { headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.2' } })).body);
  assert.equal(spoofed.forwardedFor, '203.0.113.9, 198.51.100.2');
  assert.equal(spoofed.clientIp, '127.0.0.1');

  const head = await request(port, DIAG_ROUTE, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal((await request(port, DIAG_ROUTE, { method: 'POST' })).status, 404);
});

test('behind a trusted proxy: the right-most untrusted X-Forwarded-For hop is the client; the allowlisted origin is allowed', async () => {
  const port = await gateway({ trustedProxies: ['127.0.0.2'], controlUi: { allowedOrigins: ['https://openclaw.example.com'] } });
  const viaProxy = { 'x-forwarded-for': '203.0.113.7', origin: 'https://openclaw.example.com' };
  const diag = JSON.parse((await request(port, DIAG_ROUTE, { headers: viaProxy, localAddress: '127.0.0.2' })).body);
  assert.deepEqual(diag, { ok: true, peer: '127.0.0.2', peerTrusted: true, forwardedFor: '203.0.113.7', clientIp: '203.0.113.7', tokenQuery: false, origin: 'https://openclaw.example.com', originAllowed: true, keepAliveSeconds: diag.keepAliveSeconds });
  assert.equal(typeof diag.keepAliveSeconds, 'number');

  const r = await diagnoseUrl({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5000 });
  const ip = r.checks.find((c) => c.id === 'url-client-ip')!;
  assert.equal(ip.level, 'ok', 'doctor --url uses the endpoint instead of skipping the check');
  assert.match(ip.message, /sees this client as 127\.0\.0\.1 \(direct connection/);
  assert.equal(r.checks.find((c) => c.id === 'url-token')!.level, 'ok');
});

test('unauthenticated, so each peer gets a small budget: past it, 429 with Retry-After and the fix', async () => {
  const port = await gateway({});
  // Sequential, so the budget can only reset if the whole burst outlasts a window several times over.
  let limited: Awaited<ReturnType<typeof request>> | undefined;
  for (let i = 0; i < DIAG_LIMIT.maxRequests * 3 && !limited; i++) {
    const r = await request(port, DIAG_ROUTE, { localAddress: '127.0.0.3' });
    if (r.status === 429) limited = r;
    else assert.equal(r.status, 200);
  }
  assert.ok(limited, `expected a 429 after ${DIAG_LIMIT.maxRequests} requests`);
  assert.match(limited.headers['retry-after'] ?? '', /^\d+$/);
  const body = JSON.parse(limited.body);
  assert.equal(body.error.details.code, 'DIAG_RATE_LIMITED');
  assert.match(body.error.details.fix, /openclaw doctor --url/);
  assert.equal((await request(port, DIAG_ROUTE, { localAddress: '127.0.0.4' })).status, 200, 'another peer keeps its own budget');
});

test('the fixed-window limiter: N per window per key, then the wait until the window ends', () => {
  let now = 1_000;
  const limiter = new FixedWindowLimiter({ maxRequests: 2, windowMs: 10_000 }, () => now);
  assert.equal(limiter.take('a'), 0);
  assert.equal(limiter.take('a'), 0);
  now += 4_000;
  assert.equal(limiter.take('a'), 6_000);
  assert.equal(limiter.take('b'), 0);
  now += 6_000;
  assert.equal(limiter.take('a'), 0);
});
