// Protocol v4 conformance from outside: the independent probe client (checked against the upstream
// gateway) talks to a real `openclaw gateway run` process. Expected values come from
// /work/shared/reference/openclaw-gateway.md §2–§6 and §11–§12; detail codes the reference does not
// name come from src/protocol/errors.ts. Every rejection must also carry recommendedNextStep, cause
// and fix in error.details (our contract on top of upstream's).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../testing/harness.js';
import { probe, startGateway, startGatewayWithPairingPrompts, type ProbeResult, type ProbeScenario, type RunningGateway } from './probe-client.js';

const TOKEN = 'compat-token-0123456789abcdef0123456789';
const PASSWORD = 'compat-password-0123456789abcdef';
const ALLOWED_ORIGIN = 'https://good.example';
const CLI_TOKEN_HINT = 'set gateway.remote.token to match gateway.auth.token';
const CLI_PASSWORD_HINT = 'set gateway.remote.password to match gateway.auth.password';
const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

interface ExpectedRejection {
  errorCode: string;
  detailCode: string;
  /** Exact message, or a pattern where the reference leaves a tail open (schema errors). */
  message: string | RegExp;
  closeCode: number;
  /** Exact close reason, or a pattern. */
  closeReason: string | RegExp;
  authReason?: string;
  recommendedNextStep?: string;
  canRetryWithDeviceToken?: boolean;
}

/** A handshake rejection: res{ok:false} with the codes, then the close; details explain cause and fix. */
function assertRejected(r: ProbeResult, e: ExpectedRejection): void {
  const dump = JSON.stringify(r);
  assert.equal(r.events[0], 'connect.challenge', dump);
  assert.equal(r.connectOk, false, dump);
  assert.ok(r.error, dump);
  const d = r.error.details ?? {};
  // Compare every field at once, so one deviation does not hide the others.
  const observed: Record<string, unknown> = {
    errorCode: r.error.code,
    detailCode: d.code,
    message: r.error.message,
    closeCode: r.closeCode,
    closeReason: r.closeReason,
    authReason: d.authReason,
    recommendedNextStep: d.recommendedNextStep,
    canRetryWithDeviceToken: d.canRetryWithDeviceToken,
  };
  const expected: Record<string, unknown> = { ...e };
  for (const k of Object.keys(observed)) {
    const want = expected[k];
    if (want === undefined) delete observed[k];
    else if (want instanceof RegExp && want.test(String(observed[k]))) observed[k] = want; // a matching pattern counts as equal
  }
  assert.deepEqual(observed, expected, dump);
  assertExplained(d, dump);
  assert.ok(Buffer.byteLength(r.closeReason ?? '') <= 120, `close reason over 120 bytes: ${dump}`);
}

function assertExplained(d: Record<string, unknown>, dump: string): void {
  for (const k of ['recommendedNextStep', 'cause', 'fix'] as const) {
    assert.equal(typeof d[k], 'string', `details.${k} missing: ${dump}`);
    assert.ok((d[k] as string).length > 0, `details.${k} empty: ${dump}`);
  }
}

function assertHello(r: ProbeResult, opts: { deviceToken: boolean }): void {
  const dump = JSON.stringify(r);
  assert.equal(r.events[0], 'connect.challenge', dump);
  assert.equal(r.connectOk, true, dump);
  assert.equal(r.hello?.type, 'hello-ok', dump);
  assert.equal(r.hello?.protocol, 4, dump);
  assert.equal(r.hello?.tick, 30_000, dump);
  if (opts.deviceToken) {
    assert.equal(typeof r.hello?.deviceToken, 'string', dump);
    assert.ok((r.hello?.deviceToken ?? '').length >= 32, dump);
  } else {
    assert.equal(r.hello?.deviceToken, undefined, dump);
  }
  assert.equal(r.closeCode, 1000, dump);
}

const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-probe-keys-'));
after(() => fs.rmSync(keyDir, { recursive: true, force: true }));
const keyFile = (name: string) => path.join(keyDir, `${name}.pem`);

