// The connect pipeline in-process (real pairing store and limiters on a temp state dir, no
// sockets): the pairing decisions and the details that the wire tests cannot easily reach.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PairingStore } from '../../auth/pairing-store.js';
import { resolveGatewaySettings } from '../../config/resolve.js';
import type { Logger } from '../../logging/types.js';
import { makeStateDir } from '../../testing/harness.js';
import { AuthLimiters } from './auth-limiters.js';
import { BootstrapCodes } from './bootstrap-codes.js';
import { authorizeConnect, pairingReason, silentPairing, type HandshakeOutcome, type PeerInfo } from './handshake.js';
import { configWith, connectParams, makeDevice, pairDevice, TEST_TOKEN, type ConnectOptions } from './test-support.js';

const state = makeStateDir();
after(() => state.cleanup());

const LOCAL: PeerInfo = { remoteAddress: '127.0.0.1', clientIp: '127.0.0.1', isLocal: true, origin: undefined, host: '127.0.0.1:18789', headers: { host: '127.0.0.1:18789' } };
const REMOTE: PeerInfo = { remoteAddress: '203.0.113.9', clientIp: '203.0.113.9', isLocal: false, origin: undefined, host: 'gw.example:18789', headers: { host: 'gw.example:18789' } };

function recordingLogger(lines: Array<{ msg: string; fields?: Record<string, unknown> }>): Logger {
  const log: Logger = {
    debug() {},
    info() {},
    warn: (msg, fields) => lines.push({ msg, fields }),
    error() {},
    child: () => log,
  };
  return log;
}

function connect(o: ConnectOptions, peer: PeerInfo, gateway: Record<string, unknown> = {}, log?: Logger): HandshakeOutcome {
  const settings = resolveGatewaySettings(configWith(gateway), {});
  const nonce = crypto.randomUUID();
  return authorizeConnect(connectParams(nonce, o), nonce, peer, {
    settings,
    pairing: new PairingStore(state.dir),
    bootstrap: new BootstrapCodes(state.dir),
    limiters: new AuthLimiters(settings.auth.rateLimit),
    now: Date.now,
    broadcast: () => {},
    log,
  });
}

test('silentPairing: local without Origin or the local Control UI; the owner CLI even with the toggle off', () => {
  const ui = { isLocal: true, origin: 'http://127.0.0.1:18789' };
  const noOrigin = { isLocal: true, origin: undefined };
  assert.equal(silentPairing('not-paired', 'token', false, noOrigin, true), true);
  assert.equal(silentPairing('not-paired', 'token', true, ui, true), true, 'Control UI from loopback');
  assert.equal(silentPairing('not-paired', 'token', false, ui, true), false, 'a non-UI client with an Origin');
  assert.equal(silentPairing('not-paired', 'token', false, { isLocal: false, origin: undefined }, true), false, 'remote');
  // autoApproveLocal off: only a valid shared token/password without Origin
  assert.equal(silentPairing('not-paired', 'token', false, noOrigin, false), true);
  assert.equal(silentPairing('role-upgrade', 'password', false, noOrigin, false), true);
  assert.equal(silentPairing('not-paired', 'none', false, noOrigin, false), false);
  assert.equal(silentPairing('not-paired', 'token', true, ui, false), false);
  // metadata changes: silent only without an Origin
  assert.equal(silentPairing('metadata-upgrade', 'none', false, noOrigin, true), true);
  assert.equal(silentPairing('metadata-upgrade', 'token', true, ui, true), false);
  // scope upgrades need local-grade credentials
  assert.equal(silentPairing('scope-upgrade', 'trusted-proxy', true, ui, true), false);
});

