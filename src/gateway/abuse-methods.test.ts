// Issue 17 item 23 (methods), against a spawned `openclaw gateway run`: sessions.reset/delete with
// an agent that does not exist are refused and create no agents/<id>/ directory; system-event takes
// upstream's closed set of params, so arbitrary extra fields never reach clients or the event log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gatewayRuns, localConfig, makeStateDir } from '../testing/harness.js';
import { TestClient } from './control-plane/test-support.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const { start } = gatewayRuns();
const state = makeStateDir(localConfig(TOKEN));
after(() => state.cleanup());

test('sessions.reset|delete with an unknown agent: AGENT_NOT_FOUND, no directory; system-event with extra params: INVALID_PARAMS', async () => {
  const { gw, port } = await start(state);
  const admin = await TestClient.open(`ws://127.0.0.1:${port}`);
  try {
    const hello = await admin.connect({ token: TOKEN, scopes: ['operator.admin', 'operator.read', 'operator.write'] });
    assert.equal(hello.ok, true, JSON.stringify(hello.error));
    const agentsDir = path.join(state.dir, 'agents');
    for (const [method, params] of [
      ['sessions.reset', { sessionKey: 'x', agentId: 'ghost' }],
      ['sessions.delete', { sessionKey: 'x', agentId: 'ghost2' }],
      ['sessions.delete', { sessionKey: 'agent:phantom:main' }],
      ['sessions.reset', { sessionKey: 'x', agentId: '../../escape' }],
    ] as const) {
      const res = await admin.request(method, params);
      assert.equal(res.ok, false, `${method} ${JSON.stringify(params)}: ${JSON.stringify(res)}`);
      assert.equal(res.error!.details.code, 'AGENT_NOT_FOUND');
    }
    for (const id of ['ghost', 'ghost2', 'phantom']) assert.equal(fs.existsSync(path.join(agentsDir, id)), false, `agents/${id} was created`);
    assert.equal(fs.existsSync(path.join(state.dir, '..', 'escape')), false);
    // The default agent still works.
    assert.equal((await admin.request('sessions.reset', { sessionKey: 'x' })).ok, true);

    const big = await admin.request('system-event', { text: 'hi', blob: 'x'.repeat(100_000) });
    assert.equal(big.ok, false);
    assert.equal(big.error!.details.code, 'INVALID_PARAMS');
    const ok = await admin.request('system-event', { text: 'hello', host: 'laptop', tags: ['a'] });
    assert.equal(ok.ok, true, JSON.stringify(ok.error));
    const event = await admin.next((f) => f.event === 'system-event');
    assert.equal(event.payload.text, 'hello');
    assert.equal(event.payload.blob, undefined);
    const log = fs.readdirSync(path.join(state.dir, 'replay')).map((f) => fs.readFileSync(path.join(state.dir, 'replay', f), 'utf8')).join('');
    assert.equal(log.includes('x'.repeat(1000)), false, 'the extra params reached the durable log');
  } finally {
    admin.close();
    gw.kill('SIGKILL');
  }
});
