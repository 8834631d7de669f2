import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveGatewaySettings } from './resolve.js';
import { ConfigError } from './load.js';
import type { OpenClawConfig } from './schema.js';

const env = { HOME: '/home/x' };

test('defaults for an empty config', () => {
  const s = resolveGatewaySettings({}, env);
  assert.equal(s.mode, undefined);
  assert.equal(s.modeSource, 'default');
  assert.equal(s.bind, 'loopback');
  assert.equal(s.host, '127.0.0.1');
  assert.equal(s.port, 18789);
  assert.equal(s.portSource, 'default');
  assert.equal(s.auth.mode, 'token');
  assert.equal(s.auth.token, undefined);
  assert.deepEqual(s.auth.rateLimit, { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true });
  assert.equal(s.websocket.keepAliveSeconds, 30);
  assert.equal(s.nodes.pairing.autoApproveLocal, true);
  assert.deepEqual({ enabled: s.controlUi.enabled, basePath: s.controlUi.basePath }, { enabled: true, basePath: '/' });
  assert.equal(s.http.chatCompletionsEnabled, true);
  assert.equal(s.reload.mode, 'hybrid');
  assert.deepEqual(s.logging, { level: 'info', maxFileBytes: 10 * 1024 * 1024, maxFiles: 5 });
  assert.deepEqual(s.warnings, []);
});

test('port: flag > env > config > default', () => {
  const config: OpenClawConfig = { gateway: { port: 1000 } };
  assert.deepEqual(pick(resolveGatewaySettings(config, env)), [1000, 'config']);
  assert.deepEqual(pick(resolveGatewaySettings(config, { ...env, OPENCLAW_GATEWAY_PORT: '2000' })), [2000, 'env']);
  assert.deepEqual(pick(resolveGatewaySettings(config, { ...env, OPENCLAW_GATEWAY_PORT: '2000' }, { port: 3000 })), [3000, 'flag']);
  function pick(s: ReturnType<typeof resolveGatewaySettings>) {
    return [s.port, s.portSource];
  }
});

test('invalid env values are config errors naming the variable', () => {
  for (const [name, value] of [['OPENCLAW_GATEWAY_PORT', 'abc'], ['OPENCLAW_GATEWAY_PORT', '70000'], ['OPENCLAW_GATEWAY_MODE', 'public'], ['OPENCLAW_GATEWAY_AUTH_MODE', 'oauth']]) {
    assert.throws(() => resolveGatewaySettings({}, { ...env, [name]: value }), (err: unknown) => err instanceof ConfigError && err.exitCode === 78 && err.message.includes(name) && err.fix.includes(name), name);
  }
});

test('token: env pins it over the file; the AUTH_TOKEN alias warns; legacy gateway.token is used with a warning', () => {
  const config: OpenClawConfig = { gateway: { auth: { token: 'file' } } };
  let s = resolveGatewaySettings(config, env);
  assert.deepEqual([s.auth.token, s.auth.tokenSource], ['file', 'config']);
  s = resolveGatewaySettings(config, { ...env, OPENCLAW_GATEWAY_TOKEN: 'docker' });
  assert.deepEqual([s.auth.token, s.auth.tokenSource], ['docker', 'env']);
  s = resolveGatewaySettings(config, { ...env, OPENCLAW_GATEWAY_AUTH_TOKEN: 'alias' });
  assert.deepEqual([s.auth.token, s.auth.tokenSource], ['alias', 'env']);
  assert.match(s.warnings.join('\n'), /OPENCLAW_GATEWAY_AUTH_TOKEN is deprecated; set OPENCLAW_GATEWAY_TOKEN/);
  s = resolveGatewaySettings(config, env, { token: 'flag' });
  assert.deepEqual([s.auth.token, s.auth.tokenSource], ['flag', 'flag']);
  s = resolveGatewaySettings({ gateway: { token: 'old' } }, env);
  assert.deepEqual([s.auth.token, s.auth.tokenSource], ['old', 'config-legacy']);
  assert.match(s.warnings.join('\n'), /gateway\.token is deprecated/);
  s = resolveGatewaySettings({ gateway: { token: 'same', auth: { token: 'same' } } }, env);
  assert.deepEqual([s.auth.token, s.auth.tokenSource], ['same', 'config']);
});

