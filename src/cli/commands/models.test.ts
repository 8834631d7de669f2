// `openclaw models status|list|scan` as real processes against the fake upstreams in this process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import JSON5 from 'json5';
import { after, before, describe, it } from 'node:test';
import { startModelsCliFixture, type ModelsCliFixture } from '../../models/testing/fixtures.js';
import type { FakeServerBase } from '../../models/testing/fake-openai.js';
import { makeStateDir, runCli, type StateDir } from '../../testing/harness.js';

let oa: FakeServerBase;
let an: FakeServerBase;
let state: StateDir;
let deadPort: number;
let fixture: ModelsCliFixture;

before(async () => {
  fixture = await startModelsCliFixture();
  ({ oa, an, deadPort, state } = fixture);
});
after(() => fixture.close());

describe('openclaw models status --json', () => {
  it('reports each provider: reachable, auth, models, latency, fix', async () => {
    const r = await runCli(['models', 'status', '--json'], { env: { ...state.env, TEST_ANT_KEY: 'sk-ant-wrong' } });
    assert.equal(r.code, 1, 'exit 1 when a provider is not ok');
    const out = JSON.parse(r.stdout);
    assert.equal(out.version, 1);
    assert.equal(out.ok, false);
    const by = Object.fromEntries(out.providers.map((p: any) => [p.provider, p]));
    assert.equal(by.local.reachable, true);
    assert.equal(by.local.authOk, true);
    assert.deepEqual(by.local.models, ['llama', 'strict']);
    assert.deepEqual(by.local.missingModels, ['not-pulled']);
    assert.equal(typeof by.local.latencyMs, 'number');
    assert.equal(by.ant.reachable, true);
    assert.equal(by.ant.authOk, false);
    assert.equal(by.ant.fix, 'export TEST_ANT_KEY=<valid key>  (then openclaw models status)');
    assert.doesNotMatch(r.stdout, /sk-ant-wrong/);
    assert.equal(by.dead.reachable, false);
    assert.match(by.dead.error, /unreachable/);
    assert.match(by.dead.fix, /models\.providers\.dead\.baseUrl/);
  });

  it('exits 0 when every provider answers', async () => {
    const ok = makeStateDir({ models: { providers: { local: { baseUrl: oa.baseUrl, models: [{ id: 'llama' }] } } } });
    try {
      const r = await runCli(['models', 'status', '--json'], { env: ok.env });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).ok, true);
    } finally {
      ok.cleanup();
    }
  });
});

describe('openclaw models list / scan', () => {
  it('list --json shows the configured models and the default', async () => {
    const out = JSON.parse((await runCli(['models', 'list', '--json'], { env: state.env })).stdout);
    const llama = out.models.find((m: any) => m.id === 'local/llama');
    assert.equal(llama.default, true);
    assert.deepEqual(out.models.find((m: any) => m.id === 'fixed/strict').compat, { requiresStringContent: true });
  });

  it('scan finds an OpenAI-compatible backend and env keys; --apply writes providers and a primary', async () => {
    const fresh = makeStateDir({ gateway: { mode: 'local' } });
    try {
      const args = ['models', 'scan', '--json', '--ollama-url', `http://127.0.0.1:${deadPort}`, '--lmstudio-url', `http://127.0.0.1:${oa.port}`];
      const env = { ...fresh.env, OPENAI_API_KEY: 'sk-scan-secret' };
      const r = await runCli(args, { env });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.deepEqual(out.found.map((f: any) => f.id), ['lmstudio', 'openai']);
      assert.deepEqual(out.found[0].models, ['llama', 'strict']);
      assert.equal(out.missing[0].id, 'ollama');
      assert.doesNotMatch(r.stdout, /sk-scan-secret/);
      const applied = await runCli([...args, '--apply'], { env });
      assert.equal(applied.code, 0, applied.stderr);
      const cfg = JSON5.parse(fs.readFileSync(fresh.configPath, 'utf8'));
      assert.equal(cfg.models.providers.lmstudio.baseUrl, `http://127.0.0.1:${oa.port}/v1`);
      assert.equal(cfg.models.providers.openai.apiKeyEnv, 'OPENAI_API_KEY');
      assert.equal(cfg.agents.defaults.model.primary, 'lmstudio/llama');
      assert.equal(cfg.gateway.mode, 'local');
      const infer = await runCli(['infer', 'model', 'run', '--model', 'lmstudio/llama', '--prompt', 'scanned'], { env });
      assert.equal(infer.stdout, 'echo: scanned\n');
    } finally {
      fresh.cleanup();
    }
  });
});
