import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateGatewayToken, runFirstRunSetup } from './setup.js';
import { loadConfig } from './load.js';

function tempEnv(): { env: Record<string, string>; stateDir: string; cleanup: () => void } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-setup-'));
  const stateDir = path.join(root, 'nested', 'state');
  return { env: { HOME: root, OPENCLAW_STATE_DIR: stateDir }, stateDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

test('generated tokens are 32 random bytes in base64url', () => {
  const a = generateGatewayToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.notEqual(a, generateGatewayToken());
});

test('first run creates a 0700 state dir and a 0600 local config with a token', () => {
  const t = tempEnv();
  try {
    const result = runFirstRunSetup(t.env);
    assert.equal(result.created, true);
    assert.equal(result.configPath, path.join(t.stateDir, 'openclaw.json'));
    assert.equal(fs.statSync(t.stateDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(result.configPath).mode & 0o777, 0o600);
    const { config } = loadConfig(result.configPath);
    assert.deepEqual(config.gateway, { mode: 'local', bind: 'loopback', port: 18789, auth: { mode: 'token', token: result.token } });
    assert.equal(config.meta?.createdBy, 'openclaw setup');
    assert.ok(!Number.isNaN(Date.parse(String(config.meta?.createdAt))));
  } finally {
    t.cleanup();
  }
});

test('an existing config (and its token) is never replaced', () => {
  const t = tempEnv();
  try {
    const first = runFirstRunSetup(t.env);
    const before = fs.readFileSync(first.configPath, 'utf8');
    const again = runFirstRunSetup(t.env);
    assert.deepEqual(again, { created: false, configPath: first.configPath });
    assert.equal(fs.readFileSync(first.configPath, 'utf8'), before);
  } finally {
    t.cleanup();
  }
});

test('a token pinned in the env is not duplicated into the file', () => {
  const t = tempEnv();
  try {
    const result = runFirstRunSetup({ ...t.env, OPENCLAW_GATEWAY_TOKEN: 'docker-token' });
    assert.equal(result.token, undefined);
    assert.deepEqual(loadConfig(result.configPath).config.gateway?.auth, { mode: 'token' });
  } finally {
    t.cleanup();
  }
});
