// Drives the independent protocol v4 probe client (/work/shared/tools/probe-client.mjs, checked
// against the upstream gateway) against a real gateway process of ours. Used by probe-compat.test.ts.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, localConfig, makeStateDir, runCli, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';

/** The project root: the nearest folder above this file that has a package.json (works from src/, dist/ or .build/<name>/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const PROBE_CLIENT = path.join(packageRoot(), '..', 'shared', 'tools', 'probe-client.mjs');

/** The scenario the probe client accepts (see its header comment). */
export interface ProbeScenario {
  url: string;
  token?: string;
  password?: string;
  deviceToken?: string;
  origin?: string;
  keyFile?: string;
  clientId?: string;
  mode?: string;
  role?: string;
  scopes?: string[];
  noDevice?: boolean;
  firstFrame?: string;
  bigFrame?: number;
  method?: string;
  params?: unknown;
  platform?: string;
  timeoutMs?: number;
}

export interface WireError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

/** The one JSON line the probe client prints. */
export interface ProbeResult {
  deviceId: string;
  events: string[];
  open?: boolean;
  connectOk?: boolean;
  hello?: { type?: string; protocol?: number; deviceToken?: string; tick?: number };
  error?: WireError;
  methodOk?: boolean;
  methodPayload?: unknown;
  methodError?: WireError;
  otherRes?: { type: string; id: string; ok: boolean; payload?: unknown; error?: WireError };
  closeCode?: number;
  closeReason?: string;
  httpStatus?: number;
  wsError?: string;
  badJson?: boolean;
  timeout?: boolean;
}

/** Runs one probe scenario as a child process (cwd = project root, where it finds `ws`). */
export function probe(scenario: ProbeScenario): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [PROBE_CLIENT, JSON.stringify(scenario)], { cwd: packageRoot(), timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`probe client failed: ${err.message}\n${stderr}`));
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ProbeResult);
      } catch {
        reject(new Error(`probe client printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

export interface RunningGateway {
  url: string;
  port: number;
  state: StateDir;
  proc: GatewayProcess;
  stop(): Promise<void>;
}

/** `openclaw gateway run` on a free port with localConfig(token, extra), ready once it listens. */
export async function startGateway(token: string, extra: Record<string, unknown> = {}): Promise<RunningGateway> {
  const state = makeStateDir(localConfig(token, extra));
  const port = await freePort();
  const proc = spawnCli(['gateway', 'run', '--port', String(port)], { env: state.env });
  try {
    await proc.waitFor(/listening on ws:\/\//, 15_000);
  } catch (err) {
    proc.kill('SIGKILL');
    state.cleanup();
    throw err;
  }
  const gw: RunningGateway = {
    url: `ws://127.0.0.1:${port}`,
    port,
    state,
    proc,
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await proc.exited;
      clearTimeout(timer);
      state.cleanup();
    },
  };
  return gw;
}

/**
 * A gateway that asks before pairing loopback devices (gateway.nodes.pairing.autoApproveLocal
 * false). The CLI pairs its own device first, while local approval is still on, so that
 * `openclaw devices approve` can reach the gateway afterwards.
 */
export async function startGatewayWithPairingPrompts(token: string): Promise<RunningGateway> {
  const gw = await startGateway(token);
  try {
    for (const args of [['devices', 'list', '--json'], ['config', 'set', 'gateway.nodes.pairing.autoApproveLocal', 'false']]) {
      const r = await runCli(args, { env: gw.state.env });
      if (r.code !== 0) throw new Error(`openclaw ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    }
    await gw.proc.waitFor(/config reloaded: .*nodes\.pairing\.autoApproveLocal/, 10_000);
    return gw;
  } catch (err) {
    await gw.stop();
    throw err;
  }
}
