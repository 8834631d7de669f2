// The Control UI's chat against a real gateway, a fake model provider and Chromium: markdown
// replies rendered safely, a thinking state, sessions created / renamed / deleted, the default
// session shared with `openclaw agent --message`, a failed call showing its fix, a reply cut by
// kill -9 marked after the restart, an abort that survives a reload.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startFakeOpenAi } from '../models/testing/fake-openai.js';
import type { FakeServerBase } from '../models/testing/fake-common.js';
import { runCli } from '../testing/harness.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway, type Browser, type Gateway } from './browser.js';

function modelsConfig(baseUrl: string): Record<string, unknown> {
  return {
    models: { providers: { fake: { baseUrl, apiKey: 'sk-fake', api: 'openai-completions', models: [{ id: 'fake-model' }] } } },
    agents: { defaults: { model: { primary: 'fake/fake-model' } } },
  };
}

async function open(page: Page, gw: Gateway): Promise<void> {
  await page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
  await page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
  await page.locator('form.composer').waitFor({ timeout: 15_000 });
}

async function send(page: Page, text: string): Promise<void> {
  await page.fill('textarea[name="message"]', text);
  await page.click('form.composer button[type="submit"]');
}

const finals = (page: Page) => page.locator('.msg-assistant[data-state="final"]');

const MARKDOWN = [
  'Here is **bold** text.',
  '',
  '- first item',
  '- second item',
  '',
  '```js',
  'console.log("<b>not bold</b>");',
  '```',
  '',
  '<script>window.__pwned = "script"</script>',
  '<img src="x" onerror="window.__pwned = \'img\'">',
  '',
  '[bad link](javascript:window.__pwned=1) and [good link](https://example.com/docs)',
].join('\n');

