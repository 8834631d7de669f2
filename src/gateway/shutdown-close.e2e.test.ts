// What connected clients are told when a real `gateway run` process goes down: SIGTERM (`gateway
// stop`) closes 1001 going away, SIGUSR2 (the stop half of `gateway restart`) 1012 service restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, gatewayRuns, localConfig, stateDirsForFile } from '../testing/harness.js';
import { GatewayClient, type ConnectionState } from '../client/gateway-client.js';

const TOKEN = 'shutdown-token-0123456789abcdef012345';
const runs = gatewayRuns();
const stateDir = stateDirsForFile();

for (const [signal, code, closeKind] of [['SIGTERM', 1001, 'stopped'], ['SIGUSR2', 1012, 'restarting']] as const) {
  test(`${signal}: clients see ${code} (${closeKind}) and the process exits 0`, async (t) => {
    const sd = stateDir(localConfig(TOKEN));
    const { gw, port } = await runs.start(sd);
    const client = new GatewayClient({ url: `ws://127.0.0.1:${port}`, token: TOKEN, stateDir: sd.dir, backoff: { initialMs: 200, maxMs: 1000 } });
    const states: ConnectionState[] = [];
    client.on('state', (s) => states.push(s));
    t.after(() => client.close());
    await client.connect();
    gw.kill(signal);
    assert.equal((await gw.exited).code, 0);
    const closed = await eventually(() => states.find((s) => s.state === 'reconnecting' && s.code !== undefined), 15_000);
    assert.equal(closed.code, code);
    assert.equal(closed.closeKind, closeKind);
  });
}
