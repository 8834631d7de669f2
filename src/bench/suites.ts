// Adapters that turn the control-plane and Control UI benches into table rows. Each bench module is
// imported only when its suite runs (the UI one pulls in playwright-core).
import fs from 'node:fs';
import type { BenchModule, BenchRow } from './types.js';

/** The Control UI issue's (#15) budget for first contentful paint on localhost. */
const UI_FIRST_PAINT_TARGET_MS = 500;

export const handshakeBench: BenchModule = {
  name: 'handshake',
  async run({ full }) {
    const { runHandshakeBench, SMALL_BENCH } = await import('./handshake.js');
    const r = await runHandshakeBench({ ...(full ? {} : SMALL_BENCH), onProgress: (l) => process.stderr.write(`  handshake: ${l}\n`) });
    const echo = 'ws echo';
    const measured = r.idle.connections === 10_000;
    const rss10k = measured ? r.idle.rssAfterMb : r.idle.rssBeforeMb + (r.idle.perConnectionKb * 10_000) / 1024;
    const rows: BenchRow[] = [
      {
        metric: `device-signed connect → hello-ok p50 (${r.handshake.n} sequential)`,
        unit: 'ms',
        ours: r.handshake.p50Ms,
        baseline: r.echoBaseline.p50Ms,
        baselineName: echo,
        target: '< 3 ms',
        pass: r.handshake.p50Ms < 3,
        note: 'Every handshake row runs against a spawned `openclaw gateway run`, a fresh process (own state dir) per phase: connects, idle connections, broadcast.',
      },
      { metric: `device-signed connect → hello-ok p99`, unit: 'ms', ours: r.handshake.p99Ms, baseline: r.echoBaseline.p99Ms, baselineName: echo, target: 'reported' },
      { metric: `RSS per idle authenticated connection (${r.idle.connections} held)`, unit: 'KB', ours: r.idle.perConnectionKb, target: 'reported' },
      // The issue's target is for 10,000 connections; smaller runs extrapolate from the per-connection cost.
      {
        metric: `gateway RSS with 10,000 idle connections (${measured ? 'measured' : `EXTRAPOLATED from ${r.idle.connections}`})`,
        unit: 'MB',
        ours: rss10k,
        // an estimate is shown, not judged: only a measured figure passes or fails
        target: measured ? '< 300 MB' : '< 300 MB (judged with --full)',
        pass: measured ? rss10k < 300 : undefined,
        ...(measured
          ? {}
          : { note: `Extrapolated, not measured: RSS before + ${r.idle.connections} connections' per-connection cost × 10,000. Per-connection cost falls as the heap grows, so this overstates; \`npm run bench -- --full --only=handshake\` holds 10,000 and measures.` }),
      },
      { metric: `broadcast deliveries (${r.broadcast.events} system-events × ${r.broadcast.clients} clients)`, unit: '/s', ours: r.broadcast.deliveriesPerSec, target: 'reported' },
    ];
    return rows;
  },
};

/** Where the UI bench finds Chromium (the e2e tests' default, overridable the same way). */
const chromiumPath = (): string => process.env.OPENCLAW_CHROMIUM ?? '/usr/bin/chromium';

export const uiBench: BenchModule = {
  name: 'control-ui',
  async run({ runs }) {
    const executable = chromiumPath();
    if (!fs.existsSync(executable)) {
      process.stderr.write(`  control-ui: skipped, no Chromium at ${executable} (set OPENCLAW_CHROMIUM to its path)\n`);
      return [];
    }
    const { runUiBench } = await import('./ui.js');
    const r = await runUiBench({ runs, chromiumPath: executable });
    return [
      { metric: 'JS bundle, gzipped', unit: 'KB', ours: r.jsGzipBytes / 1024, target: `≤ ${r.targetJsGzipBytes / 1024} KB`, pass: r.jsGzipBytes <= r.targetJsGzipBytes },
      { metric: `first contentful paint, localhost (median of ${r.firstPaintMs.samples.length})`, unit: 'ms', ours: r.firstPaintMs.median, target: `≤ ${UI_FIRST_PAINT_TARGET_MS} ms`, pass: r.firstPaintMs.median <= UI_FIRST_PAINT_TARGET_MS },
    ];
  },
};
