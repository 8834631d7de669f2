// `openclaw update [--check] [--tag]` against a local npm registry holding three versions of the
// package (1.0.0, 1.0.1 as latest, and a 1.1.0 under "next" whose gateway does not start): an npm
// global install into a prefix updates itself there, restarts the gateway it runs, and rolls back
// when the new version's gateway fails to start.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../doctor/repo-root.js';
import { readPidFile } from '../gateway/pidfile.js';
import { CLI_MAIN, eventually, freePort, localConfig, makeStateDir, runCli, type StateDir } from '../testing/harness.js';
import { globalInstallPaths, installGlobal, packPackage, startLocalRegistry } from '../testing/npm-package.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-update-'));
const prefix = path.join(work, 'prefix');
const { bin } = globalInstallPaths(prefix);
let registry: Awaited<ReturnType<typeof startLocalRegistry>>;
let s: StateDir;
let env: NodeJS.ProcessEnv;
let port: number;

before(async () => {
  // The staged copies declare no dependencies, so the registry serves only this package and
  // nothing goes to the network; the installed copies find them in this checkout (NODE_PATH).
  const packs = [
    await packPackage(work, { version: '1.0.0', dropDependencies: true }),
    await packPackage(work, { version: '1.0.1', dropDependencies: true }),
    await packPackage(work, {
      version: '1.1.0',
      dropDependencies: true,
      patch: (dir) => {
        const main = path.join(dir, 'dist', 'cli', 'main.cjs');
        fs.writeFileSync(main, `if (process.argv.includes('run')) { process.stderr.write('this release cannot start a gateway\\n'); process.exit(1); }\n${fs.readFileSync(main, 'utf8')}`);
      },
    }),
  ];
  registry = await startLocalRegistry(packs, { latest: '1.0.1', next: '1.1.0' });
  s = makeStateDir();
  port = await freePort();
  s.writeConfig(localConfig(undefined, { gateway: { port } }));
  env = { ...s.env, NODE_PATH: path.join(repoRoot(), 'node_modules'), npm_config_cache: path.join(work, 'npm-cache'), npm_config_update_notifier: 'false', npm_config_registry: registry.url };
  await installGlobal(prefix, 'openclaw-gateway@1.0.0', ['--registry', registry.url], env);
});

after(async () => {
  if (env) await openclaw(['gateway', 'stop']);
  await registry?.close();
  s?.cleanup();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The installed copy's CLI. Asynchronous: the registry it asks (through npm) is served by this process. */
async function openclaw(args: string[], opts: { bin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = await runCli(args, { env: opts.env ?? env, cwd: work, bin: opts.bin ?? bin, timeoutMs: 240_000 });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

const version = async () => (await openclaw(['--version'])).stdout.trim();
const gatewayPid = () => (readPidFile(path.join(s.dir, 'gateway.pid')) as { pid: number } | undefined)?.pid;
const ready = () => eventually(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 30_000, 200);

test('update --check compares this copy with the registry', async () => {
  assert.equal(await version(), '1.0.0');
  const json = await openclaw(['update', '--check', '--registry', registry.url, '--json']);
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { ok: true, version: 1, current: '1.0.0', tag: 'latest', available: '1.0.1', updateAvailable: true });
  const text = await openclaw(['update', '--check', '--tag', 'next']);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout.trim(), 'Update available: openclaw-gateway 1.0.0 → 1.1.0 (tag next); install it with: openclaw update --tag next');
  const missing = await openclaw(['update', '--check', '--tag', 'beta']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no "beta" tag for openclaw-gateway \(tags: latest, next\)/);
});

test('update installs latest into the same prefix and restarts the running gateway on it', async () => {
  const started = await openclaw(['gateway', 'start']);
  assert.equal(started.status, 0, started.stderr);
  await ready();
  const before = gatewayPid();
  const r = await openclaw(['update', '--registry', registry.url]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`Updated openclaw-gateway 1\\.0\\.0 → 1\\.0\\.1 in ${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. The gateway runs on it \\(restarted\\)\\.`));
  assert.equal(await version(), '1.0.1');
  assert.ok(registry.requests.includes('GET /openclaw-gateway/-/openclaw-gateway-1.0.1.tgz'));
  await ready();
  assert.notEqual(gatewayPid(), before, 'a new gateway process');
  const again = await openclaw(['update']);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout.trim(), 'Up to date: openclaw-gateway 1.0.1 (tag latest is 1.0.1).');
});

test('a release whose gateway does not start is rolled back, and the old version runs again', async () => {
  const before = gatewayPid();
  assert.ok(before, 'the gateway from the previous test runs');
  const r = await openclaw(['update', '--tag', 'next']);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /The gateway did not start on openclaw-gateway@1\.1\.0 \(.*\); rolled back to 1\.0\.1, which runs again\./);
  assert.match(r.stderr, /openclaw logs --limit 50/);
  assert.equal(await version(), '1.0.1');
  await ready();
  assert.notEqual(gatewayPid(), before);
  const status = await openclaw(['gateway', 'status']);
  assert.equal(status.status, 0, status.stdout + status.stderr);
});

test('a copy npm does not own (a checkout or a plain directory) refuses to update itself and says how', async () => {
  const r = await openclaw(['update', '--registry', registry.url, '--tag', 'latest'], { bin: CLI_MAIN, env: { ...env, OPENCLAW_STATE_DIR: path.join(work, 'other-state') } });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /runs from a git checkout|is not an npm global install/);
  assert.match(r.stderr, /git -C .* pull|npm install -g openclaw-gateway@1\.0\.1/);
});
