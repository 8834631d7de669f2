// /v1/chat/completions overhead: 200 concurrent streamed completions through our /v1 handler
// versus the same requests sent straight to the local upstream (the fake OpenAI server, pacing
// its chunks like a model does). Upstream and proxy each run in their own process, as in real
// life; this process only generates load. Reports time to first token, total time, the added
// median latency and the throughput ratio.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './measure.js';
import type { BenchModule, BenchRow } from './types.js';

const SELF = fileURLToPath(import.meta.url);
const TOKEN = 'bench-token-0123456789abcdef0123456789';
export const CONCURRENCY = 200;
export const ADDED_LATENCY_TARGET_MS = 2;
export const THROUGHPUT_TARGET_RATIO = 0.9;
/** Upstream pacing: words per answer and the gap between chunks (≈ a 200 token/s model). */
const WORDS = 32;
const CHUNK_DELAY_MS = 5;

export interface ProxyBenchResult {
  concurrency: number;
  direct: RoundStats;
  proxied: RoundStats;
  addedTtftMedianMs: number;
  addedTotalMedianMs: number;
  throughputRatio: number;
}

interface RoundStats {
  ttftMedianMs: number;
  ttftP95Ms: number;
  totalMedianMs: number;
  wallMs: number;
  requestsPerSec: number;
}

export async function runOpenAiProxyBench(o: { rounds?: number; concurrency?: number } = {}): Promise<ProxyBenchResult> {
  const rounds = o.rounds ?? 3;
  const concurrency = o.concurrency ?? CONCURRENCY;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-proxy-bench-'));
  const children: ChildProcess[] = [];
  try {
    const upstream = await startChild(['--serve-upstream'], {}, children);
    const stateDir = path.join(root, 'state');
    fs.mkdirSync(stateDir, { mode: 0o700 });
    const config = {
      gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
      models: { providers: { local: { baseUrl: `http://127.0.0.1:${upstream}/v1`, models: [{ id: 'bench' }] } } },
      agents: { defaults: { model: 'local/bench' } },
    };
    fs.writeFileSync(path.join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
    const proxy = await startChild(['--serve-proxy'], { OPENCLAW_STATE_DIR: stateDir, HOME: root }, children);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const direct: Sample[][] = [];
    const proxied: Sample[][] = [];
    await round(upstream, 'bench', Math.min(20, concurrency), agent); // warm up both paths
    await round(proxy, 'local/bench', Math.min(20, concurrency), agent);
    for (let i = 0; i < rounds; i++) {
      // interleaved so machine load hits both alike
      direct.push(await round(upstream, 'bench', concurrency, agent));
      proxied.push(await round(proxy, 'local/bench', concurrency, agent));
    }
    agent.destroy();
    const d = stats(direct);
    const p = stats(proxied);
    return {
      concurrency,
      direct: d,
      proxied: p,
      addedTtftMedianMs: p.ttftMedianMs - d.ttftMedianMs,
      addedTotalMedianMs: p.totalMedianMs - d.totalMedianMs,
      throughputRatio: p.requestsPerSec / d.requestsPerSec,
    };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export const openAiProxyBench: BenchModule = {
  name: 'openai-proxy',
  async run({ runs }) {
    const r = await runOpenAiProxyBench({ rounds: Math.max(1, runs) });
    const rows: BenchRow[] = [
      { metric: `time to first token, median (${r.concurrency} concurrent streams)`, unit: 'ms', ours: r.proxied.ttftMedianMs, baseline: r.direct.ttftMedianMs, baselineName: 'direct', target: `+< ${ADDED_LATENCY_TARGET_MS} ms over direct`, pass: r.addedTtftMedianMs < ADDED_LATENCY_TARGET_MS },
      { metric: `total time per completion, median`, unit: 'ms', ours: r.proxied.totalMedianMs, baseline: r.direct.totalMedianMs, baselineName: 'direct', target: `+< ${ADDED_LATENCY_TARGET_MS} ms over direct`, pass: r.addedTotalMedianMs < ADDED_LATENCY_TARGET_MS },
      { metric: `wall time for ${r.concurrency} completions (throughput ${(r.throughputRatio * 100).toFixed(0)}% of direct)`, unit: 'ms', ours: r.proxied.wallMs, baseline: r.direct.wallMs, baselineName: 'direct', target: `throughput ≥ ${THROUGHPUT_TARGET_RATIO * 100}% of direct`, pass: r.throughputRatio >= THROUGHPUT_TARGET_RATIO },
    ];
    return rows;
  },
};

interface Sample {
  ttftMs: number;
  totalMs: number;
}

const CONTENT_DELTA = /"delta":\{"content":"[^"]/;

/** `n` concurrent streamed completions; resolves with per-request timings and the wall time. */
async function round(port: number, model: string, n: number, agent: http.Agent): Promise<Sample[] & { wallMs?: number }> {
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'bench' }] });
  const started = performance.now();
  const samples = (await Promise.all(Array.from({ length: n }, () => streamOnce(port, body, agent)))) as Sample[] & { wallMs?: number };
  samples.wallMs = performance.now() - started;
  return samples;
}

