// Control UI layout, themes, accessibility and sign-in, end to end (issue 15): a real gateway, Debian's
// Chromium, axe-core injected into the page. Screenshots of every view, size and theme.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { runCli } from '../testing/harness.js';
import { builtUiRoot, launchBrowser, openSignedIn, openUntilPairing, screenshot, startGatewayWithPairingPrompts, withGatewayAndBrowser } from './browser.js';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SIZES = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
];

/** What shows that a view has its content (views not listed: anything in <main>). */
const READY: Record<string, string> = {
  chat: 'form.composer',
  devices: '.devices table.paired-table',
  status: '.kv [data-key]',
  logs: '.log-box .log-line',
  config: 'pre.config-view',
  settings: '.settings',
};

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Adds axe's serious/critical findings on the current screen, in dark and in light, to `problems`. */
async function axeInBothThemes(page: Page, where: string, problems: string[]): Promise<void> {
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await collectAxe(page, `${where} (${scheme})`, problems);
  }
}

async function collectAxe(page: Page, where: string, problems: string[]): Promise<void> {
  for (const v of await axeViolations(page)) problems.push(`${where}: axe ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; widest: string }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    let widest = '';
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > innerWidth + 0.5 && !widest) widest = `${el.tagName.toLowerCase()}.${(el as HTMLElement).className} right=${Math.round(r.right)}`;
    }
    return { scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth), innerWidth, widest };
  });
}

/** Opens a tab the way a user would: the nav, behind the menu button on a phone. */
async function openTab(page: Page, tab: string): Promise<void> {
  const link = page.locator(`nav a[data-tab="${tab}"]`);
  if (!(await link.isVisible())) await page.click('button.menu-toggle');
  await link.click();
  await page.locator(`nav a[data-tab="${tab}"][aria-current="page"]`).waitFor({ state: 'attached', timeout: 5000 });
  await page.locator(READY[tab] ?? 'main > *').first().waitFor({ timeout: 15_000 });
}

test('every view fits 390×844 and 1280×800 in light and dark, and axe finds nothing serious', async () => {
  builtUiRoot();
  const gw = await startGatewayWithPairingPrompts();
  const b = await launchBrowser();
  const newcomer = await launchBrowser();
  try {
    const adminRequest = await openUntilPairing(b, gw.httpUrl);
    assert.equal((await runCli(['devices', 'approve', adminRequest], { env: gw.state.env })).code, 0);
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    // A second browser waits for approval, so the Devices view has both tables to lay out.
    await openUntilPairing(newcomer, gw.httpUrl);
    await b.page.locator('nav a[data-tab="devices"] .badge').waitFor({ timeout: 10_000 });
    assert.equal(await b.page.title(), '(1) pairing · OpenClaw');

    const tabs = await b.page.locator('nav a[data-tab]').evaluateAll((els) => els.map((e) => e.getAttribute('data-tab')!));
    assert.ok(tabs.length >= 6, tabs.join(','));
    const problems: string[] = [];
    await axeInBothThemes(newcomer.page, 'the pairing wait', problems);
    await screenshot(newcomer.page, 'ui-layout-pairing-wait');
    for (const scheme of ['dark', 'light'] as const) {
      await b.page.emulateMedia({ colorScheme: scheme });
      for (const size of SIZES) {
        await b.page.setViewportSize(size);
        for (const tab of tabs) {
          await openTab(b.page, tab);
          const where = `${tab} at ${size.width}×${size.height} (${scheme})`;
          const o = await horizontalOverflow(b.page);
          if (o.scrollWidth > o.innerWidth) problems.push(`${where}: scrollWidth ${o.scrollWidth} > ${o.innerWidth} (${o.widest})`);
          await collectAxe(b.page, where, problems);
          await screenshot(b.page, `ui-layout-${scheme}-${size.width}-${tab}`);
        }
      }
    }
    assert.deepEqual(problems, []);

    // On a phone the nav sits behind the menu button (aria-expanded), and picking a view closes it.
    await b.page.setViewportSize(SIZES[0]);
    await openTab(b.page, 'chat');
    assert.equal(await b.page.locator('nav a[data-tab="devices"]').isVisible(), false);
    await b.page.click('button.menu-toggle');
    assert.equal(await b.page.getAttribute('button.menu-toggle', 'aria-expanded'), 'true');
    await b.page.locator('nav a[data-tab="devices"]').waitFor({ timeout: 5000 });
    await screenshot(b.page, 'ui-layout-menu-open');
    await b.page.click('nav a[data-tab="chat"]');
    await b.page.locator('nav a[data-tab="devices"]').waitFor({ state: 'hidden', timeout: 5000 });

    // The chat session list is a drawer on a phone: open it, pick a session, it closes.
    assert.equal(await b.page.locator('.sessions').isVisible(), false, 'the session list is tucked away on a phone');
    await b.page.click('button.sessions-toggle');
    await b.page.locator('.sessions li button').first().waitFor({ timeout: 5000 });
    await screenshot(b.page, 'ui-layout-chat-drawer');
    await b.page.locator('.sessions li button').first().click();
    await b.page.locator('.sessions').waitFor({ state: 'hidden', timeout: 5000 });
  } finally {
    await b.close();
    await newcomer.close();
    await gw.stop();
  }
});

test('the theme toggle overrides the system theme and is kept across reloads', () =>
  withGatewayAndBrowser(async (gw, b) => {
    await b.page.emulateMedia({ colorScheme: 'dark' });
    await openSignedIn(b, gw.httpUrl);
    const bg = () => b.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await bg();
    await b.page.selectOption('select[name="theme"]', 'light');
    assert.equal(await b.page.evaluate(() => document.documentElement.dataset.theme), 'light');
    const light = await bg();
    assert.notEqual(light, dark);
    await b.page.reload();
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    assert.equal(await bg(), light, 'the choice survives a reload while the system stays dark');
    assert.equal(await b.page.inputValue('select[name="theme"]'), 'light');
    // Favicon and a title that follows the view.
    assert.match((await b.page.locator('link[rel="icon"]').getAttribute('href')) ?? '', /favicon.*\.svg$/);
    await b.page.click('nav a[data-tab="status"]');
    await b.page.waitForFunction(() => document.title === 'Status · OpenClaw', undefined, { timeout: 5000 });
  }));

test('keyboard only: skip link first, then the menu, every view and the chat controls are reachable with Tab', () =>
  withGatewayAndBrowser(async (gw, b) => {
    await openSignedIn(b, gw.httpUrl);
    await b.page.locator('form.composer').waitFor({ timeout: 10_000 });
    const focused = () => b.page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el ? `${el.tagName.toLowerCase()}${el.getAttribute('data-tab') ? `[${el.getAttribute('data-tab')}]` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}${el.className ? `.${el.className.split(' ').filter((c) => c !== 'secondary').join('.')}` : ''}` : '';
    });
    for (const size of SIZES) {
      await b.page.setViewportSize(size);
      await b.page.reload(); // Tab order starts from the top of a fresh page
      await b.page.locator('form.composer').waitFor({ timeout: 15_000 });
      const seen: string[] = [];
      for (let i = 0; i < 30; i++) {
        await b.page.keyboard.press('Tab');
        seen.push(await focused());
      }
      assert.equal(seen[0], 'a.skip-link', `${size.width}: ${seen.join(' ')}`);
      const want = size.width < 760 ? ['button.menu-toggle'] : ['a[chat].active', 'a[devices]', 'a[status]', 'a[logs]', 'a[config]', 'a[settings]'];
      for (const w of [...want, 'select[name=theme]', 'textarea[name=message]', 'button']) assert.ok(seen.some((x) => x.startsWith(w)), `${size.width}: ${w} not reached: ${seen.join(' ')}`);
    }
    // On a phone the menu opens from the keyboard and its links are next in the Tab order.
    await b.page.setViewportSize(SIZES[0]);
    await b.page.focus('button.menu-toggle');
    await b.page.keyboard.press('Enter');
    await b.page.keyboard.press('Tab');
    assert.equal(await focused(), 'a[chat].active');
    await b.page.keyboard.press('Escape');
    assert.equal(await b.page.getAttribute('button.menu-toggle', 'aria-expanded'), 'false');
    // Skip to content moves focus to <main>.
    await b.page.focus('a.skip-link');
    await b.page.keyboard.press('Enter');
    assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'main');
  }));

test('first visit without credentials: a sign-in screen, and a dashboard link pasted into the open tab signs in', () =>
  withGatewayAndBrowser(async (gw, b) => {
    await b.page.goto(gw.httpUrl);
    const signin = b.page.locator('section.signin[data-state="signin"]');
    await signin.waitFor({ timeout: 15_000 });
    const text = await signin.innerText();
    assert.match(text, /Sign in to this gateway/);
    assert.match(text, /openclaw dashboard/);
    assert.equal(await signin.locator('form.token-form input[name="token"]').count(), 1);
    assert.equal(await b.page.locator('section.banner[role="alert"]').count(), 0, 'no red error on a first visit');
    assert.equal(await b.page.title(), 'Sign in · OpenClaw');
    assert.equal(await b.page.locator('[data-conn]').innerText(), 'signed out');
    const problems: string[] = [];
    await axeInBothThemes(b.page, 'the sign-in screen', problems);
    assert.deepEqual(problems, []);
    await screenshot(b.page, 'ui-signin');

    const r = await runCli(['dashboard', '--no-open', '--json'], { env: gw.state.env });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const link = String((JSON.parse(r.stdout) as { url: string }).url);
    await b.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    // Pasting the link into the address bar of the open tab only changes the fragment.
    await b.page.goto(link);
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
    assert.equal(await b.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'signed in by hashchange, no reload');
    assert.doesNotMatch(b.page.url(), /bootstrap=/, 'the code leaves the address bar');
    assert.match(await b.page.evaluate(() => localStorage.getItem('openclaw.controlUi.v1') ?? ''), /"deviceToken"/);
    await b.page.locator('form.composer').waitFor({ timeout: 10_000 });
    await screenshot(b.page, 'ui-signin-by-pasted-link');
  }));

test('restart, stop and crash are named apart in the banner', () =>
  withGatewayAndBrowser(async (gw, b) => {
    await openSignedIn(b, gw.httpUrl);
    // Record every banner title, so a short restart is not missed between two polls.
    await b.page.evaluate(() => {
      const seen: string[] = ((window as unknown as { seenBanners: string[] }).seenBanners = []);
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('section.banner[data-kind] .banner-title')) {
          const entry = `${el.closest('section')!.getAttribute('data-kind')}: ${el.textContent}`;
          if (seen[seen.length - 1] !== entry) seen.push(entry);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const seen = () => b.page.evaluate(() => (window as unknown as { seenBanners: string[] }).seenBanners);

    gw.proc.kill('SIGUSR1'); // in-process restart: 1012 service restart
    await b.page.waitForFunction(() => (window as unknown as { seenBanners: string[] }).seenBanners.length > 0, undefined, { timeout: 15_000 });
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 20_000 });
    assert.deepEqual(await seen(), ['restart: gateway restarting']);

    gw.proc.kill('SIGTERM'); // openclaw gateway stop: 1001 going away
    await gw.proc.exited;
    const stopped = b.page.locator('section.banner[data-kind="stopped"]');
    await stopped.waitFor({ timeout: 15_000 });
    assert.match(await stopped.innerText(), /gateway stopped/);
    assert.match(await stopped.innerText(), /openclaw gateway start/);
    // The refused retries while it is down keep saying "stopped", not "unreachable".
    await b.page.waitForFunction(() => /Reconnecting when it is back — next try in/.test(document.querySelector('section.banner')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await b.page.locator('section.banner[data-kind="stopped"] .banner-next').getByText(/next try in [2-9] s|next try in \d\d s/).waitFor({ timeout: 20_000 });
    assert.equal(await stopped.count(), 1);
    const problems: string[] = [];
    await axeInBothThemes(b.page, 'the stopped banner', problems);
    assert.deepEqual(problems, []);
    await screenshot(b.page, 'ui-gateway-stopped');

    await gw.restart();
    await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 40_000 });
    gw.proc.kill('SIGKILL'); // a crash: no close frame
    const lost = b.page.locator('section.banner[data-kind="abnormal"]');
    await lost.waitFor({ timeout: 15_000 });
    assert.match(await lost.innerText(), /connection lost/);
    assert.match(await lost.innerText(), /disconnected \(1006\)/);
    await screenshot(b.page, 'ui-gateway-crashed');
  }));
