// Agent turns over /v1 as history grows: 50 concurrent streamed /v1/chat/completions against the
// `openclaw` agent target (each a full turn: a chat run, a new session, its transcript and the
// sessions index) on a spawned `openclaw gateway run`, five rounds of 250, the upstream a fake model
// server in its own process streaming as fast as it can. A turn whose cost grew with the number of
// sessions or the size of the history (the index rewritten per turn) shows as a fifth round slower
// than the first; the target is that it keeps ≥ 90% of the first round's throughput.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { readCpuMs } from '../infra/proc.js';
import { median, stop } from './measure.js';
import { ask, benchStateDir, startChild, startGateway, streamOnce, type Sample } from './openai-proxy.js';
import type { BenchModule, BenchRow } from './types.js';

export const AGENT_CONCURRENCY = 50;
export const AGENT_ROUND = 250;
export const AGENT_ROUNDS = 5;
export const AGENT_RATIO_TARGET = 0.9;

export interface AgentRound {
  perSec: number;
  ttftMedianMs: number;
  cpuMsPerTurn: number;
}

export async function runAgentTurnBench(o: { rounds?: number; perRound?: number; concurrency?: number } = {}): Promise<{ rounds: AgentRound[]; sessions: number }> {
  const rounds = o.rounds ?? AGENT_ROUNDS;
  const perRound = o.perRound ?? AGENT_ROUND;
  const concurrency = o.concurrency ?? AGENT_CONCURRENCY;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-agent-bench-'));
  const children: ChildProcess[] = [];
  try {
    const { port: upstream, child: upstreamChild } = await startChild(['--serve-upstream'], {}, children);
    await ask(upstreamChild, 'delay 0');
    const { port, child: gateway } = await startGateway(benchStateDir(root, upstream), root, children);
    const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    const body = JSON.stringify({ model: 'openclaw', stream: true, messages: [{ role: 'user', content: 'bench' }] });
    await closedLoop(port, body, agent, concurrency, concurrency); // warm-up
    const out: AgentRound[] = [];
    for (let i = 0; i < rounds; i++) {
      const cpuBefore = readCpuMs(gateway.pid!) ?? NaN;
      const t0 = performance.now();
      const samples = await closedLoop(port, body, agent, concurrency, perRound);
      const wallMs = performance.now() - t0;
      out.push({ perSec: perRound / (wallMs / 1000), ttftMedianMs: median(samples.map((s) => s.ttftMs)), cpuMsPerTurn: ((readCpuMs(gateway.pid!) ?? NaN) - cpuBefore) / perRound });
    }
    agent.destroy();
    return { rounds: out, sessions: concurrency + rounds * perRound };
  } finally {
    await Promise.all(children.map((c) => stop(c)));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** `total` requests from `concurrency` clients, each sending its next when the previous one ended. */
async function closedLoop(port: number, body: string, agent: http.Agent, concurrency: number, total: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  let left = total;
  const client = async () => {
    while (left > 0) {
      left--;
      samples.push(await streamOnce(port, body, agent));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return samples;
}

export const agentTurnBench: BenchModule = {
  name: 'agent-turns',
  async run() {
    const r = await runAgentTurnBench();
    const first = r.rounds[0];
    const last = r.rounds[r.rounds.length - 1];
    const ratio = last.perSec / first.perSec;
    const n = r.rounds.length;
    const rows: BenchRow[] = [
      {
        metric: `agent-turn throughput in round ${n} of ${AGENT_ROUND} vs the first (${(ratio * 100).toFixed(0)}%; ${AGENT_CONCURRENCY} concurrent /v1 'openclaw' turns, gateway run)`,
        unit: '/s',
        ours: last.perSec,
        baseline: first.perSec,
        baselineName: 'round 1',
        target: `≥ ${AGENT_RATIO_TARGET}× round 1`,
        pass: ratio >= AGENT_RATIO_TARGET,
        note: `Each request is a new session, so round ${n} runs with ${r.sessions - AGENT_ROUND} sessions already on disk; rounds: ${r.rounds.map((x) => x.perSec.toFixed(0)).join(' → ')}/s.`,
      },
      { metric: `agent-turn time to first token, median, round ${n}`, unit: 'ms', ours: last.ttftMedianMs, baseline: first.ttftMedianMs, baselineName: 'round 1', target: 'reported' },
      { metric: `gateway CPU per agent turn, round ${n}`, unit: 'ms', ours: last.cpuMsPerTurn, baseline: first.cpuMsPerTurn, baselineName: 'round 1', target: 'reported' },
    ];
    return rows;
  },
};

