import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { freePort, makeStateDir } from '../testing/harness.js';
import { describeFirstRunModels, runFirstRunWithModels } from './first-run.js';
import { scanTargetsFromEnv } from './scan.js';
import { startFakeOpenAi } from './testing/fake-openai.js';
import type { FakeServerBase } from './testing/fake-common.js';

describe('scanTargetsFromEnv', () => {
  it('reads OLLAMA_HOST the way Ollama does: host, host:port, :port or a URL; a wildcard bind means this machine', () => {
    const ollama = (v: string | undefined) => scanTargetsFromEnv({ OLLAMA_HOST: v }).ollamaUrl;
    assert.equal(ollama(undefined), 'http://127.0.0.1:11434');
    assert.equal(ollama(''), 'http://127.0.0.1:11434');
    assert.equal(ollama('gpu-box'), 'http://gpu-box:11434');
    assert.equal(ollama('10.0.0.5:8080'), 'http://10.0.0.5:8080');
    assert.equal(ollama(':11500'), 'http://127.0.0.1:11500');
    assert.equal(ollama('0.0.0.0'), 'http://127.0.0.1:11434');
    assert.equal(ollama('[::]:11434'), 'http://127.0.0.1:11434');
    assert.equal(ollama('https://ollama.example.com/'), 'https://ollama.example.com');
    assert.equal(ollama('http://[::1]:11434'), 'http://[::1]:11434');
    assert.equal(ollama('not a host'), 'http://127.0.0.1:11434');
    assert.equal(scanTargetsFromEnv({}).lmStudioUrl, 'http://127.0.0.1:1234');
  });
});

describe('first-run setup with model backends', () => {
  let ollama: FakeServerBase;
  let lmstudio: FakeServerBase;
  let dead: string;
  before(async () => {
    ollama = await startFakeOpenAi({ ollama: true, models: ['llama3.2:3b', 'qwen2.5:7b'] });
    // an LM Studio whose list has junk entries: only usable ids are taken
    lmstudio = await startFakeOpenAi({ models: ['qwen2.5-7b-instruct', '', 'qwen2.5-7b-instruct'] });
    dead = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await ollama.close();
    await lmstudio.close();
  });

  it('writes the backends that answer and a primary model; keys in the env become apiKeyEnv, never the key', async () => {
    const s = makeStateDir();
    try {
      const env = { ...s.env, OLLAMA_HOST: `127.0.0.1:${ollama.port}`, ANTHROPIC_API_KEY: 'sk-ant-first-run-secret' };
      const r = await runFirstRunWithModels(env, { targets: { lmStudioUrl: `http://127.0.0.1:${lmstudio.port}` } });
      assert.equal(r.created, true);
      assert.equal(r.primary, 'ollama/llama3.2:3b');
      const raw = fs.readFileSync(s.configPath, 'utf8');
      assert.doesNotMatch(raw, /sk-ant-first-run-secret/);
      const cfg = JSON.parse(raw);
      assert.equal(cfg.gateway.mode, 'local');
      assert.match(cfg.gateway.auth.token, /^\S{43}$/);
      assert.deepEqual(cfg.models.providers.ollama, { baseUrl: `http://127.0.0.1:${ollama.port}/v1`, api: 'openai-completions', models: [{ id: 'llama3.2:3b' }, { id: 'qwen2.5:7b' }] });
      assert.deepEqual(cfg.models.providers.lmstudio.models, [{ id: 'qwen2.5-7b-instruct' }]);
      assert.deepEqual(cfg.models.providers.anthropic, { api: 'anthropic-messages', apiKeyEnv: 'ANTHROPIC_API_KEY', models: [{ id: 'claude-sonnet-4-5' }] });
      assert.deepEqual(cfg.agents.defaults.model, { primary: 'ollama/llama3.2:3b' });
      assert.equal(fs.statSync(s.configPath).mode & 0o777, 0o600);
      assert.ok(ollama.requests.some((q) => q.path === '/api/tags'), 'Ollama was asked through its own API');
      assert.equal(describeFirstRunModels(r), `Models: added ollama (http://127.0.0.1:${ollama.port}, 2 models), lmstudio (http://127.0.0.1:${lmstudio.port}, 1 model), anthropic (ANTHROPIC_API_KEY); primary model ollama/llama3.2:3b; check with: openclaw models status`);
    } finally {
      s.cleanup();
    }
  });

  it('nothing answering: the plain first-run config, and a line that says how to add a backend later', async () => {
    const s = makeStateDir();
    try {
      const r = await runFirstRunWithModels(s.env, { targets: { ollamaUrl: dead, lmStudioUrl: dead } });
      assert.equal(r.created, true);
      const cfg = JSON.parse(fs.readFileSync(s.configPath, 'utf8'));
      assert.equal(cfg.models, undefined);
      assert.equal(cfg.agents, undefined);
      assert.equal(describeFirstRunModels(r), `Models: none found: no answer from Ollama (${dead}) or LM Studio (${dead}), and neither OPENAI_API_KEY nor ANTHROPIC_API_KEY is set. Add one later with: openclaw models scan --apply`);
    } finally {
      s.cleanup();
    }
  });

  it('an existing config is neither scanned for nor touched; scan:false asks no backend', async () => {
    const s = makeStateDir({ gateway: { mode: 'local' } });
    try {
      const before = fs.readFileSync(s.configPath, 'utf8');
      const asked = ollama.requests.length;
      const env = { ...s.env, OLLAMA_HOST: `127.0.0.1:${ollama.port}` };
      const r = await runFirstRunWithModels(env);
      assert.deepEqual(r, { created: false, configPath: s.configPath });
      assert.equal(describeFirstRunModels(r), undefined);
      assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);
      fs.rmSync(s.configPath);
      const plain = await runFirstRunWithModels(env, { scan: false });
      assert.equal(plain.created, true);
      assert.equal(JSON.parse(fs.readFileSync(s.configPath, 'utf8')).models, undefined);
      assert.equal(ollama.requests.length, asked, 'no request reached the backend');
    } finally {
      s.cleanup();
    }
  });
});
