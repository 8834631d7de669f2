import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenClawConfigSchema, configJsonSchema, knownKeysAt } from './schema.js';
import { SCHEMA_DESCRIPTIONS, schemaNodesAt } from './schema-descriptions.js';

const everySeedKey = {
  $schema: './openclaw.schema.json',
  gateway: {
    mode: 'hybrid',
    bind: 'custom',
    host: '0.0.0.0',
    port: 18790,
    customBindHost: '10.0.0.5',
    auth: {
      mode: 'trusted-proxy',
      token: 't',
      password: 'p',
      allowTailscale: false,
      rateLimit: { maxAttempts: 5, windowMs: 1000, lockoutMs: 0, exemptLoopback: false },
      trustedProxy: { userHeader: 'x-user', requiredHeaders: ['x-a'], allowUsers: ['u'], allowLoopback: true },
      identityScopes: { 'user@x': ['operator.admin'] },
    },
    token: 't',
    remote: { url: 'ws://127.0.0.1:18789', transport: 'ssh', token: 't', password: 'p', tlsFingerprint: 'ab', sshTarget: 'me@host', sshIdentity: '~/.ssh/id', remotePort: 18789 },
    trustedProxies: ['127.0.0.1', '10.0.0.0/8'],
    allowRealIpFallback: true,
    controlUi: { enabled: true, basePath: '/ui', root: '/srv/ui', allowedOrigins: ['https://a'], allowInsecureAuth: true, dangerouslyAllowHostHeaderOriginFallback: false, dangerouslyDisableDeviceAuth: true },
    websocket: { keepAlive: 30 },
    tls: { enabled: true, autoGenerate: false, certPath: 'c', keyPath: 'k', caPath: 'ca' },
    http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: false } }, securityHeaders: { strictTransportSecurity: 'max-age=1' } },
    reload: { mode: 'hot', debounceMs: 300 },
    nodes: { pairing: { autoApproveLocal: false, autoApproveCidrs: ['10.0.0.0/8'] } },
    tailscale: { mode: 'serve' },
    tools: { allow: ['a'], deny: ['b'] },
  },
  models: {
    providers: {
      local: {
        baseUrl: 'http://127.0.0.1:1234/v1',
        apiKey: 'k',
        apiKeyEnv: 'LOCAL_KEY',
        api: 'openai-completions',
        models: [{ id: 'm', name: 'M', contextWindow: 8192, maxTokens: 1024, compat: { requiresStringContent: true, supportsTools: false }, reasoning: false }],
      },
    },
  },
  agents: { defaults: { model: { primary: 'local/m', fallbacks: ['anthropic/x'] }, models: { 'anthropic/x': { params: { context1m: true } } } }, list: [{ id: 'main', anything: 1 }] },
  channels: { telegram: { botToken: 'x', dmPolicy: 'pairing' } },
  logging: { level: 'debug', maxFileBytes: 1024, maxFiles: 2 },
  meta: { createdAt: 'now', whatever: true },
  env: { vars: { A: 'b' } },
};

test('every key the seeds and the reference use is accepted', () => {
  const r = OpenClawConfigSchema.safeParse(everySeedKey);
  assert.equal(r.success, true, r.success ? '' : JSON.stringify(r.error.issues));
});

test('bind accepts the named modes and the HOST / HOST:PORT alias, nothing else', () => {
  for (const bind of ['loopback', 'lan', 'tailnet', 'auto', 'custom', '0.0.0.0:18790', '127.0.0.1:18789', '0.0.0.0', '[::1]:18789', 'my-host.local']) {
    assert.equal(OpenClawConfigSchema.safeParse({ gateway: { bind } }).success, true, bind);
  }
  for (const bind of ['', ' lan', 'a b', 'host:port']) assert.equal(OpenClawConfigSchema.safeParse({ gateway: { bind } }).success, false, bind);
});

test('unknown keys fail at the root and in gateway and providers; loose sections accept extras', () => {
  assert.equal(OpenClawConfigSchema.safeParse({ gatway: {} }).success, false);
  assert.equal(OpenClawConfigSchema.safeParse({ gateway: { prot: 1 } }).success, false);
  assert.equal(OpenClawConfigSchema.safeParse({ models: { providers: { p: { baseURL: 'x' } } } }).success, false);
  assert.equal(OpenClawConfigSchema.safeParse({ channels: { anything: { at: 'all' } }, meta: { x: 1 } }).success, true);
});

test('enums reject values outside the documented set', () => {
  assert.equal(OpenClawConfigSchema.safeParse({ gateway: { mode: 'public' } }).success, false);
  assert.equal(OpenClawConfigSchema.safeParse({ gateway: { auth: { mode: 'oauth' } } }).success, false);
  assert.equal(OpenClawConfigSchema.safeParse({ gateway: { port: 70000 } }).success, false);
});

test('the JSON Schema export describes the same keys', () => {
  const schema = configJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }>; additionalProperties?: unknown };
  assert.ok(schema.properties.gateway.properties?.websocket);
  assert.ok(schema.properties.$schema);
  assert.equal(schema.additionalProperties, false);
  assert.doesNotThrow(() => JSON.stringify(schema));
});

test('every described path names a schema node, and every top-level section has a description', () => {
  const schema = configJsonSchema() as { properties: Record<string, { description?: string }> };
  for (const path of Object.keys(SCHEMA_DESCRIPTIONS)) assert.ok(schemaNodesAt(schema, path).length > 0, `no schema node at ${path}`);
  for (const [key, node] of Object.entries(schema.properties)) if (key !== '$schema') assert.ok(node.description, `${key} has no description`);
  assert.match(String(schemaNodesAt(schema, 'models.providers.*.baseUrl')[0].description), /base URL/);
});

test('knownKeysAt walks objects, records and arrays', () => {
  assert.ok(knownKeysAt(['gateway']).includes('port'));
  assert.ok(knownKeysAt(['models', 'providers', 'anyId']).includes('baseUrl'));
  assert.ok(knownKeysAt(['models', 'providers', 'p', 'models', 0]).includes('compat'));
  assert.deepEqual(knownKeysAt(['gateway', 'port']), []);
});
