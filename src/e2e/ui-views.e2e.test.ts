// The Channels, Status, Logs and Config views against a real gateway in Chromium: a Telegram DM
// pairing request (a local Bot API server, the real grammY client in the gateway) approved from the
// Channels view; model provider health; log export and the stale marker; the schema-generated
// config form with its diff preview and the server's rejection.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { findPackageRoot } from '../gateway/control-ui-http.js';
import { TEST_TOKEN, builtUiRoot, launchBrowser, screenshot, startGateway, type Gateway } from './browser.js';
import { eventually, runCli } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { startFakeBotApi, type FakeBotApi } from '../channels/telegram/testing/fake-bot-api.js';

const BOT = { token: '424242:AAH-fake-token-for-ui-views-0123456789', id: 424242, username: 'claw_ui_bot' };
const WAIT = 30_000;
let model: FakeServerBase;
let tg: FakeBotApi;

before(async () => {
  builtUiRoot();
  model = await startFakeOpenAi({ models: ['m'] });
  tg = await startFakeBotApi();
  tg.addBot(BOT);
});
after(async () => {
  await tg.close();
  await model.close();
});

const sentTo = (chatId: number) => tg.sent.filter((m) => String(m.chat_id) === String(chatId)).map((m) => m.message.text ?? '');
/** Relative ages (`in:just now`, `out:2m ago`) may tick between the two reads; the rest must match byte for byte. */
const withoutAges = (line: string) => line.replace(/(in|out|transport):(just now|\d+[mhd] ago)/g, '$1:<age>');

function modelConfig(extra: Record<string, unknown> = {}) {
  return {
    models: { providers: { local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
    agents: { defaults: { model: 'local/m' } },
    ...extra,
  };
}

async function open(gw: Gateway) {
  const b = await launchBrowser();
  await b.page.goto(`${gw.httpUrl}#token=${TEST_TOKEN}`);
  await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
  return b;
}

test('channels view: a Telegram DM pairing request appears, Approve works, and the sender\'s next message is answered', async () => {
  const gw = await startGateway({}, modelConfig({ channels: { telegram: { botToken: BOT.token, apiRoot: tg.apiRoot } } }));
  const b = await open(gw);
  const { page } = b;
  try {
    await gw.proc.waitFor(/\[telegram\] \[default\] starting provider \(@claw_ui_bot\)/, WAIT);
    await page.click('nav a[data-tab="channels"]');
    const card = page.locator('.channel-card[data-channel="telegram"][data-account="default"]');
    await card.waitFor({ timeout: WAIT });
    await page.waitForFunction(() => /works/.test(document.querySelector('.channel-card [data-status-line]')?.textContent ?? ''), undefined, { timeout: WAIT });
    assert.match(await card.locator('[data-fact="Bot"] dd').innerText(), /@claw_ui_bot/);
    assert.match(await card.locator('[data-fact="DM policy"] dd').innerText(), /pairing/);

    // The card's line is the CLI's line.
    const cli = await runCli(['channels', 'status', '--probe'], { env: { ...gw.state.env, OPENCLAW_GATEWAY_PORT: String(gw.port) } });
    assert.equal(cli.code, 0, cli.stderr + cli.stdout);
    const cliLine = cli.stdout.split('\n').find((l) => l.startsWith('- Telegram default:'));
    assert.ok(cliLine, cli.stdout);
    assert.equal(withoutAges(await card.locator('[data-status-line]').innerText()), withoutAges(cliLine));

    // An unknown sender DMs the bot: they get a code, and the request shows up without a reload.
    tg.dm(BOT.token, { id: 5001, username: 'carol' }, 'hello, may I?');
    await eventually(() => sentTo(5001).some((t) => /Pairing code:/.test(t)), WAIT);
    const request = page.locator('.pairing-requests li[data-sender="5001"]');
    await request.waitFor({ timeout: WAIT });
    assert.match(await request.innerText(), /@carol/);
    assert.doesNotMatch(await page.locator('.pairing-requests').innerText(), /[A-HJ-NP-Z2-9]{8}/, 'the pairing code is never shown');
    await screenshot(page, 'ui-channels-pairing');
    assert.equal(model.requests.length, 0, 'nothing reached the model before approval');

    await request.getByRole('button', { name: 'Approve @carol' }).click();
    const result = page.locator('[data-pairing-result="ok"]');
    await result.waitFor({ timeout: WAIT });
    assert.match(await result.innerText(), /Approved @carol/);
    await page.waitForFunction(() => !document.querySelector('.pairing-requests li[data-sender="5001"]'), undefined, { timeout: WAIT });
    await screenshot(page, 'ui-channels-approved');

    tg.dm(BOT.token, { id: 5001, username: 'carol' }, 'now answer me');
    await eventually(() => sentTo(5001).includes('echo: now answer me'), WAIT);

    // Dismiss: a second sender's request goes away and they stay unapproved.
    tg.dm(BOT.token, { id: 5002, first_name: 'Dan' }, 'me too');
    const second = page.locator('.pairing-requests li[data-sender="5002"]');
    await second.waitFor({ timeout: WAIT });
    await second.getByRole('button', { name: 'Dismiss Dan' }).click();
    await page.waitForFunction(() => !document.querySelector('.pairing-requests li[data-sender="5002"]'), undefined, { timeout: WAIT });
    const list = await runCli(['pairing', 'list', 'telegram', '--json'], { env: gw.state.env });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).requests, []);
  } finally {
    await b.close();
    await gw.stop();
  }
});

