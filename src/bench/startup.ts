// Startup latency (spawn → /ready = 200) and idle memory of our gateway against a bare node HTTP
// server that only listens: the floor any Node server pays.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../infra/port-owner.js';
import { median, rssMb, spawnUntilReady, stop } from './measure.js';
import type { BenchModule, BenchRow } from './types.js';

const CLI_MAIN = fileURLToPath(new URL('../cli/main.cjs', import.meta.url));
// Prints `listening` as the gateway does, so both are awaited the same way (spawnUntilReady).
const BARE_SERVER = "require('http').createServer((q,s)=>s.end('ok')).listen(Number(process.argv[1]),'127.0.0.1',()=>console.log('listening'))";
const IDLE_MS = 5000;
export const READY_TARGET_MS = 250;
export const READY_TARGET_RATIO = 3;
export const RSS_TARGET_MB = 60;

function gatewayEnv(): { env: NodeJS.ProcessEnv; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-bench-'));
  const stateDir = path.join(root, 'state');
  fs.mkdirSync(stateDir, { mode: 0o700 });
  const config = { gateway: { mode: 'local', auth: { mode: 'token', token: 'bench-token-0123456789abcdef0123456789' } } };
  fs.writeFileSync(path.join(stateDir, 'openclaw.json'), JSON.stringify(config), { mode: 0o600 });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root, OPENCLAW_STATE_DIR: stateDir };
  return { env, root };
}

export const startupBench: BenchModule = {
  name: 'startup',
  async run({ runs }) {
    const { env, root } = gatewayEnv();
    try {
      const ours: number[] = [];
      const bare: number[] = [];
      // Interleave so machine load affects both alike.
      for (let i = 0; i < runs; i++) {
        const p1 = await findFreePort();
        const g = await spawnUntilReady(process.execPath, [CLI_MAIN, 'gateway', 'run', '--port', String(p1)], env, `http://127.0.0.1:${p1}/ready`);
        ours.push(g.readyMs);
        await stop(g.child);
        const p2 = await findFreePort();
        const b = await spawnUntilReady(process.execPath, ['-e', BARE_SERVER, String(p2)], env, `http://127.0.0.1:${p2}/ready`);
        bare.push(b.readyMs);
        await stop(b.child);
      }
      const [p1, p2] = [await findFreePort(), await findFreePort()];
      const [g, b] = await Promise.all([
        spawnUntilReady(process.execPath, [CLI_MAIN, 'gateway', 'run', '--port', String(p1)], env, `http://127.0.0.1:${p1}/ready`),
        spawnUntilReady(process.execPath, ['-e', BARE_SERVER, String(p2)], env, `http://127.0.0.1:${p2}/ready`),
      ]);
      await new Promise((r) => setTimeout(r, IDLE_MS));
      const rssOurs = rssMb(g.child.pid!);
      const rssBare = rssMb(b.child.pid!);
      await Promise.all([stop(g.child), stop(b.child)]);

      const readyOurs = median(ours);
      const readyBare = median(bare);
      const rows: BenchRow[] = [
        {
          metric: `spawn → /ready 200 (median of ${runs})`,
          unit: 'ms',
          ours: readyOurs,
          baseline: readyBare,
          baselineName: 'bare node',
          target: `≤ ${READY_TARGET_RATIO}× bare and < ${READY_TARGET_MS} ms`,
          pass: readyOurs <= READY_TARGET_RATIO * readyBare && readyOurs < READY_TARGET_MS,
        },
        { metric: `idle RSS after ${IDLE_MS / 1000} s`, unit: 'MB', ours: rssOurs, baseline: rssBare, baselineName: 'bare node', target: `< ${RSS_TARGET_MB} MB`, pass: rssOurs < RSS_TARGET_MB },
      ];
      return rows;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};
