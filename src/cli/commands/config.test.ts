import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { localConfig, makeStateDir, runCli } from '../../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

test('set prints the change and the backup; backups rotate; secrets are hidden in the output', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const r = await runCli(['config', 'set', 'gateway.port', '18790'], { env: s.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Updated gateway.port: (unset) → 18790\nBackup: ${s.configPath}.bak\n`);
    const secret = await runCli(['config', 'set', 'gateway.auth.token', 'new-secret-value', '--json'], { env: s.env });
    const out = JSON.parse(secret.stdout);
    assert.equal(out.before, '__OPENCLAW_REDACTED__');
    assert.equal(out.after, '__OPENCLAW_REDACTED__');
    assert.equal(out.written, true);
    assert.equal(out.backupPath, `${s.configPath}.bak`);
    assert.ok(!secret.stdout.includes('new-secret-value') && !secret.stdout.includes(TOKEN));
    assert.equal(JSON.parse(fs.readFileSync(`${s.configPath}.bak.1`, 'utf8')).gateway.port, undefined);
    assert.equal(JSON.parse(fs.readFileSync(`${s.configPath}.bak`, 'utf8')).gateway.port, 18790);
  } finally {
    s.cleanup();
  }
});

test('get redacts secrets unless --show-secrets; --json prints the value; a missing path exits 1', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const hidden = await runCli(['config', 'get', 'gateway.auth.token'], { env: s.env });
    assert.equal(hidden.stdout, '__OPENCLAW_REDACTED__\n');
    const shown = await runCli(['config', 'get', 'gateway.auth.token', '--show-secrets'], { env: s.env });
    assert.equal(shown.stdout, `${TOKEN}\n`);
    const whole = await runCli(['config', 'get', 'gateway', '--json'], { env: s.env });
    assert.deepEqual(JSON.parse(whole.stdout), { mode: 'local', auth: { mode: 'token', token: '__OPENCLAW_REDACTED__' } });
    const missing = await runCli(['config', 'get', 'gateway.nope'], { env: s.env });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Config path not found: gateway.nope\n');
    const missingJson = await runCli(['config', 'get', 'gateway.nope', '--json'], { env: s.env });
    assert.equal(missingJson.code, 1);
    assert.deepEqual(JSON.parse(missingJson.stdout), { ok: false, version: 1, error: 'Config path not found: gateway.nope' });
  } finally {
    s.cleanup();
  }
});

test('an invalid value is refused with exit 78, the key path and the fix; nothing is written', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const before = fs.readFileSync(s.configPath, 'utf8');
    const r = await runCli(['config', 'set', 'gateway.port', 'abc'], { env: s.env });
    assert.equal(r.code, 78);
    assert.match(r.stderr, /gateway\.port: expected number, received string/);
    assert.match(r.stderr, /fix: openclaw config set gateway\.port <value>/);
    const typo = await runCli(['config', 'set', 'gateway.prot', '1', '--json'], { env: s.env });
    assert.equal(typo.code, 78);
    const body = JSON.parse(typo.stdout);
    assert.equal(body.ok, false);
    assert.match(body.error, /gateway\.prot: unknown key \(did you mean "port"\?\)/);
    assert.equal(body.fix, 'openclaw config set gateway.port <value>');
    assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);
    assert.equal(fs.existsSync(`${s.configPath}.bak`), false);
  } finally {
    s.cleanup();
  }
});

test('a numeric-looking token stays a string; --strict-json refuses JSON5', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    assert.equal((await runCli(['config', 'set', 'gateway.auth.token', '123456'], { env: s.env })).code, 0);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, '123456');
    const strict = await runCli(['config', 'set', 'gateway.trustedProxies', "['a']", '--strict-json'], { env: s.env });
    assert.equal(strict.code, 2);
    assert.match(strict.stderr, /--strict-json/);
  } finally {
    s.cleanup();
  }
});

test('a JSON5 syntax error is reported with file:line:col by validate (exit 1) and blocks get (exit 78)', async () => {
  const s = makeStateDir('{\n  gateway: {\n    mode: "local",,\n  }\n}\n');
  try {
    const v = await runCli(['config', 'validate'], { env: s.env });
    assert.equal(v.code, 1);
    assert.ok(v.stderr.includes(`${s.configPath}:3:19: invalid character ','`), v.stderr);
    const json = JSON.parse((await runCli(['config', 'validate', '--json'], { env: s.env })).stdout);
    assert.equal(json.valid, false);
    assert.equal(json.issues.length, 1);
    const g = await runCli(['config', 'get', 'gateway.mode'], { env: s.env });
    assert.equal(g.code, 78);
    assert.match(g.stderr, /fix: .*openclaw doctor --fix --restore-last-good/);
  } finally {
    s.cleanup();
  }
});

test('validate lists every schema problem; a partial fix of a broken file points to patch', async () => {
  const s = makeStateDir({ gateway: { mode: 'local', port: '18789', bogus: true } });
  try {
    const v = await runCli(['config', 'validate', '--json'], { env: s.env });
    assert.equal(v.code, 1);
    const report = JSON.parse(v.stdout);
    assert.deepEqual(report.issues.map((i: { text: string }) => i.text).sort(), ['gateway.bogus: unknown key', 'gateway.port: expected number, received string']);
    const partial = await runCli(['config', 'unset', 'gateway.bogus'], { env: s.env });
    assert.equal(partial.code, 78, 'still invalid: port');
    assert.match(partial.stderr, /already invalid and would still be: gateway\.port: expected number/);
    assert.match(partial.stderr, /fix: openclaw config patch --merge/);
    assert.equal((await runCli(['config', 'patch', '--merge', '{gateway:{bogus:null, port:18789}}'], { env: s.env })).code, 0);
    assert.equal((await runCli(['config', 'validate'], { env: s.env })).code, 0);
  } finally {
    s.cleanup();
  }
});

test('unset refuses to drop gateway.mode unless --force; a missing path exits 1', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const r = await runCli(['config', 'unset', 'gateway.mode'], { env: s.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /drops gateway\.mode/);
    assert.match(r.stderr, /--force/);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.mode, 'local');
    assert.equal((await runCli(['config', 'unset', 'gateway.mode', '--force'], { env: s.env })).code, 0);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.mode, undefined);
    const missing = await runCli(['config', 'unset', 'gateway.mode'], { env: s.env });
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Config path not found: gateway.mode\n');
  } finally {
    s.cleanup();
  }
});

test('get of a key the file lacks shows the effective value and its source; env overrides are named', async () => {
  const s = makeStateDir({ gateway: { auth: { token: TOKEN } } });
  try {
    const port = await runCli(['config', 'get', 'gateway.port'], { env: s.env });
    assert.equal(port.code, 0, port.stderr);
    assert.equal(port.stdout, '18789\n');
    assert.equal(port.stderr, `note: gateway.port is not in ${s.configPath}; this is the effective value (from default)\n`);
    const env = { ...s.env, OPENCLAW_GATEWAY_PORT: '18790', OPENCLAW_GATEWAY_MODE: 'local' };
    const fromEnv = await runCli(['config', 'get', 'gateway.port', '--json', '--source'], { env });
    assert.deepEqual(JSON.parse(fromEnv.stdout), { ok: true, version: 1, value: 18790, source: 'env', env: 'OPENCLAW_GATEWAY_PORT' });
    const mode = await runCli(['config', 'get', 'gateway.mode'], { env });
    assert.equal(mode.stdout, 'local\n');
    assert.match(mode.stderr, /from env OPENCLAW_GATEWAY_MODE/);
    // Unset everywhere: still "not found", exit 1.
    const unset = await runCli(['config', 'get', 'gateway.mode'], { env: s.env });
    assert.equal(unset.code, 1);
    // An env token is redacted like a file one.
    const tok = await runCli(['config', 'get', 'gateway.auth.token'], { env: { ...s.env, OPENCLAW_GATEWAY_TOKEN: 'env-token-0123456789abcdef' } });
    assert.equal(tok.stdout, '__OPENCLAW_REDACTED__\n');
    assert.match(tok.stderr, /overridden by env OPENCLAW_GATEWAY_TOKEN/);
  } finally {
    s.cleanup();
  }
});

test('the redaction placeholder is never stored: set refuses it, --from copies the real value, patch/apply keep the secret', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    // doctor's old printed fix: config set gateway.remote.token "$(openclaw config get gateway.auth.token)"
    const printed = (await runCli(['config', 'get', 'gateway.auth.token'], { env: s.env })).stdout.trim();
    assert.equal(printed, '__OPENCLAW_REDACTED__');
    const refused = await runCli(['config', 'set', 'gateway.remote.token', printed], { env: s.env });
    assert.equal(refused.code, 78);
    assert.match(refused.stderr, /the placeholder `openclaw config get` prints instead of a secret/);
    assert.match(refused.stderr, /--from gateway\.auth\.token/);
    assert.ok(!fs.readFileSync(s.configPath, 'utf8').includes('__OPENCLAW_REDACTED__'));

    const copied = await runCli(['config', 'set', 'gateway.remote.token', '--from', 'gateway.auth.token'], { env: s.env });
    assert.equal(copied.code, 0, copied.stderr);
    assert.ok(!copied.stdout.includes(TOKEN), 'the copied secret is not printed');
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.remote.token, TOKEN);
    assert.equal((await runCli(['config', 'set', 'gateway.remote.token', '--from', 'gateway.nope'], { env: s.env })).code, 1);

    // A whole config read back with `config get --json` and re-applied keeps the real secrets.
    const whole = (await runCli(['config', 'get', '--json'], { env: s.env })).stdout;
    const file = `${s.dir}/edited.json`;
    const edited = JSON.parse(whole);
    edited.gateway.port = 18790;
    fs.writeFileSync(file, JSON.stringify(edited));
    const applied = await runCli(['config', 'apply', '--file', file], { env: s.env });
    assert.equal(applied.code, 0, applied.stderr);
    const after = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    assert.deepEqual([after.gateway.port, after.gateway.auth.token, after.gateway.remote.token], [18790, TOKEN, TOKEN]);
    const patched = await runCli(['config', 'patch', '--merge', '{gateway:{auth:{token:"__OPENCLAW_REDACTED__"},port:18791}}'], { env: s.env });
    assert.equal(patched.code, 0, patched.stderr);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, TOKEN);
  } finally {
    s.cleanup();
  }
});
