// The keep-alive doctor recommends really beats nginx's 5 s proxy_read_timeout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../testing/harness.js';
import { startGateway, startNginx, TEST_TOKEN, BEHIND_PROXY, PUBLIC_ORIGIN } from './testing/proxies.js';

test('with gateway.websocket.keepAlive 2 an idle socket survives proxy_read_timeout 5s for 8 s', async () => {
  const gw = await startGateway({ ...BEHIND_PROXY, websocket: { keepAlive: 2 } });
  const proxy = await startNginx(gw.port, (s) => s.replace('proxy_read_timeout 3600s;', 'proxy_read_timeout 5s;'));
  try {
    const r = await runCli(['doctor', '--url', proxy.url, '--token', TEST_TOKEN, '--origin', PUBLIC_ORIGIN, '--idle', '8', '--json'], { env: gw.state.env, timeoutMs: 25_000 });
    const idle = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === 'url-idle');
    assert.equal(idle.level, 'ok', idle.message);
    assert.equal(r.code, 0);
  } finally {
    await proxy.stop();
    await gw.stop();
  }
});
