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
import { authorizeConnect, pairingLocality, pairingReason, silentPairing, type HandshakeOutcome, type PeerInfo } from './handshake.js';
import type { ConnectParams } from '../../protocol/frames.js';
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

test('silentPairing follows upstream: never remote, never a non-UI page, metadata only for local non-browser clients, nothing with autoApproveLocal off', () => {
  const base = { reason: 'not-paired', method: 'token', locality: 'direct_local', hasOrigin: false, isBrowserUi: false, isNativeAppUi: false, autoApproveLocal: true } as const;
  const s = (o: Partial<Parameters<typeof silentPairing>[0]>) => silentPairing({ ...base, ...o });
  assert.equal(s({}), true);
  assert.equal(s({ hasOrigin: true, isBrowserUi: true }), true, 'Control UI from loopback');
  assert.equal(s({ hasOrigin: true }), false, 'a non-UI client with an Origin');
  assert.equal(s({ locality: 'remote' }), false, 'remote');
  assert.equal(s({ locality: 'cli_container_local' }), true, 'container-local CLI');
  // autoApproveLocal off: no silent pairing at all, not even the owner's CLI (it goes device-less)
  assert.equal(s({ autoApproveLocal: false }), false);
  assert.equal(s({ reason: 'role-upgrade', method: 'password', autoApproveLocal: false }), false);
  assert.equal(s({ hasOrigin: true, isBrowserUi: true, autoApproveLocal: false }), false);
  // metadata changes: a native app on this machine, or a shared-secret loopback client; never a browser
  assert.equal(s({ reason: 'metadata-upgrade', isNativeAppUi: true }), true);
  assert.equal(s({ reason: 'metadata-upgrade', isNativeAppUi: true, autoApproveLocal: false }), true, 'metadata cases ignore the toggle');
  assert.equal(s({ reason: 'metadata-upgrade' }), false, 'a direct-local CLI re-approves a changed platform');
  assert.equal(s({ reason: 'metadata-upgrade', locality: 'shared_secret_loopback_local' }), true);
  assert.equal(s({ reason: 'metadata-upgrade', hasOrigin: true, isBrowserUi: true }), false);
  // scope upgrades need local-grade credentials
  assert.equal(s({ reason: 'scope-upgrade', method: 'trusted-proxy', hasOrigin: true, isBrowserUi: true }), false);
  assert.equal(s({ reason: 'scope-upgrade', method: 'none' }), true);
});

test('pairingLocality: direct, container-local CLI and browser, remote', () => {
  const cli = connectParams('n', {}) as ConnectParams;
  const ui = connectParams('n', { clientId: 'openclaw-control-ui', mode: 'webchat' }) as ConnectParams;
  // A gateway in a container sees the published port's traffic from loopback with a private Host.
  const container: PeerInfo = { ...REMOTE, remoteAddress: '127.0.0.1', clientIp: '127.0.0.1', host: '172.17.0.2:18789', headers: { host: '172.17.0.2:18789' } };
  assert.equal(pairingLocality(LOCAL, cli, 'token'), 'direct_local');
  assert.equal(pairingLocality(container, cli, 'token'), 'cli_container_local');
  assert.equal(pairingLocality(container, ui, 'password'), 'shared_secret_loopback_local');
  assert.equal(pairingLocality(container, cli, 'none'), 'remote', 'needs a shared secret');
  assert.equal(pairingLocality({ ...container, headers: { ...container.headers, 'x-forwarded-for': '1.2.3.4' } }, cli, 'token'), 'remote', 'proxied');
  assert.equal(pairingLocality(REMOTE, cli, 'token'), 'remote');
  const bridge: PeerInfo = { ...REMOTE, remoteAddress: '172.17.0.1', clientIp: '172.17.0.1', host: 'localhost:18789', origin: 'http://localhost:18789', headers: { host: 'localhost:18789' } };
  assert.equal(pairingLocality(bridge, ui, 'token'), 'browser_container_local');
  assert.equal(pairingLocality({ ...bridge, origin: 'http://evil.example' }, ui, 'token'), 'remote');
});

test("device-less cli/cli with the shared secret keeps its scopes locally (official CLI's --url/--token); remote or probe clients get none", () => {
  const scopes = ['operator.read', 'operator.admin'];
  const ok = (r: HandshakeOutcome) => (r.ok ? r.session.scopes : r.rejection);
  assert.deepEqual(ok(connect({ token: TEST_TOKEN, scopes }, LOCAL)), scopes);
  assert.deepEqual(ok(connect({ password: 'pw-123456', scopes }, LOCAL, { auth: { mode: 'password', password: 'pw-123456' } })), scopes);
  assert.deepEqual(ok(connect({ token: TEST_TOKEN, scopes }, REMOTE)), [], 'remote: default deny');
  assert.deepEqual(ok(connect({ token: TEST_TOKEN, scopes, mode: 'probe' }, LOCAL)), [], 'cli/probe is not on this path');
  assert.deepEqual(ok(connect({ token: TEST_TOKEN, scopes }, { ...LOCAL, origin: 'http://127.0.0.1:18789' })), [], 'with a browser Origin');
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

test('metadata-upgrade → PAIRING_REQUIRED with its message variant', () => {
  const device = makeDevice();
  assert.equal(connect({ token: TEST_TOKEN, device, platform: 'linux' }, LOCAL).ok, true, 'first connect pairs silently');
  const moved = connect({ token: TEST_TOKEN, device, platform: 'darwin' }, REMOTE);
  assert.equal(moved.ok, false);
  if (moved.ok) return;
  assert.equal(moved.rejection, 'PAIRING_REQUIRED');
  assert.equal(moved.ctx.detail, 'device identity changed and must be re-approved');
  assert.equal(moved.extraDetails?.reason, 'metadata-upgrade');
  assert.equal(moved.extraDetails?.pauseReconnect, false);
  const local = connect({ token: TEST_TOKEN, device, platform: 'darwin' }, LOCAL);
  assert.equal(local.ok ? 'ok' : local.rejection, 'PAIRING_REQUIRED', 'a CLI is not a native app: the change is re-approved, as upstream');
});

test('autoApproveLocal=false: every new device waits for approval, the owner CLI included; a metadata change locally needs re-approval too', () => {
  const off = { nodes: { pairing: { autoApproveLocal: false } } };
  const cli = connect({ token: TEST_TOKEN, device: makeDevice() }, LOCAL, off);
  assert.equal(cli.ok ? 'ok' : cli.rejection, 'PAIRING_REQUIRED');
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
