// Control UI pairing, end to end: a real gateway process, Debian's Chromium, the real CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../testing/harness.js';
import { builtUiRoot, launchBrowser, openUntilPairing, screenshot, startGatewayWithPairingPrompts } from './browser.js';

test('a new browser shows "pairing required" and connects by itself once the CLI approves it', async () => {
  builtUiRoot();
  const gw = await startGatewayWithPairingPrompts();
  const b = await launchBrowser();
  try {
    const requestId = await openUntilPairing(b, gw.httpUrl);
    // The token left the address bar at once but was kept for the reconnects.
    assert.doesNotMatch(b.page.url(), /token=/);
    assert.match(await b.page.evaluate(() => localStorage.getItem('openclaw.controlUi.v1') ?? ''), /e2e-token/);
    const text = await b.page.locator('section.banner').innerText();
    assert.match(text, /pairing required/);
    assert.match(text, /disconnected \(1008\)/);
    assert.ok(text.includes(`openclaw devices approve ${requestId}`), text);
    assert.equal(await b.page.locator('.fix button.copy').getAttribute('data-copy'), `openclaw devices approve ${requestId}`);
    await screenshot(b.page, 'ui-pairing-required');

    await b.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const approved = await runCli(['devices', 'approve', requestId], { env: gw.state.env });
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);

    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
    await b.page.locator('.chat, .not-available').first().waitFor({ timeout: 5000 });
    assert.equal(await b.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'connected without a reload');
    assert.equal(await b.page.locator('section.banner[data-state]').count(), 0);
    await screenshot(b.page, 'ui-paired-chat');
  } finally {
    await b.close();
    await gw.stop();
  }
});
