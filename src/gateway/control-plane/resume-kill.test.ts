// Resume across `kill -9` of the real gateway process: events a subscriber missed while away are
// replayed exactly once by the restarted gateway, and an idempotent request retried after the
// crash does not run (or broadcast) again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, localConfig, makeStateDir, spawnCli, type GatewayProcess } from '../../testing/harness.js';
import { connectClient, makeDevice, TEST_TOKEN, type TestClient } from './test-support.js';

async function startGateway(port: number, env: NodeJS.ProcessEnv): Promise<GatewayProcess> {
  const gw = spawnCli(['gateway', 'run', '--port', String(port)], { env: { ...env, OPENCLAW_GATEWAY_PORT: String(port) } });
  await gw.waitFor(new RegExp(`\\[gateway\\] listening on ws://127\\.0\\.0\\.1:${port} `), 15_000);
  return gw;
}

const texts = (c: TestClient) => c.frames.filter((f) => f.event === 'system-event').map((f) => f.payload.text as string);

test('kill -9 and restart on the same state dir: the subscriber resumes with every event exactly once', async () => {
  const state = makeStateDir(localConfig(TEST_TOKEN));
  const port = await freePort();
  const url = `ws://127.0.0.1:${port}`;
  const adminDevice = makeDevice();
  const subDevice = makeDevice();
  let gw = await startGateway(port, state.env);
  try {
    const admin = (await connectClient(url, { token: TEST_TOKEN, device: adminDevice })).client;
    const sub = await connectClient(url, { token: TEST_TOKEN, device: subDevice, caps: ['resume'] });
    assert.equal(sub.res.ok, true, JSON.stringify(sub.res.error));
    const { sessionId } = sub.res.payload.resume;
    for (const text of ['e1', 'e2']) assert.equal((await admin.request('system-event', { text })).ok, true);
    const e2 = await sub.client.next((f) => f.event === 'system-event' && f.payload.text === 'e2');
    sub.client.ws.terminate();
    await sub.client.closed;

    for (const text of ['e3', 'e4']) assert.equal((await admin.request('system-event', { text })).ok, true);
    const once = await admin.request('system-event', { text: 'e5', idempotencyKey: 'once-1' });
    assert.equal(once.ok, true);
    gw.kill('SIGKILL');
    assert.equal((await gw.exited).signal, 'SIGKILL');
    admin.close();

    gw = await startGateway(port, state.env);
    const back = await connectClient(url, { token: TEST_TOKEN, device: subDevice, caps: ['resume'], resume: { sessionId, lastSeq: e2.seq! } });
    assert.equal(back.res.ok, true, JSON.stringify(back.res.error));
    assert.equal(back.res.payload.resume.sessionId, sessionId);
    assert.equal(back.res.payload.resume.replayed, 3);
    await back.client.next((f) => f.event === 'system-event' && f.payload.text === 'e5');

    const admin2 = (await connectClient(url, { token: TEST_TOKEN, device: adminDevice })).client;
    const retried = await admin2.request('system-event', { text: 'e5', idempotencyKey: 'once-1' });
    assert.deepEqual(retried.payload, once.payload, 'the retry gets the first result');
    assert.equal((await admin2.request('system-event', { text: 'e6' })).ok, true);
    await back.client.next((f) => f.event === 'system-event' && f.payload.text === 'e6');
    assert.deepEqual(texts(back.client), ['e3', 'e4', 'e5', 'e6'], 'replayed once, e5 not re-run, live continues');
    const seqs = back.client.frames.filter((f) => f.event === 'system-event').map((f) => f.seq!);
    assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]) && seqs[0] > e2.seq!);
    admin2.close();
    back.client.close();
  } finally {
    gw.kill('SIGKILL');
    await gw.exited;
    state.cleanup();
  }
});
