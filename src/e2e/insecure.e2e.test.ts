// A plain-HTTP page on a non-loopback name (no WebCrypto there): the UI warns that it is not a
// secure context, still signs the challenge with its pure-JS Ed25519, and gets as far as pairing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../testing/harness.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startForeignUiServer, startGateway } from './browser.js';

test('an insecure origin: warning shown, device signed without WebCrypto, paired and connected', async () => {
  builtUiRoot();
  const foreign = await startForeignUiServer();
  const origin = `http://control.example.test:${foreign.port}`;
  // The page talks to 127.0.0.1, so it is local and an allowed Control UI would pair silently
  // (reference §6.3): turn local auto-approval off to see the pairing step. The CLI that approves
  // still pairs silently (a local client with the shared token is never locked out).
  const gw = await startGateway({ controlUi: { allowedOrigins: [origin] }, nodes: { pairing: { autoApproveLocal: false } } });
  // The name resolves to this machine, but the browser treats the page as a remote, insecure one.
  const b = await launchBrowser(['--host-resolver-rules=MAP control.example.test 127.0.0.1']);
  try {
    await b.page.goto(`${origin}/?gatewayUrl=ws://127.0.0.1:${gw.port}#token=${TEST_TOKEN}`);
    assert.equal(await b.page.evaluate(() => window.isSecureContext || !!crypto.subtle), false, 'no WebCrypto on this page');
    await b.page.locator('section.banner[data-kind="insecure"]').waitFor({ timeout: 10_000 });
    const pairing = b.page.locator('section.banner[data-kind="pairing"]');
    await pairing.waitFor({ timeout: 15_000 });
    const requestId = await pairing.getAttribute('data-request-id');
    assert.ok(requestId);
    await screenshot(b.page, 'ui-insecure-context-pairing');
    const approved = await runCli(['devices', 'approve', requestId], { env: gw.state.env });
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
  } finally {
    await b.close();
    await foreign.close();
    await gw.stop();
  }
});
