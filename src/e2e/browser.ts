// Browser end-to-end helpers: Debian's Chromium driven by playwright-core with a fresh profile, a
// real gateway process per test, screenshots under <package root>/test-results/.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findPackageRoot } from '../gateway/control-ui-http.js';
import { freePort, localConfig, makeStateDir, READY_LINE, runCli, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';

export const CHROMIUM_PATH = process.env.OPENCLAW_CHROMIUM ?? '/usr/bin/chromium';
export const TEST_TOKEN = 'e2e-token-0123456789abcdef0123456789abcdef';

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh user-data dir (no stored identity or token). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Gateway {
  state: StateDir;
  port: number;
  proc: GatewayProcess;
  /** http://127.0.0.1:<port>/ */
  httpUrl: string;
  /** Starts the gateway again on the same state dir and port (after a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A real `openclaw gateway run` on a free port with a pinned token; `gateway` config is merged in. */
export async function startGateway(gateway: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<Gateway> {
  const state = makeStateDir(localConfig(TEST_TOKEN, { ...extra, gateway }));
  Object.assign(state.env, env);
  const port = await freePort();
  const launch = async () => {
    const proc = spawnCli(['gateway', 'run', '--port', String(port)], { env: state.env });
    try {
      await proc.waitFor(READY_LINE, 15_000);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
    return proc;
  };
  const gw: Gateway = {
    state,
    port,
    proc: await launch(),
    httpUrl: `http://127.0.0.1:${port}/`,
    async restart() {
      gw.proc = await launch();
    },
    async stop() {
      gw.proc.kill('SIGTERM');
      const timer = setTimeout(() => gw.proc.kill('SIGKILL'), 5000);
      await gw.proc.exited;
      clearTimeout(timer);
      state.cleanup();
    },
  };
  return gw;
}

/** Saves a full-page screenshot as test-results/<name>.png and prints its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(findPackageRoot(), 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

/** The built UI must exist (npm run build:ui) for these tests. */
export function builtUiRoot(): string {
  const root = path.join(findPackageRoot(), 'dist', 'control-ui');
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`no Control UI build at ${root}; run: npm run build:ui`);
  return root;
}

/** A plain static server for the built UI on its own port: a page from an origin that is not the gateway's. */
export async function startForeignUiServer(): Promise<{ port: number; close(): Promise<void> }> {
  const root = builtUiRoot();
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = http.createServer((req, res) => {
    const rel = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path.join(root, rel === '/' ? 'index.html' : path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
    fs.readFile(file.startsWith(root) ? file : path.join(root, 'index.html'), (err, body) => {
      if (err) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

/** Text of the connection banner (empty when connected). */
export async function bannerText(page: Page): Promise<string> {
  const banner = page.locator('section.banner[data-state]');
  return (await banner.count()) ? await banner.innerText() : '';
}

/** A TCP relay in front of the gateway whose connections the test can cut (a dropped network). */
export async function startTcpProxy(targetPort: number): Promise<{ port: number; cut(): number; close(): Promise<void> }> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const cut = () => {
    const n = pairs.size;
    for (const [a, b] of [...pairs]) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
    return n;
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    close() {
      cut();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/**
 * A gateway that asks before pairing loopback devices (autoApproveLocal: false). The CLI pairs
 * first, while local approval is still on, so it can approve the browsers afterwards.
 */
export async function startGatewayWithPairingPrompts(): Promise<Gateway> {
  const gw = await startGateway();
  try {
    for (const args of [['devices', 'list', '--json'], ['config', 'set', 'gateway.nodes.pairing.autoApproveLocal', 'false']]) {
      const r = await runCli(args, { env: gw.state.env });
      if (r.code !== 0) throw new Error(`openclaw ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    }
    await gw.proc.waitFor(/reload/i, 10_000);
    return gw;
  } catch (err) {
    await gw.stop();
    throw err;
  }
}

/** Opens the dashboard with the token in the fragment and waits for the pairing banner; returns the request id. */
export async function openUntilPairing(b: Browser, httpUrl: string): Promise<string> {
  await b.page.goto(`${httpUrl}#token=${TEST_TOKEN}`);
  const banner = b.page.locator('section.banner[data-kind="pairing"]');
  await banner.waitFor({ timeout: 15_000 });
  const requestId = await banner.getAttribute('data-request-id');
  if (!requestId) throw new Error('the pairing banner does not name the request id');
  return requestId;
}

/** A fresh gateway and browser for one test body; both are stopped afterwards. */
export async function withGatewayAndBrowser(fn: (gw: Gateway, b: Browser) => Promise<void>, gateway: Record<string, unknown> = {}): Promise<void> {
  builtUiRoot();
  const gw = await startGateway(gateway);
  const b = await launchBrowser();
  try {
    await fn(gw, b);
  } finally {
    await b.close();
    await gw.stop();
  }
}

/** Opens the dashboard with the test token in the fragment and waits until it is connected. */
export async function openSignedIn(b: Browser, httpUrl: string): Promise<void> {
  await b.page.goto(`${httpUrl}#token=${TEST_TOKEN}`);
  await b.page.locator('[data-conn="connected"]').waitFor({ timeout: 15_000 });
}
