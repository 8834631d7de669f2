// The DM pairing store on real files: lifecycle rules (TTL from createdAt, cap, same code on
// repeat), the shared file under the lock (other processes), and what happens to broken files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { stateDirsForFile } from '../../testing/harness.js';
import { CHANNEL_PAIRING_PENDING_TTL_MS } from './codes.js';
import { ChannelPairingStore, ChannelPairingStoreError, diskError, requestIdOf, type PairingFileV1, type PairingRequest } from './store.js';

const newState = stateDirsForFile();
const T0 = Date.parse('2026-09-01T10:00:00.000Z');
const MIN = 60_000;

function storeAt(now: { t: number }, opts: ConstructorParameters<typeof ChannelPairingStore>[1] = {}) {
  const sd = newState();
  return { sd, store: new ChannelPairingStore(sd.dir, { now: () => now.t, ...opts }) };
}

test('same sender again: same code, lastSeenAt bumped, created:false', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  const first = store.upsertRequest({ channel: 'telegram', senderId: '111', meta: { username: 'alice', firstName: 'Al' } });
  assert.equal(first.created, true);
  assert.match(first.code, /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
  now.t += 5 * MIN;
  const again = store.upsertRequest({ channel: 'telegram', senderId: '111' });
  assert.deepEqual({ code: again.code, created: again.created }, { code: first.code, created: false });
  const [row] = store.listRequests({ channel: 'telegram' });
  assert.equal(row.createdAt, new Date(T0).toISOString());
  assert.equal(row.lastSeenAt, new Date(T0 + 5 * MIN).toISOString());
  assert.deepEqual(row.meta, { username: 'alice', firstName: 'Al', accountId: 'default' });
});

test('TTL counts from createdAt, not lastSeenAt; an expired sender gets a new code', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  const first = store.upsertRequest({ channel: 'telegram', senderId: '111' });
  now.t = T0 + CHANNEL_PAIRING_PENDING_TTL_MS - 1;
  assert.equal(store.upsertRequest({ channel: 'telegram', senderId: '111' }).code, first.code, 'still pending, though seen just now');
  now.t = T0 + CHANNEL_PAIRING_PENDING_TTL_MS;
  assert.deepEqual(store.listRequests(), [], 'expired at createdAt + 1 h although lastSeenAt is recent');
  assert.equal(store.findByCode('telegram', first.code), undefined);
  assert.equal(store.approve('telegram', first.code), null);
  const renewed = store.upsertRequest({ channel: 'telegram', senderId: '111' });
  assert.equal(renewed.created, true);
  assert.equal(store.listRequests()[0].createdAt, new Date(now.t).toISOString());
});

test('cap: 3 pending per channel account; a 4th sender gets {code:"", created:false}; other accounts and channels are separate', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  const codes = ['1', '2', '3'].map((id) => store.upsertRequest({ channel: 'telegram', senderId: id }).code);
  assert.equal(new Set(codes).size, 3, 'codes unique among the channel');
  assert.deepEqual(store.upsertRequest({ channel: 'telegram', senderId: '4' }), { code: '', created: false });
  assert.equal(store.upsertRequest({ channel: 'telegram', senderId: '2' }).code, codes[1], 'known senders keep their code at the cap');
  assert.equal(store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '4' }).created, true);
  assert.equal(store.upsertRequest({ channel: 'discord', senderId: '4' }).created, true);
  store.dismiss('telegram', 'default', '1');
  assert.equal(store.upsertRequest({ channel: 'telegram', senderId: '4' }).created, true, 'room again after a dismissal');
});

test('over-cap rows in the file are pruned oldest-lastSeenAt first on the next write', () => {
  const now = { t: T0 + 10 * MIN };
  const { store } = storeAt(now);
  const rows = [5, 1, 4, 2, 3].map((m, i) => ({
    channel: 'telegram' as const, accountId: 'default', id: `s${i}`, code: `CODE000${i + 2}`.replace(/0/g, 'A'),
    createdAt: new Date(T0).toISOString(), lastSeenAt: new Date(T0 + m * MIN).toISOString(), meta: {},
  }));
  fs.mkdirSync(store.dir, { recursive: true });
  fs.writeFileSync(store.file, JSON.stringify({ version: 1, requests: rows, allow: {} }));
  assert.deepEqual(store.listRequests().map((r) => r.id).sort(), ['s0', 's2', 's4'], 'reads never show over-cap rows');
  store.addAllowEntry('discord', 'default', 'x');
  const onDisk = JSON.parse(fs.readFileSync(store.file, 'utf8')) as PairingFileV1;
  assert.deepEqual(onDisk.requests.map((r) => r.id).sort(), ['s0', 's2', 's4']);
});

