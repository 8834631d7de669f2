// Real Apache (mod_proxy_http + proxy_wstunnel) and Caddy in front of a real gateway, configured
// from docs/reverse-proxy.md: the WebSocket handshake works through each and doctor --url is clean.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../testing/harness.js';
import { startApache, startCaddy, startGateway, TEST_TOKEN, BEHIND_PROXY, PUBLIC_ORIGIN, type RunningGateway, type RunningProxy } from './testing/proxies.js';

let gw: RunningGateway;
before(async () => {
  gw = await startGateway(BEHIND_PROXY);
});
after(async () => gw?.stop());

async function assertClean(proxy: RunningProxy) {
  try {
    const r = await runCli(['doctor', '--url', proxy.url, '--token', TEST_TOKEN, '--origin', PUBLIC_ORIGIN, '--idle', '2', '--json'], { env: gw.state.env, timeoutMs: 20_000 });
    const report = JSON.parse(r.stdout);
    const ws = report.checks.find((c: { id: string }) => c.id === 'url-websocket');
    assert.equal(ws.level, 'ok', JSON.stringify(report, null, 2));
    assert.equal(report.checks.find((c: { id: string }) => c.id === 'url-idle').level, 'ok');
    assert.equal(report.summary.error + report.summary.warn, 0, JSON.stringify(report, null, 2));
    assert.equal(r.code, 0);
  } finally {
    await proxy.stop();
  }
}

test('the documented Apache config forwards the WebSocket and doctor --url is clean', async () => {
  await assertClean(await startApache(gw.port));
});

test('the documented Caddy config forwards the WebSocket and doctor --url is clean', async () => {
  await assertClean(await startCaddy(gw.port));
});
