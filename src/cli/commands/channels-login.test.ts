// `openclaw channels login|logout` in-process. WhatsApp Web cannot be reached or faked from tests,
// so the login socket is a scripted fake at the Baileys boundary, injected with the test-only
// setWhatsAppLoginSocketFactoryForTests(); no test opens a real Baileys socket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import JSON5 from 'json5';
import { freePort, localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { startTestGateway, TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import { MethodError } from '../../gateway/methods/types.js';
import type { OpenClawConfig } from '../../config/schema.js';
import { fakeFactory, SELF, writeLinkedCreds } from '../../channels/whatsapp/testing/fake-socket.js';
import { register } from './channels.js';
import { setWhatsAppLoginSocketFactoryForTests } from './channels-login.js';
import { runRegistered } from '../testing-in-process.js';

const state = stateDirsForFile();
const cli = (args: string[], env: NodeJS.ProcessEnv) => runRegistered(register, args, env);
const readConfig = (s: StateDir) => JSON5.parse(fs.readFileSync(s.configPath, 'utf8'));
const authDirOf = (s: StateDir, account = 'default') => path.join(s.dir, 'credentials', 'whatsapp', account);
// Nothing listens on this port: the "is a gateway connected?" check of logout finds none.
const downGateway = async (s: StateDir) => ({ ...s.env, OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${await freePort()}` });

afterEach(() => setWhatsAppLoginSocketFactoryForTests(undefined));

test('channels login --channel whatsapp: prints the QR with the instruction, links, writes channels.whatsapp; a second run says already linked', async () => {
  const s = state(localConfig(TEST_TOKEN));
  const factory = fakeFactory({
    onSocket: (sock) => {
      sock.qr('2@ref,noise,identity,adv');
      setTimeout(() => {
        sock.open(SELF);
        sock.credsUpdate({ me: SELF });
      }, 10);
    },
  });
  setWhatsAppLoginSocketFactoryForTests(factory);
  const r = await cli(['channels', 'login', '--channel', 'whatsapp', '--timeout', '5000'], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Scan this QR in WhatsApp → Settings → Linked devices → Link a device:\n/);
  assert.match(r.stdout, /[▄▀█]/);
  assert.match(r.stdout, /^Linked WhatsApp \+15551234567 \(account "default"\)\.$/m);
  assert.match(r.stdout, /^Wrote channels\.whatsapp \(dmPolicy: pairing\)/m);
  assert.deepEqual(readConfig(s).channels.whatsapp, { dmPolicy: 'pairing' });
  const creds = path.join(authDirOf(s), 'creds.json');
  assert.equal(fs.statSync(creds).mode & 0o777, 0o600);
  assert.equal(fs.statSync(authDirOf(s)).mode & 0o777, 0o700);

  const again = await cli(['channels', 'login', '--channel', 'whatsapp', '--json'], s.env);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), { ok: true, version: 1, channel: 'whatsapp', accountId: 'default', alreadyLinked: true, selfNumber: '+15551234567', authDir: authDirOf(s) });
  assert.equal(factory.sockets.length, 1, 'no second socket for a linked account');
});

test('channels login: --json keeps the QR off stdout; a timeout and a loggedOut are clear errors with a fix', async () => {
  const s = state(localConfig(TEST_TOKEN, { channels: { whatsapp: { accounts: { work: { dmPolicy: 'pairing' } } } } }));
  setWhatsAppLoginSocketFactoryForTests(fakeFactory({ onSocket: (sock) => sock.qr('2@x') }));
  const t = await cli(['channels', 'login', '--channel', 'whatsapp', '--account', 'work', '--timeout', '200', '--json'], s.env);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /Scan this QR/);
  assert.doesNotMatch(t.stdout, /Scan this QR/);
  const err = JSON.parse(t.stdout);
  assert.match(JSON.stringify(err), /No phone linked within 200 ms/);

  setWhatsAppLoginSocketFactoryForTests(fakeFactory({ onSocket: (sock) => sock.close(401) }));
  const lo = await cli(['channels', 'login', '--channel', 'whatsapp', '--account', 'work'], s.env);
  assert.equal(lo.code, 1);
  assert.match(lo.stderr, /WhatsApp logged this session out \(status 401\) during login: the stored session is no longer valid\./);
  assert.match(lo.stderr, /fix: openclaw channels logout --channel whatsapp --account work --yes, then openclaw channels login --channel whatsapp --account work/);
});

test('channels login/logout for other channels: a usage error that names the right command', async () => {
  const s = state(localConfig(TEST_TOKEN));
  const tg = await cli(['channels', 'login', '--channel', 'telegram'], s.env);
  assert.equal(tg.code, 2);
  assert.match(tg.stderr, /Telegram has no channels login: use openclaw channels add --channel telegram --token <token>/);
  assert.match(tg.stderr, /fix: openclaw channels add --channel telegram --token/);
  const dc = await cli(['channels', 'logout', '--channel', 'discord', '--yes'], s.env);
  assert.equal(dc.code, 2);
  assert.match(dc.stderr, /Discord has no channels logout/);
  const bad = await cli(['channels', 'login', '--channel', 'slack'], s.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown channel "slack"/);
  const help = await cli(['channels', 'login', '--help'], s.env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Linked devices → Link a device/);
  assert.match(help.stdout, /--account <id>/);
});

test('channels logout: needs --yes, moves the session aside as a backup; stops when the running gateway refuses', async () => {
  const s = state(localConfig(TEST_TOKEN, { channels: { whatsapp: { dmPolicy: 'pairing' } } }));
  writeLinkedCreds(authDirOf(s));
  const env = await downGateway(s);
  const no = await cli(['channels', 'logout', '--channel', 'whatsapp'], env);
  assert.equal(no.code, 2);
  assert.match(no.stderr, /refusing to unlink WhatsApp account "default" without --yes/);
  assert.match(no.stderr, /fix: openclaw channels logout --channel whatsapp --yes/);
  assert.ok(fs.existsSync(authDirOf(s)));

  // A running gateway that knows the account but cannot log it out: nothing is moved under it.
  const refuse = () => {
    throw new MethodError('INVALID_REQUEST', 'WhatsApp logout request failed', { fix: 'openclaw gateway stop, then openclaw channels logout --channel whatsapp --yes' });
  };
  const gw = await startTestGateway({ state: s, config: readConfig(s) as OpenClawConfig, extraMethods: [{ name: 'channels.logout', scope: 'operator.admin', handler: refuse }] });
  try {
    const busy = await cli(['channels', 'logout', '--channel', 'whatsapp', '--yes'], { ...s.env, OPENCLAW_GATEWAY_URL: gw.url });
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /The running gateway could not log out WhatsApp account "default": WhatsApp logout request failed/);
    assert.match(busy.stderr, /fix: openclaw gateway stop, then openclaw channels logout --channel whatsapp --yes/);
    assert.ok(fs.existsSync(authDirOf(s)), 'nothing moved under a live socket');
  } finally {
    await gw.close();
  }

  const ok = await cli(['channels', 'logout', '--channel', 'whatsapp', '--yes', '--json'], env);
  assert.equal(ok.code, 0, ok.stderr);
  const out = JSON.parse(ok.stdout);
  assert.equal(out.wasLinked, true);
  assert.match(out.backupPath, /credentials\/whatsapp\/default\.bak-\d{4}-\d\d-\d\dT/);
  assert.ok(fs.existsSync(path.join(out.backupPath, 'creds.json')));
  assert.equal(fs.existsSync(authDirOf(s)), false);
  const none = await cli(['channels', 'logout', '--channel', 'whatsapp', '--yes'], env);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /is not linked .*nothing to do/);
});