test('pairingReason: not paired, role, scopes, then a changed platform/deviceFamily', () => {
  const device = makeDevice();
  pairDevice(state.dir, device, ['operator.read']);
  const paired = new PairingStore(state.dir).getPaired(device.deviceId);
  assert.equal(pairingReason(undefined, 'operator', [], {}), 'not-paired');
  assert.equal(pairingReason(paired, 'node', [], {}), 'role-upgrade');
  assert.equal(pairingReason(paired, 'operator', ['operator.write'], {}), 'scope-upgrade');
  assert.equal(pairingReason(paired, 'operator', ['operator.read'], { platform: 'linux' }), null, 'nothing stored to differ from');
  assert.equal(pairingReason({ ...paired!, platform: 'linux' }, 'operator', ['operator.read'], { platform: 'Linux ' }), null);
  assert.equal(pairingReason({ ...paired!, platform: 'linux' }, 'operator', ['operator.read'], { platform: 'darwin' }), 'metadata-upgrade');
  assert.equal(pairingReason({ ...paired!, deviceFamily: 'iPhone' }, 'operator', ['operator.read'], { deviceFamily: 'iPad' }), 'metadata-upgrade');
});

test('metadata-upgrade from a remote client → PAIRING_REQUIRED with its message variant; locally silent', () => {
  const device = makeDevice();
  assert.equal(connect({ token: TEST_TOKEN, device, platform: 'linux' }, LOCAL).ok, true, 'first connect pairs silently');
  const moved = connect({ token: TEST_TOKEN, device, platform: 'darwin' }, REMOTE);
  assert.equal(moved.ok, false);
  if (moved.ok) return;
  assert.equal(moved.rejection, 'PAIRING_REQUIRED');
  assert.equal(moved.ctx.detail, 'device identity changed and must be re-approved');
  assert.equal(moved.extraDetails?.reason, 'metadata-upgrade');
  assert.equal(moved.extraDetails?.pauseReconnect, false);
  assert.equal(connect({ token: TEST_TOKEN, device, platform: 'darwin' }, LOCAL).ok, true);
});

test("autoApproveLocal=false: the owner's CLI pairs silently; a Control UI and a device-token-less 'none' client do not", () => {
  const off = { nodes: { pairing: { autoApproveLocal: false } } };
  assert.equal(connect({ token: TEST_TOKEN, device: makeDevice() }, LOCAL, off).ok, true);
  const ui = connect({ token: TEST_TOKEN, device: makeDevice(), clientId: 'openclaw-control-ui', mode: 'webchat' }, { ...LOCAL, origin: 'http://127.0.0.1:18789' }, off);
  assert.equal(ui.ok ? 'ok' : ui.rejection, 'PAIRING_REQUIRED');
  const none = connect({ device: makeDevice() }, LOCAL, { ...off, auth: { mode: 'none' } });
  assert.equal(none.ok ? 'ok' : none.rejection, 'PAIRING_REQUIRED');
});

test('device-proof failures carry details.reason', () => {
  const r = connect({ token: TEST_TOKEN, device: makeDevice(), mutate: (p) => (p.device.nonce = 'another-nonce') }, LOCAL);
  assert.equal(r.ok ? 'ok' : r.rejection, 'DEVICE_AUTH_NONCE_MISMATCH');
  if (!r.ok) assert.equal(r.extraDetails?.reason, 'device-nonce-mismatch');
});

test('forwarding headers from an untrusted peer: one warning per peer per minute, with the peer', () => {
  const lines: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log = recordingLogger(lines);
  const headers: IncomingHttpHeaders = { host: 'gw.example', 'x-forwarded-for': '198.51.100.1' };
  const spoofing = { ...REMOTE, remoteAddress: '192.0.2.77', headers };
  connect({ token: TEST_TOKEN }, spoofing, {}, log);
  connect({ token: TEST_TOKEN }, spoofing, {}, log);
  connect({ token: TEST_TOKEN }, { ...spoofing, remoteAddress: '10.9.9.9' }, { trustedProxies: ['10.9.9.9'] }, log);
  connect({ token: TEST_TOKEN }, { ...REMOTE, remoteAddress: '192.0.2.78' }, {}, log);
  const warnings = lines.filter((l) => l.msg.includes('proxy headers from untrusted peer'));
  assert.deepEqual(warnings.map((w) => w.fields?.peer), ['192.0.2.77']);
});
