// Issue 17 items 20, 21 and 23 (HTTP side), with raw sockets against a spawned `openclaw gateway
// run`: an early 401 closes a connection whose body is still streaming; one address may hold only
// so many connections (503 + Retry-After); bodies buffered at once are bounded (503 + Retry-After);
// a malformed percent-encoding is 400 and oversized headers are 431, not a 500 or a reset.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { eventually, gatewayRuns, localConfig, makeStateDir, GATEWAY_WAIT_MS } from '../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const { start } = gatewayRuns();
const state = makeStateDir(localConfig(TOKEN));
after(() => state.cleanup());

interface RawConn {
  sock: net.Socket;
  received(): string;
  /** Resolves with the response head once the status line and headers are in. */
  head(): Promise<string>;
  closed: Promise<void>;
}

function open(port: number, host = '127.0.0.1', localAddress?: string): RawConn {
  const sock = net.connect({ port, host, localAddress });
  let out = '';
  const waiters = new Set<() => void>();
  sock.on('data', (d) => {
    out += d.toString('latin1');
    waiters.forEach((w) => w());
  });
  sock.on('error', () => {});
  const closed = new Promise<void>((r) => sock.on('close', () => {
    r();
    waiters.forEach((w) => w());
  }));
  return {
    sock,
    received: () => out,
    closed,
    head: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          const end = out.indexOf('\r\n\r\n');
          if (end >= 0) resolve(out.slice(0, end));
          else if (sock.destroyed) reject(new Error(`closed without a response; got ${JSON.stringify(out)}`));
          else return;
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

const status = (head: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);

/** Resolves true when `p` settles within `ms`, false otherwise (a guard against a hung test, not a timing assertion). */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

test('a 401 to an unauthenticated upload closes the connection while the body is still streaming', async () => {
  const { gw, port } = await start(state);
  try {
    const c = open(port);
    c.sock.write(`POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n{"input":"`);
    // A slow client: a little more body every 100 ms, for as long as the socket lasts.
    const drip = setInterval(() => c.sock.writable && c.sock.write('a'.repeat(1024)), 100);
    try {
      assert.equal(status(await c.head()), 401);
      assert.match(await c.head(), /connection: close/i);
      // Node's own requestTimeout would keep it for 300 s; the gateway hangs up once the 401 is out.
      assert.ok(await within(c.closed, GATEWAY_WAIT_MS), 'the socket stayed open after the 401');
    } finally {
      clearInterval(drip);
      c.sock.destroy();
    }
  } finally {
    gw.kill('SIGKILL');
  }
});

test('/v1/models with a malformed percent-encoding is 400; headers over 16 KB get 431, not a reset', async () => {
  const { gw, port } = await start(state);
  try {
    const bad = await fetch(`http://127.0.0.1:${port}/v1/models/%E0%A4%A`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as any).error.code, 'HTTP_BAD_URL');

    const c = open(port);
    c.sock.write(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nX-Big: ${'x'.repeat(20 * 1024)}\r\n\r\n`);
    const head = await c.head();
    assert.equal(status(head), 431, head);
    await c.closed;
    assert.match(c.received(), /HTTP_HEADERS_TOO_LARGE/);
  } finally {
    gw.kill('SIGKILL');
  }
});

test('request bodies buffered at once are bounded: a second concurrent 19 MB upload is answered 503 with Retry-After', async () => {
  const { gw, port } = await start(state);
  const size = 19 * 1024 * 1024;
  const uploads: RawConn[] = [];
  try {
    const upload = () => {
      const c = open(port);
      c.sock.write(`POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n{"input":"`);
      uploads.push(c);
      return c;
    };
    // One fits in the 32 MB budget and stays in flight (its body never finishes) …
    const first = [upload()];
    await eventually(async () => {
      // … once the gateway has taken it (a request it reads shows up as nothing answered yet).
      const probe = await fetch(`http://127.0.0.1:${port}/health`);
      return probe.ok && first.every((c) => c.received() === '');
    }, GATEWAY_WAIT_MS, 100);
    const second = await eventually(async () => {
      const head = await headWithin(upload(), 2000);
      return head !== undefined && status(head) === 503 ? head : undefined;
    }, GATEWAY_WAIT_MS, 200);
    assert.match(second, /retry-after: \d+/i);
    // Closing one in-flight upload gives its bytes back: the next one is taken again.
    first[0].sock.destroy();
    await eventually(async () => (await headWithin(upload(), 1000)) === undefined, GATEWAY_WAIT_MS, 200);
  } finally {
    uploads.forEach((c) => c.sock.destroy());
    gw.kill('SIGKILL');
  }
});

/** The response head, or undefined when none came within `ms` (the request is still being read). */
async function headWithin(c: RawConn, ms: number): Promise<string | undefined> {
  const head = c.head().catch(() => undefined);
  return (await within(head, ms)) ? head : undefined;
}

/** A non-loopback address of this machine (the cap exempts loopback), or undefined. */
function lanAddress(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

test('one address may hold only so many connections: the next gets 503 with Retry-After', async (t) => {
  const ip = lanAddress();
  if (!ip) return t.skip('no non-loopback IPv4 address on this machine');
  const lan = makeStateDir(localConfig(TOKEN, { gateway: { bind: 'lan' } }));
  lan.env.OPENCLAW_MAX_CONNECTIONS_PER_IP = '4';
  const { gw, port } = await start(lan);
  const conns: RawConn[] = [];
  try {
    // Four idle connections (the server takes connections in order, so they count before the fifth).
    for (let i = 0; i < 4; i++) {
      const c = open(port, ip, ip);
      conns.push(c);
      await new Promise((r) => c.sock.once('connect', r));
    }
    const fifth = open(port, ip, ip);
    conns.push(fifth);
    const head = await headWithin(fifth, GATEWAY_WAIT_MS);
    assert.ok(head, 'the fifth connection got no answer');
    assert.equal(status(head), 503, head);
    assert.match(head, /retry-after: \d+/i);
    await fifth.closed;
    assert.match(fifth.received(), /HTTP_BUSY/);
    // Loopback is this machine's own clients: not capped.
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    // A freed slot is usable again.
    conns[0].sock.destroy();
    await eventually(async () => {
      const c = open(port, ip, ip);
      conns.push(c);
      c.sock.write(`GET /health HTTP/1.1\r\nHost: ${ip}\r\nConnection: close\r\n\r\n`);
      return status(await c.head()) === 200;
    }, GATEWAY_WAIT_MS, 200);
  } finally {
    conns.forEach((c) => c.sock.destroy());
    gw.kill('SIGKILL');
    lan.cleanup();
  }
});
