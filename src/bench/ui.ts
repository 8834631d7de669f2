// Control UI bench: bundle size (raw and gzipped) and first paint on localhost in the same headless
// Chromium the e2e tests use, the page served by a spawned `openclaw gateway run` (its handler,
// headers and process, as users load it). Reported, not asserted (target: JS ≤ 100 KB gzipped).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { findPackageRoot } from '../gateway/control-ui-http.js';
import { spawnGateway, stop } from './measure.js';

export interface UiBenchOptions {
  /** Page loads to take the median over (fresh profile each). */
  runs?: number;
  chromiumPath?: string;
  /** Built UI directory (default <package root>/dist/control-ui). */
  root?: string;
}

export interface UiBenchResult {
  jsBytes: number;
  jsGzipBytes: number;
  cssGzipBytes: number;
  /** first-contentful-paint after navigation start, per run and median (ms). */
  firstPaintMs: { median: number; samples: number[] };
  targetJsGzipBytes: number;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function assetSizes(root: string): { jsBytes: number; jsGzipBytes: number; cssGzipBytes: number } {
  const dir = path.join(root, 'assets');
  let jsBytes = 0;
  let jsGzipBytes = 0;
  let cssGzipBytes = 0;
  for (const name of fs.readdirSync(dir)) {
    const body = fs.readFileSync(path.join(dir, name));
    const gz = zlib.gzipSync(body, { level: 9 }).length;
    if (name.endsWith('.js')) {
      jsBytes += body.length;
      jsGzipBytes += gz;
    } else if (name.endsWith('.css')) cssGzipBytes += gz;
  }
  return { jsBytes, jsGzipBytes, cssGzipBytes };
}

/** A fresh `openclaw gateway run` serving the build (the package's dist/control-ui). */
async function serveUi(): Promise<{ url: string; close(): Promise<void> }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-ui-bench-'));
  const gw = await spawnGateway(home, 'state');
  return {
    url: `http://127.0.0.1:${gw.port}/`,
    close: async () => {
      await stop(gw.child);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

export async function runUiBench(opts: UiBenchOptions = {}): Promise<UiBenchResult> {
  const root = opts.root ?? path.join(findPackageRoot(), 'dist', 'control-ui');
  if (!fs.existsSync(path.join(root, 'index.html'))) throw new Error(`no Control UI build at ${root}; run: npm run build:ui`);
  const sizes = assetSizes(root);
  const site = await serveUi();
  const browser = await chromium.launch({ executablePath: opts.chromiumPath ?? '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const samples: number[] = [];
  try {
    for (let i = 0; i < (opts.runs ?? 5); i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(site.url, { waitUntil: 'load' });
      await page.waitForSelector('header');
      const fcp = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const found = performance.getEntriesByName('first-contentful-paint')[0];
            if (found) return resolve(found.startTime);
            new PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({ type: 'paint', buffered: true });
          }),
      );
      samples.push(Math.round(fcp * 10) / 10);
      await context.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { ...sizes, firstPaintMs: { median: sorted[Math.floor(sorted.length / 2)], samples }, targetJsGzipBytes: 100 * 1024 };
}

/** `node dist/bench/ui.js` prints the result. */
if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const r = await runUiBench();
  console.log(`control ui: js ${(r.jsBytes / 1024).toFixed(1)} KB (${(r.jsGzipBytes / 1024).toFixed(1)} KB gzip, target ≤ 100 KB), css ${(r.cssGzipBytes / 1024).toFixed(1)} KB gzip`);
  console.log(`first contentful paint (localhost, headless Chromium): median ${r.firstPaintMs.median} ms over ${r.firstPaintMs.samples.length} loads [${r.firstPaintMs.samples.join(', ')}]`);
}
