// The Apache and Caddy snippets broken the way users break them: doctor --url names each cause.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../testing/harness.js';
import { BEHIND_PROXY, PUBLIC_ORIGIN, startApache, startCaddy, startGateway, TEST_TOKEN, type RunningGateway, type RunningProxy } from './testing/proxies.js';

let gw: RunningGateway;
before(async () => {
  gw = await startGateway(BEHIND_PROXY);
});
after(async () => gw?.stop());

async function check(proxy: RunningProxy, id: string, extra: string[] = []) {
  try {
    const r = await runCli(['doctor', '--url', proxy.url, '--token', TEST_TOKEN, '--origin', PUBLIC_ORIGIN, '--json', ...extra], { env: gw.state.env, timeoutMs: 25_000 });
    assert.equal(r.code, 2, r.stdout);
    return JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === id);
  } finally {
    await proxy.stop();
  }
}

test('Apache without upgrade=websocket: the dropped upgrade is named with the Apache line', async () => {
  const ws = await check(await startApache(gw.port, (s) => s.replace(' upgrade=websocket', '')), 'url-websocket');
  assert.equal(ws.level, 'error');
  assert.match(ws.message, /drops the Upgrade\/Connection headers/);
  assert.match(ws.fix, /Apache: ProxyPass \/ http:\/\/127\.0\.0\.1:18789\/ upgrade=websocket/);
});

test('Apache with a 5 s Timeout and no timeout=: --idle 8 reports the idle timeout and the keep-alive that beats it', async () => {
  const shortIdle = (s: string) => s.replace('ProxyPreserveHost On', 'Timeout 5\n    ProxyPreserveHost On').replace(' timeout=3600', '');
  const idle = await check(await startApache(gw.port, shortIdle), 'url-idle', ['--idle', '8']);
  assert.equal(idle.level, 'error');
  assert.match(idle.message, /idle WebSocket was closed after about \d+ s/);
  assert.match(idle.fix, /^openclaw config set gateway\.websocket\.keepAlive \d+\b/);
});

test('Caddy stripping the Upgrade header: the dropped upgrade is named', async () => {
  const ws = await check(await startCaddy(gw.port, (s) => s.replace('header_up X-Forwarded-For {remote_host}', 'header_up X-Forwarded-For {remote_host}\n        header_up -Upgrade\n        header_up -Connection')), 'url-websocket');
  assert.equal(ws.level, 'error');
  assert.match(ws.message, /drops the Upgrade\/Connection headers/);
});