describe('Control UI chat', { timeout: 5 * 60_000 }, () => {
  let fake: FakeServerBase;
  let gw: Gateway;
  let b: Browser;
  before(async () => {
    builtUiRoot();
    fake = await startFakeOpenAi();
    gw = await startGateway({}, modelsConfig(fake.baseUrl));
    b = await launchBrowser();
    await b.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.httpUrl.replace(/\/$/, '') });
  });
  after(async () => {
    await b?.close();
    await gw?.stop();
    await fake?.close();
  });

  test('a markdown reply renders bold, list and code (with Copy) and never runs or renders its <script>; thinking first, then model and time', async () => {
    const { page } = b;
    await open(page, gw);
    // Records whether the "thinking" state showed before the first token.
    await page.evaluate(() => {
      const w = window as unknown as { sawThinking: boolean };
      w.sawThinking = false;
      new MutationObserver(() => {
        if (document.querySelector('.msg-thinking, .msg-assistant .thinking')) w.sawThinking = true;
      }).observe(document.body, { subtree: true, childList: true });
    });
    fake.reply = () => MARKDOWN;
    fake.chunkDelayMs = 20;
    await send(page, 'show me markdown');
    const reply = finals(page).last();
    await reply.waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { sawThinking: boolean }).sawThinking), true, 'a thinking state before the first token');
    assert.equal(await page.locator('.msg-thinking, .msg .thinking').count(), 0, 'no thinking state once the reply is there');
    assert.equal(await reply.locator('.text strong').innerText(), 'bold');
    assert.deepEqual(await reply.locator('.text ul > li').allInnerTexts(), ['first item', 'second item']);
    assert.equal(await reply.locator('.text pre code').innerText(), 'console.log("<b>not bold</b>");');
    assert.equal(await reply.locator('.text pre b').count(), 0, 'code is text, not markup');
    // The script and the handler never ran, and are not elements in the page.
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.equal(await reply.locator('script, img, [onerror]').count(), 0);
    assert.match(await reply.locator('.text').innerText(), /<script>window\.__pwned = "script"<\/script>/, 'raw HTML is shown as text');
    assert.equal(await reply.locator('a[href^="javascript"]').count(), 0, 'no javascript: link');
    const good = reply.locator('a', { hasText: 'good link' });
    assert.equal(await good.getAttribute('href'), 'https://example.com/docs');
    assert.match((await good.getAttribute('rel')) ?? '', /noopener/);
    assert.equal(await reply.locator('.meta .model').innerText(), 'fake/fake-model');
    assert.equal(await reply.locator('.meta time').innerText(), 'just now');
    // Copy puts the code itself on the clipboard.
    await reply.locator('button.copy-code').click();
    await page.waitForFunction(() => document.querySelector('button.copy-code')?.textContent === 'Copied', undefined, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'console.log("<b>not bold</b>");');
    await screenshot(page, 'ui-chat-markdown');
    // The same after a reload (rendered from chat.history).
    await page.reload();
    await finals(page).last().locator('.text strong').waitFor({ timeout: 15_000 });
    assert.equal(await finals(page).last().locator('.text pre code').innerText(), 'console.log("<b>not bold</b>");');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    fake.chunkDelayMs = 0;
  });

  test('the default session is the one `openclaw agent --message` writes to: the UI shows the CLI turn live and after a reload', async () => {
    const { page } = b;
    await open(page, gw);
    fake.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    const r = await runCli(['agent', '--message', 'hello from the cli', '--url', `ws://127.0.0.1:${gw.port}`, '--token', TEST_TOKEN], { env: gw.state.env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /echo: hello from the cli/);
    await page.locator('.msg-user .text', { hasText: 'hello from the cli' }).waitFor({ timeout: 15_000 });
    await finals(page).filter({ hasText: 'echo: hello from the cli' }).waitFor({ timeout: 15_000 });
    await page.reload();
    await page.locator('.msg-user .text', { hasText: 'hello from the cli' }).waitFor({ timeout: 15_000 });
    const mainRows = page.locator('.sessions li button[data-session-key="agent:main:main"]');
    assert.equal(await mainRows.count(), 1);
    assert.equal(await page.locator('.sessions li button[data-session-key="main"]').count(), 0, 'no second session for the alias');
    assert.match(await mainRows.innerText(), /^Main/);
    await screenshot(page, 'ui-chat-shared-with-cli');
  });

  test('create, rename and delete (with confirmation) a session', async () => {
    const { page } = b;
    await open(page, gw);
    const before = await page.locator('.sessions li').count();
    await page.click('button.new-session');
    const created = page.locator('.sessions li button.active');
    await page.waitForFunction((n) => document.querySelectorAll('.sessions li').length === n + 1, before, { timeout: 10_000 });
    const key = await created.getAttribute('data-session-key');
    assert.match(key ?? '', /^agent:main:ui-/);
    // The picked key is listed at once; its label arrives with the list reload after the patch.
    await page.locator('.sessions li button.active', { hasText: 'New chat' }).waitFor({ timeout: 10_000 });
    await send(page, 'first message here');
    await finals(page).filter({ hasText: 'echo: first message here' }).waitFor({ timeout: 15_000 });

    await page.click('button.rename-session');
    await page.fill('input[name="label"]', 'Trip plans');
    await page.click('form.rename-form button[type="submit"]');
    await page.locator(`.sessions li button[data-session-key="${key}"]`, { hasText: 'Trip plans' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.session-title').innerText(), 'Trip plans');
    await page.reload();
    await page.locator(`.sessions li button[data-session-key="${key}"]`, { hasText: 'Trip plans' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'ui-chat-renamed');

    await page.click(`.sessions li button[data-session-key="${key}"]`);
    await page.locator('.msg-user .text', { hasText: 'first message here' }).waitFor({ timeout: 10_000 });
    await page.click('button.delete-session');
    const confirm = page.locator('.confirm-delete[role="alertdialog"]');
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /Delete “Trip plans”\?/);
    await screenshot(page, 'ui-chat-delete-confirm');
    // Cancel keeps it; Delete removes it and returns to the main session.
    await confirm.locator('button', { hasText: 'Cancel' }).click();
    assert.equal(await page.locator(`.sessions li button[data-session-key="${key}"]`).count(), 1);
    await page.click('button.delete-session');
    await page.click('button.confirm-delete-yes');
    await page.locator(`.sessions li button[data-session-key="${key}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal(await page.locator('.sessions li button.active').getAttribute('data-session-key'), 'agent:main:main');
  });

  test('a failed model call shows the fix the gateway sent, and still does after a reload; an abort survives a reload', async () => {
    const { page } = b;
    await open(page, gw);
    fake.behave('*', 'server_error');
    try {
      await send(page, 'this will fail');
      const failed = page.locator('.msg-assistant[data-state="error"]').last();
      await failed.waitFor({ timeout: 20_000 });
      const fix = await failed.locator('.fix code').innerText();
      assert.ok(fix.length > 0, 'a fix command');
      assert.match(await failed.locator('.error-text').innerText(), /server|failed/i);
      await screenshot(page, 'ui-chat-failed-with-fix');
      await page.reload();
      const again = page.locator('.msg-assistant[data-state="error"]').last();
      await again.waitFor({ timeout: 15_000 });
      assert.equal(await again.locator('.fix code').innerText(), fix);
    } finally {
      fake.behave('*', 'ok');
    }

    fake.reply = () => Array.from({ length: 200 }, (_, i) => `slow${i}`).join(' ');
    fake.chunkDelayMs = 50;
    try {
      await send(page, 'a long one to abort');
      await page.locator('.msg-assistant[data-state="delta"] .text').filter({ hasText: 'slow1' }).waitFor({ timeout: 15_000 });
      await page.click('form.composer button.secondary:has-text("Abort")');
      await page.locator('.msg-assistant[data-state="aborted"]').waitFor({ timeout: 10_000 });
      await page.reload();
      const aborted = page.locator('.msg-assistant[data-state="aborted"]').last();
      await aborted.waitFor({ timeout: 15_000 });
      assert.match(await aborted.innerText(), /\(aborted\)/);
      assert.match(await aborted.locator('.text').innerText(), /^slow0 slow1/, 'the partial text is kept');
      await screenshot(page, 'ui-chat-aborted-after-reload');
    } finally {
      fake.chunkDelayMs = 0;
    }
  });
});

test('a reply cut by kill -9 is marked as interrupted after the restart, and stays marked across reloads; no phantom session while disconnected', { timeout: 3 * 60_000 }, async () => {
  builtUiRoot();
  const fake = await startFakeOpenAi();
  const REPLY = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ') + '.';
  fake.reply = () => REPLY;
  fake.chunkDelayMs = 40;
  const gw = await startGateway({}, modelsConfig(fake.baseUrl));
  const b = await launchBrowser();
  const { page } = b;
  try {
    await open(page, gw);
    await send(page, 'tell me a long story');
    await page.locator('.msg-assistant[data-state="delta"] .text').filter({ hasText: 'word3' }).waitFor({ timeout: 15_000 });
    const runId = await page.locator('.msg-assistant').first().getAttribute('data-run-id');
    gw.proc.kill('SIGKILL');
    await gw.proc.exited;
    await page.locator('[data-conn="connected"]').waitFor({ state: 'detached', timeout: 15_000 });
    // Chat opened while disconnected picks no session (no phantom `main`) and says why.
    await page.click('nav a[data-tab="devices"]');
    await page.click('nav a[data-tab="chat"]');
    await page.locator('.chat-waiting').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.sessions li').count(), 0);
    await screenshot(page, 'ui-chat-disconnected');
    await gw.restart();
    await page.locator('[data-conn="connected"]').waitFor({ timeout: 35_000 });
    // Once connected, the gateway's main session is the one shown, with the cut turn in it.
    await page.locator('.sessions li button.active[data-session-key="agent:main:main"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.sessions li button[data-session-key="main"]').count(), 0);
    await page.locator('.msg-user .text', { hasText: 'tell me a long story' }).waitFor({ timeout: 15_000 });
    const done = page.locator(`.msg-assistant[data-run-id="${runId}"][data-state="final"]`);
    await done.waitFor({ timeout: 30_000 });
    assert.equal(await done.locator('.text').innerText(), REPLY);
    await done.locator('.resumed-note').waitFor({ timeout: 10_000 });
    assert.match(await done.locator('.resumed-note').innerText(), /interrupted by a gateway restart/);
    // The mark is in the transcript, not only in this page.
    await page.reload();
    const reloaded = page.locator(`.msg-assistant[data-run-id="${runId}"][data-state="final"]`);
    await reloaded.waitFor({ timeout: 15_000 });
    assert.match(await reloaded.locator('.resumed-note').innerText(), /interrupted by a gateway restart/);
    assert.equal(await reloaded.locator('.text').innerText(), REPLY);
    await screenshot(page, 'ui-chat-interrupted-after-restart');
  } finally {
    await b.close();
    await gw.stop();
    await fake.close();
  }
});
