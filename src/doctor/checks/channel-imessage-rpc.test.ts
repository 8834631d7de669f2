// channel-imessage-rpc: cliPath resolution offline, and the gateway's iMessage probe through a stub
// control plane (testing/channel-status.ts).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import type { ChannelAccountSnapshot } from '../../channels/types.js';
import { stubChannelGateway } from '../testing/channel-status.js';
import { INSTALL_FIX, PERMISSIONS_FIX, RESTART_FIX } from '../../channels/imessage/fixes.js';
import { FAKE_IMSG } from '../../channels/imessage/testing/fake-imsg-control.js';
import { buildContext } from '../runner.js';
import type { Finding } from '../types.js';
import { channelIMessageRpc, resolveCliPath } from './channel-imessage-rpc.js';

const state = stateDirsForFile();
const run = (s: StateDir, env: NodeJS.ProcessEnv = s.env): Promise<Finding> => channelIMessageRpc.run(buildContext(env, { probeTimeoutMs: 2000 }));
const withIMessage = (imessage: unknown) => state(localConfig(TEST_TOKEN, { channels: { imessage } }));

test('cliPath: a path must be executable, a bare name is looked up in PATH', () => {
  assert.equal(resolveCliPath(FAKE_IMSG, {}), FAKE_IMSG);
  assert.equal(resolveCliPath('/nonexistent/imsg', {}), undefined);
  assert.equal(resolveCliPath('fake-imsg.mjs', { PATH: `/nonexistent${path.delimiter}${path.dirname(FAKE_IMSG)}` }), FAKE_IMSG);
  assert.equal(resolveCliPath('imsg-definitely-missing', { PATH: '/nonexistent' }), undefined);
});

test('offline: no block → skipped; imsg missing → error with the install fix; present but gateway down → skipped', async () => {
  assert.equal((await run(state(localConfig(TEST_TOKEN)))).level, 'skipped');
  assert.equal((await run(withIMessage({ enabled: false, cliPath: '/nonexistent/imsg' }))).level, 'skipped');
  const missing = await run(withIMessage({ cliPath: '/nonexistent/imsg' }));
  assert.deepEqual(missing, { level: 'error', message: 'iMessage account "default" cannot start imsg: /nonexistent/imsg does not exist or is not executable.', fix: INSTALL_FIX, repairable: false });
  const s = withIMessage({});
  const onPath = await run(s, { ...s.env, PATH: '/nonexistent' });
  assert.equal(onPath.message, 'iMessage account "default" cannot start imsg: "imsg" is not on PATH.');
  const down = state(localConfig(TEST_TOKEN, { gateway: { port: 1 }, channels: { imessage: { cliPath: FAKE_IMSG } } }));
  const f = await run(down);
  assert.equal(f.level, 'skipped');
  assert.match(f.message, /whether imsg answers was not checked/);
});

const snap = (extra: Partial<ChannelAccountSnapshot> = {}): ChannelAccountSnapshot => ({ accountId: 'default', enabled: true, configured: true, running: true, connected: true, mode: 'rpc', healthState: 'healthy', probe: { ok: true }, ...extra });

test('live: probe works → ok; never ready → error naming Full Disk Access; exited → warn; other probe failure → error', async (t) => {
  const s = withIMessage({ cliPath: FAKE_IMSG });
  let accounts = [snap()];
  const gw = await stubChannelGateway(s, 'imessage', () => accounts);
  t.after(() => gw.close());
  assert.deepEqual(await run(s), { level: 'ok', message: 'imsg answers over RPC (1 iMessage account).' });

  const notReady = 'imsg rpc not ready after 30000ms (Error: imsg rpc exited (code 1))';
  accounts = [snap({ connected: false, lastError: notReady, probe: { ok: false, error: notReady }, healthState: 'probe-failed' })];
  const nr = await run(s);
  assert.equal(nr.level, 'error');
  assert.equal(nr.message, `iMessage account "default": ${notReady}.`);
  assert.equal(nr.fix, PERMISSIONS_FIX);
  assert.match(nr.fix ?? '', /Full Disk Access.*Automation/);

  // The gateway's PATH may lack imsg though this shell finds it: the gateway's own "not found" gets the install fix.
  const missing = 'imsg rpc not ready after 30000ms (Error: imsg not found: cannot run "imsg" (spawn imsg ENOENT))';
  accounts = [snap({ connected: false, lastError: missing, probe: { ok: false, error: missing }, healthState: 'probe-failed' })];
  assert.equal((await run(s)).fix, INSTALL_FIX);

  accounts = [snap({ connected: false, lastError: 'imsg rpc exited (code 1)', probe: undefined })];
  const ex = await run(s);
  assert.equal(ex.level, 'warn');
  assert.equal(ex.fix, RESTART_FIX);

  accounts = [snap({ probe: { ok: false, error: 'chats.list failed: unable to open database file' } })];
  const pf = await run(s);
  assert.equal(pf.level, 'error');
  assert.equal(pf.message, 'The iMessage probe of account "default" failed (chats.list failed: unable to open database file).');
});
