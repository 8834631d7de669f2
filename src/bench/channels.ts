// The channel layer's cost. One real gateway process (`openclaw gateway run`) with one Telegram
// account pointed at the local Bot API stand-in, and the fake model provider, both in this process.
//
// Latency: a DM injected into the stand-in → the reply's sendMessage arriving at it, against the
// same turn asked over the control plane (chat.send → the `final` chat event), interleaved so
// machine load hits both alike. Each sample subtracts the model's own time (request to last byte,
// as the stand-in measured it), so what is left is what each path adds around the same model call:
// for Telegram the long poll's answer, the ingress decision, the durable inbound record, the
// sendMessage call; for chat.send the frame, the transcript and the event. Target: the channel adds
// < 5 ms over chat.send.
//
// Memory: RSS once ready and settled, with one Telegram account polling vs the same config without
// channels (each a fresh process, interleaved). Target: < 10 MB for the channel layer + grammY.
//
// BENCH_DEBUG=1 shows the gateways' output and, on a timeout, the Bot API calls seen last.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayClient } from '../client/gateway-client.js';
import { findFreePort } from '../infra/port-owner.js';
import { startFakeBotApi, type FakeBotApi } from '../channels/telegram/testing/fake-bot-api.js';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { median, rssMb, spawnUntilReady, stop } from './measure.js';
import type { BenchModule, BenchRow } from './types.js';

const CLI_MAIN = fileURLToPath(new URL('../cli/main.cjs', import.meta.url));
const TOKEN = 'bench-token-0123456789abcdef0123456789';
const BOT = { token: '424242:AAH-bench-bot-token-0123456789abcdef', id: 424242, username: 'bench_bot' };
const SENDER = 777001;
export const CHANNEL_ADDED_TARGET_MS = 5;
export const CHANNEL_RSS_TARGET_MB = 10;
const SETTLE_MS = 1500;

export interface ChannelBenchResult {
  samples: number;
  /** Median ms a Telegram DM took to its reply, model time subtracted. */
  telegramMs: number;
  /** Median ms chat.send took to its final event, model time subtracted. */
  wsMs: number;
  /** Median ms the model itself took per turn (both paths). */
  modelMs: number;
  rssWithTelegramMb: number;
  rssWithoutChannelsMb: number;
}

interface Env {
  root: string;
  model: FakeServerBase;
  tg: FakeBotApi;
  /** Model request → last byte, in the order requests finished. */
  modelTimes: number[];
}