test('approve: case-insensitive code, sender joins allow, request gone; approved senders get no new request', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  const { code } = store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '777' });
  assert.equal(store.approve('telegram', code.toLowerCase(), 'default'), null, 'other account');
  assert.equal(store.approve('discord', code), null, 'other channel');
  const ok = store.approve('telegram', ` ${code.toLowerCase()} `);
  assert.equal(ok?.senderId, '777');
  assert.equal(ok?.accountId, 'work');
  assert.equal(ok?.request.code, code);
  assert.deepEqual(store.allowEntries('telegram', 'work'), ['777']);
  assert.deepEqual(store.allowEntries('telegram', 'default'), []);
  assert.deepEqual(store.listRequests(), []);
  assert.deepEqual(store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '777' }), { code: '', created: false });
  assert.deepEqual(store.listRequests(), []);
  assert.equal(store.approve('telegram', code), null, 'a code works once');
});

test('approveRequest / dismiss by sender, checked against the requestId when given', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  store.upsertRequest({ channel: 'whatsapp', senderId: '+15550001' });
  store.upsertRequest({ channel: 'whatsapp', senderId: '+15550002' });
  const [a, b] = store.listRequests();
  assert.equal(store.approveRequest('whatsapp', 'default', a.id, requestIdOf(b)), null, 'wrong requestId');
  assert.equal(store.approveRequest('whatsapp', 'default', a.id, requestIdOf(a))?.senderId, '+15550001');
  assert.equal(store.dismiss('whatsapp', 'default', b.id), true);
  assert.equal(store.dismiss('whatsapp', 'default', b.id), false);
  assert.deepEqual(store.allowEntries('whatsapp'), ['+15550001'], 'a dismissal does not block or allow');
  assert.equal(store.upsertRequest({ channel: 'whatsapp', senderId: '+15550002' }).created, true, 'a dismissed sender may ask again');
});

test('addAllowEntry / removeAllowEntry; adding drops the sender’s pending request', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  store.upsertRequest({ channel: 'telegram', senderId: '5' });
  assert.equal(store.addAllowEntry('telegram', 'default', '5'), true);
  assert.equal(store.addAllowEntry('telegram', 'default', '5'), false);
  assert.deepEqual(store.listRequests(), []);
  assert.equal(store.removeAllowEntry('telegram', 'default', '5'), true);
  assert.equal(store.removeAllowEntry('telegram', 'default', '5'), false);
  assert.deepEqual(store.allowEntries('telegram'), []);
  assert.deepEqual((JSON.parse(fs.readFileSync(store.file, 'utf8')) as PairingFileV1).allow, {});
});

test('the file: shape, 0600 in a 0700 dir, no lock left behind', () => {
  const now = { t: T0 };
  const { sd, store } = storeAt(now);
  store.upsertRequest({ channel: 'telegram', senderId: '1', meta: { username: 'u' } });
  store.addAllowEntry('telegram', 'default', '9');
  assert.equal(store.file, path.join(sd.dir, 'channels', 'pairing.json'));
  assert.equal((fs.statSync(store.file).mode & 0o777).toString(8), '600');
  assert.equal((fs.statSync(store.dir).mode & 0o777).toString(8), '700');
  assert.equal(fs.existsSync(store.lockPath), false);
  const onDisk = JSON.parse(fs.readFileSync(store.file, 'utf8'));
  assert.deepEqual(Object.keys(onDisk), ['version', 'requests', 'allow']);
  assert.equal(onDisk.version, 1);
  assert.deepEqual(Object.keys(onDisk.requests[0]), ['channel', 'accountId', 'id', 'code', 'createdAt', 'lastSeenAt', 'meta']);
  assert.deepEqual(onDisk.allow, { 'telegram:default': ['9'] });
});

test('requestIdOf: base64url(sha256(channel\\0accountId\\0senderId\\0createdAt)).slice(0,32), stable, code-free', () => {
  const r: PairingRequest = { channel: 'telegram', accountId: 'default', id: '123', createdAt: '2026-09-01T10:00:00.000Z', code: 'ABCD2345', lastSeenAt: '2026-09-01T10:00:00.000Z', meta: {} };
  const id = requestIdOf(r);
  assert.equal(id, crypto.createHash('sha256').update('telegram\u0000default\u0000123\u00002026-09-01T10:00:00.000Z').digest('base64url').slice(0, 32));
  assert.match(id, /^[A-Za-z0-9_-]{32}$/);
  const otherCode: PairingRequest = { ...r, code: 'ZZZZZZZZ', lastSeenAt: '2026-09-01T10:30:00.000Z' };
  assert.equal(requestIdOf(otherCode), id, 'neither the code nor lastSeenAt is an input');
});

