import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeStateDir } from '../testing/harness.js';
import { localUrl, resolveGatewayTarget } from './target.js';

test('defaults to the local gateway port with config credentials', (t) => {
  const sd = makeStateDir({ gateway: { mode: 'local', port: 19999, auth: { token: 'cfg-token' } } });
  t.after(sd.cleanup);
  const target = resolveGatewayTarget({ env: sd.env });
  assert.deepEqual(target, { url: 'ws://127.0.0.1:19999', token: 'cfg-token', password: undefined, source: 'local', stateDir: sd.dir });
  assert.equal(resolveGatewayTarget({ env: { ...sd.env, OPENCLAW_GATEWAY_PORT: '20001' } }).url, 'ws://127.0.0.1:20001');
  const empty = makeStateDir();
  t.after(empty.cleanup);
  assert.equal(resolveGatewayTarget({ env: empty.env }).url, 'ws://127.0.0.1:18789');
});

test('precedence: flag > env > config for URL and token; --url disables credential fallback', (t) => {
  const sd = makeStateDir({ gateway: { mode: 'local', auth: { token: 'cfg-token', password: 'cfg-pass' }, remote: { token: 'remote-token' } } });
  t.after(sd.cleanup);
  const env = { ...sd.env, OPENCLAW_GATEWAY_URL: 'ws://10.0.0.2:18789', OPENCLAW_GATEWAY_TOKEN: 'env-token' };
  assert.deepEqual(resolveGatewayTarget({ env }), { url: 'ws://10.0.0.2:18789', token: 'env-token', password: 'cfg-pass', source: 'env', stateDir: sd.dir });
  assert.equal(resolveGatewayTarget({ env, token: 'flag-token' }).token, 'flag-token');
  assert.deepEqual(resolveGatewayTarget({ env, url: 'ws://gw.example:1' }), { url: 'ws://gw.example:1', token: undefined, password: undefined, source: 'flag', stateDir: sd.dir });
  assert.equal(resolveGatewayTarget({ env, url: 'ws://gw.example:1', token: 'x' }).token, 'x');
});

test('gateway.mode=remote with remote.url targets it with the remote credentials', (t) => {
  const sd = makeStateDir({ gateway: { mode: 'remote', auth: { token: 'local-token' }, remote: { url: 'wss://gw.example.com', token: 'remote-token' } } });
  t.after(sd.cleanup);
  assert.deepEqual(resolveGatewayTarget({ env: sd.env }), { url: 'wss://gw.example.com', token: 'remote-token', password: undefined, source: 'config-remote', stateDir: sd.dir });
});

test('a live pid file names the running gateway; a stale one is ignored', (t) => {
  const sd = makeStateDir({ gateway: { mode: 'local', port: 19000 } });
  t.after(sd.cleanup);
  const pidFile = path.join(sd.dir, 'gateway.pid');
  const record = { pid: process.pid, startTime: null, host: '0.0.0.0', port: 19123, configPath: sd.configPath, version: 'x', startedAt: Date.now() };
  fs.writeFileSync(pidFile, JSON.stringify(record));
  assert.deepEqual([resolveGatewayTarget({ env: sd.env }).url, resolveGatewayTarget({ env: sd.env }).source], ['ws://127.0.0.1:19123', 'pidfile']);
  fs.writeFileSync(pidFile, JSON.stringify({ ...record, pid: 2 ** 22 + 11 }));
  assert.equal(resolveGatewayTarget({ env: sd.env }).url, 'ws://127.0.0.1:19000');
});

test('localUrl brackets IPv6 and maps wildcard hosts (and a specific IPv4, which also listens on 127.0.0.1) to loopback', () => {
  assert.equal(localUrl('::1', 1), 'ws://[::1]:1');
  assert.equal(localUrl('::', 2), 'ws://127.0.0.1:2');
  assert.equal(localUrl('192.168.1.4', 3), 'ws://127.0.0.1:3');
  assert.equal(localUrl('fd00::2', 4), 'ws://[fd00::2]:4');
});
