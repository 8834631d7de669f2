// The per-minute cap on silent pairings (issue 17 item 19), in-process with a real pairing store:
// new devices beyond the budget wait for an operator; upgrades of paired devices are not counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { PairingStore } from '../../auth/pairing-store.js';
import { resolveGatewaySettings } from '../../config/resolve.js';
import { makeStateDir } from '../../testing/harness.js';
import { AuthLimiters } from './auth-limiters.js';
import { BootstrapCodes } from './bootstrap-codes.js';
import { authorizeConnect, SilentPairingBudget, type PeerInfo } from './handshake.js';
import { configWith, connectParams, makeDevice, TEST_TOKEN, type ConnectOptions, type TestDevice } from './test-support.js';

const LOCAL: PeerInfo = { remoteAddress: '127.0.0.1', clientIp: '127.0.0.1', isLocal: true, origin: undefined, host: '127.0.0.1:18789', headers: { host: '127.0.0.1:18789' } };

test('SilentPairingBudget: a rolling minute', () => {
  const b = new SilentPairingBudget(2);
  assert.equal(b.take(0), true);
  assert.equal(b.take(10_000), true);
  assert.equal(b.take(20_000), false);
  assert.equal(b.take(59_999), false);
  assert.equal(b.take(60_000), true, 'the first one left the window');
  assert.equal(b.take(60_001), false);
});

test('beyond the budget a new local device waits for approval; a paired device asking for more scopes is not counted', (t) => {
  const state = makeStateDir();
  t.after(state.cleanup);
  const settings = resolveGatewaySettings(configWith({}), {});
  const pairing = new PairingStore(state.dir);
  const deps = { settings, pairing, bootstrap: new BootstrapCodes(state.dir), limiters: new AuthLimiters(settings.auth.rateLimit), silentPairingBudget: new SilentPairingBudget(2), now: Date.now, broadcast: () => {} };
  const connect = (device: TestDevice, o: ConnectOptions = {}) => {
    const nonce = crypto.randomUUID();
    return authorizeConnect(connectParams(nonce, { token: TEST_TOKEN, device, ...o }), nonce, LOCAL, deps);
  };
  const [a, b, c] = [makeDevice(), makeDevice(), makeDevice()];
  assert.equal(connect(a, { scopes: ['operator.read'] }).ok, true);
  assert.equal(connect(b).ok, true);
  const over = connect(c);
  assert.equal(over.ok, false);
  assert.equal(!over.ok && over.rejection, 'PAIRING_REQUIRED');
  assert.deepEqual(pairing.listPending().map((p) => p.deviceId), [c.deviceId]);
  // a scope upgrade of a paired device is still silent
  assert.equal(connect(a, { scopes: ['operator.read', 'operator.write'] }).ok, true);
  // an operator approves it (the same as `openclaw devices approve`), then it connects
  assert.ok(pairing.approve(c.deviceId, 'cli'));
  assert.equal(connect(c).ok, true);
});
