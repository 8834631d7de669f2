// Browser Origin policy as the Control UI shows it: a page from an origin the gateway does not
// list is refused with the exact allowedOrigins line, and applying it lets the same page in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, runCli } from '../testing/harness.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startForeignUiServer, startGateway } from './browser.js';

test('a page from an origin not in allowedOrigins is refused with the allowedOrigins line for its real origin', async () => {
  builtUiRoot();
  // Local auto-approval off: a local Control UI would otherwise pair silently once its origin is allowed.
  const gw = await startGateway({ nodes: { pairing: { autoApproveLocal: false } } });
  const foreign = await startForeignUiServer();
  const b = await launchBrowser();
  try {
    // *.localhost resolves to loopback in Chromium, but it is not the gateway's own origin.
    const origin = `http://ui.localhost:${foreign.port}`;
    await b.page.goto(`${origin}/?gatewayUrl=ws://127.0.0.1:${gw.port}#token=${TEST_TOKEN}`);
    const banner = b.page.locator('section.banner[data-kind="origin"]');
    await banner.waitFor({ timeout: 15_000 });
    const fix = `openclaw config set gateway.controlUi.allowedOrigins '["${origin}"]'`;
    const text = await banner.innerText();
    assert.match(text, /origin not allowed/);
    assert.ok(text.includes(fix), text);
    assert.equal(await banner.locator('.fix button.copy').getAttribute('data-copy'), fix);
    await screenshot(b.page, 'ui-origin-not-allowed');

    // Applying exactly that fix (hot reload) lets the same page in.
    const set = await runCli(['config', 'set', 'gateway.controlUi.allowedOrigins', `["${origin}"]`], { env: gw.state.env });
    assert.equal(set.code, 0, set.stderr + set.stdout);
    // The hot reload lands within moments ("Retry now" skips the backoff wait); with local
    // auto-approval off the next step is pairing.
    const pairing = b.page.locator('section.banner[data-kind="pairing"]');
    await eventually(async () => {
      if ((await pairing.count()) > 0) return true;
      await b.page.locator('section.banner button.link').click({ timeout: 1000 }).catch(() => {});
      return false;
    }, 15_000, 500);
    const requestId = await pairing.getAttribute('data-request-id');
    assert.ok(requestId);
    const approved = await runCli(['devices', 'approve', requestId], { env: gw.state.env });
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
    await screenshot(b.page, 'ui-origin-allowed');
  } finally {
    await b.close();
    await foreign.close();
    await gw.stop();
  }
});