test('allowEntries is stat-cached: repeated reads do not re-parse, a change by another store shows at once', () => {
  const now = { t: T0 };
  const { sd, store } = storeAt(now);
  const other = new ChannelPairingStore(sd.dir);
  assert.deepEqual(store.allowEntries('telegram'), []);
  other.addAllowEntry('telegram', 'default', '1');
  assert.deepEqual(store.allowEntries('telegram'), ['1']);
  const realRead = fs.readFileSync;
  let reads = 0;
  (fs as { readFileSync: unknown }).readFileSync = (...a: Parameters<typeof fs.readFileSync>) => (a[0] === store.file && reads++, realRead(...a));
  try {
    for (let i = 0; i < 1000; i++) store.allowEntries('telegram');
    assert.equal(reads, 0, 'unchanged file: no reads');
    other.addAllowEntry('telegram', 'default', '2');
    reads = 0;
    assert.deepEqual(store.allowEntries('telegram'), ['1', '2']);
    assert.equal(reads, 1, 'changed file: one read');
    store.allowEntries('telegram');
    assert.equal(reads, 1);
  } finally {
    (fs as { readFileSync: unknown }).readFileSync = realRead;
  }
  const result = store.allowEntries('telegram');
  result.push('mutated');
  assert.deepEqual(store.allowEntries('telegram'), ['1', '2'], 'callers get a copy');
  fs.rmSync(store.file);
  assert.deepEqual(store.allowEntries('telegram'), [], 'file removed: nothing approved');
});

const storeModule = new URL('./store.js', import.meta.url).href;

function runNode(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('four processes writing at once: every change lands (the lock serialises read-modify-write)', async () => {
  const sd = newState();
  const script = `
    const { ChannelPairingStore } = await import(${JSON.stringify(storeModule)});
    const store = new ChannelPairingStore(process.env.DIR, { lockTimeoutMs: 20000 });
    const w = process.env.WORKER;
    for (let i = 0; i < 25; i++) {
      store.addAllowEntry('telegram', 'default', w + '-' + i);
      if (i < 3) store.upsertRequest({ channel: 'discord', accountId: 'acct' + w, senderId: w + '-' + i });
    }
  `;
  const results = await Promise.all(['a', 'b', 'c', 'd'].map((w) => runNode(script, { DIR: sd.dir, WORKER: w })));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const store = new ChannelPairingStore(sd.dir);
  const allowed = store.allowEntries('telegram');
  assert.equal(allowed.length, 100);
  assert.equal(new Set(allowed).size, 100);
  const requests = store.listRequests({ channel: 'discord' });
  assert.equal(requests.length, 12);
  assert.equal(new Set(requests.map((r) => r.code)).size, 12, 'codes unique across the channel, across processes');
  assert.equal(fs.existsSync(store.lockPath), false);
});

test('interleaved stores in one process never lose each other’s writes', () => {
  const sd = newState();
  const a = new ChannelPairingStore(sd.dir);
  const b = new ChannelPairingStore(sd.dir);
  const { code } = a.upsertRequest({ channel: 'telegram', senderId: '1' });
  b.upsertRequest({ channel: 'telegram', senderId: '2' });
  assert.equal(b.approve('telegram', code)?.senderId, '1');
  a.addAllowEntry('telegram', 'default', '3');
  assert.deepEqual(a.allowEntries('telegram'), ['1', '3']);
  assert.deepEqual(b.listRequests().map((r) => r.id), ['2']);
});

test('a corrupt file is kept as pairing.json.corrupt-<ts>, said so (error naming both files and the fix), then a fresh start', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  store.addAllowEntry('telegram', 'default', '1');
  fs.writeFileSync(store.file, '{"version":1, "allow": {"telegram:default": ["1"]');
  const err = (() => {
    try {
      store.allowEntries('telegram');
    } catch (e) {
      return e as ChannelPairingStoreError;
    }
    assert.fail('expected a throw');
  })();
  assert.ok(err instanceof ChannelPairingStoreError);
  assert.equal(err.kind, 'corrupt');
  const backup = `${store.file}.corrupt-2026-09-01T10-00-00-000Z`;
  assert.equal(err.backupPath, backup);
  assert.match(err.message, new RegExp(`^${store.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid pairing state \\(invalid JSON: `));
  assert.ok(err.message.includes(`kept it as ${backup}`));
  assert.match(err.fix, /openclaw pairing approve/);
  assert.equal(fs.readFileSync(backup, 'utf8'), '{"version":1, "allow": {"telegram:default": ["1"]', 'kept byte for byte');
  assert.equal(fs.existsSync(store.file), false);
  assert.deepEqual(store.allowEntries('telegram'), [], 'then a fresh start');
  store.addAllowEntry('telegram', 'default', '2');
  assert.deepEqual(store.allowEntries('telegram'), ['2']);
  assert.equal(fs.readFileSync(backup, 'utf8').includes('"1"'), true, 'the backup is never overwritten');
});

