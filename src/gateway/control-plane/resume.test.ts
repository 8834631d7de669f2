// Resume without loss (resume-protocol.md): a subscriber whose socket is cut, or whose gateway
// restarts on the same state dir, ends with every event exactly once and in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { makeStateDir } from '../../testing/harness.js';
import { connectClient, makeDevice, startTestGateway, TEST_TOKEN, type Frame, type TestClient } from './test-support.js';
import type { MethodDef } from '../methods/types.js';

const texts = (frames: Frame[]) => frames.filter((f) => f.event === 'system-event').map((f) => f.payload.text as string);

async function emit(admin: TestClient, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) {
    const r = await admin.request('system-event', { text: `e${i}` });
    assert.equal(r.ok, true, JSON.stringify(r.error));
  }
}

test('non-resume clients get a gap-free per-connection seq and no resume field', async () => {
  const gw = await startTestGateway();
  try {
    const admin = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() })).client;
    const plain = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() });
    assert.equal(plain.res.payload.resume, undefined);
    await emit(admin, 1, 5);
    await plain.client.request('health');
    const seqs = plain.client.frames.filter((f) => f.type === 'event' && f.seq !== undefined).map((f) => f.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    admin.close();
    plain.client.close();
  } finally {
    await gw.close();
  }
});

test('a subscriber whose socket is cut mid-stream resumes and sees every event exactly once, in order', async () => {
  const gw = await startTestGateway();
  try {
    const admin = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() })).client;
    const device = makeDevice();
    const first = await connectClient(gw.url, { token: TEST_TOKEN, device, caps: ['resume'] });
    const { sessionId, cursor, replayed } = first.res.payload.resume;
    assert.equal(typeof sessionId, 'string');
    assert.equal(replayed, 0);

    const total = 120;
    const producing = emit(admin, 1, total);
    await first.client.next((f) => f.event === 'system-event' && f.payload.text === 'e30', 0, 10_000);
    first.client.ws.terminate(); // the network drops: no close handshake
    const seen = first.client.frames.filter((f) => f.event === 'system-event');
    const lastSeq = seen[seen.length - 1].seq!;
    assert.ok(lastSeq > cursor);

    const second = await connectClient(gw.url, { token: TEST_TOKEN, device, caps: ['resume'], resume: { sessionId, lastSeq } });
    assert.equal(second.res.ok, true, JSON.stringify(second.res.error));
    assert.equal(second.res.payload.resume.sessionId, sessionId);
    await producing;
    await second.client.next((f) => f.event === 'system-event' && f.payload.text === `e${total}`, 0, 10_000);

    const after = second.client.frames.filter((f) => f.event === 'system-event');
    assert.ok(after.every((f) => f.seq! > lastSeq), 'nothing at or below lastSeq is sent again');
    assert.equal(second.res.payload.resume.replayed, after.filter((f) => f.seq! <= second.res.payload.resume.cursor).length);
    const all = [...texts(seen), ...texts(after)];
    assert.deepEqual(all, Array.from({ length: total }, (_, i) => `e${i + 1}`));
    const seqs = [...seen, ...after].map((f) => f.seq!);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'seq increases');
    admin.close();
    second.client.close();
  } finally {
    await gw.close();
  }
});

test('events older than the kept window are announced with resume.gap before the replay', async () => {
  const gw = await startTestGateway({ eventLogMax: 5 });
  try {
    const admin = (await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() })).client;
    const device = makeDevice();
    const first = await connectClient(gw.url, { token: TEST_TOKEN, device, caps: ['resume'] });
    const { sessionId, cursor } = first.res.payload.resume;
    first.client.close();
    await first.client.closed;
    await emit(admin, 1, 20);
    const again = await connectClient(gw.url, { token: TEST_TOKEN, device, caps: ['resume'], resume: { sessionId, lastSeq: cursor } });
    assert.equal(again.res.payload.resume.replayed, 5);
    await again.client.next((f) => f.event === 'system-event' && f.payload.text === 'e20');
    const gap = again.client.events('resume.gap')[0];
    assert.deepEqual(gap.payload, { fromSeq: cursor + 1, toSeq: cursor + 15 });
    const gapIndex = again.client.frames.indexOf(gap);
    assert.ok(again.client.frames.findIndex((f) => f.event === 'system-event') > gapIndex, 'gap comes first');
    assert.deepEqual(texts(again.client.frames), ['e16', 'e17', 'e18', 'e19', 'e20']);

    const stranger = await connectClient(gw.url, { token: TEST_TOKEN, device, caps: ['resume'], resume: { sessionId: 'another-log', lastSeq: 3 } });
    const changed = await stranger.client.next((f) => f.event === 'resume.gap');
    assert.equal(changed.payload.sessionChanged, true);
    assert.equal(stranger.res.payload.resume.replayed, 0);
    admin.close();
    again.client.close();
    stranger.client.close();
  } finally {
    await gw.close();
  }
});

test('the log and idempotency survive a control-plane restart on the same state dir', async () => {
  const state = makeStateDir();
  let runs = 0;
  const charge: MethodDef = {
    name: 'test.charge',
    scope: 'operator.write',
    sideEffect: true,
    params: z.object({ idempotencyKey: z.string() }),
    handler: () => ({ charge: ++runs }),
  };
  const device = makeDevice();
  const adminDevice = makeDevice();
  let sessionId: string;
  let lastSeq: number;
  const gw1 = await startTestGateway({ state, extraMethods: [charge] });
  try {
    const admin = (await connectClient(gw1.url, { token: TEST_TOKEN, device: adminDevice })).client;
    const sub = await connectClient(gw1.url, { token: TEST_TOKEN, device, caps: ['resume'] });
    await emit(admin, 1, 3);
    const seen = await sub.client.next((f) => f.event === 'system-event' && f.payload.text === 'e3');
    sessionId = sub.res.payload.resume.sessionId;
    lastSeq = seen.seq!;
    assert.deepEqual((await admin.request('test.charge', { idempotencyKey: 'pay-1' })).payload, { charge: 1 });
    sub.client.ws.terminate();
    await emit(admin, 4, 6); // sent while the subscriber is away, then the gateway goes down
    admin.close();
  } finally {
    await gw1.close();
  }
  const gw2 = await startTestGateway({ state, extraMethods: [charge] });
  try {
    const sub = await connectClient(gw2.url, { token: TEST_TOKEN, device, caps: ['resume'], resume: { sessionId, lastSeq } });
    assert.equal(sub.res.ok, true, JSON.stringify(sub.res.error));
    assert.equal(sub.res.payload.resume.sessionId, sessionId, 'same log after restart');
    assert.equal(sub.res.payload.resume.replayed, 3);
    await sub.client.next((f) => f.event === 'system-event' && f.payload.text === 'e6');
    assert.deepEqual(texts(sub.client.frames), ['e4', 'e5', 'e6']);

    const admin = (await connectClient(gw2.url, { token: TEST_TOKEN, device: adminDevice })).client;
    await emit(admin, 7, 7);
    const e7 = await sub.client.next((f) => f.event === 'system-event' && f.payload.text === 'e7');
    assert.ok(e7.seq! > lastSeq + 3, 'ids continue across restarts');
    const retried = await admin.request('test.charge', { idempotencyKey: 'pay-1' });
    assert.deepEqual(retried.payload, { charge: 1 });
    assert.equal(runs, 1, 'the retried charge did not run again');
    admin.close();
    sub.client.close();
  } finally {
    await gw2.close();
    state.cleanup();
  }
});
