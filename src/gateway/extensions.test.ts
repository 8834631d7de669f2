// The /v1 API and WebSocket connects share the gateway's failed-auth limiters: wrong secrets sent
// over either transport spend one budget per client (real sockets, loopback not exempt here).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { connectClient, configWith, startTestGateway, TEST_TOKEN, type TestGateway } from './control-plane/test-support.js';
import { loadExtensions, type GatewayExtensions } from './extensions.js';

const MAX_ATTEMPTS = 3;

/** A control plane plus the /v1 handler loadExtensions builds for the same gateway services. */
async function startGatewayWithV1(): Promise<{ gw: TestGateway; v1: string; close(): Promise<void> }> {
  const gw = await startTestGateway({ config: configWith({ auth: { rateLimit: { maxAttempts: MAX_ATTEMPTS, exemptLoopback: false } } }) });
  const ext: GatewayExtensions = await loadExtensions(gw.services);
  const server = http.createServer(async (req, res) => {
    for (const h of ext.httpHandlers) if (await h(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    gw,
    v1: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/models`,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await ext.close();
      await gw.close();
    },
  };
}

const getModels = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });

test('failed WS connects lock the same client out of /v1 (429 with Retry-After)', async () => {
  const g = await startGatewayWithV1();
  try {
    assert.equal((await getModels(g.v1, TEST_TOKEN)).status, 200);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const { client, res } = await connectClient(g.gw.url, { token: `wrong-${i}` });
      assert.equal(res.error!.details.code, 'AUTH_TOKEN_MISMATCH');
      client.close();
    }
    const locked = await getModels(g.v1, TEST_TOKEN);
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.equal(((await locked.json()) as any).error.type, 'rate_limited');
  } finally {
    await g.close();
  }
});

test('failed /v1 bearers lock the same client out of WS connects (AUTH_RATE_LIMITED)', async () => {
  const g = await startGatewayWithV1();
  try {
    for (let i = 0; i < MAX_ATTEMPTS; i++) assert.equal((await getModels(g.v1, `wrong-${i}`)).status, 401);
    const { client, res } = await connectClient(g.gw.url, { token: TEST_TOKEN });
    assert.equal(res.ok, false);
    assert.equal(res.error!.details.code, 'AUTH_RATE_LIMITED');
    client.close();
  } finally {
    await g.close();
  }
});
