// `openclaw dashboard` end to end: the single-use link signs a fresh browser in without the
// gateway token, the device token it gets keeps it signed in, and a used link is explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../testing/harness.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway } from './browser.js';

test('openclaw dashboard --json prints a bootstrap link (never the token) that signs a browser in once', async () => {
  builtUiRoot();
  const gw = await startGateway();
  const first = await launchBrowser();
  const second = await launchBrowser();
  try {
    const r = await runCli(['dashboard', '--no-open', '--json'], { env: gw.state.env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(!r.stdout.includes(TEST_TOKEN), 'the gateway token is never printed');
    const link = JSON.parse(r.stdout) as Record<string, unknown>;
    // the CLI's --json envelope (ok, version) around the link's own keys
    assert.deepEqual(Object.keys(link).sort(), ['expiresAtMs', 'httpUrl', 'ok', 'port', 'tokenIncluded', 'url', 'version', 'wsUrl']);
    assert.equal(link.ok, true);
    assert.equal(link.tokenIncluded, false);
    assert.equal(link.port, gw.port);
    assert.equal(link.httpUrl, `http://127.0.0.1:${gw.port}/`);
    assert.equal(link.wsUrl, `ws://127.0.0.1:${gw.port}`);
    assert.match(String(link.url), new RegExp(`^http://127\\.0\\.0\\.1:${gw.port}/#bootstrap=[^&]+$`));
    assert.ok(typeof link.expiresAtMs === 'number' && link.expiresAtMs > Date.now());

    await first.page.goto(String(link.url));
    await first.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    assert.doesNotMatch(first.page.url(), /bootstrap=/, 'the code leaves the address bar');
    const stored = await first.page.evaluate(() => localStorage.getItem('openclaw.controlUi.v1') ?? '');
    assert.match(stored, /"deviceToken"/, 'the device token from hello-ok is kept');
    assert.doesNotMatch(stored, /"token"/, 'no shared token was ever involved');
    // A reload reconnects on the device token alone.
    await first.page.reload();
    await first.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    await screenshot(first.page, 'ui-dashboard-link-connected');

    // Single use: the same link in another browser is refused and explained.
    await second.page.goto(String(link.url));
    const banner = second.page.locator('section.banner[data-kind="bootstrap"]');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /openclaw dashboard/);
    assert.equal(await banner.locator('form.token-form').count(), 1);
    await screenshot(second.page, 'ui-dashboard-link-used');
  } finally {
    await first.close();
    await second.close();
    await gw.stop();
  }
});

test('openclaw dashboard with no gateway running says so and how to start it', async () => {
  const gw = await startGateway();
  gw.proc.kill('SIGTERM');
  await gw.proc.exited;
  try {
    // Point at the stopped gateway's port; the default 18789 may belong to someone else's gateway.
    const r = await runCli(['dashboard', '--no-open'], { env: { ...gw.state.env, OPENCLAW_GATEWAY_PORT: String(gw.port) } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /gateway connect failed: connection refused/);
    assert.match(r.stderr, /openclaw gateway start/);
    assert.equal(r.stdout, '');
  } finally {
    gw.state.cleanup();
  }
});