test('config form: generated from the schema with descriptions, checked as typed, a diff before applying, and the gateway\'s rejection linked to its field', async () => {
  const gw = await startGateway();
  const b = await open(gw);
  const { page } = b;
  try {
    await page.click('nav a[data-tab="config"]');
    await page.locator('.config-form [data-section="logging"]').click();
    const level = page.locator('[data-field="logging.level"]');
    await level.waitFor({ timeout: 10_000 });
    assert.match(await level.locator('.desc').innerText(), /least severe level.*Expected: one of debug, info, warn, error/);
    await page.selectOption('select[name="logging.level"]', 'debug');

    // Checked in the browser: an out-of-range port is flagged and blocks the review.
    await page.locator('.config-form [data-section="gateway"]').click();
    await page.fill('input[name="gateway.port"]', '70000');
    assert.match(await page.locator('[data-field="gateway.port"] .field-error').innerText(), /at most 65535/);
    assert.equal(await page.locator('[data-action="review"]').isDisabled(), true);
    await page.fill('input[name="gateway.port"]', '');
    await page.waitForFunction(() => !document.querySelector('[data-field="gateway.port"] .field-error'));

    await page.click('[data-action="review"]');
    const row = page.locator('[data-diff] tr[data-change="logging.level"]');
    await row.waitFor();
    assert.match(await row.innerText(), /logging\.level\s+\(unset\)\s+"debug"/);
    await screenshot(page, 'ui-config-diff');
    await page.click('[data-action="apply"]');
    await page.locator('.config-form [data-config-result="ok"]').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => /"level": "debug"/.test(document.querySelector('pre.config-view')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.equal(JSON.parse(fs.readFileSync(gw.state.configPath, 'utf8')).logging.level, 'debug');
    assert.equal(JSON.parse(fs.readFileSync(gw.state.configPath, 'utf8')).gateway.auth.token, TEST_TOKEN, 'the redacted token survived the round trip');

    // A value only the gateway can judge: its issue names the key, links to the field and says how to fix it.
    await page.locator('.config-form [data-section="agents"]').click();
    await page.locator('details[data-group="agents.defaults"] > summary').click();
    await page.locator('details[data-group="agents.defaults.heartbeat"] > summary').click();
    await page.fill('input[name="agents.defaults.heartbeat.every"]', 'soon');
    await page.click('[data-action="review"]');
    await page.click('[data-action="apply"]');
    const issue = page.locator('.config-form [data-config-result="rejected"] li[data-issue-path="agents.defaults.heartbeat.every"]');
    await issue.waitFor({ timeout: 10_000 });
    assert.match(await issue.innerText(), /invalid duration "soon".*use a number with a unit: 45s, 30m/);
    assert.match(await page.locator('.config-form [data-config-result="rejected"]').innerText(), /openclaw config set agents\.defaults\.heartbeat\.every <value>/);
    assert.match(await page.locator('[data-field="agents.defaults.heartbeat.every"] .field-error').innerText(), /invalid duration/);
    await issue.getByRole('button', { name: 'agents.defaults.heartbeat.every' }).click();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'agents.defaults.heartbeat.every');
    await screenshot(page, 'ui-config-form-rejected');

    // The raw editor previews its patch and shows an unknown key's issue with the gateway's fix.
    await page.fill('textarea[name="patch"]', '{gateway: {bnid: "lan"}}');
    await page.locator('[data-raw-preview="diff"] tr[data-change="gateway.bnid"]').waitFor();
    await page.click('.config form button[type="submit"]');
    const rawIssue = page.locator('[data-config-result="rejected"] li[data-issue-path="gateway.bnid"]');
    await rawIssue.waitFor({ timeout: 10_000 });
    assert.match(await rawIssue.innerText(), /unknown key \(did you mean "bind"\?\)/);
    assert.match(await page.locator('[data-config-result="rejected"]').innerText(), /openclaw config unset gateway\.bnid/);
  } finally {
    await b.close();
    await gw.stop();
  }
});

