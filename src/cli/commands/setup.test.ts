import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startFakeOpenAi } from '../../models/testing/fake-openai.js';
import { freePort, makeStateDir, runCli } from '../../testing/harness.js';

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
    assert.deepEqual(JSON.parse(again.stdout), { ok: true, version: 1, created: false, configPath: s.configPath, tokenGenerated: false });
    assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);
    const text = await runCli(['setup'], { env: s.env });
    assert.match(text.stdout, /^Config already exists: /);
  } finally {
    s.cleanup();
  }
});

test('openclaw setup adds the model backends it finds; --json lists them; --no-scan asks none', async () => {
  const lmstudio = await startFakeOpenAi({ models: ['qwen2.5-7b-instruct'] });
  const dead = `http://127.0.0.1:${await freePort()}`;
  const s = makeStateDir();
  try {
    fs.rmSync(s.configPath, { force: true });
    const args = ['setup', '--ollama-url', dead, '--lmstudio-url', `http://127.0.0.1:${lmstudio.port}`];
    const r = await runCli([...args, '--json'], { env: { ...s.env, OPENAI_API_KEY: 'sk-setup-secret' } });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.created, true);
    assert.deepEqual(out.models.found.map((f: any) => f.id), ['lmstudio', 'openai']);
    assert.deepEqual(out.models.missing.map((m: any) => [m.id, m.url]), [['ollama', dead]]);
    assert.equal(out.models.primary, 'lmstudio/qwen2.5-7b-instruct');
    assert.doesNotMatch(r.stdout + fs.readFileSync(s.configPath, 'utf8'), /sk-setup-secret/);
    assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).models.providers.openai.apiKeyEnv, 'OPENAI_API_KEY');

    fs.rmSync(s.configPath);
    const text = await runCli(args, { env: s.env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^Models: added lmstudio \\(http://127\\.0\\.0\\.1:${lmstudio.port}, 1 model\\); primary model lmstudio/qwen2\\.5-7b-instruct; check with: openclaw models status$`, 'm'));

    fs.rmSync(s.configPath);
    const asked = lmstudio.requests.length;
    const none = await runCli([...args, '--no-scan', '--json'], { env: s.env });
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(JSON.parse(none.stdout), { ok: true, version: 1, created: true, configPath: s.configPath, tokenGenerated: true });
    assert.equal(lmstudio.requests.length, asked);
    const bad = await runCli(['setup', '--timeout', 'soon'], { env: s.env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected a positive number/);
  } finally {
    await lmstudio.close();
    s.cleanup();
  }
});
