// A gateway bound to one specific LAN IPv4 also listens on 127.0.0.1 (same port), as upstream's
// required listen hosts do: the owner's CLI on that machine keeps local trust and can approve the
// devices that knock over the LAN. Real gateway processes, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { GatewayClient } from '../client/gateway-client.js';
import { GatewayCallError } from '../client/errors.js';
import { companionListenHosts, localDialHost } from '../config/bind.js';
import { gatewayRuns, localConfig, makeStateDir, runCli } from '../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const { start } = gatewayRuns();

function lanIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

test('companion listen hosts: 127.0.0.1 beside one specific IPv4 only', () => {
  assert.deepEqual(companionListenHosts('192.0.2.2'), ['127.0.0.1']);
  assert.deepEqual(companionListenHosts('10.1.2.3'), ['127.0.0.1']);
  for (const host of ['0.0.0.0', '127.0.0.1', '127.0.0.2', '::', '::1', 'fd00::2']) assert.deepEqual(companionListenHosts(host), [], host);
  assert.equal(localDialHost('192.0.2.2'), '127.0.0.1');
  assert.equal(localDialHost('0.0.0.0'), '127.0.0.1');
  assert.equal(localDialHost('fd00::2'), 'fd00::2');
});

test('bind custom <LAN IPv4>: loopback answers too, and the owner CLI approves a device that knocked over the LAN', async (t) => {
  const ip = lanIPv4();
  if (!ip) return t.skip('this machine has no non-internal IPv4 address');
  const state = makeStateDir(localConfig(TOKEN, { gateway: { bind: 'custom', customBindHost: ip } }));
  try {
    const { port } = await start(state);
    for (const host of [ip, '127.0.0.1']) {
      const res = await fetch(`http://${host}:${port}/health`);
      assert.equal(res.status, 200, host);
    }
    // A device on the LAN knocks: pending (a LAN peer is never approved silently).
    const knocker = new GatewayClient({ url: `ws://${ip}:${port}`, token: TOKEN, stateDir: path.join(state.dir, '..', 'lan-device'), scopes: ['operator.read'], reconnect: false, resume: false });
    let requestId = '';
    try {
      await knocker.connect();
      assert.fail('the LAN device connected without approval');
    } catch (err) {
      assert.ok(err instanceof GatewayCallError && err.detailCode === 'PAIRING_REQUIRED', String(err));
      requestId = String(err.details?.requestId);
    } finally {
      await knocker.close();
    }
    // The owner's CLI dials loopback, keeps local trust, and may list and approve (before the
    // companion listener it dialled the LAN address and lost its scopes: missing operator.pairing).
    const list = await runCli(['devices', 'list', '--json'], { env: state.env, timeoutMs: 60_000 });
    assert.equal(list.code, 0, list.stdout + list.stderr);
    assert.ok(JSON.parse(list.stdout).pending.some((p: { requestId: string }) => p.requestId === requestId), list.stdout);
    const approve = await runCli(['devices', 'approve', requestId], { env: state.env, timeoutMs: 60_000 });
    assert.equal(approve.code, 0, approve.stdout + approve.stderr);
  } finally {
    state.cleanup();
  }
});
