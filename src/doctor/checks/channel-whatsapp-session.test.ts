// The WhatsApp doctor check on config fixtures and real auth dirs (no socket: WhatsApp Web cannot
// be reached from tests), and its live part through a stub control plane (testing/channel-status.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { localConfig, stateDirsForFile } from '../../testing/harness.js';
import { TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import { writeLinkedCreds } from '../../channels/whatsapp/testing/fake-socket.js';
import { relinkFix } from '../../channels/whatsapp/fixes.js';
import type { ChannelAccountSnapshot } from '../../channels/types.js';
import { stubChannelGateway } from '../testing/channel-status.js';
import { buildContext } from '../runner.js';
import { channelWhatsAppSession } from './channel-whatsapp-session.js';

const state = stateDirsForFile();

test('channel-whatsapp-session: skipped without WhatsApp; not linked → login fix; loose permissions → chmod fix; linked → ok', async () => {
  const none = state(localConfig(TEST_TOKEN));
  assert.equal((await channelWhatsAppSession.run(buildContext(none.env, { probeTimeoutMs: 500 }))).level, 'skipped');

  const s = state(localConfig(TEST_TOKEN, { gateway: { mode: 'local', port: 1 }, channels: { whatsapp: { dmPolicy: 'pairing' } } }));
  const f = await channelWhatsAppSession.run(buildContext(s.env, { probeTimeoutMs: 500 }));
  assert.equal(f.level, 'warn');
  assert.match(f.message, /^WhatsApp account "default" is not linked \(no session in .*credentials\/whatsapp\/default\), so it cannot connect\.$/);
  assert.match(f.fix ?? '', /^openclaw channels login --channel whatsapp {2}\(scan the QR/);

  const dir = path.join(s.dir, 'credentials', 'whatsapp', 'default');
  writeLinkedCreds(dir);
  fs.chmodSync(path.join(dir, 'creds.json'), 0o644);
  const loose = await channelWhatsAppSession.run(buildContext(s.env, { probeTimeoutMs: 500 }));
  assert.equal(loose.level, 'warn');
  assert.match(loose.message, /readable by other users/);
  assert.equal(loose.fix, `chmod 700 ${dir} && chmod 600 ${dir}/*`);

  fs.chmodSync(path.join(dir, 'creds.json'), 0o600);
  const good = await channelWhatsAppSession.run(buildContext(s.env, { probeTimeoutMs: 500 }));
  assert.equal(good.level, 'ok', good.message);
  assert.match(good.message, /^WhatsApp is linked \(\+15551234567\)/);
});

test('channel-whatsapp-session live: a session the phone logged out (terminal 401) → error with the relink fix', async (t) => {
  const s = state(localConfig(TEST_TOKEN, { channels: { whatsapp: { accounts: { work: { dmPolicy: 'pairing' } } } } }));
  writeLinkedCreds(path.join(s.dir, 'credentials', 'whatsapp', 'work'));
  const loggedOut = 'WhatsApp Web session logged out (status 401): this device was unlinked on the phone';
  let accounts: ChannelAccountSnapshot[] = [{ accountId: 'work', enabled: true, configured: true, linked: true, running: true, connected: true, healthState: 'healthy' }];
  const gw = await stubChannelGateway(s, 'whatsapp', () => accounts);
  t.after(() => gw.close());
  assert.equal((await channelWhatsAppSession.run(buildContext(s.env, { probeTimeoutMs: 2000 }))).level, 'ok');
  accounts = [{ ...accounts[0], running: false, connected: false, lastError: loggedOut, healthState: 'terminal-disconnect' }];
  const f = await channelWhatsAppSession.run(buildContext(s.env, { probeTimeoutMs: 2000 }));
  assert.equal(f.level, 'error');
  assert.equal(f.message, `WhatsApp logged out account "work" (${loggedOut}); the gateway does not reconnect it.`);
  assert.equal(f.fix, relinkFix('work'));
  assert.equal(relinkFix('work'), 'openclaw channels logout --channel whatsapp --account work --yes, then openclaw channels login --channel whatsapp --account work');
});