test('status shows provider health from real turns, sessions, pairings and the last errors; logs show the turn at info, CLI connects at debug, export and a stale marker', async () => {
  const gw = await startGateway({}, {
    models: { providers: { dead: { baseUrl: 'http://127.0.0.1:9/v1', models: [{ id: 'm' }] }, local: { baseUrl: model.baseUrl, models: [{ id: 'm' }] } } },
    agents: { defaults: { model: { primary: 'dead/m', fallbacks: ['local/m'] } } },
    logging: { level: 'debug' },
  });
  const b = await open(gw);
  const { page } = b;
  try {
    await page.click('nav a[data-tab="status"]');
    await page.locator('[data-provider="local"][data-state="unknown"]').waitFor({ timeout: WAIT });

    // A real turn from the CLI: the dead primary fails, the fallback answers.
    const turn = await runCli(['agent', '--message', 'hello there'], { env: { ...gw.state.env, OPENCLAW_GATEWAY_PORT: String(gw.port) } });
    assert.equal(turn.code, 0, turn.stderr + turn.stdout);
    const dead = page.locator('[data-provider="dead"][data-state="failing"]');
    await dead.waitFor({ timeout: WAIT });
    assert.match(await dead.locator('[data-last-error]').innerText(), /dead\/m is unreachable[\s\S]*openclaw config set models\.providers\.dead\.baseUrl/);
    await page.locator('[data-provider="local"][data-state="ok"]').waitFor({ timeout: WAIT });
    await page.locator('[data-sessions] li').first().waitFor({ timeout: WAIT });
    assert.equal(await page.locator('[data-pending] [data-key="Devices"] dd').innerText(), '0 waiting');
    await page.waitForFunction(() => /model dead\/m failed/.test(document.querySelector('[data-last-errors]')?.textContent ?? ''), undefined, { timeout: WAIT });
    await screenshot(page, 'ui-status-health');

    await page.click('nav a[data-tab="logs"]');
    const box = page.locator('.log-box');
    await page.waitForFunction(() => /chat turn \S+ done after 1 fallback\(s\): session \S+, local\/m, \d+ chars/.test(document.querySelector('.log-box')?.textContent ?? ''), undefined, { timeout: WAIT });
    assert.match(await box.innerText(), /connected openclaw-control-ui\/ui/, 'a browser connect is an info line');
    assert.doesNotMatch(await box.innerText(), /connected cli\/cli/, 'a CLI connect is not an info line');
    await page.selectOption('select[name="level"]', 'debug');
    await page.locator('.log-line.level-debug', { hasText: /connected cli\/cli role=operator/ }).first().waitFor({ timeout: WAIT });
    assert.doesNotMatch(await box.innerText(), /hello there/, 'the log never holds the message text');

    const shownCount = await page.locator('.log-box .log-line').count();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="export"]')]);
    const exported = fs.readFileSync((await download.path())!, 'utf8').trimEnd().split('\n');
    assert.ok(exported.length >= shownCount, `${exported.length} exported, ${shownCount} shown`);
    assert.ok(exported.every((l) => typeof JSON.parse(l).msg === 'string'), 'the lines as the gateway wrote them');
    assert.ok(exported.some((l) => /chat turn .* done/.test(l)));

    gw.proc.kill('SIGKILL');
    await page.locator('[data-stale]').waitFor({ timeout: WAIT });
    assert.match(await page.locator('.log-box').getAttribute('class') ?? '', /stale/);
    await screenshot(page, 'ui-logs-stale');
    await gw.restart();
    await page.locator('[data-conn="connected"]').waitFor({ timeout: WAIT });
    await page.waitForFunction(() => !document.querySelector('[data-stale]'), undefined, { timeout: WAIT });
  } finally {
    await b.close();
    await gw.stop();
  }
});

test('at 390×844 the channels, status, logs and config views fit the width, and axe finds no serious problem in them', async () => {
  const axe = fs.readFileSync(path.join(findPackageRoot(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const gw = await startGateway({}, modelConfig({ channels: { telegram: { botToken: BOT.token, apiRoot: tg.apiRoot } } }));
  const b = await open(gw);
  const { page } = b;
  try {
    await page.setViewportSize({ width: 390, height: 844 });
    const ready: Record<string, string> = { channels: '.channel-card', status: '[data-provider="local"]', logs: '.log-box .log-line', config: '[data-field="gateway.mode"]' };
    for (const [tab, selector] of Object.entries(ready)) {
      await page.evaluate((t) => (location.hash = t), tab);
      await page.locator(selector).first().waitFor({ timeout: WAIT });
      const { scroll, width } = await page.evaluate(() => ({ scroll: document.querySelector('main')!.scrollWidth, width: document.querySelector('main')!.clientWidth }));
      assert.ok(scroll <= width, `${tab}: the view is ${scroll}px wide in a ${width}px main`);
      // CSP forbids inline scripts, so axe goes in through the devtools protocol.
      await page.evaluate(`${axe};0`);
      // Colour contrast is the theme's (styles.css, issue 15 item 9), checked with the shell's tests.
      const serious = await page.evaluate(async () => {
        const w = window as unknown as { axe: { run(ctx: Element, o: object): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } };
        const r = await w.axe.run(document.querySelector('main')!, { rules: { 'color-contrast': { enabled: false } } });
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      assert.deepEqual(serious, [], `${tab}: ${serious.join('; ')}`);
      await screenshot(page, `ui-phone-${tab}`);
    }
  } finally {
    await b.close();
    await gw.stop();
  }
});
