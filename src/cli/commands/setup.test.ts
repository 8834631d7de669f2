import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeStateDir, runCli } from '../../testing/harness.js';

test('openclaw setup creates the config once and never replaces it', async () => {
  const s = makeStateDir();
  try {
    fs.rmSync(s.dir, { recursive: true });
    const first = await runCli(['setup', '--non-interactive'], { env: s.env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Created .*openclaw\.json \(gateway\.mode local, bind loopback, port 18789, token auth\)/);
    const config = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    assert.ok(!first.stdout.includes(config.gateway.auth.token), 'the token is not printed');
    assert.equal(fs.statSync(s.dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(s.configPath).mode & 0o777, 0o600);
    const before = fs.readFileSync(s.configPath, 'utf8');
    const again = await runCli(['setup', '--json'], { env: s.env });
    assert.equal(again.code, 0);
    assert.deepEqual(JSON.parse(again.stdout), { created: false, configPath: s.configPath, tokenGenerated: false });
    assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);
    const text = await runCli(['setup'], { env: s.env });
    assert.match(text.stdout, /^Config already exists: /);
  } finally {
    s.cleanup();
  }
});
