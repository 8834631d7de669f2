// Control UI authentication failures, end to end: each is explained in place with its fix, and
// fixing it connects without a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway, withGatewayAndBrowser } from './browser.js';

test('a wrong token shows the cause and fix with a token form; the right token connects', async () => {
  builtUiRoot();
  const gw = await startGateway();
  const b = await launchBrowser();
  try {
    await b.page.goto(`${gw.httpUrl}?token=not-the-token`);
    const banner = b.page.locator('section.banner[data-kind="auth-token"]');
    await banner.waitFor({ timeout: 15_000 });
    assert.doesNotMatch(b.page.url(), /token=/, 'the token is removed from the address bar');
    const text = await banner.innerText();
    assert.match(text, /disconnected \(1008\): unauthorized: gateway token mismatch/);
    assert.match(text, /differs from gateway\.auth\.token/);
    assert.match(text, /openclaw doctor/);
    assert.match(text, /Not retrying until you change something/);
    await screenshot(b.page, 'ui-token-mismatch');

    await banner.locator('form.token-form input[name="token"]').fill(TEST_TOKEN);
    await banner.locator('form.token-form button[type="submit"]').click();
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
    assert.equal(await b.page.locator('section.banner[data-state]').count(), 0);
    await screenshot(b.page, 'ui-token-accepted');
  } finally {
    await b.close();
    await gw.stop();
  }
});

test('no token at all: a neutral sign-in screen (not an error) explains how to get in and offers the form', () =>
  withGatewayAndBrowser(async (gw, b) => {
    await b.page.goto(gw.httpUrl);
    const signin = b.page.locator('section.signin[data-kind="auth-token"]');
    await signin.waitFor({ timeout: 15_000 });
    assert.match(await signin.innerText(), /Sign in to this gateway/);
    assert.match(await signin.innerText(), /openclaw dashboard/);
    assert.equal(await signin.locator('form.token-form').count(), 1);
    assert.equal(await b.page.locator('section.banner[data-state]').count(), 0, 'no error banner on a first visit');
    await signin.locator('form.token-form input[name="token"]').fill(TEST_TOKEN);
    await signin.locator('form.token-form button[type="submit"]').click();
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
  }));

test('password mode: the sign-in screen asks for the password, and the right one connects', async () => {
  builtUiRoot();
  const gw = await startGateway({ auth: { mode: 'password', password: 'correct horse battery' } });
  const b = await launchBrowser();
  try {
    await b.page.goto(gw.httpUrl);
    const banner = b.page.locator('section.signin[data-kind="auth-password"]');
    await banner.waitFor({ timeout: 15_000 });
    assert.match(await banner.innerText(), /enter the gateway password/);
    await banner.locator('form.password-form input[name="password"]').fill('correct horse battery');
    await banner.locator('form.password-form button[type="submit"]').click();
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 10_000 });
    assert.equal(await b.page.evaluate(() => localStorage.getItem('openclaw.controlUi.v1') ?? '').then((s) => s.includes('correct horse')), false, 'the password is not kept in localStorage');
  } finally {
    await b.close();
    await gw.stop();
  }
});