test('with onRecovered, a corrupt file found by a write is kept aside, reported, and the write goes on', () => {
  const now = { t: T0 };
  const messages: string[] = [];
  const { store } = storeAt(now, { onRecovered: (m) => messages.push(m) });
  fs.mkdirSync(store.dir, { recursive: true });
  fs.writeFileSync(store.file, '[1,2,3]');
  const r = store.upsertRequest({ channel: 'telegram', senderId: '1' });
  assert.equal(r.created, true);
  assert.equal(messages.length, 1);
  assert.match(messages[0], /is not valid pairing state \(the top level is not an object\); kept it as .*pairing\.json\.corrupt-.*; fix: /);
  assert.equal(fs.readFileSync(`${store.file}.corrupt-2026-09-01T10-00-00-000Z`, 'utf8'), '[1,2,3]');
  // a second corrupt file in the same millisecond gets its own name
  fs.writeFileSync(store.file, 'garbage');
  store.listRequests();
  assert.equal(fs.readFileSync(`${store.file}.corrupt-2026-09-01T10-00-00-000Z-1`, 'utf8'), 'garbage');
});

test('a file from a newer version is refused, never overwritten', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  fs.mkdirSync(store.dir, { recursive: true });
  fs.writeFileSync(store.file, '{"version":2,"requests":[],"allow":{}}');
  assert.throws(() => store.addAllowEntry('telegram', 'default', '1'), (e: ChannelPairingStoreError) => e.kind === 'unsupported' && /written by a newer openclaw \(version 2/.test(e.message) && /upgrade openclaw/.test(e.fix));
  assert.equal(fs.readFileSync(store.file, 'utf8'), '{"version":2,"requests":[],"allow":{}}');
});

test('disk errors name the file, the cause and the fix', () => {
  const now = { t: T0 };
  const { store } = storeAt(now);
  fs.mkdirSync(store.file, { recursive: true }); // a directory where the file should be
  assert.throws(() => store.listRequests(), (e: ChannelPairingStoreError) => e.kind === 'unreadable' && e.message.startsWith(`Cannot read ${store.file} (EISDIR: is a directory); fix: move the thing in the way aside: mv ${store.file} ${store.file}.bak`));
  const f = '/srv/state/channels/pairing.json';
  const mk = (code: string) => Object.assign(new Error(code), { code });
  assert.equal(diskError('unwritable', f, mk('ENOSPC')).message, `Cannot write ${f} (ENOSPC: no space left on device); fix: free disk space on the volume holding /srv/state/channels (df -h /srv/state/channels), then retry`);
  assert.match(diskError('unreadable', f, mk('EACCES')).message, /^Cannot read \/srv\/state\/channels\/pairing\.json \(EACCES: permission denied\); fix: the gateway and the openclaw CLI must run as the same user that owns \/srv\/state\/channels: /);
  assert.match(diskError('unwritable', f, mk('EROFS')).fix, /OPENCLAW_STATE_DIR/);
});

test('EACCES on the real file (skipped as root, which reads anything)', (t) => {
  if (process.getuid?.() === 0) return t.skip('running as root');
  const now = { t: T0 };
  const { store } = storeAt(now);
  store.addAllowEntry('telegram', 'default', '1');
  fs.chmodSync(store.file, 0o000);
  try {
    assert.throws(() => new ChannelPairingStore(path.dirname(store.dir)).allowEntries('telegram'), /Cannot read .*pairing\.json \(EACCES: permission denied\); fix: /);
  } finally {
    fs.chmodSync(store.file, 0o600);
  }
});
