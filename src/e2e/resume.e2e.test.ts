// A reply streaming into the Control UI survives a dropped connection and a gateway kill -9:
// the UI reconnects by itself and resumes from its last seq, with no text lost or doubled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startFakeOpenAi } from '../models/testing/fake-openai.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway, startTcpProxy } from './browser.js';

const REPLY = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') + '.';

function modelsConfig(baseUrl: string): Record<string, unknown> {
  return {
    models: { providers: { fake: { baseUrl, apiKey: 'sk-fake', api: 'openai-completions', models: [{ id: 'fake-model' }] } } },
    agents: { defaults: { model: { primary: 'fake/fake-model' } } },
  };
}

async function sendMessage(page: Page, text: string): Promise<void> {
  await page.fill('textarea[name="message"]', text);
  await page.click('form.composer button[type="submit"]');
}

/** Waits until the streaming reply shows some (but not all) of its text. */
async function waitMidStream(page: Page): Promise<void> {
  await page.waitForFunction(
    (full) => {
      const el = document.querySelector('.msg-assistant[data-state="delta"] .text');
      const t = el?.textContent ?? '';
      return t.length > 20 && t.length < full.length / 2;
    },
    REPLY,
    { timeout: 15_000 },
  );
}

test('a dropped connection mid-reply: the UI reconnects, resumes, and the reply completes exactly once', async () => {
  builtUiRoot();
  const fake = await startFakeOpenAi();
  fake.reply = () => REPLY;
  fake.chunkDelayMs = 40;
  const gw = await startGateway({}, modelsConfig(fake.baseUrl));
  const proxy = await startTcpProxy(gw.port);
  const b = await launchBrowser();
  const { page } = b;
  try {
    await page.goto(`http://127.0.0.1:${proxy.port}/#token=${TEST_TOKEN}`);
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    await page.locator('form.composer').waitFor({ timeout: 10_000 });
    await sendMessage(page, 'tell me a long story');
    await waitMidStream(page);
    assert.ok(proxy.cut() > 0, 'the page had a live connection to cut');
    // The reply keeps streaming on the gateway while the page is away (reconnect waits ≥ 1 s).
    await page.locator('[data-conn="failed"], [data-conn="connecting"]').first().waitFor({ timeout: 5000 });
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    const finalText = page.locator('.msg-assistant[data-state="final"] .text');
    await finalText.waitFor({ timeout: 20_000 });
    assert.equal(await finalText.innerText(), REPLY);
    assert.equal(await page.locator('.msg-assistant').count(), 1, 'one reply, not a duplicate');
    assert.equal(await page.locator('.msg-user').count(), 1);
    assert.equal(fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 1, 'the turn ran once');
    await screenshot(page, 'ui-resume-after-drop');
  } finally {
    await b.close();
    await proxy.close();
    await gw.stop();
    await fake.close();
  }
});

test('gateway kill -9 mid-reply and restart: the UI reconnects by itself with no doubled text and keeps chatting', async () => {
  builtUiRoot();
  const fake = await startFakeOpenAi();
  fake.reply = () => REPLY;
  fake.chunkDelayMs = 40;
  const gw = await startGateway({}, modelsConfig(fake.baseUrl));
  const b = await launchBrowser();
  const { page } = b;
  try {
    await page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    await page.locator('form.composer').waitFor({ timeout: 10_000 });
    await sendMessage(page, 'tell me a long story');
    await waitMidStream(page);
    const shown = await page.locator('.msg-assistant .text').innerText();

    gw.proc.kill('SIGKILL');
    await gw.proc.exited;
    await page.locator('section.banner[data-kind="abnormal"]').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('section.banner').innerText(), /disconnected \(1006\)/);
    await screenshot(page, 'ui-gateway-killed');
    await gw.restart();
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 35_000 });

    // What was streamed before the kill is still there, exactly once, and never rewritten.
    const reply = page.locator('.msg-assistant').first();
    await page.waitForFunction(() => !document.querySelector('.msg-assistant[data-state="delta"]'), undefined, { timeout: 15_000 });
    const after = await reply.locator('.text').innerText();
    assert.ok(REPLY.startsWith(after) && after.startsWith(shown.trimEnd().split(' ').slice(0, -1).join(' ')), `no doubled or foreign text: ${after}`);
    assert.equal(await page.locator('.msg-user').count(), 1, 'the message was not sent twice');

    // The restarted gateway answers the next message in full.
    fake.chunkDelayMs = 0;
    await sendMessage(page, 'again');
    await page.waitForFunction((full) => [...document.querySelectorAll('.msg-assistant[data-state="final"] .text')].some((e) => e.textContent === full), REPLY, { timeout: 15_000 });
    await screenshot(page, 'ui-after-restart');
  } finally {
    await b.close();
    await gw.stop();
    await fake.close();
  }
});
