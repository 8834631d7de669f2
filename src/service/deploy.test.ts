// deploy/: the Dockerfile lints, the compose file validates, and the container's start (its ENV +
// ENTRYPOINT + HEALTHCHECK, run here without Docker) starts a gateway reachable beyond loopback,
// generating and pinning a token on the first start and keeping it on the next.
// The image itself is built and run by image.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, makeStateDir, READY_LINE, spawnCli } from '../testing/harness.js';
import { repoRoot } from '../doctor/repo-root.js';

const root = repoRoot();
const dockerfile = fs.readFileSync(path.join(root, 'deploy', 'Dockerfile'), 'utf8');

test('deploy/Dockerfile passes dockerfilelint', () => {
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'dockerfilelint'), [path.join(root, 'deploy', 'Dockerfile')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('deploy/docker-compose.yml validates with docker-compose config, without any env file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-compose-'));
  try {
    for (const f of ['docker-compose.yml', 'Dockerfile']) fs.copyFileSync(path.join(root, 'deploy', f), path.join(dir, f));
    const r = spawnSync('docker-compose', ['-f', path.join(dir, 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restart: unless-stopped/);
    assert.match(r.stdout, /container_name: openclaw/); // the seeds: docker exec openclaw openclaw …
    assert.match(r.stdout, /openclaw-data:\/app\/data/);
    assert.doesNotMatch(r.stdout, /OPENCLAW_GATEWAY_TOKEN/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the image: LTS Node base, everything the build needs copied, openclaw on PATH, non-root, /app/data, a port-following healthcheck', () => {
  assert.deepEqual([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]), ['node:24-bookworm-slim', 'node:24-bookworm-slim']);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  // What `npm run build` reads: tsc's configs, the bundler script, the sources.
  for (const needed of ['tsconfig.json', 'tsconfig.types.json', 'scripts', 'src', 'ui', 'bin']) {
    assert.match(dockerfile, new RegExp(`^COPY [^\n]*\\b${needed.replace('.', '\\.')}\\b`, 'm'), `the build stage copies ${needed}`);
  }
  assert.match(pkg.scripts.build, /tsconfig\.types\.json/);
  assert.match(pkg.scripts.build, /scripts\/bundle-cli\.mjs/);
  assert.match(dockerfile, /ln -s \/app\/bin\/openclaw\.cjs \/usr\/local\/bin\/openclaw/);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /OPENCLAW_STATE_DIR=\/app\/data/);
  assert.match(dockerfile, /^VOLUME \["\/app\/data"\]$/m);
  assert.match(dockerfile, /^EXPOSE 18789$/m);
  assert.doesNotMatch(/HEALTHCHECK[^\n]*\\\n[^\n]*/.exec(dockerfile)![0], /18789/, 'the healthcheck names no fixed port');
});

/** The Dockerfile's ENV, ENTRYPOINT and HEALTHCHECK, to run them here as the image would. */
function imageSpec(): { env: Record<string, string>; entrypoint: string[]; health: string[] } {
  const env: Record<string, string> = {};
  for (const m of dockerfile.matchAll(/^ENV ([\s\S]*?)(?<!\\)\n/gm)) {
    for (const pair of m[1].split(/\\\n|\s+/).filter((p) => p.includes('='))) {
      const [k, v] = pair.split('=');
      env[k] = v;
    }
  }
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]) as string[];
  const health = JSON.parse(/HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
  return { env, entrypoint, health };
}

test("the container's start: first start pins a generated token (0600) and says how to get the dashboard link; a restart keeps it; the healthcheck follows the port", async () => {
  const { env: imageEnv, entrypoint, health } = imageSpec();
  assert.deepEqual(entrypoint, ['openclaw-container-start']);
  // PATH as in the image: /usr/local/bin/openclaw → bin/openclaw.cjs, and the entrypoint script.
  const s = makeStateDir();
  const pathDir = path.join(path.dirname(s.dir), 'usr-local-bin');
  fs.mkdirSync(pathDir);
  fs.symlinkSync(path.join(root, 'bin', 'openclaw.cjs'), path.join(pathDir, 'openclaw'));
  fs.symlinkSync(path.join(root, 'deploy', 'openclaw-container-start'), path.join(pathDir, 'openclaw-container-start'));
  const run = async (port: number) => {
    const env = { ...s.env, ...imageEnv, OPENCLAW_STATE_DIR: s.dir, OPENCLAW_GATEWAY_PORT: String(port), PATH: `${pathDir}${path.delimiter}${s.env.PATH ?? ''}` };
    const gw = spawnCli([], { env, command: entrypoint[0] });
    await gw.waitFor(/listening on ws:\/\/0\.0\.0\.0:/, 30_000);
    const probe = spawnSync(health[0], health.slice(1), { env, encoding: 'utf8', timeout: 30_000 });
    return { gw, probe };
  };
  try {
    const first = await run(await freePort());
    assert.equal(first.probe.status, 0, first.probe.stdout + first.probe.stderr);
    const config = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    const token = config.gateway.auth.token as string;
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(fs.statSync(s.configPath).mode & 0o777, 0o600);
    assert.match(first.gw.output(), /docker exec <container> openclaw dashboard --no-open/);
    assert.ok(!first.gw.output().includes(token), 'the token is not logged');
    first.gw.kill('SIGTERM');
    await first.gw.exited;

    // Restart (another port, as with a changed OPENCLAW_GATEWAY_PORT): same token, no first-start notice.
    const second = await run(await freePort());
    assert.equal(second.probe.status, 0, second.probe.stdout + second.probe.stderr);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, token);
    assert.doesNotMatch(second.gw.output(), /first start/);
    second.gw.kill('SIGTERM');
    await second.gw.exited;
  } finally {
    s.cleanup();
  }
});

test('with OPENCLAW_GATEWAY_TOKEN set, the container start writes no token of its own', async () => {
  const { env: imageEnv, entrypoint } = imageSpec();
  const s = makeStateDir();
  const pathDir = path.join(path.dirname(s.dir), 'usr-local-bin');
  fs.mkdirSync(pathDir);
  fs.symlinkSync(path.join(root, 'bin', 'openclaw.cjs'), path.join(pathDir, 'openclaw'));
  const env = { ...s.env, ...imageEnv, OPENCLAW_STATE_DIR: s.dir, OPENCLAW_GATEWAY_PORT: String(await freePort()), OPENCLAW_GATEWAY_TOKEN: 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK', PATH: `${pathDir}${path.delimiter}${s.env.PATH ?? ''}` };
  const gw = spawnCli([], { env, command: path.join(root, 'deploy', entrypoint[0]) });
  try {
    await gw.waitFor(READY_LINE, 30_000);
    assert.ok(!fs.existsSync(s.configPath), 'no config written: the env pins the token');
    assert.doesNotMatch(gw.output(), /first start/);
  } finally {
    gw.kill('SIGTERM');
    await gw.exited;
    s.cleanup();
  }
});