test('gateway.auth.token and a different legacy gateway.token refuse to resolve', () => {
  assert.throws(
    () => resolveGatewaySettings({ gateway: { token: 'a', auth: { token: 'b' } } }, env),
    (err: unknown) => err instanceof ConfigError && err.problem === 'gateway.auth.token and legacy gateway.token differ; remove one (openclaw doctor --fix migrates gateway.token)',
  );
});

test('auth mode: flag > env > config > password present > token', () => {
  assert.equal(resolveGatewaySettings({ gateway: { auth: { password: 'pw' } } }, env).auth.mode, 'password');
  assert.equal(resolveGatewaySettings({ gateway: { auth: { password: 'pw', mode: 'token', token: 't' } } }, env).auth.mode, 'token');
  assert.equal(resolveGatewaySettings({}, { ...env, OPENCLAW_GATEWAY_PASSWORD: 'pw' }).auth.mode, 'password');
  assert.equal(resolveGatewaySettings({ gateway: { auth: { mode: 'token' } } }, { ...env, OPENCLAW_GATEWAY_AUTH_MODE: 'none' }).auth.mode, 'none');
  assert.equal(resolveGatewaySettings({}, { ...env, OPENCLAW_GATEWAY_AUTH_MODE: 'none' }, { auth: 'password' }).auth.mode, 'password');
  const s = resolveGatewaySettings({ gateway: { auth: { password: 'file' } } }, { ...env, OPENCLAW_GATEWAY_PASSWORD: 'env' });
  assert.deepEqual([s.auth.password, s.auth.passwordSource], ['env', 'env']);
});

test('mode: env overlays the file', () => {
  const s = resolveGatewaySettings({ gateway: { mode: 'remote' } }, { ...env, OPENCLAW_GATEWAY_MODE: 'local' });
  assert.deepEqual([s.mode, s.modeSource, s.host], ['local', 'env', '127.0.0.1']);
});

test('host follows mode unless bind is explicit', () => {
  const host = (config: OpenClawConfig, flags = {}) => {
    const s = resolveGatewaySettings(config, env, flags);
    return [s.bind, s.host];
  };
  assert.deepEqual(host({ gateway: { mode: 'local' } }), ['loopback', '127.0.0.1']);
  assert.deepEqual(host({ gateway: { mode: 'remote' } }), ['lan', '0.0.0.0']);
  assert.deepEqual(host({ gateway: { mode: 'hybrid' } }), ['lan', '0.0.0.0']);
  assert.deepEqual(host({ gateway: { mode: 'remote', bind: 'loopback' } }), ['loopback', '127.0.0.1']);
  assert.deepEqual(host({ gateway: { mode: 'local', bind: 'lan' } }), ['lan', '0.0.0.0']);
  assert.deepEqual(host({ gateway: { bind: 'custom', customBindHost: '10.0.0.5' } }), ['custom', '10.0.0.5']);
  assert.deepEqual(host({ gateway: { bind: 'tailnet' } }), ['tailnet', '127.0.0.1']);
  assert.deepEqual(host({ gateway: { bind: 'auto' } }), ['auto', '127.0.0.1']);
  assert.deepEqual(host({ gateway: { bind: 'lan' } }, { bind: 'loopback' }), ['loopback', '127.0.0.1']);
  assert.throws(() => host({ gateway: { bind: 'custom' } }), (err: unknown) => err instanceof ConfigError && err.fix === 'openclaw config set gateway.customBindHost <IPv4 address>');
});

