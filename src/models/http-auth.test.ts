// /v1 in trusted-proxy mode (reference §9.2): a configured proxy's identity headers authenticate,
// `x-openclaw-scopes` narrows what the caller may do, and each refusal says why.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeStateDir, type StateDir } from '../testing/harness.js';
import { requestedScopes } from './http-auth.js';
import { startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';
import { startV1Server } from './testing/services.js';

let fake: FakeServerBase;
let state: StateDir;
let v1: Awaited<ReturnType<typeof startV1Server>>;

const config = (trustedProxies: string[]) => ({
  gateway: { mode: 'local', trustedProxies, auth: { mode: 'trusted-proxy', trustedProxy: { userHeader: 'x-forwarded-user', allowLoopback: true } } },
  models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
  agents: { defaults: { model: 'local/m' } },
});

before(async () => {
  fake = await startFakeOpenAi({ models: ['m'] });
  state = makeStateDir();
  state.writeConfig(config(['127.0.0.1']));
  v1 = await startV1Server(state);
});
after(async () => {
  await v1.close();
  await fake.close();
  state.cleanup();
});

const chat = (headers: Record<string, string>) =>
  fetch(`${v1.base}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: 'local/m', messages: [{ role: 'user', content: 'via proxy' }] }) });

describe('/v1 behind a trusted proxy', () => {
  it('the proxy\'s user header authenticates; the answer comes from the model', async () => {
    const res = await chat({ 'x-forwarded-user': 'alice@example.com' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as any).choices[0].message.content, 'echo: via proxy');
  });

  it('without the user header: 401 naming the missing header and the fix', async () => {
    const res = await chat({});
    assert.equal(res.status, 401);
    const body = (await res.json()) as any;
    assert.equal(body.error.message, 'unauthorized: trusted proxy request is missing the user header x-forwarded-user');
    assert.match(body.error.fix, /gateway\.trustedProxies/);
  });

  it('x-openclaw-scopes narrows the caller: read-only may list models but not run completions', async () => {
    const headers = { 'x-forwarded-user': 'bob', 'x-openclaw-scopes': 'operator.read' };
    assert.equal((await fetch(`${v1.base}/v1/models`, { headers })).status, 200);
    assert.equal((await chat(headers)).status, 403);
  });

  it('a request from a source that is not a configured proxy is refused', async () => {
    state.writeConfig(config(['10.9.8.7']));
    try {
      const res = await chat({ 'x-forwarded-user': 'mallory' });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as any).error.message, 'unauthorized: trusted proxy rejected an untrusted source');
    } finally {
      state.writeConfig(config(['127.0.0.1']));
    }
  });
});

describe('requestedScopes', () => {
  it('keeps the known operator scopes asked for; no header means the full set', () => {
    assert.deepEqual(requestedScopes('operator.read, operator.write'), ['operator.read', 'operator.write']);
    assert.deepEqual(requestedScopes('operator.read operator.bogus'), ['operator.read']);
    assert.deepEqual(requestedScopes(['operator.write']), ['operator.write']);
    assert.ok(requestedScopes(undefined).includes('operator.admin'));
    assert.ok(requestedScopes('  ').includes('operator.admin'));
  });
});
