import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, redactConfig } from './redact.js';

test('redacts tokens, passwords, API keys and secret env vars, and nothing else', () => {
  const config = {
    gateway: { mode: 'local', token: 'legacy', auth: { mode: 'token', token: 'tok', password: 'pw' }, remote: { token: 'rt', url: 'ws://x' } },
    models: { providers: { p: { apiKey: 'sk-1', apiKeyEnv: 'P_KEY', models: [{ id: 'm', maxTokens: 100 }] } } },
    channels: { telegram: { botToken: 'bt', clientSecret: 'cs' } },
    env: { vars: { OPENAI_API_KEY: 'sk-2', PATH_HINT: '/usr/bin' } },
  };
  const out = redactConfig(config);
  assert.equal(out.gateway.token, REDACTED);
  assert.equal(out.gateway.auth.token, REDACTED);
  assert.equal(out.gateway.auth.password, REDACTED);
  assert.equal(out.gateway.auth.mode, 'token');
  assert.equal(out.gateway.remote.token, REDACTED);
  assert.equal(out.gateway.remote.url, 'ws://x');
  assert.equal(out.models.providers.p.apiKey, REDACTED);
  assert.equal(out.models.providers.p.apiKeyEnv, 'P_KEY');
  assert.equal(out.models.providers.p.models[0].maxTokens, 100);
  assert.equal(out.channels.telegram.botToken, REDACTED);
  assert.equal(out.channels.telegram.clientSecret, REDACTED);
  assert.equal(out.env.vars.OPENAI_API_KEY, REDACTED);
  assert.equal(out.env.vars.PATH_HINT, '/usr/bin');
  assert.equal(config.gateway.auth.token, 'tok', 'the input is not modified');
  assert.ok(!JSON.stringify(out).includes('sk-'));
});
