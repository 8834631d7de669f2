// Issue 17 items 15 and 19 against a real `openclaw gateway run` and the independent probe client:
// the pairing request line the guides tell users to find with `openclaw logs --tail 20`, and the
// per-minute cap on silent (auto-approved) pairings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { eventually, runCli } from '../testing/harness.js';
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
