// Failed-auth lockout as the Control UI shows it: browser-origin attempts are rate limited even
// on loopback, and the banner counts the lockout down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../testing/harness.js';
import { builtUiRoot, launchBrowser, screenshot, startGateway } from './browser.js';

test('repeated wrong tokens from a browser lock it out; the banner counts down retryAfterMs', async () => {
  builtUiRoot();
  const gw = await startGateway();
  const b = await launchBrowser();
  try {
    await b.page.goto(`${gw.httpUrl}#token=wrong-0`);
    const limited = b.page.locator('section.banner[data-kind="rate-limited"]');
    // Each submit is one more wrong attempt (the UI never retries a rejected token on its own).
    let attempt = 0;
    await eventually(async () => {
      if (await limited.count()) return true;
      const form = b.page.locator('section.banner[data-kind="auth-token"] form.token-form');
      if (await form.count()) {
        await form.locator('input[name="token"]').fill(`wrong-${++attempt}`);
        await form.locator('button[type="submit"]').click();
      }
      return false;
    }, 20_000, 300);
    await limited.waitFor({ timeout: 10_000 });
    const text = await limited.innerText();
    assert.match(text, /too many failed authentication attempts/);
    const m = text.match(/Locked out — retrying in (\d+) s/);
    assert.ok(m && Number(m[1]) > 60, text);
    await screenshot(b.page, 'ui-rate-limited');
  } finally {
    await b.close();
    await gw.stop();
  }
});
