// WhatsApp Web cannot be reached or faked from tests, so QR login is tested at the Baileys
// library boundary: a fake socket emits `connection.update` {qr}, the 515 restart WhatsApp sends
// after a scan, and `connection: 'open'`, the way Baileys does. The QR rendering is the real qrcode.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { readLinkedNumber } from './config.js';
import { LINK_INSTRUCTION, runWhatsAppLogin, runWhatsAppLogout, WhatsAppLoginError } from './login.js';
import { fakeFactory, SELF } from './testing/fake-socket.js';

const roots: string[] = [];
after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
const tmp = () => {
  const r = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-login-'));
  roots.push(r);
  return path.join(r, 'credentials', 'whatsapp', 'default');
};

test('QR login: each QR printed with the instruction, 515 restart after the scan followed once, open → linked; creds 0600 with .bak', async () => {
  const authDir = tmp();
  const factory = fakeFactory({
    onSocket: (sock, n) => {
      if (n === 1) {
        sock.credsUpdate({}); // keys before the scan
        sock.qr('2@first-ref,noise,identity,adv');
        sock.qr('2@second-ref,noise,identity,adv');
        setTimeout(() => {
          sock.user = SELF; // pair-success sets me
          sock.credsUpdate({ me: SELF });
          sock.close(515);
        }, 20);
      } else {
        sock.open(SELF);
        sock.credsUpdate({ me: SELF });
      }
    },
  });
  let out = '';
  const res = await runWhatsAppLogin({ authDir, socketFactory: factory, out: (t) => (out += t), timeoutMs: 5000 });
  assert.equal(factory.sockets.length, 2, 'one reconnect after 515');
  assert.equal(res.selfNumber, '+15551234567');
  assert.equal(res.qrShown, 2);
  assert.equal(out.split(LINK_INSTRUCTION).length - 1, 2);
  assert.match(out, /WhatsApp → Settings → Linked devices → Link a device/);
  assert.match(out, /[▄▀█]/, 'a terminal QR');
  assert.match(out, /the previous code expired/);
  assert.equal(factory.sockets[1].ended, true, 'the login socket is closed; the gateway owns the long-lived one');
  assert.deepEqual(readLinkedNumber(authDir), { linked: true, selfNumber: '+15551234567' });
  assert.ok(fs.existsSync(path.join(authDir, 'creds.json.bak')));
  assert.equal(fs.statSync(authDir).mode & 0o777, 0o700);
  for (const f of fs.readdirSync(authDir)) assert.equal(fs.statSync(path.join(authDir, f)).mode & 0o777, 0o600, f);
});

test('login fails clearly on timeout (QR expired / no QR) and on loggedOut; a second 515 is an error, not a loop', async () => {
  const expired = await runWhatsAppLogin({ authDir: tmp(), socketFactory: fakeFactory({ onSocket: (s) => s.qr('2@x') }), out: () => {}, timeoutMs: 100 }).catch((e: unknown) => e);
  assert.ok(expired instanceof WhatsAppLoginError);
  assert.match(expired.message, /No phone linked within/);
  assert.match(expired.fix ?? '', /openclaw channels login --channel whatsapp --timeout/);

  const silent = await runWhatsAppLogin({ authDir: tmp(), socketFactory: fakeFactory(), out: () => {}, timeoutMs: 100 }).catch((e: unknown) => e);
  assert.ok(silent instanceof WhatsAppLoginError);
  assert.match(silent.message, /did not answer within 100 ms \(no QR received/);

  const out401 = await runWhatsAppLogin({ authDir: tmp(), socketFactory: fakeFactory({ onSocket: (s) => s.close(401) }), out: () => {}, timeoutMs: 2000, accountFlag: ' --account work' }).catch((e: unknown) => e);
  assert.ok(out401 instanceof WhatsAppLoginError);
  assert.equal(out401.status, 401);
  assert.equal(out401.fix, 'openclaw channels logout --channel whatsapp --account work --yes, then openclaw channels login --channel whatsapp --account work');

  const f = fakeFactory({ onSocket: (s) => s.close(515) });
  const twice = await runWhatsAppLogin({ authDir: tmp(), socketFactory: f, out: () => {}, timeoutMs: 2000 }).catch((e: unknown) => e);
  assert.ok(twice instanceof WhatsAppLoginError);
  assert.equal(f.sockets.length, 2);
  assert.match(twice.message, /status 515/);
});

test('logout moves the auth dir aside as <dir>.bak-<timestamp>, never deletes it', () => {
  const authDir = tmp();
  fs.mkdirSync(authDir, { recursive: true });
  fs.writeFileSync(path.join(authDir, 'creds.json'), JSON.stringify({ me: { id: SELF.id } }));
  const now = new Date('2026-12-03T18:00:00.000Z');
  const r = runWhatsAppLogout({ authDir, now });
  assert.equal(r.wasLinked, true);
  assert.equal(r.selfNumber, '+15551234567');
  assert.equal(r.backupPath, `${authDir}.bak-2026-12-03T18-00-00-000Z`);
  assert.equal(fs.existsSync(authDir), false);
  assert.ok(fs.existsSync(path.join(r.backupPath!, 'creds.json')));
  // a second logout in the same instant keeps both backups
  fs.mkdirSync(authDir);
  const again = runWhatsAppLogout({ authDir, now });
  assert.equal(again.backupPath, `${authDir}.bak-2026-12-03T18-00-00-000Z-1`);
  assert.deepEqual(runWhatsAppLogout({ authDir }), { wasLinked: false });
});
