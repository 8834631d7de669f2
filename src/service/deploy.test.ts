// deploy/: the Dockerfile lints, the compose file validates, and the container's command line
// (its ENV + CMD + HEALTHCHECK, run here without Docker) starts a gateway reachable beyond loopback.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CLI_MAIN, freePort, makeStateDir, spawnCli } from '../testing/harness.js';
import { repoRoot } from '../doctor/repo-root.js';

const root = repoRoot();
const dockerfile = fs.readFileSync(path.join(root, 'deploy', 'Dockerfile'), 'utf8');

test('deploy/Dockerfile passes dockerfilelint', () => {
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'dockerfilelint'), [path.join(root, 'deploy', 'Dockerfile')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('deploy/docker-compose.yml validates with docker-compose config', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-compose-'));
  try {
    for (const f of ['docker-compose.yml', 'Dockerfile']) fs.copyFileSync(path.join(root, 'deploy', f), path.join(dir, f));
    fs.copyFileSync(path.join(root, 'deploy', 'openclaw.env.example'), path.join(dir, 'openclaw.env'));
    const r = spawnSync('docker-compose', ['-f', path.join(dir, 'docker-compose.yml'), 'config'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /restart: unless-stopped/);
    assert.match(r.stdout, /OPENCLAW_GATEWAY_TOKEN: replace-with/); // from the env file, not the compose file
    assert.match(r.stdout, /openclaw-data:\/app\/data/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the image runs as a non-root user with /app/data as its state volume and a /ready healthcheck', () => {
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /OPENCLAW_STATE_DIR=\/app\/data/);
  assert.match(dockerfile, /^VOLUME \["\/app\/data"\]$/m);
  assert.match(dockerfile, /^EXPOSE 18789$/m);
  assert.match(dockerfile, /HEALTHCHECK[\s\S]*\/ready/);
});

test("the container's ENV and CMD start a gateway on all interfaces that its HEALTHCHECK finds ready", async () => {
  const env: Record<string, string> = {};
  for (const m of dockerfile.matchAll(/^ENV ([\s\S]*?)(?<!\\)\n/gm)) {
    for (const pair of m[1].split(/\\\n|\s+/).filter((p) => p.includes('='))) {
      const [k, v] = pair.split('=');
      env[k] = v;
    }
  }
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
  const health = JSON.parse(/HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
  assert.deepEqual(cmd.slice(0, 2), ['node', 'bin/openclaw.cjs']);

  const port = await freePort();
  const s = makeStateDir();
  const gw = spawnCli(cmd.slice(2), { env: { ...s.env, ...env, OPENCLAW_STATE_DIR: s.dir, OPENCLAW_GATEWAY_PORT: String(port), OPENCLAW_GATEWAY_TOKEN: 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK' } });
  try {
    await gw.waitFor(/listening on ws:\/\/0\.0\.0\.0:/, 15_000);
    const probe = spawnSync(process.execPath, health.slice(1).map((a) => a.replace('18789', String(port))), { encoding: 'utf8' });
    assert.equal(probe.status, 0, probe.stderr);
  } finally {
    gw.kill();
    await gw.exited;
    s.cleanup();
  }
  // Without a token the same command refuses to expose the gateway (exit 78), instead of running open.
  const t = makeStateDir();
  const open = spawnSync(process.execPath, [CLI_MAIN, ...cmd.slice(2)], { env: { ...t.env, ...env, OPENCLAW_STATE_DIR: t.dir, OPENCLAW_GATEWAY_PORT: String(port) }, encoding: 'utf8', timeout: 15_000 });
  t.cleanup();
  assert.equal(open.status, 78, open.stderr);
});
