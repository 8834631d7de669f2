// The Status, Logs and Config views against a real gateway: what they show and how a config edit
// the gateway refuses is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway } from './browser.js';

test('status, logs and config views show the live gateway; a rejected config edit shows the gateway\'s reason', async () => {
  builtUiRoot();
  const gw = await startGateway();
  const b = await launchBrowser();
  const { page } = b;
  try {
    await page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });

    await page.click('nav a[data-tab="status"]');
    const authMode = page.locator('.kv [data-key="Auth mode"] dd');
    await page.waitForFunction(() => document.querySelector('.kv [data-key="Auth mode"] dd')?.textContent === 'token', undefined, { timeout: 10_000 });
    assert.equal(await authMode.innerText(), 'token');
    // Bind comes from a second answer than Auth mode: wait for it rather than read it once.
    const bindRe = `loopback \\(127\\.0\\.0\\.1:${gw.port}\\)`;
    await page.waitForFunction((re) => new RegExp(re).test(document.querySelector('.kv [data-key="Bind"] dd')?.textContent ?? ''), bindRe, { timeout: 10_000 });
    assert.match(await page.locator('.kv [data-key="Bind"] dd').innerText(), new RegExp(bindRe));
    await page.locator('table.presence-table tbody tr').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-status');

    await page.click('nav a[data-tab="logs"]');
    await page.locator('.log-box .log-line').first().waitFor({ timeout: 10_000 });
    assert.match(await page.locator('.log-box').innerText(), /listening on/);
    assert.doesNotMatch(await page.locator('.log-box').innerText(), new RegExp(TEST_TOKEN), 'the token never reaches the log view');
    await screenshot(page, 'ui-logs');

    await page.click('nav a[data-tab="config"]');
    const view = page.locator('pre.config-view');
    await page.waitForFunction(() => /"gateway"/.test(document.querySelector('pre.config-view')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.doesNotMatch(await view.innerText(), new RegExp(TEST_TOKEN), 'the config view is redacted');

    await page.fill('textarea[name="patch"]', '{"gateway": {"port": "not-a-port"}}');
    await page.click('.config form button[type="submit"]');
    const rejected = page.locator('[data-config-result="rejected"]');
    await rejected.waitFor({ timeout: 10_000 });
    assert.match(await rejected.innerText(), /Rejected by the gateway: .*port/i);
    await screenshot(page, 'ui-config-rejected');

    await page.fill('textarea[name="patch"]', '{"gateway": {"controlUi": {"allowedOrigins": ["https://ops.example.com"]}}}');
    await page.click('.config form button[type="submit"]');
    await page.locator('[data-config-result="ok"]').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => /ops\.example\.com/.test(document.querySelector('pre.config-view')?.textContent ?? ''), undefined, { timeout: 10_000 });
  } finally {
    await b.close();
    await gw.stop();
  }
});
