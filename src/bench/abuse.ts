// Abuse benches (issue 17 items 18 and 21), each against a spawned `openclaw gateway run`:
//  - wrong-secret guesses per second the gateway actually checks (answers "token mismatch" /
//    401) from one loopback client, over WebSocket and /v1, and from a client behind a same-host
//    proxy that gateway.trustedProxies does not list (X-Forwarded-For from loopback). The client
//    keeps 16 attempts in flight for the whole window; refusals (429, 403) are not guesses.
//  - gateway RSS while ten 19 MB /v1/embeddings bodies arrive at once, against its idle RSS.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startFakeOpenAi } from '../models/testing/fake-openai.js';
import { rssMb, spawnGateway, stop } from './measure.js';
import type { BenchModule, BenchRow } from './types.js';

const TOKEN = 'bench-token-0123456789abcdef0123456789';
export const GUESS_TARGET_PER_S = 10;
export const BODY_RSS_TARGET_MB = 200;
const PARALLEL_GUESSES = 16;
const BODY_BYTES = 19 * 1024 * 1024;
const BODIES = 10;

interface Gateway {
  port: number;
  pid: number;
  close(): Promise<void>;
}

async function startGateway(config: Record<string, unknown>): Promise<Gateway> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-bench-abuse-'));
  const { child, port } = await spawnGateway(home, 'state', config, 30_000);
  return {
    port,
    pid: child.pid!,
    close: async () => {
      await stop(child);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

type Verdict = 'checked' | 'refused';

/** One WebSocket connect with a wrong token: 'checked' when the gateway compared it (mismatch). */
function wsGuess(port: number, i: number, headers: Record<string, string>): Promise<Verdict> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { headers });
    const done = (v: Verdict) => {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      resolve(v);
    };
    ws.on('error', () => done('refused'));
    ws.on('unexpected-response', () => done('refused'));
    ws.on('close', () => done('refused'));
    ws.on('message', (data) => {
      const f = JSON.parse(data.toString());
      if (f.type === 'event' && f.event === 'connect.challenge') {
        const params = { minProtocol: 4, maxProtocol: 4, client: { id: 'cli', version: '1.0.0', platform: 'linux', mode: 'cli' }, role: 'operator', scopes: ['operator.read'], auth: { token: `wrong-${i}` } };
        ws.send(JSON.stringify({ type: 'req', id: 'c', method: 'connect', params }));
      } else if (f.type === 'res') {
        done(f.error?.details?.code === 'AUTH_TOKEN_MISMATCH' ? 'checked' : 'refused');
      }
    });
  });
}

function httpGuess(port: number, i: number, headers: Record<string, string>): Promise<Verdict> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v1/models', agent: false, headers: { ...headers, authorization: `Bearer wrong-${i}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 401 ? 'checked' : 'refused'));
    });
    req.on('error', () => resolve('refused'));
  });
}

/** Checked guesses per second over `windowMs`, `PARALLEL_GUESSES` in flight. */
async function guessRate(guess: (i: number) => Promise<Verdict>, windowMs: number): Promise<number> {
  const t0 = performance.now();
  let i = 0;
  let checked = 0;
  const worker = async () => {
    while (performance.now() - t0 < windowMs) if ((await guess(i++)) === 'checked') checked++;
  };
  await Promise.all(Array.from({ length: PARALLEL_GUESSES }, worker));
  return checked / ((performance.now() - t0) / 1000);
}

/** Peak RSS of `pid` while `work` runs (sampled every 20 ms). */
async function peakRss(pid: number, work: Promise<unknown>): Promise<number> {
  let peak = rssMb(pid);
  let running = true;
  void work.finally(() => (running = false));
  while (running) {
    peak = Math.max(peak, rssMb(pid));
    await new Promise((r) => setTimeout(r, 20));
  }
  return Math.max(peak, rssMb(pid));
}

function upload(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/embeddings', method: 'POST', agent: false, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

export const abuseBench: BenchModule = {
  name: 'abuse',
  async run({ full }) {
    const windowMs = full ? 30_000 : 10_000;
    const rows: BenchRow[] = [];
    const fake = await startFakeOpenAi({ models: ['m'] });
    const config = {
      gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
      models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
    };
    try {
      const guessRow = (metric: string, rate: number, note: string): BenchRow => ({ metric, unit: '/s', ours: rate, target: `≤ ${GUESS_TARGET_PER_S}/s`, pass: rate <= GUESS_TARGET_PER_S, note });
      const forwarded = { 'x-forwarded-for': '203.0.113.9' };
      // A fresh gateway per row: each starts with an empty failure budget.
      for (const [metric, guess, note] of [
        ['wrong-secret guesses/s checked, one loopback client (WebSocket)', (p: number) => (i: number) => wsGuess(p, i, {}), 'loopback is never locked out; past 10 failures each wrong answer is held longer (to 5 s), 8 held at most'],
        ['wrong-secret guesses/s checked, one loopback client (/v1 bearer)', (p: number) => (i: number) => httpGuess(p, i, {}), 'the same budget as WebSocket connects'],
        ['wrong-secret guesses/s checked, forwarded via an unlisted same-host proxy (WebSocket)', (p: number) => (i: number) => wsGuess(p, i, forwarded), 'X-Forwarded-For from loopback without gateway.trustedProxies: 403 proxy_attribution_required, nothing is checked'],
        ['wrong-secret guesses/s checked, forwarded via an unlisted same-host proxy (/v1 bearer)', (p: number) => (i: number) => httpGuess(p, i, forwarded), 'as above, over /v1'],
      ] as const) {
        const gw = await startGateway(config);
        try {
          process.stderr.write(`  abuse: ${metric}\n`);
          rows.push(guessRow(`${metric}, ${windowMs / 1000} s window`, await guessRate(guess(gw.port), windowMs), note));
        } finally {
          await gw.close();
        }
      }

      const gw = await startGateway(config);
      try {
        process.stderr.write(`  abuse: ${BODIES} concurrent 19 MB bodies\n`);
        await new Promise((r) => setTimeout(r, 500));
        const idle = rssMb(gw.pid);
        const body = Buffer.from(`{"model":"local/m","input":"${'a'.repeat(BODY_BYTES - 40)}"}`);
        const uploads = Promise.all(Array.from({ length: BODIES }, () => upload(gw.port, body)));
        const peak = await peakRss(gw.pid, uploads);
        const statuses = await uploads;
        const busy = statuses.filter((s) => s === 503).length;
        rows.push({
          metric: `gateway RSS under ${BODIES} concurrent 19 MB /v1/embeddings bodies, above idle (${idle.toFixed(0)} MB)`,
          unit: 'MB',
          ours: peak - idle,
          target: `≤ +${BODY_RSS_TARGET_MB} MB`,
          pass: peak - idle <= BODY_RSS_TARGET_MB,
          note: `peak RSS sampled every 20 ms; ${BODIES - busy} bodies taken, ${busy} answered 503 + Retry-After (32 MB in-flight budget)`,
        });
      } finally {
        await gw.close();
      }
    } finally {
      await fake.close();
    }
    return rows;
  },
};
