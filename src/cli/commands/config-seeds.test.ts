// The commands the field guides (seeds) print, verbatim, and the deprecated keys they use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { localConfig, makeStateDir, runCli } from '../../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

test('the seed commands work verbatim and round-trip through get', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const seeds: string[][] = [
      ['config', 'set', 'gateway.mode', 'local'],
      ['config', 'set', 'gateway.auth.token', 'tok'],
      ['config', 'set', 'gateway.controlUi.allowInsecureAuth', 'true'],
      ['config', 'set', 'gateway.trustedProxies', '["127.0.0.1"]'],
      ['config', 'set', 'gateway.bind', '0.0.0.0:18790'],
      ['config', 'set', 'gateway.websocket.keepAlive', '30'],
      ['config', 'set', 'models.providers.local.models[0].id', 'qwen'],
      ['config', 'set', 'models.providers.local.models[0].compat.requiresStringContent', 'true'],
      ['config', 'set', 'gateway.port', '3002'],
    ];
    for (const args of seeds) {
      const r = await runCli(args, { env: s.env });
      assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
    }
    const bind = await runCli(['config', 'get', 'gateway.bind'], { env: s.env });
    assert.equal(bind.stdout, '0.0.0.0:18790\n');
    const file = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    assert.deepEqual(file.gateway.trustedProxies, ['127.0.0.1']);
    assert.equal(file.gateway.websocket.keepAlive, 30);
    assert.equal(file.gateway.controlUi.allowInsecureAuth, true);
    assert.equal(file.gateway.auth.token, 'tok');
    assert.equal(file.gateway.port, 3002);
    assert.equal(file.models.providers.local.models[0].compat.requiresStringContent, true);
    const validate = await runCli(['config', 'validate'], { env: s.env });
    assert.equal(validate.code, 0);
    assert.match(validate.stdout, /^Config valid: /);
    assert.match(validate.stderr, /warning: gateway\.bind "0\.0\.0\.0:18790" is a deprecated HOST:PORT alias/);
  } finally {
    s.cleanup();
  }
});

test('old guides\' gateway.token and gateway.host land on the canonical keys', async () => {
  const s = makeStateDir(localConfig(TOKEN, { gateway: { bind: 'loopback' } }));
  try {
    const t = await runCli(['config', 'set', 'gateway.token', 'your-stable-token-here'], { env: s.env });
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /gateway\.token is deprecated; wrote gateway\.auth\.token instead/);
    const h = await runCli(['config', 'set', 'gateway.host', '0.0.0.0'], { env: s.env });
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /Updated gateway\.bind: "loopback" → "lan"/);
    const gw = JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway;
    assert.equal(gw.auth.token, 'your-stable-token-here');
    assert.equal(gw.token, undefined);
    assert.equal(gw.host, undefined);
    assert.equal(gw.bind, 'lan');
    const get = await runCli(['config', 'get', 'gateway.host'], { env: s.env });
    assert.equal(get.code, 1);
    assert.equal(get.stderr, 'Config path not found: gateway.host\nhint: gateway.host is deprecated; the listen address is set by: openclaw config get gateway.bind\n');
    await runCli(['config', 'set', 'gateway.host', '10.1.2.3:18800'], { env: s.env });
    const custom = JSON.parse(fs.readFileSync(s.configPath, 'utf8')).gateway;
    assert.deepEqual([custom.bind, custom.customBindHost, custom.port], ['custom', '10.1.2.3', 18800]);
    const nested = await runCli(['config', 'set', 'gateway.remote', '{token:"remote-secret"}', '--json'], { env: s.env });
    assert.deepEqual(JSON.parse(nested.stdout).after, { token: '__OPENCLAW_REDACTED__' });
  } finally {
    s.cleanup();
  }
});

test('concurrent config set commands all land (the lock serializes them)', async () => {
  const s = makeStateDir(localConfig(TOKEN));
  try {
    const keys = ['gateway.port', 'gateway.websocket.keepAlive', 'logging.maxFiles', 'gateway.auth.rateLimit.maxAttempts'];
    const results = await Promise.all(keys.map((k, i) => runCli(['config', 'set', k, String(10 + i)], { env: s.env })));
    assert.deepEqual(results.map((r) => r.code), [0, 0, 0, 0], results.map((r) => r.stderr).join('\n'));
    const config = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
    assert.deepEqual([config.gateway.port, config.gateway.websocket.keepAlive, config.logging.maxFiles, config.gateway.auth.rateLimit.maxAttempts], [10, 11, 12, 13]);
    assert.equal(fs.existsSync(`${s.configPath}.lock`), false);
  } finally {
    s.cleanup();
  }
});
