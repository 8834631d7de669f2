// Property-based fuzzing of hostile frames: before connect the server answers nothing but one
// rejection and a close; after hello it answers every frame without closing; it never crashes and
// keeps serving a well-behaved client throughout.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { connectClient, makeDevice, startTestGateway, TestClient, TEST_TOKEN, type TestGateway } from './test-support.js';

let gw: TestGateway;
let witness: TestClient;
before(async () => {
  gw = await startTestGateway();
  const c = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice() });
  assert.equal(c.res.ok, true);
  witness = c.client;
});
after(async () => {
  witness.close();
  await gw.close();
});

const method = fc.oneof(fc.constantFrom('connect', 'health', 'config.get', '', '__proto__', 'constructor', 'device.pair.approve'), fc.string());
const connectish = fc.record(
  {
    minProtocol: fc.oneof(fc.integer(), fc.double(), fc.string()),
    maxProtocol: fc.oneof(fc.integer(), fc.constant(4)),
    client: fc.oneof(fc.anything(), fc.record({ id: fc.constantFrom('cli', 'openclaw-control-ui', 'x'), version: fc.string(), platform: fc.string(), mode: fc.constantFrom('cli', 'ui', 'y') })),
    role: fc.oneof(fc.constantFrom('operator', 'node', 'worker', 'admin'), fc.string()),
    scopes: fc.array(fc.string()),
    auth: fc.oneof(fc.anything(), fc.record({ token: fc.string(), deviceToken: fc.string(), bootstrapToken: fc.string() }, { requiredKeys: [] })),
    device: fc.oneof(fc.anything(), fc.record({ id: fc.string(), publicKey: fc.string(), signature: fc.string(), signedAt: fc.integer(), nonce: fc.string() })),
    resume: fc.anything(),
  },
  { requiredKeys: [] },
);
const structured = fc.record(
  {
    type: fc.oneof(fc.constantFrom('req', 'res', 'event'), fc.string()),
    id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    method,
    params: fc.oneof(connectish, fc.anything()),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);
const hostileFrame = fc.oneof(
  fc.string(),
  fc.json(),
  structured.map((o) => JSON.stringify(o)),
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  fc.constantFrom('{"type":"req","id":"1","method":"connect","params":{"__proto__":{"polluted":true}}}', '{"type":"req"', 'null', '1e999', '"'.repeat(1000)),
);

async function witnessStillServes(): Promise<void> {
  const r = await witness.request('health');
  assert.equal(r.ok, true, 'the server keeps serving other clients');
}

test('before connect: only a rejection, then a close — for any first frame', async () => {
  await fc.assert(
    fc.asyncProperty(hostileFrame, async (frame) => {
      const client = await TestClient.open(gw.url);
      await client.challenge();
      client.ws.send(frame);
      const closed = await client.closed;
      assert.ok([1002, 1008, 1009].includes(closed.code), `unexpected close ${closed.code} ${closed.reason}`);
      const others = client.frames.filter((f) => !(f.type === 'event' && f.event === 'connect.challenge'));
      assert.ok(others.length <= 1, `more than one answer: ${JSON.stringify(others)}`);
      for (const f of others) {
        assert.equal(f.type, 'res');
        assert.equal(f.ok, false);
        assert.equal(typeof f.error?.details?.code, 'string');
      }
    }),
    { numRuns: 150 },
  );
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
  await witnessStillServes();
});

test('after hello: every hostile frame gets at most one answer and the socket stays open', async () => {
  const { client, res } = await connectClient(gw.url, { token: TEST_TOKEN, device: makeDevice(), scopes: ['operator.read'] });
  assert.equal(res.ok, true);
  await fc.assert(
    fc.asyncProperty(fc.array(hostileFrame, { maxLength: 5 }), async (frames) => {
      for (const f of frames) client.ws.send(f);
      const probe = await client.request('health');
      assert.equal(probe.ok, true);
    }),
    { numRuns: 100 },
  );
  assert.equal(client.ws.readyState, client.ws.OPEN);
  assert.ok(client.frames.filter((f) => f.type === 'res').every((f) => f.ok === true || typeof f.error?.details?.code === 'string' || typeof f.error?.code === 'string'));
  client.close();
  await witnessStillServes();
});
