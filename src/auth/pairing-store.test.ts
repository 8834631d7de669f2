import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeStateDir } from '../testing/harness.js';
import { PairingStore, PairingStoreError, summarizeDevice, type PairingRequestInput } from './pairing-store.js';
import { withFileLockSync, FileLockTimeoutError } from './file-lock.js';

function fakeDevice(n: number | string): Pick<PairingRequestInput, 'deviceId' | 'publicKey'> {
  const publicKey = crypto.createHash('sha256').update(`key-${n}`).digest('base64url');
  return { deviceId: crypto.createHash('sha256').update(publicKey).digest('hex'), publicKey };
}

function req(n: number | string, over: Partial<PairingRequestInput> = {}): PairingRequestInput {
  return { ...fakeDevice(n), role: 'operator', scopes: ['operator.read'], clientId: 'cli', clientMode: 'cli', displayName: `dev ${n}`, remoteIp: '127.0.0.1', ...over };
}

function clock(t = 1_760_000_000_000) {
  const c = { t, now: () => c.t };
  return c;
}

test('request → approve → token; files are 0600 in a 0700 dir', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const store = new PairingStore(sd.dir, c.now);
  const { request, created } = store.requestPairing(req(1));
  assert.equal(created, true);
  assert.match(request.requestId, /^[0-9a-f-]{36}$/);
  assert.equal(store.listPending().length, 1);
  const approved = store.approve(request.requestId, 'cli');
  assert.ok(approved);
  assert.equal(approved.request.requestId, request.requestId);
  assert.deepEqual(approved.device.roles, ['operator']);
  assert.deepEqual(approved.device.scopes, ['operator.read']);
  assert.equal(approved.device.approvedVia, 'cli');
  assert.match(approved.device.tokens.operator.token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(store.listPending().length, 0);
  assert.equal(store.getPaired(request.deviceId)?.displayName, 'dev 1');
  assert.equal(fs.statSync(`${store.pairedPath}.journal`).mode & 0o777, 0o600);
  assert.equal(fs.statSync(`${store.pendingPath}.journal`).mode & 0o777, 0o600);
  assert.equal(fs.statSync(store.devicesDir).mode & 0o777, 0o700);
  store.compact(); // what the gateway does when idle and on shutdown
  assert.equal(fs.statSync(store.pairedPath).mode & 0o777, 0o600);
  assert.equal(fs.statSync(store.pendingPath).mode & 0o777, 0o600);
  assert.equal(fs.existsSync(store.lockPath), false, 'lock released');
  const summary = summarizeDevice(approved.device);
  assert.equal(JSON.stringify(summary).includes(approved.device.tokens.operator.token), false, 'summaries never carry bearers');
  assert.deepEqual(summary.tokens.map((x) => x.role), ['operator']);
  // the files are plain maps keyed by id
  assert.ok(JSON.parse(fs.readFileSync(store.pairedPath, 'utf8'))[request.deviceId]);
});

test('one pending request per device: same details refresh (keep id and ts), different ones supersede', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const store = new PairingStore(sd.dir, c.now);
  const first = store.requestPairing(req(1)).request;
  c.t += 60_000;
  const again = store.requestPairing(req(1, { remoteIp: '127.0.0.2' }));
  assert.equal(again.created, false);
  assert.equal(again.request.requestId, first.requestId);
  assert.equal(again.request.ts, first.ts);
  assert.equal(again.request.remoteIp, '127.0.0.2');
  const wider = store.requestPairing(req(1, { scopes: ['operator.read', 'operator.write'] }));
  assert.equal(wider.created, true);
  assert.notEqual(wider.request.requestId, first.requestId);
  assert.deepEqual(store.listPending().map((p) => p.requestId), [wider.request.requestId]);
  // scope order does not matter for "same"
  assert.equal(store.requestPairing(req(1, { scopes: ['operator.write', 'operator.read'] })).created, false);
});

test('pending requests expire 5 min after the last retry', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const store = new PairingStore(sd.dir, c.now);
  const r = store.requestPairing(req(1)).request;
  store.requestPairing(req(2));
  c.t += 4 * 60_000;
  store.requestPairing(req(1)); // device 1 keeps retrying
  c.t += 2 * 60_000;
  assert.deepEqual(store.listPending().map((p) => p.requestId), [r.requestId]);
  assert.equal(store.approve(fakeDevice(2).deviceId), null, 'expired request cannot be approved');
  c.t += 5 * 60_000;
  assert.deepEqual(store.listPending(), []);
  // pruning is persisted by the next write
  store.requestPairing(req(3));
  store.compact();
  assert.equal(Object.keys(JSON.parse(fs.readFileSync(store.pendingPath, 'utf8'))).length, 1);
});

