import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, hashRaw, loadConfig, parseConfigText } from './load.js';

const P = '/etc/openclaw.json';

function tempConfig(text?: string): { file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-load-'));
  const file = path.join(dir, 'openclaw.json');
  if (text !== undefined) fs.writeFileSync(file, text);
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('JSON5 with comments and trailing commas parses', () => {
  const r = parseConfigText('// my gateway\n{ gateway: { mode: "local", port: 18790, }, }\n', P);
  assert.equal(r.ok, true);
  assert.equal(r.ok && r.config.gateway?.port, 18790);
});

test('a syntax error names file, line and column', () => {
  const r = parseConfigText('{\n  gateway: {\n    mode: "local" port: 1\n  }\n}\n', P);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.problem : '', /^\/etc\/openclaw\.json:3:19: invalid character 'p'$/);
});

test('schema errors name the key path and the problem', () => {
  const r = parseConfigText('{ gateway: { port: "18789" } }', P);
  assert.equal(!r.ok && r.problem, 'gateway.port: expected number, received string');
  const typo = parseConfigText('{ gateway: { mode: "local", prot: 1 } }', P);
  assert.equal(!typo.ok && typo.problem, 'gateway.prot: unknown key (did you mean "port"?)');
  assert.equal(!typo.ok && typo.fix, 'openclaw config unset gateway.prot');
  const mode = parseConfigText('{ gateway: { mode: "public" } }', P);
  assert.equal(!mode.ok && mode.problem, 'gateway.mode: expected one of "local"|"remote"|"hybrid", received "public"');
  const bind = parseConfigText('{ gateway: { bind: "every where" } }', P);
  assert.match(!bind.ok ? bind.problem : '', /^gateway\.bind: expected one of loopback\|lan\|tailnet\|auto\|custom, or a literal HOST or HOST:PORT/);
});

test('every problem is listed, not just the first', () => {
  const r = parseConfigText('{ gateway: { port: "x", mode: 1 }, extra: true }', P);
  assert.equal(r.ok, false);
  const paths = !r.ok ? r.issues.map((i) => i.path).sort() : [];
  assert.deepEqual(paths, ['extra', 'gateway.mode', 'gateway.port']);
});

test('deprecated keys load with warnings', () => {
  const r = parseConfigText('{ gateway: { bind: "0.0.0.0:18790", token: "t", host: "0.0.0.0", controlUi: { dangerouslyDisableDeviceAuth: true } } }', P);
  assert.equal(r.ok, true);
  const w = r.ok ? r.warnings.join('\n') : '';
  assert.match(w, /gateway\.bind "0\.0\.0\.0:18790" is a deprecated HOST:PORT alias; use gateway\.bind "lan" and gateway\.port 18790/);
  assert.match(w, /gateway\.token is deprecated; use gateway\.auth\.token/);
  assert.match(w, /gateway\.host is deprecated/);
  assert.match(w, /dangerouslyDisableDeviceAuth is retired/);
});

test('loadConfig: a missing file is an empty config', () => {
  const t = tempConfig();
  try {
    assert.deepEqual(loadConfig(t.file), { path: t.file, exists: false, raw: undefined, config: {}, hash: '', warnings: [], unsupported: [] });
  } finally {
    t.cleanup();
  }
});

test('loadConfig: a valid file comes with its raw text and sha256', () => {
  const text = '{ gateway: { mode: "local" } }';
  const t = tempConfig(text);
  try {
    const loaded = loadConfig(t.file);
    assert.equal(loaded.exists, true);
    assert.equal(loaded.raw, text);
    assert.equal(loaded.hash, hashRaw(text));
    assert.match(loaded.hash, /^[0-9a-f]{64}$/);
    assert.equal(loaded.config.gateway?.mode, 'local');
  } finally {
    t.cleanup();
  }
});

test('loadConfig: an invalid file throws ConfigError (exit 78) with a runnable fix', () => {
  const t = tempConfig('{ gateway: { port: "x" } }');
  try {
    assert.throws(() => loadConfig(t.file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.exitCode, 78);
      assert.equal(err.problem, 'gateway.port: expected number, received string');
      assert.equal(err.configPath, t.file);
      assert.equal(err.fix, 'openclaw config set gateway.port <value>');
      assert.ok(err.message.includes(t.file));
      return true;
    });
    fs.writeFileSync(t.file, '{ gateway: ');
    assert.throws(() => loadConfig(t.file), (err: unknown) => err instanceof ConfigError && err.message.includes(`${t.file}:1:12:`) && err.fix.startsWith('openclaw doctor'));
  } finally {
    t.cleanup();
  }
});

test('a secret is never echoed back in an error', () => {
  const r = parseConfigText('{ gateway: { auth: { token: 12345678, mode: "s3cr3t-value" }, remote: { password: ["hunter2"] } } }', P);
  assert.equal(r.ok, false);
  const text = !r.ok ? r.problem : '';
  assert.match(text, /gateway\.auth\.token: expected string, received number/);
  assert.match(text, /gateway\.remote\.password: expected string, received array/);
  assert.ok(!text.includes('12345678') && !text.includes('hunter2'), text);
});