function streamOnce(port: number, body: string, agent: http.Agent): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let ttft = -1;
    let tail = '';
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (ttft < 0) {
          tail += chunk;
          if (CONTENT_DELTA.test(tail)) ttft = performance.now() - t0;
          else tail = tail.slice(-64);
        }
      });
      res.on('end', () => resolve({ ttftMs: ttft, totalMs: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function stats(rounds: Array<Sample[] & { wallMs?: number }>): RoundStats {
  const all = rounds.flat();
  const ttft = all.map((s) => s.ttftMs).sort((a, b) => a - b);
  const wall = median(rounds.map((r) => r.wallMs ?? 0));
  return {
    ttftMedianMs: median(ttft),
    ttftP95Ms: ttft[Math.floor(ttft.length * 0.95)] ?? 0,
    totalMedianMs: median(all.map((s) => s.totalMs)),
    wallMs: wall,
    requestsPerSec: (rounds[0]?.length ?? 0) / (wall / 1000),
  };
}

/** Runs this file as a child in one role and waits for the `port <n>` line. */
function startChild(args: string[], env: Record<string, string>, children: ChildProcess[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench child ${args[0]} exited with ${code}`)));
  });
}

async function serveUpstream(): Promise<void> {
  const { startFakeOpenAi } = await import('../models/testing/fake-openai.js');
  const fake = await startFakeOpenAi({ models: ['bench'] });
  fake.chunkDelayMs = CHUNK_DELAY_MS;
  fake.reply = () => Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' ');
  fake.requests.push = () => 0; // do not keep thousands of request bodies
  process.stdout.write(`port ${fake.port}\n`);
}

async function serveProxy(): Promise<void> {
  const [{ loadConfig }, { resolveGatewaySettings }, { silentLogger }, { createModelRuntime }, { createOpenAiHttpHandler }, { resolveConfigPath }] = await Promise.all([
    import('../config/load.js'), import('../config/resolve.js'), import('../logging/types.js'), import('../models/runtime.js'), import('../models/openai-http.js'), import('../config/paths.js'),
  ]);
  const configPath = resolveConfigPath(process.env);
  const settings = resolveGatewaySettings(loadConfig(configPath).config, process.env);
  const services = {
    version: 'bench', startedAt: Date.now(), stateDir: process.env.OPENCLAW_STATE_DIR!, configPath, log: silentLogger,
    settings: () => settings, broadcast() {}, requestRestart() {},
  };
  const runtime = createModelRuntime({ services, env: process.env });
  const handler = createOpenAiHttpHandler({ runtime, services });
  const server = http.createServer(async (req, res) => {
    if (!(await handler(req, res))) res.writeHead(404).end();
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${(server.address() as { port: number }).port}\n`));
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  process.on('SIGTERM', () => process.exit(0)); // a clean exit lets --cpu-prof write its profile
  if (process.argv[2] === '--serve-upstream') await serveUpstream();
  else if (process.argv[2] === '--serve-proxy') await serveProxy();
  else {
    const r = await runOpenAiProxyBench();
    process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  }
}