test('approve/reject accept requestId, deviceId or a unique 8+ char prefix of either', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const store = new PairingStore(sd.dir);
  const a = store.requestPairing(req('a')).request;
  const b = store.requestPairing(req('b')).request;
  const d = store.requestPairing(req('d')).request;
  assert.equal(store.approve(a.deviceId)?.device.deviceId, a.deviceId);
  assert.equal(store.approve(b.requestId.slice(0, 8))?.request.requestId, b.requestId);
  assert.equal(store.approve(d.requestId.slice(0, 7)), null, 'prefix too short');
  assert.equal(store.reject(d.deviceId.slice(0, 10))?.requestId, d.requestId);
  assert.equal(store.reject(d.requestId), null);
  assert.equal(store.approve(''), null);
  assert.equal(store.resolveDeviceId(a.deviceId.slice(0, 12)), a.deviceId);
  assert.equal(store.resolveDeviceId(a.deviceId.slice(0, 4)), undefined);
});

test('upgrades merge roles and scopes and keep the existing bearer; a rename survives', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const store = new PairingStore(sd.dir);
  const first = store.approve(store.requestPairing(req(1)).request.requestId)!;
  assert.equal(store.rename(first.device.deviceId, 'work laptop'), true);
  const up = store.requestPairing(req(1, { scopes: ['operator.write'] })).request;
  assert.equal(up.isRepair, true);
  const second = store.approve(up.requestId)!;
  assert.deepEqual(second.device.scopes.sort(), ['operator.read', 'operator.write']);
  assert.equal(second.device.tokens.operator.token, first.device.tokens.operator.token);
  assert.deepEqual(second.device.tokens.operator.scopes.sort(), ['operator.read', 'operator.write']);
  assert.equal(second.device.displayName, 'work laptop');
  const node = store.approve(store.requestPairing(req(1, { role: 'node', scopes: [] })).request.requestId)!;
  assert.deepEqual(node.device.roles, ['operator', 'node']);
  assert.notEqual(node.device.tokens.node.token, node.device.tokens.operator.token);
});

test('verifyDeviceToken reports each failure reason', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const store = new PairingStore(sd.dir, c.now);
  const { device } = store.approve(store.requestPairing(req(1, { scopes: ['operator.read', 'operator.write'] })).request.requestId)!;
  const token = device.tokens.operator.token;
  const id = device.deviceId;
  assert.deepEqual(store.verifyDeviceToken(fakeDevice(9).deviceId, 'operator', token, []), { ok: false, reason: 'device-not-paired' });
  assert.deepEqual(store.verifyDeviceToken(id, 'node', token, []), { ok: false, reason: 'role-missing' });
  assert.deepEqual(store.verifyDeviceToken(id, 'operator', '', []), { ok: false, reason: 'token-missing' });
  assert.deepEqual(store.verifyDeviceToken(id, 'operator', token + 'x', []), { ok: false, reason: 'token-mismatch' });
  assert.deepEqual(store.verifyDeviceToken(id, 'operator', token, ['operator.admin']), { ok: false, reason: 'scope-mismatch' });
  c.t += 5;
  const ok = store.verifyDeviceToken(id, 'operator', token, ['operator.read']);
  assert.equal(ok.ok, true);
  assert.equal(ok.ok && ok.record.lastUsedAtMs, c.t);
  assert.equal(store.revokeToken(id, 'operator'), true);
  assert.deepEqual(store.verifyDeviceToken(id, 'operator', token, []), { ok: false, reason: 'token-revoked' });
  assert.equal(store.revokeToken(id, 'node'), false);
});

test('ensureDeviceToken reuses a covering token and replaces revoked or narrow ones', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const store = new PairingStore(sd.dir);
  const { device } = store.approve(store.requestPairing(req(1)).request.requestId)!;
  const id = device.deviceId;
  assert.equal(store.ensureDeviceToken(id, 'operator', ['operator.read']).token, device.tokens.operator.token);
  const wider = store.ensureDeviceToken(id, 'operator', ['operator.write']);
  assert.notEqual(wider.token, device.tokens.operator.token);
  assert.deepEqual(wider.scopes.sort(), ['operator.read', 'operator.write']);
  store.revokeToken(id, 'operator');
  const fresh = store.ensureDeviceToken(id, 'operator', ['operator.read']);
  assert.notEqual(fresh.token, wider.token);
  assert.equal(fresh.revokedAtMs, undefined);
  assert.throws(() => store.ensureDeviceToken(fakeDevice(2).deviceId, 'operator', []), PairingStoreError);
});

