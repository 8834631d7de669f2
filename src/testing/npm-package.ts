// Test helpers for the npm package as users get it: `npm pack` of this checkout's built dist/
// (the suite's `npm run build` has made it; packing with --ignore-scripts keeps `prepack` from
// rebuilding dist/ under the other test files' feet) and `npm install -g --prefix` of the tarball.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../doctor/repo-root.js';

export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface PackedFile {
  path: string;
}

/**
 * Runs npm to completion; rejects with its output when it fails. Asynchronous, so a registry
 * served by this test process (startLocalRegistry) can answer it.
 */
export function npm(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NPM, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`npm ${args.join(' ')} exited ${code ?? signal}\n${stdout}\n${stderr}`));
    });
  });
}

/**
 * Packs the package into `dest` and returns the tarball path and its file list. `version` /
 * `dropDependencies` stage a copy with that package.json instead (for a local registry's
 * versions, installed without the network; NODE_PATH=<checkout>/node_modules lets them run).
 */
export async function packPackage(dest: string, opts: { version?: string; dropDependencies?: boolean; patch?: (stageDir: string) => void } = {}): Promise<{ tarball: string; files: string[]; manifest: Record<string, unknown> }> {
  const root = repoRoot();
  let dir = root;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  if (opts.version || opts.dropDependencies || opts.patch) {
    dir = fs.mkdtempSync(path.join(dest, 'stage-'));
    if (opts.version) pkg.version = opts.version;
    if (opts.dropDependencies) delete pkg.dependencies;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    for (const entry of ['bin', 'dist', 'README.md']) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
    opts.patch?.(dir);
  }
  const r = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: dir });
  const [info] = JSON.parse(r.stdout) as { filename: string; files: PackedFile[] }[];
  if (dir !== root) fs.rmSync(dir, { recursive: true, force: true });
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path), manifest: pkg };
}

/** `npm install -g --prefix <prefix> <spec>`; returns npm's output (its warnings are on stderr). */
export async function installGlobal(prefix: string, spec: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const r = await npm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', ...extraArgs, spec], { env });
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

/**
 * A local npm registry in npm's wire format: `GET /<name>` answers the packument (dist-tags and
 * every version's manifest with `dist.tarball`, `shasum`, `integrity`), `GET /<name>/-/<file>.tgz`
 * the tarball. Enough for `npm view`, `npm install` and `npm install -g` with `--registry`.
 */
export async function startLocalRegistry(packages: { tarball: string; manifest: Record<string, unknown> }[], distTags: Record<string, string>): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const http = await import('node:http');
  const crypto = await import('node:crypto');
  const requests: string[] = [];
  const byName = new Map<string, { versions: Record<string, unknown>; files: Map<string, Buffer> }>();
  let base = '';
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const tgz = /^\/(.+)\/-\/([^/]+\.tgz)$/.exec(url);
    if (tgz) {
      const data = byName.get(tgz[1])?.files.get(tgz[2]);
      if (!data) return notFound();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
      return res.end(data);
    }
    const name = url.slice(1);
    const entry = byName.get(name);
    if (!entry) return notFound();
    const tags = Object.fromEntries(Object.entries(distTags).filter(([, v]) => v in entry.versions));
    const body = JSON.stringify({ _id: name, name, 'dist-tags': tags, versions: entry.versions, time: Object.fromEntries(Object.keys(entry.versions).map((v) => [v, new Date(0).toISOString()])) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
    function notFound() {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Not found' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  for (const p of packages) {
    const name = String(p.manifest.name);
    const version = String(p.manifest.version);
    const data = fs.readFileSync(p.tarball);
    const file = `${name}-${version}.tgz`;
    const entry = byName.get(name) ?? { versions: {}, files: new Map<string, Buffer>() };
    byName.set(name, entry);
    entry.files.set(file, data);
    entry.versions[version] = {
      ...p.manifest,
      _id: `${name}@${version}`,
      dist: {
        tarball: `${base}/${name}/-/${file}`,
        shasum: crypto.createHash('sha1').update(data).digest('hex'),
        integrity: `sha512-${crypto.createHash('sha512').update(data).digest('base64')}`,
      },
    };
  }
  return { url: `${base}/`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
