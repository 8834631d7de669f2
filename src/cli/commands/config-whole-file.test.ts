// Whole-file commands: apply, patch, reset, file, schema (and --dry-run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { localConfig, makeStateDir, runCli } from '../../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

test('--dry-run validates without writing', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const before = fs.readFileSync(s.configPath, 'utf8');
    const r = await runCli(['config', 'set', 'gateway.port', '19000', '--dry-run'], { env: s.env });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Dry run \(nothing written\): gateway\.port: \(unset\) → 19000/);
    assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);
  } finally {
    s.cleanup();
  }
});

test('apply replaces the whole file after validating it; patch --file merges', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const next = path.join(s.dir, 'next.json5');
    fs.writeFileSync(next, '// new\n{ gateway: { mode: "local", port: 18800, auth: { token: "t2" } } }');
    assert.equal((await runCli(['config', 'apply', '--file', next], { env: s.env })).code, 0);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.port, 18800);
    fs.writeFileSync(next, '{ gateway: { mode: "local", port: "x" } }');
    const bad = await runCli(['config', 'apply', '--file', next], { env: s.env });
    assert.equal(bad.code, 78);
    assert.match(bad.stderr, /gateway\.port: expected number, received string/);
    const patch = path.join(s.dir, 'patch.json');
    fs.writeFileSync(patch, JSON.stringify({ gateway: { port: null, websocket: { keepAlive: 20 } } }));
    assert.equal((await runCli(['config', 'patch', '--file', patch], { env: s.env })).code, 0);
    const after = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    assert.deepEqual(after.gateway, { mode: 'local', auth: { token: 't2' }, websocket: { keepAlive: 20 } });
    const neither = await runCli(['config', 'patch'], { env: s.env });
    assert.equal(neither.code, 2);
  } finally {
    s.cleanup();
  }
});

test('reset backs up and writes the first-run config but keeps the existing token', async () => {
  const s = makeStateDir({ ...localConfig(TOKEN), gateway: { mode: 'remote', bind: 'lan', auth: { token: TOKEN } }, logging: { level: 'debug' } });
  try {
    const before = fs.readFileSync(s.configPath, 'utf8');
    const r = await runCli(['config', 'reset'], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Kept the existing gateway token/);
    const config = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    assert.deepEqual(config.gateway, { mode: 'local', bind: 'loopback', port: 18789, auth: { mode: 'token', token: TOKEN } });
    assert.equal(config.meta.createdBy, 'openclaw config reset');
    assert.equal(fs.readFileSync(`${s.configPath}.bak`, 'utf8'), before);
  } finally {
    s.cleanup();
  }
});

test('reset of a corrupt file keeps the token pinned in last-good (clients keep working); --new-token replaces it', async () => {
  const s = makeStateDir('{ gateway: ');
  try {
    fs.writeFileSync(`${s.configPath}.last-good`, JSON.stringify(localConfig(TOKEN)), { mode: 0o600 });
    const r = await runCli(['config', 'reset', '--yes'], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Kept the gateway token pinned in .*openclaw\.json\.last-good/);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, TOKEN);
    const fresh = await runCli(['config', 'reset', '--yes', '--new-token', '--json'], { env: s.env });
    assert.equal(JSON.parse(fresh.stdout).tokenSource, 'new');
    assert.notEqual(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, TOKEN);
  } finally {
    s.cleanup();
  }
});

test('reset repairs a file that does not even parse', async () => {
  const s = makeStateDir('{ gateway: ');
  try {
    const r = await runCli(['config', 'reset', '--yes', '--json'], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).tokenKept, false);
    assert.match(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(fs.readFileSync(`${s.configPath}.bak`, 'utf8'), '{ gateway: ');
  } finally {
    s.cleanup();
  }
});

test('file and schema', async () => {
  const s = makeStateDir();
  try {
    const f = await runCli(['config', 'file'], { env: s.env });
    assert.equal(f.stdout, `${s.configPath}\n`);
    assert.deepEqual(JSON.parse((await runCli(['config', 'file', '--json'], { env: s.env })).stdout), { ok: true, version: 1, configPath: s.configPath, exists: false, stateDir: s.dir });
    const schema = JSON.parse((await runCli(['config', 'schema', '--json'], { env: s.env })).stdout);
    assert.ok(schema.properties.gateway.properties.auth);
  } finally {
    s.cleanup();
  }
});