function writeState(env: Env, name: string, withTelegram: boolean): string {
  const stateDir = path.join(env.root, name);
  fs.mkdirSync(stateDir, { mode: 0o700 });
  const config = {
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
    models: { providers: { local: { baseUrl: env.model.baseUrl, models: [{ id: 'bench' }] } } },
    agents: { defaults: { model: 'local/bench', heartbeat: { every: '0m' } } },
    ...(withTelegram ? { channels: { telegram: { botToken: BOT.token, apiRoot: env.tg.apiRoot, dmPolicy: 'allowlist', allowFrom: [String(SENDER)] } } } : {}),
  };
  fs.writeFileSync(path.join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  return stateDir;
}

async function startGateway(env: Env, stateDir: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await findFreePort();
  const { child } = await spawnUntilReady(process.execPath, [CLI_MAIN, 'gateway', 'run', '--port', String(port)], { PATH: process.env.PATH, HOME: env.root, OPENCLAW_STATE_DIR: stateDir }, `http://127.0.0.1:${port}/ready`);
  if (process.env.BENCH_DEBUG) child.stderr?.on('data', (d) => process.stderr.write(d));
  return { port, child };
}

let debugTail: (() => string) | undefined;

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${debugTail ? `: ${debugTail()}` : ''}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** One DM → its reply, in ms, minus the model's time for that turn. */
async function telegramTurn(env: Env, i: number): Promise<{ ms: number; modelMs: number }> {
  const text = `tg ${i}`;
  const before = env.modelTimes.length;
  const t0 = performance.now();
  const wall0 = Date.now();
  env.tg.dm(BOT.token, { id: SENDER, username: 'bench' }, text);
  const reply = await until('the Telegram reply', () => env.tg.sent.find((m) => m.at >= wall0 && m.message.text === `echo: ${text}`));
  // `at` has ms resolution; the local clock after the find is within a poll tick of it.
  const ms = performance.now() - t0 - Math.max(0, Date.now() - reply.at);
  const modelMs = env.modelTimes.slice(before).reduce((a, b) => a + b, 0);
  return { ms: ms - modelMs, modelMs };
}

/** One chat.send → its final chat event, in ms, minus the model's time for that turn. */
async function wsTurn(env: Env, client: GatewayClient, i: number): Promise<{ ms: number; modelMs: number }> {
  const before = env.modelTimes.length;
  let runId = '';
  let finalAt = 0;
  const onEvent = (name: string, payload: unknown) => {
    const p = payload as { runId?: string; state?: string };
    if (name === 'chat' && p.state === 'final' && runId && p.runId === runId) finalAt = performance.now();
  };
  client.on('event', onEvent);
  try {
    const t0 = performance.now();
    const ack = await client.request<{ runId: string }>('chat.send', { sessionKey: 'agent:main:bench-ws', message: `ws ${i}`, idempotencyKey: `bench-ws-${i}-${Date.now()}` });
    runId = ack.runId;
    await until('the chat final event', () => finalAt > 0);
    const modelMs = env.modelTimes.slice(before).reduce((a, b) => a + b, 0);
    return { ms: finalAt - t0 - modelMs, modelMs };
  } finally {
    client.off('event', onEvent);
  }
}

async function settledRss(env: Env, name: string, withTelegram: boolean): Promise<number> {
  const polls = env.tg.calls('getUpdates').length;
  const gw = await startGateway(env, writeState(env, name, withTelegram));
  try {
    if (withTelegram) {
      await until('the first getUpdates', () => env.tg.calls('getUpdates').length > polls);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    return rssMb(gw.child.pid!);
  } finally {
    await stop(gw.child);
  }
}

export async function runChannelBench(o: { samples?: number; rssRuns?: number } = {}): Promise<ChannelBenchResult> {
  const samples = o.samples ?? 30;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-channel-bench-'));
  const model = await startFakeOpenAi({ models: ['bench'] });
  const tg = await startFakeBotApi();
  tg.addBot(BOT);
  const env: Env = { root, model, tg, modelTimes: [] };
  if (process.env.BENCH_DEBUG) debugTail = () => tg.calls().slice(-8).map((c) => `${c.method}@${c.at}`).join(' ');
  model.onResponseTime = (ms) => env.modelTimes.push(ms);
  let gw: { port: number; child: ChildProcess } | undefined;
  let client: GatewayClient | undefined;
  try {
    gw = await startGateway(env, writeState(env, 'latency', true));
    await until('the first getUpdates', () => tg.calls('getUpdates').length > 0);
    client = new GatewayClient({ url: `ws://127.0.0.1:${gw.port}`, token: TOKEN, stateDir: path.join(root, 'client') });
    await client.connect();
    // Warm both paths (JIT, first transcript files, grammY's first replies).
    for (let i = 0; i < 3; i++) {
      await telegramTurn(env, -1 - i);
      await wsTurn(env, client, -1 - i);
    }
    const tgMs: number[] = [];
    const wsMs: number[] = [];
    const modelMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const a = await telegramTurn(env, i);
      const b = await wsTurn(env, client, i);
      tgMs.push(a.ms);
      wsMs.push(b.ms);
      modelMs.push(a.modelMs, b.modelMs);
    }
    await client.close();
    client = undefined;
    await stop(gw.child);
    gw = undefined;

    const rssRuns = o.rssRuns ?? 3;
    const withTg: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < rssRuns; i++) {
      without.push(await settledRss(env, `rss-none-${i}`, false));
      withTg.push(await settledRss(env, `rss-tg-${i}`, true));
    }
    return { samples, telegramMs: median(tgMs), wsMs: median(wsMs), modelMs: median(modelMs), rssWithTelegramMb: median(withTg), rssWithoutChannelsMb: median(without) };
  } finally {
    await client?.close().catch(() => {});
    if (gw) await stop(gw.child);
    await tg.close();
    await model.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const channelsBench: BenchModule = {
  name: 'channels',
  async run({ runs }) {
    const r = await runChannelBench({ samples: Math.max(10, runs * 4), rssRuns: Math.max(3, Math.ceil(runs / 2)) });
    const added = r.telegramMs - r.wsMs;
    const rssAdded = r.rssWithTelegramMb - r.rssWithoutChannelsMb;
    const rows: BenchRow[] = [
      { metric: `Telegram DM → reply sent, model time subtracted (median of ${r.samples})`, unit: 'ms', ours: r.telegramMs, baseline: r.wsMs, baselineName: 'chat.send → final', target: `+< ${CHANNEL_ADDED_TARGET_MS} ms over chat.send`, pass: added < CHANNEL_ADDED_TARGET_MS },
      { metric: `model time per turn (fake provider, median)`, unit: 'ms', ours: r.modelMs, target: 'informational', pass: undefined },
      { metric: `gateway RSS, one Telegram account polling (settled)`, unit: 'MB', ours: r.rssWithTelegramMb, baseline: r.rssWithoutChannelsMb, baselineName: 'no channels', target: `+< ${CHANNEL_RSS_TARGET_MB} MB over no channels`, pass: rssAdded < CHANNEL_RSS_TARGET_MB },
    ];
    return rows;
  },
};
