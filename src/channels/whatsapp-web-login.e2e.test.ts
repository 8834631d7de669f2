// web.login.start / web.login.wait (the Control UI's WhatsApp QR link) against a real gateway
// process, driven through the real `openclaw gateway call`. At the library boundary: WhatsApp Web
// cannot be reached from tests, so the gateway's socket is the scripted fake loaded through the
// test-only hook OPENCLAW_WHATSAPP_FAKE_SOCKET (whatsapp/testing/fake-gateway-socket.ts): an
// unlinked auth dir makes it offer a QR, and POST /link on its control socket plays the phone's scan.
import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { postFakeControl } from './whatsapp/testing/fake-socket.js';
import { eventually, gatewayRuns, GATEWAY_WAIT_MS, localConfig, runCli, stateDirsForFile, type StateDir } from '../testing/harness.js';

const TOKEN = 'e2e-token-0123456789abcdef0123456789';
const FAKE_MODULE = fileURLToPath(new URL('./whatsapp/testing/fake-gateway-socket.js', import.meta.url));
const newState = stateDirsForFile();
const runs = gatewayRuns();

function unlinkedWhatsAppState(): { state: StateDir; post(route: string): Promise<number> } {
  const state = newState(localConfig(TOKEN, { channels: { whatsapp: { dmPolicy: 'pairing' } } }));
  const control = path.join(state.dir, 'wa.sock');
  state.env.OPENCLAW_WHATSAPP_FAKE_SOCKET = FAKE_MODULE;
  state.env.OPENCLAW_WHATSAPP_FAKE_CONTROL = control;
  return { state, post: (route) => postFakeControl(control, route) };
}

async function call(state: StateDir, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await runCli(['gateway', 'call', method, '--params', JSON.stringify(params), '--timeout', '60000'], { env: state.env });
  assert.equal(r.code, 0, `${method}: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('web.login (WhatsApp QR from the Control UI)', () => {
  test('start returns the QR as a PNG data URL; a second start the same QR; after the scan wait says connected and the listener runs', async () => {
    const wa = unlinkedWhatsAppState();
    const { gw } = await runs.start(wa.state);
    const before = JSON.parse((await runCli(['channels', 'status', '--json'], { env: wa.state.env })).stdout).channelAccounts.whatsapp[0];
    assert.equal(before.linked, false);

    const start = await call(wa.state, 'web.login.start', {});
    assert.match(String(start.qrDataUrl), /^data:image\/png;base64,[A-Za-z0-9+/=]{100,}$/);
    assert.match(String(start.message), /Linked devices/);
    const again = await call(wa.state, 'web.login.start', { accountId: 'default' });
    assert.equal(again.qrDataUrl, start.qrDataUrl, 'one login per account: the second start shows the same QR');

    const stillWaiting = await call(wa.state, 'web.login.wait', { timeoutMs: 200 });
    assert.equal(stillWaiting.connected, false);

    assert.equal(await wa.post('/link'), 200);
    const done = await call(wa.state, 'web.login.wait', { timeoutMs: 30_000 });
    assert.equal(done.connected, true, JSON.stringify(done));
    assert.match(String(done.message), /Linked WhatsApp \+15551234567 \(account "default"\); the gateway is connected/);
    assert.ok(fs.existsSync(path.join(wa.state.dir, 'credentials', 'whatsapp', 'default', 'creds.json')));

    const after = await eventually(async () => {
      const a = JSON.parse((await runCli(['channels', 'status', '--json'], { env: wa.state.env })).stdout).channelAccounts.whatsapp[0];
      return a.linked && a.connected ? a : undefined;
    }, GATEWAY_WAIT_MS);
    assert.equal(after.running, true);

    const linked = await call(wa.state, 'web.login.start', {});
    assert.equal(linked.qrDataUrl, undefined);
    assert.match(String(linked.message), /already linked \(\+15551234567\)/);
    await runs.stop(gw);
  });

  test('the QR expires: start still answered, wait reports the expiry with the retry command', async () => {
    const wa = unlinkedWhatsAppState();
    const { gw } = await runs.start(wa.state);
    const start = await call(wa.state, 'web.login.start', { timeoutMs: 1500 });
    assert.ok(start.qrDataUrl);
    const done = await call(wa.state, 'web.login.wait', { timeoutMs: 30_000 });
    assert.equal(done.connected, false);
    assert.match(String(done.message), /No phone linked within 2 s \(the QR expired\)/);
    assert.match(String(done.fix), /openclaw channels login --channel whatsapp/);
    await runs.stop(gw);
  });
});
