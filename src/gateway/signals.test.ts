// Issue 17 item 22, against a spawned `openclaw gateway run`: SIGHUP re-reads the config and keeps
// serving; SIGQUIT shuts down like SIGTERM (clients get 1001, the pid file goes, exit 0); SIGTERM
// ends an open /v1 SSE stream with an error chunk and `data: [DONE]` instead of cutting it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { gatewayRuns, localConfig, makeStateDir, GATEWAY_WAIT_MS } from '../testing/harness.js';
import { startFakeOpenAi } from '../models/testing/fake-openai.js';
import { TestClient } from './control-plane/test-support.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const { start } = gatewayRuns();
const fake = await startFakeOpenAi({ models: ['m'] });
after(() => fake.close());
const state = makeStateDir(
  localConfig(TOKEN, { models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } }, agents: { defaults: { model: 'local/m' } } }),
);
after(() => state.cleanup());

test('SIGHUP re-reads the config (and logs it); the gateway keeps serving', async () => {
  const { gw, port } = await start(state);
  try {
    gw.kill('SIGHUP');
    await gw.waitFor(/SIGHUP: re-reading .*openclaw\.json/, GATEWAY_WAIT_MS);
    await gw.waitFor(/config reloaded/, GATEWAY_WAIT_MS);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
  } finally {
    gw.kill('SIGKILL');
  }
});

test('SIGQUIT shuts down cleanly: clients get 1001, the pid file is removed, exit code 0', async () => {
  const { gw, port } = await start(state);
  const pidFile = path.join(state.dir, 'gateway.pid');
  assert.ok(fs.existsSync(pidFile));
  const client = await TestClient.open(`ws://127.0.0.1:${port}`);
  const hello = await client.connect({ token: TOKEN });
  assert.equal(hello.ok, true, JSON.stringify(hello.error));
  gw.kill('SIGQUIT');
  const closed = await client.closed;
  assert.equal(closed.code, 1001);
  const exit = await gw.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  assert.equal(fs.existsSync(pidFile), false);
});

test('SIGTERM ends an open /v1 SSE stream with an error chunk and data: [DONE]', async () => {
  fake.chunkDelayMs = 300;
  fake.reply = () => Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  const { gw, port } = await start(state);
  try {
    const body = JSON.stringify({ model: 'local/m', stream: true, messages: [{ role: 'user', content: 'talk for a while' }] });
    let text = '';
    const done = new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const first = !text.includes('data: ');
          text += d;
          // The stream is flowing: now stop the gateway under it.
          if (first && text.includes('"content":"word')) gw.kill('SIGTERM');
        });
        res.on('end', resolve);
        res.on('error', reject);
        res.on('aborted', () => reject(new Error(`stream cut; got:\n${text}`)));
      });
      req.on('error', (err) => reject(new Error(`${err.message}; got:\n${text}`)));
      req.end(body);
    });
    await done;
    const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
    assert.equal(events.at(-1), 'data: [DONE]', text);
    const error = JSON.parse(events.at(-2)!.slice('data: '.length));
    assert.match(error.error.message, /shutting down/);
    assert.equal(error.error.code, 'GOING_AWAY');
    assert.deepEqual(await gw.exited, { code: 0, signal: null });
  } finally {
    fake.chunkDelayMs = 0;
    gw.kill('SIGKILL');
  }
});
