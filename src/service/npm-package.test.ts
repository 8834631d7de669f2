// The npm package as a user gets it: `npm pack` → `npm install -g --prefix <tmp> <tgz>` → the
// `openclaw` on PATH runs from another directory, and a TypeScript program importing the SDK from
// `openclaw-gateway` type-checks against the shipped .d.ts and talks to that installed gateway.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../doctor/repo-root.js';
import { freePort, makeStateDir, spawnCli, type GatewayProcess } from '../testing/harness.js';
import { globalInstallPaths, installGlobal, packPackage } from '../testing/npm-package.js';

const root = repoRoot();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-npm-package-'));
const prefix = path.join(work, 'prefix');
const elsewhere = path.join(work, 'elsewhere');
let packed: { tarball: string; files: string[] };
let installOutput = '';

before(async () => {
  fs.mkdirSync(elsewhere);
  packed = await packPackage(work);
  installOutput = await installGlobal(prefix, packed.tarball);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('the tarball carries the runtime and the public declarations, and no tests, benchmarks or test helpers', () => {
  const tests = packed.files.filter((f) => /\.test\.(js|d\.ts)$|^dist\/(bench|e2e|compat|testing)\/|\/testing\//.test(f));
  assert.deepEqual(tests, []);
  for (const f of ['bin/openclaw.cjs', 'dist/cli/main.cjs', 'dist/cli/openclaw.cjs', 'dist/index.js', 'dist/index.d.ts', 'dist/client/index.d.ts', 'dist/protocol/index.d.ts', 'package.json']) {
    assert.ok(packed.files.includes(f), `${f} missing from the tarball`);
  }
  assert.ok(!packed.files.includes('dist/cli/openclaw.cjs.cache'), 'the build machine\'s V8 code cache is not shipped (the first start writes one)');
});

test('npm install -g of the tarball names no install script of this package', () => {
  assert.doesNotMatch(installOutput, /openclaw-gateway@[^\n]*\((prepare|preinstall|install|postinstall):/);
});

test('`openclaw --version` and `openclaw gateway run` work from another directory', async () => {
  const { bin } = globalInstallPaths(prefix);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const s = makeStateDir();
  const env = { ...s.env, PATH: `${path.dirname(bin)}${path.delimiter}${s.env.PATH ?? ''}` };
  const v = spawnSync('openclaw', ['--version'], { cwd: elsewhere, env, encoding: 'utf8' });
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout.trim(), pkg.version);

  const token = 'npm-package-test-token-0123456789abcdef';
  s.writeConfig({ gateway: { mode: 'local', auth: { mode: 'token', token } } });
  const port = await freePort();
  let gw: GatewayProcess | undefined;
  try {
    gw = spawnCli(['gateway', 'run', '--port', String(port), '--no-dashboard'], { env, cwd: elsewhere, bin });
    await gw.waitFor(/listening on ws:\/\//, 30_000);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200);
    await typecheckAndRunConsumer(port, token, s.dir);
  } finally {
    gw?.kill();
    await gw?.exited;
    s.cleanup();
  }
});

/** A TypeScript consumer: type-checked by this repo's tsc, then run against the installed gateway. */
async function typecheckAndRunConsumer(port: number, token: string, stateDir: string): Promise<void> {
  const app = path.join(work, 'consumer');
  fs.mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  fs.symlinkSync(globalInstallPaths(prefix).packageDir, path.join(app, 'node_modules', 'openclaw-gateway'), 'dir');
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, outDir: 'out', types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')] },
    files: ['main.ts'],
  }));
  fs.writeFileSync(path.join(app, 'main.ts'), [
    "import { GatewayClient, type GatewayClientOptions } from 'openclaw-gateway';",
    "import { GatewayCallError } from 'openclaw-gateway/client';",
    "import { PROTOCOL_VERSION } from 'openclaw-gateway/protocol';",
    'const [url, token, stateDir] = process.argv.slice(2);',
    'const opts: GatewayClientOptions = { url, token, stateDir, reconnect: false };',
    'const client = new GatewayClient(opts);',
    '// @ts-expect-error the SDK is typed: a client is not a number',
    'const wrong: number = client;',
    'void wrong;',
    'const protocol: 4 = PROTOCOL_VERSION;',
    'await client.connect();',
    "const health = await client.request<{ ok?: boolean }>('health');",
    'console.log(JSON.stringify({ protocol, ok: health.ok, callError: typeof GatewayCallError }));',
    'await client.close();',
  ].join('\n'));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app], { cwd: app, encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  const run = spawnSync(process.execPath, [path.join(app, 'out', 'main.js'), `ws://127.0.0.1:${port}`, token, stateDir], { cwd: app, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop()!), { protocol: 4, ok: true, callError: 'function' });
}
