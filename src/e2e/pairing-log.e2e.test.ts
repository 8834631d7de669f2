// Issue 17 items 15 and 19 against a real `openclaw gateway run` and the independent probe client:
// the pairing request line the guides tell users to find with `openclaw logs --tail 20`, and the
// per-minute cap on silent (auto-approved) pairings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, runCli, spawnCli } from '../testing/harness.js';
import { probe, startGateway, startGatewayWithPairingPrompts } from './probe-client.js';
import { SILENT_PAIRINGS_PER_MINUTE } from '../gateway/control-plane/handshake.js';

const TOKEN = 'pairing-log-token-0123456789abcdef0123';

test('a rejected pairing logs "[gateway] pairing request from device …" with the approve command; `openclaw logs --tail 20` shows it and the command works', async (t) => {
  const gw = await startGatewayWithPairingPrompts(TOKEN);
  t.after(() => gw.stop());
  const keyFile = path.join(gw.state.dir, 'new-device.pem');
  const first = await probe({ url: gw.url, token: TOKEN, keyFile });
  assert.equal(first.error?.details?.code, 'PAIRING_REQUIRED', JSON.stringify(first));
  const requestId = String(first.error?.details?.requestId);
  const line = `[gateway] pairing request from device ${first.deviceId} (request ${requestId}, from 127.0.0.1); approve with: openclaw devices approve ${requestId}`;
  const logs = await eventually(async () => {
    const r = await runCli(['logs', '--tail', '20'], { env: gw.state.env });
    return r.stdout.includes(line) ? r : undefined;
  }, 15_000);
  assert.equal(logs.code, 0);
  // the printed command is the fix
  const approve = await runCli(['devices', 'approve', requestId], { env: gw.state.env });
  assert.equal(approve.code, 0, approve.stderr + approve.stdout);
  const again = await probe({ url: gw.url, token: TOKEN, keyFile });
  assert.equal(again.connectOk, true, JSON.stringify(again));
});

test(`silent local pairing stops after ${SILENT_PAIRINGS_PER_MINUTE} devices a minute: the next one waits for approval with a log line naming the command`, async (t) => {
  const gw = await startGateway(TOKEN);
  t.after(() => gw.stop());
  const connect = (n: number) => probe({ url: gw.url, token: TOKEN, keyFile: path.join(gw.state.dir, `dev-${n}.pem`) });
  // the CLI's own device is the first silent pairing of the minute
  const cli = await runCli(['devices', 'list', '--json'], { env: gw.state.env });
  assert.equal(cli.code, 0, cli.stderr);
  for (let n = 1; n < SILENT_PAIRINGS_PER_MINUTE; n++) {
    const r = await connect(n);
    assert.equal(r.connectOk, true, `device ${n}: ${JSON.stringify(r)}`);
  }
  const over = await connect(SILENT_PAIRINGS_PER_MINUTE);
  assert.equal(over.error?.details?.code, 'PAIRING_REQUIRED', JSON.stringify(over));
  const requestId = String(over.error?.details?.requestId);
  await gw.proc.waitFor(new RegExp(`silent pairing paused: .*device ${over.deviceId} waits for approval: openclaw devices approve ${requestId}`), 10_000);
  const pending = await runCli(['devices', 'list', '--json'], { env: gw.state.env });
  assert.equal(pending.code, 0, pending.stderr);
  assert.ok(pending.stdout.includes(requestId), 'the request stays pending for an operator');
  // a paired device still reconnects (the cap is only on new silent approvals)
  assert.equal((await connect(1)).connectOk, true);
  // the journal holds the devices; a clean stop folds them into paired.json for tools that read it
  const pairedPath = path.join(gw.state.dir, 'devices', 'paired.json');
  gw.proc.kill('SIGTERM');
  await gw.proc.exited;
  const paired = JSON.parse(fs.readFileSync(pairedPath, 'utf8')) as Record<string, unknown>;
  assert.ok(Object.keys(paired).length >= SILENT_PAIRINGS_PER_MINUTE, `paired.json after stop: ${Object.keys(paired).length} devices`);
  assert.equal(fs.statSync(`${pairedPath}.journal`).size, 0);
});

