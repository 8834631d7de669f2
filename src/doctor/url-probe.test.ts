// `doctor --url` straight at a real gateway (no proxy): the origin, token and reachability findings.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePort } from '../testing/harness.js';
import { startGateway, TEST_TOKEN, type RunningGateway } from './testing/proxies.js';
import { diagnoseUrl, gatewayUrls } from './url-probe.js';

let gw: RunningGateway;
before(async () => {
  gw = await startGateway({ controlUi: { allowedOrigins: ['https://allowed.example.com'] } });
});
after(async () => gw?.stop());

const find = (r: Awaited<ReturnType<typeof diagnoseUrl>>, id: string) => r.checks.find((c) => c.id === id)!;

test('gatewayUrls keeps the path prefix and maps the scheme', () => {
  assert.deepEqual(
    { base: gatewayUrls('https://h.example.com/openclaw?token=x').base.toString(), ws: gatewayUrls('https://h.example.com/openclaw').ws },
    { base: 'https://h.example.com/openclaw/', ws: 'wss://h.example.com/openclaw/' },
  );
  assert.equal(gatewayUrls('ws://127.0.0.1:18789').base.toString(), 'http://127.0.0.1:18789/');
});

test('a wrong token is named as a token mismatch with its fix', async () => {
  const r = await diagnoseUrl({ url: `http://127.0.0.1:${gw.port}`, token: 'Xx' + TEST_TOKEN.slice(2), origin: 'https://allowed.example.com', timeoutMs: 3000 });
  const token = find(r, 'url-token');
  assert.equal(token.level, 'error');
  assert.match(token.message, /gateway token mismatch/);
  assert.equal(find(r, 'url-websocket').level, 'ok');
});

test('an origin the gateway does not allow is named with the allowedOrigins command', async () => {
  const r = await diagnoseUrl({ url: `http://127.0.0.1:${gw.port}`, token: TEST_TOKEN, origin: 'https://evil.example.com', timeoutMs: 3000 });
  const origin = find(r, 'url-origin');
  assert.equal(origin.level, 'error');
  assert.equal(origin.fix, `openclaw config set gateway.controlUi.allowedOrigins '["https://evil.example.com"]'`);
  const fine = await diagnoseUrl({ url: `http://127.0.0.1:${gw.port}`, token: TEST_TOKEN, origin: 'https://allowed.example.com', timeoutMs: 3000 });
  assert.equal(find(fine, 'url-origin').level, 'ok');
  assert.equal(find(fine, 'url-token').level, 'ok');
});

test('nothing listening: url-http is an error and nothing crashes', async () => {
  const r = await diagnoseUrl({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
  assert.equal(find(r, 'url-http').level, 'error');
  assert.equal(find(r, 'url-websocket').level, 'error');
  assert.equal(r.ok, false);
});