test('rotateToken mints a new bearer, grants the given scopes; remove/clear/touch', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const store = new PairingStore(sd.dir, c.now);
  const { device } = store.approve(store.requestPairing(req(1)).request.requestId)!;
  const id = device.deviceId;
  const rotated = store.rotateToken(id, 'operator', ['operator.read', 'operator.pairing'])!;
  assert.notEqual(rotated.token, device.tokens.operator.token);
  assert.equal(rotated.rotatedAtMs, c.t);
  assert.deepEqual(store.getPaired(id)!.scopes.sort(), ['operator.pairing', 'operator.read']);
  assert.deepEqual(store.verifyDeviceToken(id, 'operator', device.tokens.operator.token, []), { ok: false, reason: 'token-mismatch' });
  assert.equal(store.verifyDeviceToken(id, 'operator', rotated.token, ['operator.pairing']).ok, true);
  assert.equal(store.rotateToken(id, 'node'), null);
  assert.equal(store.rotateToken(fakeDevice(5).deviceId, 'operator'), null);
  c.t += 10;
  store.touch(id, 'connect');
  assert.equal(store.getPaired(id)!.lastSeenAtMs, c.t);
  assert.equal(store.getPaired(id)!.lastSeenReason, 'connect');
  store.approve(store.requestPairing(req(2)).request.requestId);
  store.requestPairing(req(3));
  assert.equal(store.remove(id), true);
  assert.equal(store.remove(id), false);
  assert.deepEqual(store.clear({}), { removedPending: 0, removedPaired: 1 });
  assert.equal(store.listPending().length, 1);
  assert.deepEqual(store.clear({ pending: true }), { removedPending: 1, removedPaired: 0 });
});

test('two instances on one state dir see each other’s writes (re-read on change)', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const gateway = new PairingStore(sd.dir);
  const cli = new PairingStore(sd.dir);
  const r = gateway.requestPairing(req(1)).request;
  assert.equal(cli.listPending()[0]?.requestId, r.requestId);
  cli.approve(r.deviceId);
  assert.equal(gateway.listPending().length, 0);
  assert.ok(gateway.getPaired(r.deviceId));
  // interleaved writes do not clobber each other
  gateway.requestPairing(req(2));
  cli.requestPairing(req(3));
  gateway.rename(r.deviceId, 'renamed by gateway');
  cli.touch(r.deviceId, 'cli');
  assert.equal(gateway.listPending().length, 2);
  assert.equal(cli.getPaired(r.deviceId)!.displayName, 'renamed by gateway');
  assert.equal(gateway.getPaired(r.deviceId)!.lastSeenReason, 'cli');
});

test('two processes writing at the same time lose nothing', async (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const moduleUrl = new URL('./pairing-store.js', import.meta.url).href;
  const N = 40;
  const script = (tag: string) => `
    import crypto from 'node:crypto';
    const { PairingStore } = await import(${JSON.stringify(moduleUrl)});
    const store = new PairingStore(${JSON.stringify(sd.dir)});
    for (let i = 0; i < ${N}; i++) {
      const publicKey = crypto.createHash('sha256').update('${tag}-' + i).digest('base64url');
      const deviceId = crypto.createHash('sha256').update(publicKey).digest('hex');
      const { request } = store.requestPairing({ deviceId, publicKey, role: 'operator', scopes: ['operator.read'] });
      if (i % 2 === 0) store.approve(request.requestId, '${tag}');
    }`;
  const run = (tag: string) =>
    new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script(tag)], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('error', reject);
      child.on('exit', resolve);
    });
  const codes = await Promise.all([run('p1'), run('p2'), run('p3')]);
  assert.deepEqual(codes, [0, 0, 0]);
  const store = new PairingStore(sd.dir);
  assert.equal(store.listPaired().length, (3 * N) / 2);
  assert.equal(store.listPending().length, (3 * N) / 2);
  assert.deepEqual(new Set(store.listPaired().map((d) => d.approvedVia)), new Set(['p1', 'p2', 'p3']));
});

test('a corrupt state file is reported with the fix, not a crash', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const store = new PairingStore(sd.dir);
  fs.mkdirSync(store.devicesDir, { recursive: true });
  fs.writeFileSync(store.pairedPath, '{ not json');
  assert.throws(() => store.listPaired(), (err: Error) => err instanceof PairingStoreError && err.message.includes(`mv ${store.pairedPath} ${store.pairedPath}.bad`));
});