test('kill -9 after silent pairings: the journal keeps them, and the next start folds them into paired.json', async (t) => {
  const gw = await startGateway(TOKEN);
  t.after(() => gw.stop());
  const pairedPath = path.join(gw.state.dir, 'devices', 'paired.json');
  const keys = [0, 1, 2].map((n) => path.join(gw.state.dir, `crash-${n}.pem`));
  const ids: string[] = [];
  for (const keyFile of keys) {
    const r = await probe({ url: gw.url, token: TOKEN, keyFile });
    assert.equal(r.connectOk, true, JSON.stringify(r));
    ids.push(r.deviceId);
  }
  gw.proc.kill('SIGKILL');
  await gw.proc.exited;
  // (the pairings are journal lines unless the 10 s idle compaction already ran: both must work)
  // gateway down: the CLI reads snapshot + journal (and leaves paired.json current)
  const offline = await runCli(['devices', 'list', '--json'], { env: gw.state.env });
  assert.equal(offline.code, 0, offline.stderr);
  for (const id of ids) assert.ok(offline.stdout.includes(id), `offline list has ${id}`);
  const onDisk = JSON.parse(fs.readFileSync(pairedPath, 'utf8')) as Record<string, unknown>;
  for (const id of ids) assert.ok(onDisk[id], `paired.json has ${id}`);
  // a new gateway on the same state: the devices reconnect without a new pairing
  const port = gw.port;
  const again = spawnCli(['gateway', 'run', '--port', String(port)], { env: gw.state.env });
  try {
    await again.waitFor(/listening on ws:\/\//, 30_000);
    for (const keyFile of keys) {
      const r = await probe({ url: gw.url, token: TOKEN, keyFile });
      assert.equal(r.connectOk, true, JSON.stringify(r));
    }
    assert.doesNotMatch(again.output(), /pairing request from device/);
  } finally {
    again.kill('SIGKILL');
    await again.exited;
  }
});

test('a gateway with 2,000 paired devices pairs a new one by appending to the journal: paired.json is not rewritten, a few KB are written', async (t) => {
  const gw = await startGateway(TOKEN);
  t.after(() => gw.stop());
  gw.proc.kill('SIGTERM');
  await gw.proc.exited;
  const pairedPath = path.join(gw.state.dir, 'devices', 'paired.json');
  const now = Date.now();
  const paired: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) {
    const deviceId = crypto.createHash('sha256').update(`seed-${i}`).digest('hex');
    paired[deviceId] = { deviceId, publicKey: crypto.createHash('sha256').update(`key-${i}`).digest('base64url'), displayName: `seed ${i}`, roles: ['operator'], scopes: ['operator.read'], tokens: { operator: { token: `seed-token-${i}-0123456789abcdef0123456789`, role: 'operator', scopes: ['operator.read'], createdAtMs: now } }, createdAtMs: now, approvedAtMs: now };
  }
  fs.mkdirSync(path.dirname(pairedPath), { recursive: true, mode: 0o700 });
  fs.writeFileSync(pairedPath, JSON.stringify(paired, null, 2), { mode: 0o600 });
  const again = spawnCli(['gateway', 'run', '--port', String(gw.port)], { env: gw.state.env });
  try {
    await again.waitFor(/listening on ws:\/\//, 30_000);
    const before = fs.statSync(pairedPath);
    const journalBefore = fs.statSync(`${pairedPath}.journal`, { throwIfNoEntry: false })?.size ?? 0;
    const r = await probe({ url: gw.url, token: TOKEN, keyFile: path.join(gw.state.dir, 'new.pem') });
    assert.equal(r.connectOk, true, JSON.stringify(r));
    const after = fs.statSync(pairedPath);
    assert.equal(after.ino, before.ino, 'paired.json (1 MB here) is not rewritten for one new device');
    const appended = fs.statSync(`${pairedPath}.journal`).size - journalBefore;
    assert.ok(appended > 0 && appended < 8192, `journal bytes for one new device: ${appended}`);
  } finally {
    again.kill('SIGKILL');
    await again.exited;
  }
});