test('the HOST:PORT bind alias sets host and port, with a deprecation warning', () => {
  let s = resolveGatewaySettings({ gateway: { mode: 'local', bind: '0.0.0.0:18790', port: 18789 } }, env);
  assert.deepEqual([s.bind, s.host, s.port, s.portSource], ['lan', '0.0.0.0', 18790, 'config-legacy']);
  assert.match(s.warnings.join('\n'), /deprecated HOST:PORT alias/);
  assert.match(s.warnings.join('\n'), /overrides gateway\.port 18789/);
  s = resolveGatewaySettings({ gateway: { bind: '0.0.0.0:18790' } }, { ...env, OPENCLAW_GATEWAY_PORT: '19000' });
  assert.equal(s.port, 19000);
  s = resolveGatewaySettings({ gateway: { bind: '127.0.0.1' } }, env);
  assert.deepEqual([s.bind, s.host, s.port], ['loopback', '127.0.0.1', 18789]);
  s = resolveGatewaySettings({ gateway: { host: '0.0.0.0', port: 3002 } }, env);
  assert.deepEqual([s.host, s.port, s.bindSource], ['0.0.0.0', 3002, 'config-legacy']);
  assert.match(s.warnings.join('\n'), /gateway\.host is deprecated/);
});

test('chat completions are on by default only on loopback; explicit config wins', () => {
  assert.equal(resolveGatewaySettings({ gateway: { bind: 'lan' } }, env).http.chatCompletionsEnabled, false);
  assert.equal(resolveGatewaySettings({ gateway: { bind: 'lan', http: { endpoints: { chatCompletions: { enabled: true } } } } }, env).http.chatCompletionsEnabled, true);
  assert.equal(resolveGatewaySettings({ gateway: { http: { endpoints: { chatCompletions: { enabled: false } } } } }, env).http.chatCompletionsEnabled, false);
  // either endpoint's switch serves the whole /v1 group
  assert.equal(resolveGatewaySettings({ gateway: { bind: 'lan', http: { endpoints: { responses: { enabled: true } } } } }, env).http.chatCompletionsEnabled, true);
  assert.equal(resolveGatewaySettings({ gateway: { http: { endpoints: { chatCompletions: { enabled: false }, responses: { enabled: true } } } } }, env).http.chatCompletionsEnabled, true);
});

test('config values fill the rest', () => {
  const s = resolveGatewaySettings({
    gateway: {
      trustedProxies: ['10.0.0.1'],
      websocket: { keepAlive: 20 },
      controlUi: { basePath: '/ui/', allowedOrigins: ['https://a'], allowInsecureAuth: true },
      auth: { rateLimit: { maxAttempts: 3 }, trustedProxy: { userHeader: 'x-user' } },
      nodes: { pairing: { autoApproveLocal: false } },
      reload: { mode: 'off' },
    },
    logging: { level: 'debug' },
  }, env);
  assert.deepEqual(s.trustedProxies, ['10.0.0.1']);
  assert.equal(s.websocket.keepAliveSeconds, 20);
  assert.equal(s.controlUi.basePath, '/ui');
  assert.deepEqual(s.controlUi.allowedOrigins, ['https://a']);
  assert.equal(s.controlUi.allowInsecureAuth, true);
  assert.equal(s.auth.rateLimit.maxAttempts, 3);
  assert.equal(s.auth.rateLimit.windowMs, 60_000);
  assert.deepEqual(s.auth.trustedProxy, { userHeader: 'x-user', requiredHeaders: [], allowUsers: [], allowLoopback: false });
  assert.equal(s.nodes.pairing.autoApproveLocal, false);
  assert.equal(s.reload.mode, 'off');
  assert.equal(s.logging.level, 'debug');
  assert.equal(resolveGatewaySettings({ logging: { level: 'debug' } }, { ...env, OPENCLAW_LOG_LEVEL: 'warn' }).logging.level, 'warn');
});

test('env.vars in the config act as env below the process env', () => {
  const config: OpenClawConfig = { env: { vars: { OPENCLAW_GATEWAY_TOKEN: 'from-vars' } } };
  assert.equal(resolveGatewaySettings(config, env).auth.token, 'from-vars');
  assert.equal(resolveGatewaySettings(config, { ...env, OPENCLAW_GATEWAY_TOKEN: 'proc' }).auth.token, 'proc');
});
