// Control-plane benchmarks: device-signed connect latency (vs a raw `ws` echo round trip), RSS per
// idle authenticated connection, and broadcast fan-out throughput, each against a spawned
// `openclaw gateway run` as users start it (no bench-only methods): the broadcast is the
// `system-event` method, relayed to every client. Each phase gets a fresh gateway process, so the
// idle-connection RSS is not inflated by a heap the handshake phase grew. The echo baseline is a
// child process too (this file with --serve-echo).
//   node dist/bench/handshake.js [--small]     prints the result as JSON
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { connectParams, makeDevice, TEST_TOKEN, type ConnectOptions, type TestDevice } from '../gateway/control-plane/test-support.js';
import { spawnGateway, stop } from './measure.js';

export interface HandshakeBenchOptions {
  /** Sequential device-signed connects (default 1000). */
  connects?: number;
  /** Idle authenticated connections held open for the RSS measurement (default 10 000). */
  idleConnections?: number;
  /** Clients receiving the broadcast burst (default 1000). */
  broadcastClients?: number;
  /** Events in the burst (default 200). */
  broadcastEvents?: number;
  onProgress?(line: string): void;
}

export interface LatencyStats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

export interface HandshakeBenchResult {
  handshake: LatencyStats;
  echoBaseline: LatencyStats;
  idle: { connections: number; rssBeforeMb: number; rssAfterMb: number; perConnectionKb: number };
  broadcast: { clients: number; events: number; durationMs: number; eventsPerSec: number; deliveriesPerSec: number };
}

/** Scaled-down sizes for CI smoke runs. */
export const SMALL_BENCH: HandshakeBenchOptions = { connects: 100, idleConnections: 500, broadcastClients: 100, broadcastEvents: 50 };

export async function runHandshakeBench(opts: HandshakeBenchOptions = {}): Promise<HandshakeBenchResult> {
  const progress = opts.onProgress ?? (() => {});
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-handshake-bench-'));
  const device = makeDevice();
  const auth: ConnectOptions = { token: TEST_TOKEN, device };
  const ui: ConnectOptions = { ...auth, clientId: 'openclaw-macos', mode: 'ui' };
  try {
    progress('handshake latency');
    const handshake = await withGateway(root, 'handshake', async (gw) => {
      await timeConnect(gw.wsUrl, auth); // pairs the device (silently: loopback)
      return sequential(opts.connects ?? 1000, () => timeConnect(gw.wsUrl, auth));
    });
    progress('echo baseline');
    const echo = await startEchoProcess();
    const echoBaseline = await sequential(opts.connects ?? 1000, () => timeEcho(echo.url)).finally(() => echo.stop());

    progress('idle connections');
    const idleCount = opts.idleConnections ?? 10_000;
    const idle = await withGateway(root, 'idle', async (gw) => {
      await timeConnect(gw.wsUrl, auth);
      await new Promise((r) => setTimeout(r, 500));
      const rssBefore = rssKb(gw.pid);
      const sockets = await openMany(gw.wsUrl, idleCount, ui);
      await new Promise((r) => setTimeout(r, 500));
      const rssAfter = rssKb(gw.pid);
      for (const ws of sockets) ws.terminate();
      return { connections: idleCount, rssBeforeMb: round(rssBefore / 1024), rssAfterMb: round(rssAfter / 1024), perConnectionKb: round((rssAfter - rssBefore) / idleCount) };
    });

    progress('broadcast');
    const broadcast = await withGateway(root, 'broadcast', async (gw) => {
      await timeConnect(gw.wsUrl, auth);
      return broadcastBurst(gw.wsUrl, device, opts.broadcastClients ?? 1000, opts.broadcastEvents ?? 200);
    });
    return { handshake, echoBaseline, idle, broadcast };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

interface GatewayProcess {
  pid: number;
  wsUrl: string;
}

/** Runs `phase` against its own fresh `openclaw gateway run` (own state dir), stopped afterwards. */
async function withGateway<T>(root: string, name: string, phase: (gw: GatewayProcess) => Promise<T>): Promise<T> {
  const { child, port } = await spawnGateway(root, name, { gateway: { mode: 'local', auth: { mode: 'token', token: TEST_TOKEN } } });
  try {
    return await phase({ pid: child.pid!, wsUrl: `ws://127.0.0.1:${port}` });
  } finally {
    await stop(child);
  }
}

// ---- measurements -----------------------------------------------------------------------------

async function sequential(n: number, once: () => Promise<number>): Promise<LatencyStats> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await once());
  return stats(samples);
}

