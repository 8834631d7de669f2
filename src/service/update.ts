// `openclaw update`: compare this copy with the registry (through npm, so the user's registry,
// proxy and auth settings apply), install the new version the way this copy was installed (npm's
// global prefix it lives in), restart a running gateway on it, and put the old version back when
// the new one does not start.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../doctor/repo-root.js';
import { readPackageVersion } from '../cli/version.js';

export const PACKAGE_NAME = 'openclaw-gateway';

export type InstallKind =
  | { kind: 'npm-global'; packageDir: string; prefix: string }
  | { kind: 'git'; packageDir: string }
  | { kind: 'npx'; packageDir: string }
  | { kind: 'other'; packageDir: string };

/** How the copy at `packageDir` was installed, from where it sits. */
export function detectInstall(packageDir: string = repoRoot()): InstallKind {
  const dir = fs.realpathSync(packageDir);
  if (fs.existsSync(path.join(dir, '.git'))) return { kind: 'git', packageDir: dir };
  if (dir.split(path.sep).includes('_npx')) return { kind: 'npx', packageDir: dir };
  const parent = path.dirname(dir);
  if (path.basename(dir) === PACKAGE_NAME && path.basename(parent) === 'node_modules') {
    // POSIX: <prefix>/lib/node_modules/<name>; Windows: <prefix>/node_modules/<name>.
    const up = path.dirname(parent);
    const prefix = process.platform === 'win32' ? up : path.basename(up) === 'lib' ? path.dirname(up) : undefined;
    if (prefix && fs.existsSync(path.join(process.platform === 'win32' ? prefix : path.join(prefix, 'bin'), 'openclaw'))) return { kind: 'npm-global', packageDir: dir, prefix };
  }
  return { kind: 'other', packageDir: dir };
}

/** Why this copy cannot update itself, and the command that updates it instead. */
export function notUpdatable(install: InstallKind, spec: string): { message: string; fix: string } | undefined {
  switch (install.kind) {
    case 'npm-global':
      return undefined;
    case 'git':
      return { message: `This openclaw runs from a git checkout (${install.packageDir}), which npm does not own.`, fix: `git -C ${install.packageDir} pull && npm --prefix ${install.packageDir} install` };
    case 'npx':
      return { message: `This openclaw runs from npx's cache (${install.packageDir}), which npx replaces by itself.`, fix: `npx ${spec} <command>  (or install it for good: npm install -g ${spec})` };
    case 'other':
      return { message: `This openclaw (${install.packageDir}) is not an npm global install, so update does not know how to replace it.`, fix: `npm install -g ${spec}` };
  }
}

/** -1, 0, 1 by semver precedence (numeric parts, then a prerelease sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.replace(/^v/, '').split('-', 2);
    return { nums: core.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) < (y.nums[i] ?? 0) ? -1 : 1;
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export class UpdateError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'UpdateError';
  }
}

export interface NpmOptions {
  registry?: string;
  env?: NodeJS.ProcessEnv;
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function runNpm(args: string[], o: NpmOptions): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(NPM, [...args, ...(o.registry ? ['--registry', o.registry] : [])], { env: o.env ?? process.env, encoding: 'utf8', timeout: 300_000 });
  if (r.error) throw new UpdateError(`Cannot run npm (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}).`, 'install Node.js with npm, or put npm on PATH');
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

/** The last line npm wrote that says what went wrong (its "npm error" lines), for one-sentence errors. */
function npmProblem(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.replace(/^npm (error|ERR!) /, '').trim()).filter((l) => l && !/^(A complete log|code |errno |Log files)/.test(l));
  return lines[0] ?? 'npm failed';
}

export interface CheckResult {
  current: string;
  tag: string;
  /** The version the tag points at. */
  available: string;
  updateAvailable: boolean;
}

/** Asks the registry which version `tag` names. */
export function checkForUpdate(opts: NpmOptions & { tag?: string; current?: string } = {}): CheckResult {
  const tag = opts.tag ?? 'latest';
  const current = opts.current ?? readPackageVersion();
  const r = runNpm(['view', PACKAGE_NAME, 'dist-tags', '--json'], opts);
  if (!r.ok) throw new UpdateError(`Cannot ask the registry about ${PACKAGE_NAME}: ${npmProblem(r.stderr)}.`, `npm view ${PACKAGE_NAME} dist-tags${opts.registry ? ` --registry ${opts.registry}` : ''}  (check the network, proxy and registry settings: npm config get registry)`);
  const tags = JSON.parse(r.stdout || '{}') as Record<string, string>;
  const available = tags[tag];
  if (!available) throw new UpdateError(`The registry has no "${tag}" tag for ${PACKAGE_NAME} (tags: ${Object.keys(tags).join(', ') || 'none'}).`, `openclaw update --tag ${Object.keys(tags)[0] ?? 'latest'}`);
  return { current, tag, available, updateAvailable: compareVersions(available, current) > 0 };
}

