import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { makeStateDir, runCli, type StateDir } from '../testing/harness.js';
import { substituteConfigEnv, substituteString } from './env-substitution.js';
import { ConfigError, loadConfig, parseConfigText } from './load.js';

test('uppercase ${VAR} is replaced; $${VAR} is the literal; other dollar forms stay as written', () => {
  const env = { HOST: 'gw.example', PORT_1: '8443', _X: 'x' };
  assert.deepEqual(substituteString('https://${HOST}:${PORT_1}/${_X}', env), { text: 'https://gw.example:8443/x', missing: [] });
  assert.deepEqual(substituteString('$${HOST} and $$${HOST}', env), { text: '${HOST} and $${HOST}', missing: [] });
  for (const kept of ['${host}', '$HOST', '${HOST', '${}', '${1HOST}', '${HO-ST}', 'plain']) assert.deepEqual(substituteString(kept, env), { text: kept, missing: [] });
});

test('unset and empty variables are reported once each, by name', () => {
  assert.deepEqual(substituteString('${A}${B}${A}', { B: '' }).missing, ['A', 'B']);
});

test('only string values are substituted, at any depth, keys untouched; the input is not changed', () => {
  const doc = { gateway: { publicOrigin: 'https://${HOST}', port: 18789, trustedProxies: ['${PROXY}', '10.0.0.1'] }, '${HOST}': true };
  const r = substituteConfigEnv(doc, { HOST: 'h', PROXY: '127.0.0.1' });
  assert.deepEqual(r, { ok: true, value: { gateway: { publicOrigin: 'https://h', port: 18789, trustedProxies: ['127.0.0.1', '10.0.0.1'] }, '${HOST}': true } });
  assert.equal(doc.gateway.publicOrigin, 'https://${HOST}');
});

test('a missing variable is an issue naming the key path and the variable, with the fix', () => {
  const r = substituteConfigEnv({ models: { providers: { openai: { apiKey: '${OPENAI_API_KEY}' } } }, gateway: { trustedProxies: ['${PROXY}'] } }, {});
  assert.equal(r.ok, false);
  const issues = r.ok ? [] : r.issues;
  assert.deepEqual(issues.map((i) => i.text), [
    'models.providers.openai.apiKey: references ${OPENAI_API_KEY}, but OPENAI_API_KEY is not set',
    'gateway.trustedProxies[0]: references ${PROXY}, but PROXY is not set',
  ]);
  assert.match(issues[0].fix, /^export OPENAI_API_KEY=<value> .*openclaw config set models\.providers\.openai\.apiKey <value>$/);
});

test('config env.vars fill variables the process env does not set, never override one it does', () => {
  const doc = { env: { vars: { HOST: 'from-config', OTHER: 'o' } }, gateway: { publicOrigin: 'https://${HOST}/${OTHER}' } };
  const r = substituteConfigEnv(doc, { HOST: 'from-env', OTHER: '' });
  assert.equal(r.ok && (r.value as typeof doc).gateway.publicOrigin, 'https://from-env/o');
});

test('parseConfigText substitutes before the schema; a missing variable fails it with a 78 ConfigError from loadConfig', () => {
  const text = '{ gateway: { mode: "local", publicOrigin: "https://${GW_HOST}" } }';
  const ok = parseConfigText(text, '/x/openclaw.json', { GW_HOST: 'gw.example' });
  assert.equal(ok.ok && ok.config.gateway?.publicOrigin, 'https://gw.example');
  const missing = parseConfigText(text, '/x/openclaw.json', {});
  assert.equal(!missing.ok && missing.problem, 'gateway.publicOrigin: references ${GW_HOST}, but GW_HOST is not set');

  const state = makeStateDir(text);
  try {
    assert.throws(() => loadConfig(state.configPath, {}), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.exitCode, 78);
      assert.match(err.message, /gateway\.publicOrigin: references \$\{GW_HOST\}, but GW_HOST is not set/);
      assert.match(err.fix, /^export GW_HOST=<value>/);
      return true;
    });
    assert.equal(loadConfig(state.configPath, { GW_HOST: 'h' }).config.gateway?.publicOrigin, 'https://h');
  } finally {
    state.cleanup();
  }
});

// Through the real CLI: the model call uses the substituted baseUrl and key; config readers and
// writers keep the `${VAR}` text.
let fake: FakeServerBase;
let state: StateDir;
const KEY = 'sk-from-env-0123456789';

before(async () => {
  fake = await startFakeOpenAi({ apiKey: KEY, models: ['m'] });
  state = makeStateDir({
    models: { providers: { local: { baseUrl: '${FAKE_BASE_URL}', apiKey: '${FAKE_API_KEY}', models: [{ id: 'm' }] } } },
    agents: { defaults: { model: 'local/m' } },
    gateway: { mode: 'local', publicOrigin: 'https://$${NOT_SUBSTITUTED}' },
  });
});
after(async () => {
  await fake.close();
  state.cleanup();
});

function without(env: NodeJS.ProcessEnv, name: string): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy[name];
  return copy;
}

test('CLI: a model call uses ${VAR} values from the env; without them it exits 78 naming path and variable', async () => {
  const env = { ...state.env, FAKE_BASE_URL: fake.baseUrl, FAKE_API_KEY: KEY };
  const ok = await runCli(['infer', 'model', 'run', '--model', 'local/m', '--prompt', 'hi'], { env });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'echo: hi\n');

  const missing = await runCli(['infer', 'model', 'run', '--model', 'local/m', '--prompt', 'hi'], { env: without(env, 'FAKE_API_KEY') });
  assert.equal(missing.code, 78, missing.stderr);
  assert.match(missing.stderr, /models\.providers\.local\.apiKey: references \$\{FAKE_API_KEY\}, but FAKE_API_KEY is not set/);
  assert.match(missing.stderr, /export FAKE_API_KEY=<value>/);
});

test('CLI: config get shows the raw ${VAR}; config set keeps every ${VAR} and $${VAR} in the file verbatim', async () => {
  const env = { ...state.env, FAKE_BASE_URL: fake.baseUrl, FAKE_API_KEY: KEY };
  const get = await runCli(['config', 'get', 'models.providers.local', '--json', '--show-secrets'], { env });
  assert.equal(get.code, 0, get.stderr);
  assert.deepEqual(JSON.parse(get.stdout), { baseUrl: '${FAKE_BASE_URL}', apiKey: '${FAKE_API_KEY}', models: [{ id: 'm' }] });

  const set = await runCli(['config', 'set', 'gateway.port', '18790'], { env });
  assert.equal(set.code, 0, set.stderr);
  const written = JSON.parse(fs.readFileSync(state.configPath, 'utf8'));
  assert.equal(written.gateway.port, 18790);
  assert.equal(written.models.providers.local.baseUrl, '${FAKE_BASE_URL}');
  assert.equal(written.models.providers.local.apiKey, '${FAKE_API_KEY}');
  assert.equal(written.gateway.publicOrigin, 'https://$${NOT_SUBSTITUTED}');

  const unset = await runCli(['config', 'unset', 'gateway.port'], { env: without(env, 'FAKE_API_KEY') });
  assert.equal(unset.code, 0, unset.stderr);
  assert.equal(JSON.parse(fs.readFileSync(state.configPath, 'utf8')).models.providers.local.apiKey, '${FAKE_API_KEY}');
});
