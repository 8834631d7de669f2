// Upstreams and state dirs that several model tests share: the `openclaw models …` / `infer` CLI
// setup (a fake OpenAI server with a model that rejects array content, a fake Anthropic server behind
// an API key, a provider with a compat fix, one whose port nothing listens on) and a one-model setup.
import { freePort, makeStateDir, type StateDir } from '../../testing/harness.js';
import { startFakeAnthropic } from './fake-anthropic.js';
import { startFakeOpenAi, type FakeServerBase } from './fake-openai.js';

export interface ModelsCliFixture {
  oa: FakeServerBase;
  an: FakeServerBase;
  state: StateDir;
  deadPort: number;
  close(): Promise<void>;
}

/** Providers: local (openai: strict, llama, not-pulled), fixed (strict with requiresStringContent), ant (anthropic, key in TEST_ANT_KEY), dead. */
export async function startModelsCliFixture(): Promise<ModelsCliFixture> {
  const oa = await startFakeOpenAi({ models: ['llama', 'strict'] });
  const an = await startFakeAnthropic({ apiKey: 'sk-ant-right', models: ['claude-x'] });
  oa.behave('strict', 'reject_array_content');
  const deadPort = await freePort();
  const state = makeStateDir({
    models: {
      providers: {
        local: { baseUrl: oa.baseUrl, models: [{ id: 'strict' }, { id: 'llama' }, { id: 'not-pulled' }] },
        fixed: { baseUrl: oa.baseUrl, models: [{ id: 'strict', compat: { requiresStringContent: true } }] },
        ant: { baseUrl: an.baseUrl, api: 'anthropic-messages', apiKeyEnv: 'TEST_ANT_KEY', models: [{ id: 'claude-x' }] },
        dead: { baseUrl: `http://127.0.0.1:${deadPort}/v1`, models: [{ id: 'm' }] },
      },
    },
    agents: { defaults: { model: 'local/llama' } },
  });
  return {
    oa, an, state, deadPort,
    async close() {
      await oa.close();
      await an.close();
      state.cleanup();
    },
  };
}

/** One fake OpenAI upstream serving model `m`, the default model of a fresh state dir (`local/m`). */
export async function startOneModelFixture(): Promise<{ fake: FakeServerBase; state: StateDir; close(): Promise<void> }> {
  const fake = await startFakeOpenAi({ models: ['m'] });
  const state = makeStateDir({ models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } }, agents: { defaults: { model: 'local/m' } } });
  return {
    fake, state,
    async close() {
      await fake.close();
      state.cleanup();
    },
  };
}