// Three gateways side by side; the probes within one gateway are independent (own keys, loopback
// is exempt from the auth rate limit), so they run concurrently too.
describe('probe client against our gateway', { concurrency: 3 }, () => {
  describe('token gateway (allowedOrigins set)', { concurrency: 4 }, () => {
    let gw: RunningGateway;
    const run = (sc: Omit<ProbeScenario, 'url'>) => probe({ url: gw.url, ...sc });
    before(async () => {
      gw = await startGateway(TOKEN, { gateway: { controlUi: { allowedOrigins: [ALLOWED_ORIGIN] } } });
    });
    after(async () => gw?.stop());

    test('right token: hello-ok, protocol 4, a device token, tick 30000', async () => {
      assertHello(await run({ token: TOKEN, keyFile: keyFile('right') }), { deviceToken: true });
    });

    test('method health after hello-ok answers ok', async () => {
      const r = await run({ token: TOKEN, method: 'health' });
      assertHello(r, { deviceToken: true });
      assert.equal(r.methodOk, true, JSON.stringify(r));
      assert.equal(typeof r.methodPayload, 'object', JSON.stringify(r));
    });

    test('device token reuse: same key, no shared token → hello-ok with the same token', async () => {
      const first = await run({ token: TOKEN, keyFile: keyFile('reuse') });
      assertHello(first, { deviceToken: true });
      const again = await run({ deviceToken: first.hello!.deviceToken, keyFile: keyFile('reuse') });
      assertHello(again, { deviceToken: true });
      assert.equal(again.deviceId, first.deviceId);
      // ensureDeviceToken reuses a token that is not revoked and covers the scopes (§3.4 step 11).
      assert.equal(again.hello!.deviceToken, first.hello!.deviceToken);
    });

    // Lead decision (DESIGN §2 canonical form): close 4008 "connect failed — device token mismatch"
    // instead of upstream's 1008; official clients recognise "device token mismatch" in both.
    test('stale device token: AUTH_DEVICE_TOKEN_MISMATCH, close 4008 (our canonical form)', async () => {
      const first = await run({ token: TOKEN, keyFile: keyFile('stale') });
      assertHello(first, { deviceToken: true });
      assertRejected(await run({ deviceToken: 'not-the-issued-token', keyFile: keyFile('stale') }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_DEVICE_TOKEN_MISMATCH',
        message: 'connect failed — device token mismatch',
        closeCode: 4008,
        closeReason: 'connect failed — device token mismatch',
        authReason: 'device_token_mismatch',
        recommendedNextStep: 'update_auth_credentials',
        canRetryWithDeviceToken: false,
      });
    });

    test('no token (with a device): AUTH_TOKEN_MISSING', async () => {
      const msg = `unauthorized: gateway token missing (${CLI_TOKEN_HINT})`;
      assertRejected(await run({}), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_TOKEN_MISSING',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
        authReason: 'token_missing',
        recommendedNextStep: 'update_auth_configuration',
        canRetryWithDeviceToken: false,
      });
    });

    test('wrong token with a device: AUTH_TOKEN_MISMATCH, may retry with the device token', async () => {
      const msg = `unauthorized: gateway token mismatch (${CLI_TOKEN_HINT})`;
      assertRejected(await run({ token: 'wrong-token' }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_TOKEN_MISMATCH',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
        authReason: 'token_mismatch',
        recommendedNextStep: 'retry_with_device_token',
        canRetryWithDeviceToken: true,
      });
    });

    test('paired device with a wrong gateway token: AUTH_TOKEN_MISMATCH (not a device-token failure)', async () => {
      const first = await run({ token: TOKEN, keyFile: keyFile('paired-wrong') });
      assertHello(first, { deviceToken: true });
      const msg = `unauthorized: gateway token mismatch (${CLI_TOKEN_HINT})`;
      assertRejected(await run({ token: 'wrong-token', keyFile: keyFile('paired-wrong') }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_TOKEN_MISMATCH',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
        authReason: 'token_mismatch',
        recommendedNextStep: 'retry_with_device_token',
        canRetryWithDeviceToken: true,
      });
      // its own device token in auth.token is still accepted
      const again = await run({ token: first.hello!.deviceToken, keyFile: keyFile('paired-wrong') });
      assertHello(again, { deviceToken: true });
      assert.equal(again.hello!.deviceToken, first.hello!.deviceToken);
    });

    test('wrong token without a device: AUTH_TOKEN_MISMATCH, update credentials', async () => {
      const msg = `unauthorized: gateway token mismatch (${CLI_TOKEN_HINT})`;
      assertRejected(await run({ token: 'wrong-token', noDevice: true }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_TOKEN_MISMATCH',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
        authReason: 'token_mismatch',
        recommendedNextStep: 'update_auth_credentials',
        canRetryWithDeviceToken: false,
      });
    });

    test('noDevice with the right token: device-less operator is admitted, no device token', async () => {
      assertHello(await run({ token: TOKEN, noDevice: true }), { deviceToken: false });
    });

    test('noDevice and no token: NOT_PAIRED device identity required', async () => {
      assertRejected(await run({ noDevice: true }), {
        errorCode: 'NOT_PAIRED',
        detailCode: 'DEVICE_IDENTITY_REQUIRED',
        message: 'device identity required',
        closeCode: 1008,
        closeReason: 'device identity required',
      });
    });

    test('origin not in gateway.controlUi.allowedOrigins: CONTROL_UI_ORIGIN_NOT_ALLOWED', async () => {
      const msg = 'origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)';
      const r = await run({ token: TOKEN, origin: 'https://evil.example' });
      assertRejected(r, {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'CONTROL_UI_ORIGIN_NOT_ALLOWED',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
      });
      assert.equal(r.error?.details?.reason, 'origin not allowed', JSON.stringify(r));
    });

    test('allowed origin passes the origin check (device-less operator with the token)', async () => {
      assertHello(await run({ token: TOKEN, origin: ALLOWED_ORIGIN, noDevice: true }), { deviceToken: false });
    });

    test('allowed origin, Control UI from loopback: silent local pairing (§6.3)', async () => {
      const r = await run({ token: TOKEN, origin: ALLOWED_ORIGIN, clientId: 'openclaw-control-ui', mode: 'webchat', keyFile: keyFile('ui') });
      assertHello(r, { deviceToken: true });
    });

    test('bigFrame 70000 before hello: close 1009 preauth payload too large, no res', async () => {
      const r = await run({ bigFrame: 70_000 });
      const dump = JSON.stringify(r);
      assert.equal(r.closeCode, 1009, dump);
      assert.equal(r.closeReason, 'preauth payload too large', dump);
      assert.equal(r.connectOk, undefined, dump);
      assert.equal(r.otherRes, undefined, dump);
    });

    test('first frame garbage: close 1008 invalid request frame, no res', async () => {
      const r = await run({ firstFrame: 'this is not json' });
      const dump = JSON.stringify(r);
      assert.equal(r.closeCode, 1008, dump);
      assert.equal(r.closeReason, 'invalid request frame', dump);
      assert.equal(r.otherRes, undefined, dump);
      assert.equal(r.connectOk, undefined, dump);
    });

    test('first frame a non-connect req: res INVALID_REQUEST, then close 1008', async () => {
      const r = await run({ firstFrame: JSON.stringify({ type: 'req', id: 'h1', method: 'health' }) });
      const dump = JSON.stringify(r);
      const msg = 'invalid handshake: first request must be connect';
      assert.equal(r.otherRes?.id, 'h1', dump);
      assert.equal(r.otherRes?.ok, false, dump);
      assert.equal(r.otherRes?.error?.code, 'INVALID_REQUEST', dump);
      assert.equal(r.otherRes?.error?.message, msg, dump);
      assert.equal(r.otherRes?.error?.details?.code, 'FIRST_REQUEST_NOT_CONNECT', dump);
      assertExplained(r.otherRes?.error?.details ?? {}, dump);
      assert.equal(r.closeCode, 1008, dump);
      assert.equal(r.closeReason, msg, dump);
    });

    test('scopes outside the closed set: admitted (scopes is string[]), but grant nothing', async () => {
      for (const scopes of [['operator.bogus'], ['bogus']]) {
        const r = await run({ token: TOKEN, scopes, method: 'health' });
        const dump = JSON.stringify(r);
        assertHello(r, { deviceToken: true });
        assert.equal(r.methodOk, false, dump);
        assert.equal(r.methodError?.code, 'FORBIDDEN', dump);
        assert.equal(r.methodError?.message, 'missing scope: operator.read', dump);
        assert.equal(r.methodError?.details?.code, 'MISSING_SCOPE', dump);
        assert.equal(r.methodError?.details?.missingScope, 'operator.read', dump);
        assertExplained(r.methodError?.details ?? {}, dump);
      }
    });

    test('client.id outside the closed set: invalid connect params, close 1008 with the message', async () => {
      assertRejected(await run({ token: TOKEN, clientId: 'not-a-client' }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'INVALID_CONNECT_PARAMS',
        message: /^invalid connect params: .*client/,
        closeCode: 1008,
        closeReason: /^invalid connect params: /,
      });
    });

    test('client.id is matched case-insensitively (CLI), the signature covers it as sent', async () => {
      assertHello(await run({ token: TOKEN, clientId: 'CLI' }), { deviceToken: true });
    });

    test('role node is admitted (cli client, and node-host in node mode)', async () => {
      assertHello(await run({ token: TOKEN, role: 'node' }), { deviceToken: true });
      assertHello(await run({ token: TOKEN, role: 'node', clientId: 'node-host', mode: 'node' }), { deviceToken: true });
    });

    test('role bogus: INVALID_REQUEST invalid role, close 1008', async () => {
      assertRejected(await run({ token: TOKEN, role: 'bogus' }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'INVALID_ROLE',
        message: 'invalid role',
        closeCode: 1008,
        closeReason: 'invalid role',
      });
    });
  });

  describe('password gateway', { concurrency: 3 }, () => {
    let gw: RunningGateway;
    const run = (sc: Omit<ProbeScenario, 'url'>) => probe({ url: gw.url, ...sc });
    before(async () => {
      gw = await startGateway(TOKEN, { gateway: { auth: { mode: 'password', password: PASSWORD } } });
    });
    after(async () => gw?.stop());

    test('right password: hello-ok', async () => {
      assertHello(await run({ password: PASSWORD }), { deviceToken: true });
    });

    test('wrong password: AUTH_PASSWORD_MISMATCH', async () => {
      const msg = `unauthorized: gateway password mismatch (${CLI_PASSWORD_HINT})`;
      assertRejected(await run({ password: 'wrong-password' }), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_PASSWORD_MISMATCH',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
        authReason: 'password_mismatch',
        recommendedNextStep: 'update_auth_credentials',
        canRetryWithDeviceToken: false,
      });
    });

    test('no password: AUTH_PASSWORD_MISSING', async () => {
      const msg = `unauthorized: gateway password missing (${CLI_PASSWORD_HINT})`;
      assertRejected(await run({}), {
        errorCode: 'INVALID_REQUEST',
        detailCode: 'AUTH_PASSWORD_MISSING',
        message: msg,
        closeCode: 1008,
        closeReason: msg,
        authReason: 'password_missing',
        recommendedNextStep: 'update_auth_configuration',
        canRetryWithDeviceToken: false,
      });
    });
  });

  describe('gateway with local auto-approval off', () => {
    let gw: RunningGateway;
    const run = (sc: Omit<ProbeScenario, 'url'>) => probe({ url: gw.url, ...sc });
    before(async () => {
      gw = await startGatewayWithPairingPrompts(TOKEN);
    });
    after(async () => gw?.stop());

    test("a new CLI device waits for approval too; the owner's CLI gets in device-less with the token and keeps its scopes", async () => {
      const paired = await run({ token: TOKEN, keyFile: keyFile('owner-cli') });
      assert.equal(paired.error?.details?.code, 'PAIRING_REQUIRED', JSON.stringify(paired));
      const r = await run({ token: TOKEN, noDevice: true, scopes: ['operator.read'], method: 'health' });
      assert.equal(r.connectOk, true, JSON.stringify(r));
      assert.equal(r.methodOk, true, JSON.stringify(r));
      const probeMode = await run({ token: TOKEN, noDevice: true, mode: 'probe', scopes: ['operator.read'], method: 'health' });
      assert.equal(probeMode.methodOk, false, 'a cli/probe client is not on the scope-keeping path');
    });

    test('Control UI from loopback: pairing required (wait_then_retry); devices approve; same key reconnects', async () => {
      const key = keyFile('pairing');
      const ui = { clientId: 'openclaw-control-ui', mode: 'webchat', origin: `http://127.0.0.1:${gw.port}` };
      const r = await run({ token: TOKEN, keyFile: key, ...ui });
      const dump = JSON.stringify(r);
      const requestId = r.error?.details?.requestId;
      assert.equal(typeof requestId, 'string', dump);
      assert.match(requestId as string, REQUEST_ID, dump);
      assertRejected(r, {
        errorCode: 'NOT_PAIRED',
        detailCode: 'PAIRING_REQUIRED',
        message: /^pairing required/,
        closeCode: 1008,
        closeReason: new RegExp(`^pairing required(: device is not approved yet \\(requestId: ${requestId}\\))?$`),
        recommendedNextStep: 'wait_then_retry',
      });
      assert.equal(r.error?.details?.pauseReconnect, false, dump);
      assert.equal(r.error?.details?.reason, 'not-paired', dump);
      assert.equal(r.error?.details?.deviceId, r.deviceId, dump);

      const approved = await runCli(['devices', 'approve', requestId as string], { env: gw.state.env });
      assert.equal(approved.code, 0, approved.stdout + approved.stderr);

      const again = await run({ token: TOKEN, keyFile: key, ...ui });
      assertHello(again, { deviceToken: true });
      assert.equal(again.deviceId, r.deviceId);

      // asking for a role it was not approved for: the role-upgrade variant
      const upgrade = await run({ token: TOKEN, keyFile: key, ...ui, role: 'node' });
      assertRejected(upgrade, {
        errorCode: 'NOT_PAIRED',
        detailCode: 'PAIRING_REQUIRED',
        message: 'pairing required: device is asking for a higher role than currently approved',
        closeCode: 1008,
        closeReason: /^pairing required: device is asking for a higher role than currently approved/,
        recommendedNextStep: 'wait_then_retry',
      });
      assert.equal(upgrade.error?.details?.reason, 'role-upgrade', JSON.stringify(upgrade));
    });
  });
});
