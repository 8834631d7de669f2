// The Channels view's WhatsApp QR link in Chromium against a real gateway: "Link with QR" shows the
// QR the gateway rendered (web.login.start), the phone "scans" it, and the card turns linked
// (web.login.wait, then channels.status). At the library boundary: WhatsApp Web cannot be reached
// from tests, so the gateway's socket is the scripted fake loaded through the test-only hook
// OPENCLAW_WHATSAPP_FAKE_SOCKET; POST /link on its control socket plays the phone's scan.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway } from './browser.js';
import { postFakeControl } from '../channels/whatsapp/testing/fake-socket.js';

const WAIT = 30_000;
const FAKE_MODULE = fileURLToPath(new URL('../channels/whatsapp/testing/fake-gateway-socket.js', import.meta.url));
const control = path.join(os.tmpdir(), `oc-wa-qr-${process.pid}.sock`);
after(() => fs.rmSync(control, { force: true }));

test('channels view: Link with QR shows the gateway\'s QR image, and after the scan the WhatsApp card is linked', async () => {
  builtUiRoot();
  const gw = await startGateway({}, { channels: { whatsapp: { dmPolicy: 'pairing' } } }, { OPENCLAW_WHATSAPP_FAKE_SOCKET: FAKE_MODULE, OPENCLAW_WHATSAPP_FAKE_CONTROL: control });
  const b = await launchBrowser();
  const { page } = b;
  try {
    await page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    await page.click('nav a[data-tab="channels"]');
    const card = page.locator('.channel-card[data-channel="whatsapp"][data-account="default"]');
    await card.waitFor({ timeout: WAIT });
    assert.match(await card.locator('[data-fact="State"] dd').innerText(), /not linked/);
    assert.match(await card.innerText(), /openclaw channels login --channel whatsapp/, 'the CLI stays shown as the alternative');

    await card.getByRole('button', { name: 'Link with QR' }).click();
    const img = card.getByRole('img', { name: /WhatsApp link QR code for account default\. Scan this QR in WhatsApp → Settings → Linked devices/ });
    await img.waitFor({ timeout: WAIT });
    assert.match(String(await img.getAttribute('src')), /^data:image\/png;base64,/);
    await page.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('[data-whatsapp-qr] img');
      return !!i && i.complete && i.naturalWidth > 100;
    }, undefined, { timeout: WAIT });
    await screenshot(page, 'ui-whatsapp-qr');

    assert.equal(await postFakeControl(control, '/link'), 200);
    await card.locator('[data-whatsapp-qr-result="linked"]').waitFor({ timeout: WAIT });
    assert.match(await card.locator('[data-whatsapp-qr-result="linked"]').innerText(), /Linked WhatsApp \+15551234567/);
    await page.waitForFunction(() => {
      const c = document.querySelector('.channel-card[data-channel="whatsapp"]');
      return /\blinked\b/.test(c?.querySelector('[data-fact="State"] dd')?.textContent?.replace('not linked', '') ?? '') && !c?.querySelector('[data-whatsapp-login]');
    }, undefined, { timeout: WAIT });
    await screenshot(page, 'ui-whatsapp-linked');
  } finally {
    await b.close();
    await gw.stop();
  }
});
