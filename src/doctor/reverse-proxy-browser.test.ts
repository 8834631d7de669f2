// The Control UI in a real Chromium through the documented nginx config: it connects once the
// device is approved with the exact command `openclaw doctor` prints for the pending request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtUiRoot, launchBrowser, screenshot, startGateway, TEST_TOKEN } from '../e2e/browser.js';
import { freePort, runCli } from '../testing/harness.js';
import { startNginx } from './testing/proxies.js';

test('Control UI through nginx: pairing request, approved via the doctor fix, then connected', async () => {
  builtUiRoot();
  const proxyPort = await freePort();
  const origin = `http://127.0.0.1:${proxyPort}`;
  const gw = await startGateway({ controlUi: { allowedOrigins: [origin] } });
  // Pair the CLI over plain loopback first: once 127.0.0.1 is a trusted proxy, a header-less loopback
  // connection is not treated as local (reported to the lead), and the CLI must approve the browser.
  assert.equal((await runCli(['devices', 'list', '--json'], { env: gw.state.env })).code, 0);
  assert.equal((await runCli(['config', 'set', 'gateway.trustedProxies', '["127.0.0.1"]'], { env: gw.state.env })).code, 0);
  await gw.proc.waitFor(/reload/i, 10_000);
  const proxy = await startNginx(gw.port, (s) => s, { port: proxyPort });
  const b = await launchBrowser();
  try {
    await b.page.goto(`${origin}/#token=${TEST_TOKEN}`);
    const connected = b.page.locator('[data-conn="connected"]');
    const pairing = b.page.locator('section.banner[data-kind="pairing"]');
    await Promise.race([connected.waitFor({ timeout: 15_000 }), pairing.waitFor({ timeout: 15_000 })]);
    if (await pairing.isVisible()) {
      // A proxied browser is remote, so it must be approved: doctor names the request and the command.
      const doctor = await runCli(['doctor', '--json'], { env: gw.state.env });
      const pending = JSON.parse(doctor.stdout).checks.find((c: { id: string }) => c.id === 'pending-pairing');
      assert.equal(pending.level, 'warn');
      const requestId = await pairing.getAttribute('data-request-id');
      assert.equal(pending.fix, `openclaw devices approve ${requestId}`);
      const approve = await runCli(pending.fix.split(' ').slice(1), { env: gw.state.env });
      assert.equal(approve.code, 0, approve.stderr);
    }
    await connected.waitFor({ timeout: 20_000 });
    const check = await runCli(['doctor', '--url', `${origin}/`, '--token', TEST_TOKEN, '--json'], { env: gw.state.env });
    const report = JSON.parse(check.stdout);
    assert.equal(report.summary.error + report.summary.warn, 0, JSON.stringify(report, null, 2));
  } catch (err) {
    await screenshot(b.page, 'reverse-proxy-browser-failure').catch(() => {});
    throw err;
  } finally {
    await b.close();
    await proxy.stop();
    await gw.stop();
  }
});