test('file lock: stale locks of dead pids are reclaimed; live ones time out with the holder pid', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const lock = path.join(sd.dir, 'x.lock');
  // a pid that cannot be alive (beyond pid_max)
  fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 7, token: 'dead', createdAtMs: Date.now() }));
  assert.equal(withFileLockSync(lock, () => 42), 42);
  assert.equal(fs.existsSync(lock), false);
  fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, token: 'live', createdAtMs: Date.now() }));
  assert.throws(() => withFileLockSync(lock, () => 1, { timeoutMs: 50 }), (err: Error) => err instanceof FileLockTimeoutError && err.message.includes(`pid ${process.ppid}`));
  // a very old lock is stale even if its pid is alive (pid reuse)
  fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, token: 'old', createdAtMs: Date.now() - 60_000 }));
  assert.equal(withFileLockSync(lock, () => 'ok'), 'ok');
});

test('repeated connects do not rewrite the files: last-seen is kept to a one-minute resolution', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const store = new PairingStore(sd.dir, c.now);
  const { device } = store.approve(store.requestPairing(req(1)).request.requestId)!;
  const id = device.deviceId;
  const token = device.tokens.operator.token;
  store.touch(id, 'connect');
  assert.equal(store.verifyDeviceToken(id, 'operator', token, []).ok, true);
  const before = store.bytesWritten();
  for (let i = 0; i < 20; i++) {
    c.t += 1000;
    assert.equal(store.verifyDeviceToken(id, 'operator', token, []).ok, true);
    store.touch(id, 'connect');
    assert.equal(store.ensureDeviceToken(id, 'operator', ['operator.read']).token, token);
  }
  assert.equal(store.bytesWritten(), before, 'no write within the resolution');
  assert.equal(fs.existsSync(store.lockPath), false);
  c.t += 60_000;
  store.touch(id, 'connect');
  assert.notEqual(store.bytesWritten(), before);
  assert.equal(store.getPaired(id)!.lastSeenAtMs, c.t);
  // a different reason is always recorded
  store.touch(id, 'disconnect');
  assert.equal(store.getPaired(id)!.lastSeenReason, 'disconnect');
  // failures are still detected on the fast path
  store.revokeToken(id, 'operator');
  assert.deepEqual(store.verifyDeviceToken(id, 'operator', token, []), { ok: false, reason: 'token-revoked' });
});

test('pairing a new device writes O(1) bytes: 2,000 paired devices cost what 10 do; the journal folds into paired.json', (t) => {
  const sd = makeStateDir();
  t.after(sd.cleanup);
  const c = clock();
  const costOfNewDevice = (paired: number) => {
    const dir = path.join(sd.dir, `n${paired}`);
    const seed = new PairingStore(dir, c.now);
    const record = (n: number) => {
      const d = fakeDevice(`seed-${paired}-${n}`);
      return [d.deviceId, { ...d, roles: ['operator'], scopes: ['operator.read'], tokens: { operator: { token: `tok-${n}-0123456789abcdef0123456789abcdef01234`, role: 'operator', scopes: ['operator.read'], createdAtMs: c.t } }, createdAtMs: c.t, approvedAtMs: c.t }];
    };
    fs.mkdirSync(seed.devicesDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(seed.pairedPath, JSON.stringify(Object.fromEntries(Array.from({ length: paired }, (_, n) => record(n))), null, 2), { mode: 0o600 });
    const store = new PairingStore(dir, c.now);
    assert.equal(store.listPaired().length, paired);
    const sizeBefore = fs.statSync(store.pairedPath).size;
    const before = store.bytesWritten();
    // what a connect of a new, silently approved device does
    const { request } = store.requestPairing(req(`new-${paired}`));
    const { device } = store.approve(request.requestId, 'silent')!;
    store.ensureDeviceToken(device.deviceId, 'operator', ['operator.read']);
    store.touch(device.deviceId, 'connect');
    assert.equal(fs.statSync(store.pairedPath).size, sizeBefore, 'paired.json is not rewritten per change');
    assert.equal(store.listPaired().length, paired + 1);
    assert.equal(new PairingStore(dir, c.now).getPaired(device.deviceId)?.tokens.operator.token, device.tokens.operator.token, 'another reader replays the journal');
    store.compact();
    assert.ok(JSON.parse(fs.readFileSync(store.pairedPath, 'utf8'))[device.deviceId], 'compact() makes paired.json current');
    return store.bytesWritten() - before - (fs.statSync(store.pairedPath).size + fs.statSync(store.pendingPath).size);
  };
  const small = costOfNewDevice(10);
  const large = costOfNewDevice(2000);
  // paired.json at 2,000 devices is ~1 MB: the old whole-file rewrite wrote that much per change
  assert.ok(large < 8192, `bytes written for a new device among 2,000: ${large}`);
  assert.ok(large <= small * 1.2 + 256, `2,000 devices: ${large} bytes, 10 devices: ${small} bytes`);
});
