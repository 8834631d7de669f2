// The Chat view end to end: a streamed reply, abort mid-stream, sessions list and history after a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAi } from '../models/testing/fake-openai.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway } from './browser.js';

test('chat: stream a reply, abort the next one mid-stream, and find both in history after a reload', async () => {
  builtUiRoot();
  const fake = await startFakeOpenAi();
  const gw = await startGateway({}, {
    models: { providers: { fake: { baseUrl: fake.baseUrl, apiKey: 'sk-fake', api: 'openai-completions', models: [{ id: 'fake-model' }] } } },
    agents: { defaults: { model: { primary: 'fake/fake-model' } } },
  });
  const b = await launchBrowser();
  const { page } = b;
  try {
    await page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
    await page.locator('form.composer').waitFor({ timeout: 15_000 });

    fake.reply = () => 'Hello from the fake model.';
    await page.fill('textarea[name="message"]', 'hi there');
    await page.press('textarea[name="message"]', 'Enter');
    const first = page.locator('.msg-assistant[data-state="final"] .text');
    await first.waitFor({ timeout: 10_000 });
    assert.equal(await first.innerText(), 'Hello from the fake model.');
    // The canonical main session, under its friendly name.
    await page.locator('.sessions li button[data-session-key="agent:main:main"]', { hasText: 'Main' }).waitFor();
    assert.equal(await page.locator('.sessions li').count(), 1, 'one session, listed once');

    fake.reply = () => Array.from({ length: 200 }, (_, i) => `slow${i}`).join(' ');
    fake.chunkDelayMs = 50;
    await page.fill('textarea[name="message"]', 'a long one');
    await page.click('form.composer button[type="submit"]');
    await page.locator('.msg-assistant[data-state="delta"]').waitFor({ timeout: 10_000 });
    await page.click('form.composer button.secondary:has-text("Abort")');
    const aborted = page.locator('.msg-assistant[data-state="aborted"]');
    await aborted.waitFor({ timeout: 10_000 });
    assert.match(await aborted.innerText(), /\(aborted\)/);
    await screenshot(page, 'ui-chat-aborted');

    await page.reload();
    await page.locator('.msg-user').nth(1).waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.locator('.msg-user .text').allInnerTexts(), ['hi there', 'a long one']);
    assert.equal(await page.locator('.msg-assistant .text').first().innerText(), 'Hello from the fake model.');
    // The abort is in the transcript, not only in the page's memory.
    await page.locator('.msg-assistant[data-state="aborted"]').waitFor({ timeout: 10_000 });
    await screenshot(page, 'ui-chat-history');
  } finally {
    await b.close();
    await gw.stop();
    await fake.close();
  }
});