function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: samples.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length) };
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Socket open → challenge → signed connect → hello-ok, in ms; then a clean close. */
export function timeConnect(url: string, o: ConnectOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; event?: string; payload?: { nonce: string }; ok?: boolean; error?: unknown };
      if (f.type === 'event' && f.event === 'connect.challenge') {
        ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: connectParams(f.payload!.nonce, o) }));
      } else if (f.type === 'res') {
        const ms = performance.now() - t0;
        if (!f.ok) return reject(new Error(`connect failed: ${JSON.stringify(f.error)}`));
        ws.once('close', () => resolve(ms));
        ws.close();
      }
    });
  });
}

/** Socket open → one echoed message, in ms: what any WebSocket round trip costs. */
function timeEcho(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('open', () => ws.send('ping'));
    ws.on('message', () => {
      const ms = performance.now() - t0;
      ws.once('close', () => resolve(ms));
      ws.close();
    });
  });
}

/** Opens `n` authenticated connections, `batch` at a time; resolves with the open sockets. */
async function openMany(url: string, n: number, o: ConnectOptions, onEvent?: (ws: WebSocket) => void, batch = 250): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += batch) {
    const size = Math.min(batch, n - i);
    const opened = await Promise.all(Array.from({ length: size }, () => openOne(url, o, onEvent)));
    sockets.push(...opened);
  }
  return sockets;
}

function openOne(url: string, o: ConnectOptions, onEvent?: (ws: WebSocket) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    let open = false;
    ws.on('message', (data) => {
      if (open) return onEvent?.(ws);
      const f = JSON.parse(String(data)) as { type: string; event?: string; payload?: { nonce: string }; ok?: boolean; error?: unknown };
      if (f.type === 'event' && f.event === 'connect.challenge') {
        ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params: connectParams(f.payload!.nonce, o) }));
      } else if (f.type === 'res') {
        if (!f.ok) return reject(new Error(`connect failed: ${JSON.stringify(f.error)}`));
        open = true;
        resolve(ws);
      }
    });
  });
}

async function broadcastBurst(url: string, device: TestDevice, clients: number, events: number): Promise<HandshakeBenchResult['broadcast']> {
  const received = new Map<WebSocket, number>();
  let complete = 0;
  let done!: () => void;
  const allDone = new Promise<void>((r) => (done = r));
  // Only system-event counts; presence/tick frames from other clients' connects are ignored by text.
  const sockets = await openMany(url, clients, { token: TEST_TOKEN, device, clientId: 'openclaw-macos', mode: 'ui' });
  for (const ws of sockets) {
    received.set(ws, 0);
    ws.on('message', (data) => {
      const text = String(data);
      if (!text.includes('"event":"system-event"') || !text.includes('bench-burst')) return;
      const n = received.get(ws)! + 1;
      received.set(ws, n);
      if (n === events && ++complete === clients) done();
    });
  }
  const t0 = performance.now();
  // the system-event method broadcasts each event to every connected operator client
  for (let i = 0; i < events; i++) sockets[0].send(JSON.stringify({ type: 'req', id: `burst-${i}`, method: 'system-event', params: { text: `bench-burst ${i}` } }));
  await allDone;
  const durationMs = performance.now() - t0;
  for (const ws of sockets) ws.terminate();
  return {
    clients,
    events,
    durationMs: round(durationMs),
    eventsPerSec: Math.round((events / durationMs) * 1000),
    deliveriesPerSec: Math.round(((events * clients) / durationMs) * 1000),
  };
}

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return m ? Number(m[1]) : NaN;
}

// ---- the echo baseline process ------------------------------------------------------------------

async function startEchoProcess(): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve-echo'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`echo server exited (${code})`)));
  });
  const { echoPort } = JSON.parse(line) as { echoPort: number };
  return { url: `ws://127.0.0.1:${echoPort}`, stop: () => stop(child) };
}

async function serveEcho(): Promise<void> {
  const echo = http.createServer();
  const wss = new WebSocketServer({ server: echo });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  process.stdout.write(JSON.stringify({ echoPort: (echo.address() as AddressInfo).port }) + '\n');
  process.on('SIGTERM', () => process.exit(0));
}

const isMain = process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain && process.argv.includes('--serve-echo')) await serveEcho();
else if (isMain) {
  const result = await runHandshakeBench({ ...(process.argv.includes('--small') ? SMALL_BENCH : {}), onProgress: (l) => process.stderr.write(`[bench] ${l}\n`) });
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
