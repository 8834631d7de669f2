// A reply streaming into the Control UI survives a dropped connection and a gateway kill -9:
// the UI reconnects by itself and resumes from its last seq (after a kill -9 the restarted gateway
// re-runs the turn under the same runId), with no text lost or doubled.
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

/** Records in the page every text the run's reply shows (read back as window.seenTexts). */
async function recordTexts(page: Page, runId: string): Promise<void> {
  await page.evaluate((id) => {
    const w = window as unknown as { seenTexts: string[] };
    w.seenTexts = [];
    const note = () => {
      const t = document.querySelector(`.msg-assistant[data-run-id="${id}"] .text`)?.textContent;
      if (t !== undefined && t !== null && t !== w.seenTexts.at(-1)) w.seenTexts.push(t);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
    note();
  }, runId);
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

test('gateway kill -9 mid-reply and restart: the UI reconnects by itself and the reply completes exactly once', async () => {
  builtUiRoot();
  const fake = await startFakeOpenAi();
  fake.reply = () => REPLY;
  fake.chunkDelayMs = 40;
  const gw = await startGateway({}, modelsConfig(fake.baseUrl));
  const b = await launchBrowser();
  const { page } = b;
  const upstreamCalls = () => fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
  try {
    await page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    await page.locator('form.composer').waitFor({ timeout: 10_000 });
    await sendMessage(page, 'tell me a long story');
    await waitMidStream(page);
    const reply = page.locator('.msg-assistant').first();
    const runId = await reply.getAttribute('data-run-id');
    assert.ok(runId, 'the streaming reply names its run');
    assert.equal(upstreamCalls(), 1);
    await recordTexts(page, runId);

    gw.proc.kill('SIGKILL');
    await gw.proc.exited;
    await page.locator('section.banner[data-kind="abnormal"]').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('section.banner').innerText(), /disconnected \(1006\)/);
    await screenshot(page, 'ui-gateway-killed');
    await gw.restart();
    // The restarted gateway re-runs the turn on its own, under the same runId, and says so.
    await gw.proc.waitFor(new RegExp(`resuming interrupted run ${runId}`), 15_000);
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 35_000 });

    // The reply completes with exactly the upstream text: nothing doubled, nothing missing.
    const done = page.locator(`.msg-assistant[data-run-id="${runId}"][data-state="final"] .text`);
    await done.waitFor({ timeout: 30_000 });
    assert.equal(await done.innerText(), REPLY);
    assert.equal(await page.locator('.msg-assistant').count(), 1, 'one reply, not a duplicate');
    assert.equal(await page.locator('.msg-user').count(), 1, 'the message was not sent twice');
    assert.equal(await page.locator('.msg .error-text').count(), 0, 'no "interrupted" label once the run completed');
    assert.equal(upstreamCalls(), 2, 'the upstream was called again once for that turn');
    // Every text the reply showed on the way (old attempt, reconnect, resumed run) was a prefix of it.
    const seen = await page.evaluate(() => (window as unknown as { seenTexts: string[] }).seenTexts);
    assert.ok(seen.length > 1, 'the reply was observed while it streamed');
    for (const t of seen) assert.ok(REPLY.startsWith(t), `doubled or foreign text on screen: ${t}`);
    await screenshot(page, 'ui-resumed-after-kill');

    // The restarted gateway answers the next message in full.
    fake.chunkDelayMs = 0;
    await sendMessage(page, 'again');
    await page.waitForFunction(() => document.querySelectorAll('.msg-assistant[data-state="final"]').length === 2, undefined, { timeout: 15_000 });
    const texts = await page.locator('.msg-assistant .text').allInnerTexts();
    assert.deepEqual(texts, [REPLY, REPLY]);
    await screenshot(page, 'ui-after-restart');
  } finally {
    await b.close();
    await gw.stop();
    await fake.close();
  }
});
