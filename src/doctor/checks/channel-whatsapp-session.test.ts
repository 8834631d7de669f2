// The WhatsApp doctor check on config fixtures and real auth dirs (no socket: WhatsApp Web cannot
// be reached from tests; the live part is covered by the stopped-gateway path here).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { localConfig, stateDirsForFile } from '../../testing/harness.js';
import { TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import { writeLinkedCreds } from '../../channels/whatsapp/testing/fake-socket.js';
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