export interface UpdateResult extends CheckResult {
  status: 'up-to-date' | 'updated';
  prefix?: string;
  /** The gateway ran before the update and was restarted on the new version. */
  restarted: boolean;
}

export interface UpdateHooks {
  /** Is a gateway running for this state dir? */
  gatewayRunning(): Promise<boolean>;
  /** Runs `openclaw <args>` of the copy now installed at `packageDir`; true when it exits 0. */
  runInstalled(packageDir: string, args: string[]): { ok: boolean; output: string };
  log(line: string): void;
}

/**
 * Installs `tag`'s version into this copy's npm prefix and restarts a running gateway on it. A
 * failed start puts the previous version back (and starts it again) and throws UpdateError.
 */
export async function runUpdate(opts: NpmOptions & { tag?: string; install?: InstallKind; timeoutSec?: number; force?: boolean }, hooks: UpdateHooks): Promise<UpdateResult> {
  const check = checkForUpdate(opts);
  if (!check.updateAvailable && !opts.force) return { ...check, status: 'up-to-date', restarted: false };
  const install = opts.install ?? detectInstall();
  const refusal = notUpdatable(install, `${PACKAGE_NAME}@${check.available}`);
  if (refusal) throw new UpdateError(refusal.message, refusal.fix);
  const { prefix, packageDir } = install as Extract<InstallKind, { kind: 'npm-global' }>;
  const wasRunning = await hooks.gatewayRunning();
  const npmInstall = (version: string) => runNpm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', `${PACKAGE_NAME}@${version}`], opts);

  hooks.log(`Installing ${PACKAGE_NAME}@${check.available} into ${prefix} (was ${check.current})…`);
  const installed = npmInstall(check.available);
  if (!installed.ok) throw new UpdateError(`npm could not install ${PACKAGE_NAME}@${check.available}: ${npmProblem(installed.stderr)}; ${check.current} stays installed.`, `npm install -g --prefix ${prefix} ${PACKAGE_NAME}@${check.available}  (to see npm's full output)`);
  const restartArgs = ['gateway', 'restart', '--timeout', String(opts.timeoutSec ?? 30)];
  if (!wasRunning) {
    const probe = hooks.runInstalled(packageDir, ['--version']);
    if (probe.ok) return { ...check, status: 'updated', prefix, restarted: false };
    rollBack();
    throw new UpdateError(`${PACKAGE_NAME}@${check.available} does not run (${firstLine(probe.output)}); ${check.current} is installed again.`, `openclaw update --tag ${check.tag}  (after a fixed release; this one stays skipped until then)`);
  }
  hooks.log('Restarting the gateway on the new version…');
  const restarted = hooks.runInstalled(packageDir, restartArgs);
  if (restarted.ok) return { ...check, status: 'updated', prefix, restarted: true };

  rollBack();
  const again = hooks.runInstalled(packageDir, ['gateway', 'start', '--timeout', String(opts.timeoutSec ?? 30)]);
  throw new UpdateError(
    `The gateway did not start on ${PACKAGE_NAME}@${check.available} (${firstLine(restarted.output)}); rolled back to ${check.current}${again.ok ? ', which runs again' : `, which did not start either (${firstLine(again.output)})`}.`,
    again.ok ? `openclaw logs --limit 50  (why the new version failed; openclaw update retries once a fixed release is out)` : 'openclaw gateway start  (then: openclaw logs --limit 50)',
  );

  function rollBack(): void {
    hooks.log(`Putting ${PACKAGE_NAME}@${check.current} back…`);
    const back = npmInstall(check.current);
    if (!back.ok) throw new UpdateError(`${PACKAGE_NAME}@${check.available} failed and npm could not reinstall ${check.current}: ${npmProblem(back.stderr)}.`, `npm install -g --prefix ${prefix} ${PACKAGE_NAME}@${check.current}`);
  }
}

function firstLine(output: string): string {
  return (output.trim().split('\n').find(Boolean) ?? 'no output').replace(/^error: /, '').slice(0, 300);
}
