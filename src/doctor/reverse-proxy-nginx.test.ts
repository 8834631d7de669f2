// A real nginx in front of a real gateway, configured from docs/reverse-proxy.md.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runCli } from '../testing/harness.js';
import { startGateway, startNginx, TEST_TOKEN, BEHIND_PROXY, PUBLIC_ORIGIN, type RunningGateway } from './testing/proxies.js';

let gw: RunningGateway;
before(async () => {
  gw = await startGateway(BEHIND_PROXY);
});
after(async () => gw?.stop());

async function doctorUrl(url: string, extra: string[] = []) {
  const r = await runCli(['doctor', '--url', url, '--token', TEST_TOKEN, '--origin', PUBLIC_ORIGIN, '--json', ...extra], { env: gw.state.env, timeoutMs: 25_000 });
  const report = JSON.parse(r.stdout);
  return { code: r.code, report, byId: (id: string) => report.checks.find((c: { id: string }) => c.id === id) };
}

test('the documented nginx config: the WebSocket handshake works and doctor --url is clean', async () => {
  const proxy = await startNginx(gw.port);
  try {
    const { code, report, byId } = await doctorUrl(proxy.url);
    assert.equal(byId('url-websocket').level, 'ok', JSON.stringify(report, null, 2));
    assert.equal(byId('url-token').level, 'ok');
    assert.equal(report.summary.error, 0);
    assert.equal(report.summary.warn, 0);
    assert.equal(code, 0);
  } finally {
    await proxy.stop();
  }
});

test('nginx without the upgrade headers: doctor --url names the dropped Upgrade/Connection headers', async () => {
  const proxy = await startNginx(gw.port, (s) => s.replace(/^\s*proxy_set_header (Upgrade|Connection) .*$/gm, ''));
  try {
    const { code, byId } = await doctorUrl(proxy.url);
    const ws = byId('url-websocket');
    assert.equal(ws.level, 'error');
    assert.match(ws.message, /drops the Upgrade\/Connection headers/);
    assert.match(ws.fix, /proxy_set_header Upgrade \$http_upgrade/);
    assert.equal(code, 2);
  } finally {
    await proxy.stop();
  }
});

test('nginx with proxy_read_timeout 5s: --idle 8 reports the idle timeout and the keep-alive that avoids it', async () => {
  const proxy = await startNginx(gw.port, (s) => s.replace('proxy_read_timeout 3600s;', 'proxy_read_timeout 5s;'));
  try {
    const { code, byId } = await doctorUrl(proxy.url, ['--idle', '8']);
    const idle = byId('url-idle');
    assert.equal(idle.level, 'error');
    assert.match(idle.message, /idle WebSocket was closed after about \d+ s/);
    assert.match(idle.message, /gateway\.websocket\.keepAlive/);
    assert.match(idle.fix, /^openclaw config set gateway\.websocket\.keepAlive 2\b/);
    assert.equal(code, 2);
  } finally {
    await proxy.stop();
  }
});
