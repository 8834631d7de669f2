// The compatibility suite (issue 14): the official Control UI bundle (dist/control-ui of npm
// `openclaw` 2026.9.6), served by a plain static server on its own origin, in headless Chromium
// against a real `gateway run` of ours with that origin allowed and local auto-approval off. It
// must ask for pairing with our request id, connect by itself after `openclaw devices approve`,
// draw the chat with its history and composer, and stream the fake model's reply to a message.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { launchBrowser, screenshot, type Browser } from '../e2e/browser.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { eventually, gatewayRuns, makeStateDir, runCli, type StateDir } from '../testing/harness.js';
import { ensureOfficialClient } from './official-client.js';

const TOKEN = 'compat-ui-token-0123456789abcdef0123456789';
/** Generous: a loaded 2-core machine, a large third-party bundle, a gateway reconnect backoff. */
const UI_WAIT_MS = 90_000;

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.webmanifest': 'application/manifest+json',
};

/** A plain static server for a directory (unknown paths get index.html, as a single-page app host does). */
async function serveStatic(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) file = path.join(root, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('official Control UI 2026.9.6 against our gateway', { concurrency: false, timeout: 20 * 60_000 }, () => {
  const runs = gatewayRuns();
  let fake: FakeServerBase;
  let state: StateDir;
  let site: { origin: string; close(): Promise<void> };
  let browser: Browser;
  let port: number;

  before(async () => {
    const official = await ensureOfficialClient();
    const uiRoot = path.join(official.packageDir, 'dist', 'control-ui');
    assert.ok(fs.existsSync(path.join(uiRoot, 'index.html')), `no Control UI bundle at ${uiRoot}`);
    site = await serveStatic(uiRoot);
    fake = await startFakeOpenAi({ models: ['m'] });
    state = makeStateDir({
      gateway: {
        mode: 'local',
        auth: { mode: 'token', token: TOKEN },
        controlUi: { allowedOrigins: [site.origin] },
        nodes: { pairing: { autoApproveLocal: false } },
      },
      models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
    });
    ({ port } = await runs.start(state));
    // History for the UI to show: one earlier turn, sent with our CLI (device-less, shared token).
    const seed = await runCli(['gateway', 'call', 'chat.send', '--json', '--params', JSON.stringify({ sessionKey: 'main', message: 'earlier question', idempotencyKey: 'seed-1' })], { env: state.env, timeoutMs: 60_000 });
    assert.equal(seed.code, 0, seed.stderr + seed.stdout);
    await eventually(async () => {
      const h = await runCli(['gateway', 'call', 'chat.history', '--json', '--params', JSON.stringify({ sessionKey: 'main' })], { env: state.env, timeoutMs: 60_000 });
      return h.code === 0 && h.stdout.includes('echo: earlier question');
    }, 60_000, 250);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await fake?.close();
    state?.cleanup();
  });

  test('asks for pairing with our request id, connects by itself after devices approve, shows history and composer, streams a reply', async () => {
    const page = browser.page;
    // The UI's own record of what the gateway sent (to see the reply arrive as a stream).
    const received: any[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      try {
        received.push(JSON.parse(String(f.payload)));
      } catch {
        /* not JSON: not ours */
      }
    }));
    const gatewayUrl = `ws://127.0.0.1:${port}`;
    await page.goto(`${site.origin}/?gatewayUrl=${encodeURIComponent(gatewayUrl)}#token=${TOKEN}`);
    // A link naming another gateway than the page's origin asks first; the user confirms it.
    await page.getByRole('button', { name: `Switch to 127.0.0.1:${port}` }).click({ timeout: UI_WAIT_MS });

    const approveLine = page.getByText(/openclaw devices approve \S+/).first();
    await approveLine.waitFor({ timeout: UI_WAIT_MS });
    await page.getByText('Approve this browser').first().waitFor({ timeout: UI_WAIT_MS });
    const requestId = /openclaw devices approve (\S+)/.exec(await approveLine.innerText())?.[1];
    assert.ok(requestId, 'the pairing screen names the request id');
    const pending = received.find((m) => m.type === 'res' && m.ok === false && m.error?.details?.code === 'PAIRING_REQUIRED');
    assert.equal(pending?.error.details.requestId, requestId, "the id shown is our gateway's request id");
    assert.equal(pending.error.message, 'pairing required: device is not approved yet');
    await screenshot(page, 'official-control-ui-pairing');

    const approved = await runCli(['devices', 'approve', requestId], { env: state.env, timeoutMs: 60_000 });
    assert.equal(approved.code, 0, approved.stderr + approved.stdout);

    // No click, no reload: it retries on its own and opens the main session's chat.
    const composer = page.getByRole('textbox', { name: 'Chat composer' });
    await composer.waitFor({ timeout: UI_WAIT_MS });
    const chat = page.getByRole('region', { name: 'Chat' });
    // A message's text (not the screen-reader announcement that repeats the latest one).
    const message = (text: string) => chat.getByRole('paragraph').filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
    await message('earlier question').waitFor({ timeout: UI_WAIT_MS });
    await message('echo: earlier question').waitFor({ timeout: UI_WAIT_MS });
    assert.ok(received.some((m) => m.type === 'res' && m.ok === true && m.payload?.type === 'hello-ok'), 'connected');
    await screenshot(page, 'official-control-ui-chat-history');

    // A reply of several chunks, paced, so it arrives as a stream.
    fake.chunkDelayMs = 150;
    fake.reply = (body) => `streamed echo of ${body.messages.at(-1).content} in several chunks`;
    const reply = 'streamed echo of hello from the official ui in several chunks';
    await composer.fill('hello from the official ui');
    await composer.press('Enter');
    await message('hello from the official ui').waitFor({ timeout: UI_WAIT_MS });
    await message(reply).waitFor({ timeout: UI_WAIT_MS });
    await screenshot(page, 'official-control-ui-chat-reply');

    const events = received.filter((m) => m.type === 'event' && m.event === 'chat' && m.payload?.sessionKey === 'agent:main:main');
    const runId = events.find((e) => e.payload.state === 'final' && JSON.stringify(e.payload.message).includes(reply))?.payload.runId;
    assert.ok(runId, 'a final chat event with the reply');
    const deltas = events.filter((e) => e.payload.runId === runId && e.payload.state === 'delta');
    assert.ok(deltas.length >= 2, `the reply streamed (${deltas.length} deltas)`);
    assert.equal(deltas.map((d) => d.payload.deltaText).join(''), reply);
    // The UI settles: the reply shows once (history and stream matched), nothing left "sending".
    await eventually(async () => (await message(reply).count()) === 1 && (await page.getByText('Sending message...').count()) === 0, UI_WAIT_MS, 250);
  });
});
