import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createHttpFetch } from './http-fetch.js';

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  port?: number;
}

function startServer(host: string): Promise<{ server: http.Server; seen: Seen[]; port: number }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body, port: req.socket.remotePort });
      if (req.url?.startsWith('/fail')) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3', 'x-request-id': 'req_1' });
        res.end('{"error":{"message":"slow down"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-multi': ['a', 'b'] });
      res.end('data: grüße\n\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve({ server, seen, port: (server.address() as AddressInfo).port }));
  });
}

describe('createHttpFetch', () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    srv = await startServer('127.0.0.1');
  });
  after(() => {
    srv.server.closeAllConnections();
    srv.server.close();
  });

  it('sends method, path with query, headers (object or Headers) and a length; answers like fetch', async () => {
    const fetchStream = createHttpFetch();
    const res = await fetchStream(`http://127.0.0.1:${srv.port}/v1/chat?x=1`, { method: 'POST', headers: new Headers({ Authorization: 'Bearer k', 'X-Custom': 'yes' }), body: '{"q":"ä"}' });
    assert.equal(res.ok, true);
    assert.equal(res.status, 200);
    assert.equal(res.url, `http://127.0.0.1:${srv.port}/v1/chat?x=1`);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(res.headers.get('x-multi'), 'a, b');
    assert.equal(await res.text(), 'data: grüße\n\n');
    const req = srv.seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/v1/chat?x=1');
    assert.equal(req.headers.authorization, 'Bearer k');
    assert.equal(req.headers['x-custom'], 'yes');
    assert.equal(req.headers['content-length'], String(Buffer.byteLength('{"q":"ä"}')));
    assert.equal(req.body, '{"q":"ä"}');
  });

  it('keeps connections alive: a second call reuses the first one\'s socket', async () => {
    const fetchStream = createHttpFetch();
    const url = `http://127.0.0.1:${srv.port}/a`;
    await (await fetchStream(url, { method: 'POST', headers: {}, body: '1' })).text();
    await new Promise((r) => setImmediate(r)); // the socket returns to the pool after the body's end
    await (await fetchStream(url, { method: 'POST', headers: {}, body: '2' })).text();
    assert.equal(srv.seen.at(-1)!.port, srv.seen.at(-2)!.port);
  });

  it('an error status still resolves, with the headers and body the SDK turns into its APIError', async () => {
    const res = await createHttpFetch()(`http://127.0.0.1:${srv.port}/fail`, { method: 'POST', headers: {}, body: '{}' });
    assert.equal(res.ok, false);
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.deepEqual(await res.json(), { error: { message: 'slow down' } });
  });

  it('plainHeaders: response headers read like fetch\'s (case-insensitive, repeats joined), bodies as bytes, bodyUsed tracked', async () => {
    const res = await createHttpFetch({ plainHeaders: true })(`http://127.0.0.1:${srv.port}/plain`, { method: 'GET', headers: { 'X-A': '1' }, body: null });
    assert.equal(res.headers.constructor.name, 'ResponseHeaders');
    assert.equal(res.headers.get('Content-Type'), 'text/event-stream');
    assert.equal(res.headers.get('x-multi'), 'a, b');
    assert.equal(res.headers.has('X-MULTI'), true);
    assert.equal(res.headers.get('absent'), null);
    assert.equal(res.bodyUsed, false);
    assert.equal(Buffer.from(await res.arrayBuffer()).toString('utf8'), 'data: grüße\n\n');
    assert.equal(res.bodyUsed, true);
    assert.equal(srv.seen.at(-1)!.headers['x-a'], '1');
  });

  it('a refused connection and an aborted call reject', async () => {
    const closed = await startServer('127.0.0.1');
    closed.server.close();
    await assert.rejects(createHttpFetch()(`http://127.0.0.1:${closed.port}/`, {}), { code: 'ECONNREFUSED' });
    const ctrl = new AbortController();
    ctrl.abort();
    await assert.rejects(createHttpFetch()(`http://127.0.0.1:${srv.port}/`, { signal: ctrl.signal }), { name: 'AbortError' });
  });

  it('a Node stream body goes out chunked and whole; a failing stream fails the call', async () => {
    const res = await createHttpFetch()(`http://127.0.0.1:${srv.port}/upload`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: Readable.from([Buffer.from('--b\r\n'), Buffer.from('part'), Buffer.from('\r\n--b--')]) });
    assert.equal(res.status, 200);
    await res.text();
    const req = srv.seen.at(-1)!;
    assert.equal(req.headers['transfer-encoding'], 'chunked');
    assert.equal(req.headers['content-length'], undefined);
    assert.equal(req.body, '--b\r\npart\r\n--b--');
    const broken = new Readable({ read() {} });
    const call = createHttpFetch()(`http://127.0.0.1:${srv.port}/upload`, { method: 'POST', headers: {}, body: broken });
    broken.push('half');
    setImmediate(() => broken.destroy(new Error('disk read failed')));
    await assert.rejects(call, /disk read failed/);
  });

  it('IPv6 literal hosts ([::1]) work', async (t) => {
    let v6: Awaited<ReturnType<typeof startServer>>;
    try {
      v6 = await startServer('::1');
    } catch {
      return t.skip('no IPv6 loopback on this machine');
    }
    try {
      const res = await createHttpFetch()(`http://[::1]:${v6.port}/six`, { method: 'POST', headers: {}, body: 'x' });
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(v6.seen.at(-1)!.url, '/six');
    } finally {
      v6.server.closeAllConnections();
      v6.server.close();
    }
  });
});
