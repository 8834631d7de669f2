// Test helpers for the npm package as users get it: `npm pack` of this checkout's built dist/
// (the suite's `npm run build` has made it; packing with --ignore-scripts keeps `prepack` from
// rebuilding dist/ under the other test files' feet) and `npm install -g --prefix` of the tarball.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../doctor/repo-root.js';

export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface PackedFile {
  path: string;
}

/** Runs npm to completion; throws with its output when it fails. */
export function npm(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(NPM, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 180_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * Packs the package into `dest` and returns the tarball path and its file list. `version` /
 * `dropDependencies` stage a copy with that package.json instead (for a local registry's
 * versions: the CLI bundle carries what a gateway start needs, so such a copy runs offline).
 */
export function packPackage(dest: string, opts: { version?: string; dropDependencies?: boolean; patch?: (stageDir: string) => void } = {}): { tarball: string; files: string[] } {
  const root = repoRoot();
  let dir = root;
  if (opts.version || opts.dropDependencies || opts.patch) {
    dir = fs.mkdtempSync(path.join(dest, 'stage-'));
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    if (opts.version) pkg.version = opts.version;
    if (opts.dropDependencies) delete pkg.dependencies;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    for (const entry of ['bin', 'dist', 'README.md']) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    opts.patch?.(dir);
  }
  const r = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: dir });
  const [info] = JSON.parse(r.stdout) as { filename: string; files: PackedFile[] }[];
  if (dir !== root) fs.rmSync(dir, { recursive: true, force: true });
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path) };
}

/** `npm install -g --prefix <prefix> <spec>`; returns npm's output (its warnings are on stderr). */
export function installGlobal(prefix: string, spec: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env): string {
  const r = npm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', ...extraArgs, spec], { env });
  return r.stdout + r.stderr;
}

/** The installed launcher (`<prefix>/bin/openclaw`) and package dir of a global install. */
export function globalInstallPaths(prefix: string): { bin: string; packageDir: string } {
  const win = process.platform === 'win32';
  return {
    bin: win ? path.join(prefix, 'openclaw.cmd') : path.join(prefix, 'bin', 'openclaw'),
    packageDir: win ? path.join(prefix, 'node_modules', 'openclaw-gateway') : path.join(prefix, 'lib', 'node_modules', 'openclaw-gateway'),
  };
}
