// `openclaw gateway install|uninstall`: a systemd --user unit that runs `openclaw gateway run`,
// restarts it on failure except on config errors (exit 78), and never holds a secret. The unit
// names node and the CLI by their real paths and refuses paths that npm or the OS empty by
// themselves (npx's cache, npm's cache, temp dirs); `install` says when lingering is off.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { homeDir, resolveStateDir, type Env } from '../config/paths.js';
import { writeFileAtomicSync } from '../infra/atomic-file.js';

export const UNIT_NAME = 'openclaw-gateway.service';

export interface UnitSpec {
  nodePath: string;
  /** The openclaw CLI entry script. */
  cliPath: string;
  stateDir: string;
  /** Only when the user pinned a non-default config path. */
  configPath?: string;
}

export function unitPath(env: Env): string {
  const configHome = env.XDG_CONFIG_HOME || path.join(homeDir(env), '.config');
  return path.join(configHome, 'systemd', 'user', UNIT_NAME);
}

/** systemd quoting: wrap in double quotes, escaping backslashes, quotes and `%` specifiers. */
function quote(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  return /[\s"'\\]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

/** The unit text. Pure. Environment carries paths only: tokens stay in the 0600 config. */
export function renderUnit(spec: UnitSpec): string {
  const env = [`OPENCLAW_STATE_DIR=${spec.stateDir}`, ...(spec.configPath ? [`OPENCLAW_CONFIG_PATH=${spec.configPath}`] : [])];
  return [
    '# Written by `openclaw gateway install`; remove with `openclaw gateway uninstall`.',
    '[Unit]',
    // No network-online.target: a user manager cannot order against system targets, so it was a
    // no-op; no After=default.target either (WantedBy= orders default.target after this unit).
    'Description=OpenClaw gateway',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${[spec.nodePath, spec.cliPath, 'gateway', 'run'].map(quote).join(' ')}`,
    ...env.map((e) => `Environment=${quote(e)}`),
    'Restart=always',
    'RestartSec=5',
    '# 78 = configuration error: restarting cannot help, `openclaw doctor` says what to fix.',
    'RestartPreventExitStatus=78',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=20',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

const within = (file: string, dir: string) => {
  const rel = path.relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

const realOrSelf = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};

/** Which self-emptying place holds the real `file` (npx's cache, npm's cache, a temp dir), if any. */
export function transientLocation(file: string, env: Env): string | undefined {
  const real = realOrSelf(file);
  if (real.split(path.sep).includes('_npx')) return "npx's cache";
  const npmCaches = [env.npm_config_cache, path.join(homeDir(env), '.npm'), env.LOCALAPPDATA && path.join(env.LOCALAPPDATA, 'npm-cache')];
  if (npmCaches.some((c) => c && within(real, realOrSelf(c)))) return "npm's cache";
  const temps = [os.tmpdir(), env.TMPDIR, ...(process.platform === 'win32' ? [] : ['/tmp', '/var/tmp', '/dev/shm'])];
  if (temps.some((t) => t && within(real, realOrSelf(t)))) return 'a temporary directory';
  return undefined;
}

export const STABLE_INSTALL_FIX = 'npm install -g openclaw-gateway && openclaw gateway install';

/** `gateway install` run from a copy (or a node) that npm or the OS may delete: nothing is written. */
export class TransientInstallError extends Error {
  constructor(
    readonly what: 'openclaw' | 'node',
    readonly file: string,
    readonly location: string,
  ) {
    super(`${what === 'node' ? 'The node binary' : 'This openclaw'} (${file}) lives in ${location}, which is emptied without notice, so a service unit pointing at it would break; nothing was written.`);
    this.name = 'TransientInstallError';
  }

  get fix(): string {
    return this.what === 'node' ? `install Node.js outside a temporary directory (a distribution package or nvm), then ${STABLE_INSTALL_FIX}` : STABLE_INSTALL_FIX;
  }
}

/** The unit for this CLI, this node and this env's state dir; both by their real paths, neither in a cache or temp dir. */
export function currentUnitSpec(env: Env): UnitSpec {
  const cliPath = realOrSelf(process.argv[1]);
  const nodePath = realOrSelf(process.execPath);
  for (const [what, file] of [['openclaw', cliPath], ['node', nodePath]] as const) {
    const location = transientLocation(file, env);
    if (location) throw new TransientInstallError(what, file, location);
  }
  return { nodePath, cliPath, stateDir: resolveStateDir(env), configPath: env.OPENCLAW_CONFIG_PATH ? path.resolve(env.OPENCLAW_CONFIG_PATH) : undefined };
}

export interface SystemctlRun {
  command: string;
  ok: boolean;
  output: string;
}

/** Whether a systemd user manager answers (`systemctl --user show-environment`). */
export function systemdUserAvailable(env: Env): boolean {
  const r = spawnSync('systemctl', ['--user', 'show-environment'], { env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 5000 });
  return r.status === 0;
}

function systemctl(env: Env, args: string[]): SystemctlRun {
  const r = spawnSync('systemctl', ['--user', ...args], { env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 20_000 });
  return { command: `systemctl --user ${args.join(' ')}`, ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

export interface ServiceResult {
  unitPath: string;
  /** installed/replaced/unchanged/removed/absent */
  action: 'installed' | 'replaced' | 'unchanged' | 'removed' | 'absent';
  backupPath?: string;
  /** systemctl commands that ran, with their outcome. */
  ran: SystemctlRun[];
  /** Commands the user must run (systemd not available here). */
  todo: string[];
  /** install only: `loginctl enable-linger <user>` when lingering is off (or loginctl is missing). */
  linger?: { enabled: boolean; user: string; fix?: string };
}

/** Whether systemd keeps this user's manager running without a session (`Linger=yes`); loginctl missing counts as off. */
export function lingerState(env: Env): { enabled: boolean; user: string; fix?: string } {
  const user = env.USER || env.LOGNAME || os.userInfo().username;
  const r = spawnSync('loginctl', ['show-user', user, '--property=Linger'], { env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 5000 });
  const enabled = r.status === 0 && /^Linger=yes$/m.test(r.stdout ?? '');
  return enabled ? { enabled, user } : { enabled, user, fix: `loginctl enable-linger ${user}` };
}

export class UnitConflictError extends Error {
  constructor(readonly unitPath: string) {
    super(`${unitPath} already exists with different contents (another install or a hand edit).`);
    this.name = 'UnitConflictError';
  }
}

export function installService(env: Env, opts: { force?: boolean; spec?: UnitSpec } = {}): ServiceResult {
  const file = unitPath(env);
  const text = renderUnit(opts.spec ?? currentUnitSpec(env));
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current !== undefined && current !== text && !opts.force) throw new UnitConflictError(file);
  let backupPath: string | undefined;
  if (current !== undefined && current !== text) {
    backupPath = `${file}.bak`;
    fs.copyFileSync(file, backupPath);
  }
  if (current !== text) writeFileAtomicSync(file, text, { mode: 0o644, dirMode: 0o755 });
  const action = current === undefined ? 'installed' : current === text ? 'unchanged' : 'replaced';
  const steps = [['daemon-reload'], ['enable', '--now', UNIT_NAME]];
  return { unitPath: file, action, backupPath, ...runOrTell(env, steps), linger: lingerState(env) };
}

export function uninstallService(env: Env): ServiceResult {
  const file = unitPath(env);
  if (!fs.existsSync(file)) return { unitPath: file, action: 'absent', ran: [], todo: [] };
  const before = runOrTell(env, [['disable', '--now', UNIT_NAME]]);
  fs.rmSync(file);
  const after = runOrTell(env, [['daemon-reload']]);
  return { unitPath: file, action: 'removed', ran: [...before.ran, ...after.ran], todo: [...before.todo, ...after.todo] };
}

function runOrTell(env: Env, steps: string[][]): { ran: SystemctlRun[]; todo: string[] } {
  if (!systemdUserAvailable(env)) return { ran: [], todo: steps.map((s) => `systemctl --user ${s.join(' ')}`) };
  const ran: SystemctlRun[] = [];
  for (const s of steps) {
    const r = systemctl(env, s);
    ran.push(r);
    if (!r.ok) break;
  }
  return { ran, todo: [] };
}
