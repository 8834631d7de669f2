// `openclaw system heartbeat …` in-process: config writes through the editor, status from the state
// file when the gateway is down, and the RPC path against a control plane with the heartbeat methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Command } from 'commander';
import { freePort, localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { register } from './system.js';
import { CliError } from '../errors.js';
import { writeHeartbeatState } from '../../channels/heartbeat/state.js';
import { createHeartbeat } from '../../channels/heartbeat/runner.js';
import { heartbeatMethods } from '../../channels/heartbeat/methods.js';
import { readEditableConfig } from '../../config/edit.js';
import { silentLogger } from '../../logging/types.js';
import { startTestGateway, TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import type { ChannelService } from '../../channels/types.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const newState = stateDirsForFile();

interface Run {
  out: string;
  err: string;
  error?: unknown;
}

async function system(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  let out = '';
  let err = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  register(program, { env, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  try {
    await program.parseAsync(['node', 'openclaw', 'system', 'heartbeat', ...args]);
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

/** A state dir whose gateway port nothing listens on (the gateway is down). */
async function downState(extra: Record<string, unknown> = {}): Promise<StateDir & { envDown: NodeJS.ProcessEnv }> {
  const port = await freePort();
  const s = newState(localConfig(TOKEN, { ...extra, gateway: { port } }));
  return { ...s, envDown: { ...s.env, OPENCLAW_CONFIG_PATH: s.configPath } };
}

const fileConfig = (s: StateDir) => JSON.parse(fs.readFileSync(s.configPath, 'utf8'));

test('enable writes every (default 30m) and target/to; disable writes 0m; both backed up', async () => {
  const s = await downState({ commands: { ownerAllowFrom: ['telegram:42'] } });
  const r = await system(['enable'], s.envDown);
  assert.equal(r.error, undefined, String(r.error));
  assert.deepEqual(fileConfig(s).agents.defaults.heartbeat, { every: '30m' });
  assert.match(r.out, /^Heartbeat enabled: every 30m\n/);
  assert.match(r.out, /Set: agents\.defaults\.heartbeat\.every = "30m" \(backup: .+\)/);
  assert.match(r.out, /Target: telegram 42 \(owner from commands\.ownerAllowFrom\)/);
  assert.match(r.out, /First run: one interval after the gateway starts \(it is not running: openclaw gateway start\)/);
  assert.equal(r.err, '');
  assert.equal(fileConfig(s).gateway.auth.token, TOKEN, 'the rest of the config is kept');

  const t = await system(['enable', '--every', '1h', '--target', 'telegram:123', '--json'], s.envDown);
  assert.equal(t.error, undefined, String(t.error));
  const hb = fileConfig(s).agents.defaults.heartbeat;
  assert.deepEqual(hb, { every: '1h', target: 'telegram', to: '123' });
  assert.equal(typeof hb.to, 'string');
  const j = JSON.parse(t.out);
  assert.equal(j.ok, true);
  assert.equal(j.every, '1h');
  assert.equal(j.everyMs, 3_600_000);
  assert.equal(j.gateway, 'not-running');
  assert.deepEqual(j.target, { channel: 'telegram', to: '123', source: 'explicit' });
  assert.ok(j.backupPath && fs.existsSync(j.backupPath));

  const d = await system(['disable'], s.envDown);
  assert.equal(d.error, undefined, String(d.error));
  assert.deepEqual(fileConfig(s).agents.defaults.heartbeat, { every: '0m', target: 'telegram', to: '123' });
  assert.match(d.out, /Heartbeat disabled: agents\.defaults\.heartbeat\.every = "0m"/);

  // enable after disable: 0m remembers no cadence, so the default; --target owner drops `to`.
  const e = await system(['enable', '--target', 'owner'], s.envDown);
  assert.equal(e.error, undefined, String(e.error));
  assert.deepEqual(fileConfig(s).agents.defaults.heartbeat, { every: '30m', target: 'owner' });
  // A configured cadence is kept by a plain enable.
  await system(['enable', '--every', '45s'], s.envDown);
  await system(['enable'], s.envDown);
  assert.equal(fileConfig(s).agents.defaults.heartbeat.every, '45s');
  // The result passes validation: the file loads.
  assert.equal(readEditableConfig(s.configPath).exists, true);
});

test('enable without a resolvable target warns with both fixes; bad flags are usage errors', async () => {
  const s = await downState();
  const r = await system(['enable'], s.envDown);
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.out, /Target: none \(no owner to deliver heartbeats to/);
  assert.match(r.err, /warning: no owner to deliver heartbeats to: .*; heartbeats are skipped until one resolves\./);
  assert.match(r.err, /fix: openclaw system heartbeat enable --target telegram:<your user id>/);
  assert.match(r.err, /fix: openclaw config set commands\.ownerAllowFrom '\["telegram:<your user id>"\]'/);

  for (const [args, re] of [
    [['enable', '--every', 'often'], /--every: invalid duration "often"/],
    [['enable', '--every', '0m'], /would turn heartbeats off/],
    [['enable', '--target', 'slack:1'], /not owner, last, none or <channel>:<recipient>/],
    [['enable', '--target', 'telegram'], /names a channel but no recipient/],
  ] as Array<[string[], RegExp]>) {
    const before = fs.readFileSync(s.configPath, 'utf8');
    const bad = await system(args, s.envDown);
    assert.ok(bad.error instanceof CliError, args.join(' '));
    assert.equal(bad.error.exitCode, 2);
    assert.match(bad.error.message, re);
    assert.ok(bad.error.fix);
    assert.equal(fs.readFileSync(s.configPath, 'utf8'), before, 'nothing written');
  }
});

test('status and last with the gateway down: read heartbeat.json and say the gateway is not running', async () => {
  const s = await downState({ commands: { ownerAllowFrom: ['telegram:42'] }, agents: { defaults: { heartbeat: { every: '30m' } } } });
  const none = await system(['status'], s.envDown);
  assert.equal(none.error, undefined, String(none.error));
  assert.match(none.out, /^Gateway: NOT RUNNING: no heartbeats are being sent/);
  assert.match(none.out, /\nfix: openclaw gateway start\n/);
  assert.match(none.out, /Last run: none yet/);

  const startedAt = Date.now() - 40 * 60_000;
  writeHeartbeatState(s.dir, {
    version: 1,
    last: { ts: startedAt + 1500, startedAt, durationMs: 1500, status: 'failed', reason: 'delivery-failed', trigger: 'interval', target: { channel: 'telegram', to: '42' }, delivery: 'failed', error: 'delivery to telegram 42 failed: chat not found', fix: 'openclaw channels status --probe' },
    nextRunAt: startedAt + 30 * 60_000,
    every: '30m',
    enabled: true,
    pid: 1,
    updatedAt: startedAt,
  });
  const r = await system(['status'], s.envDown);
  assert.equal(r.error, undefined, String(r.error));
  assert.match(r.out, /Gateway: NOT RUNNING/);
  assert.match(r.out, /Heartbeat: every 30m\n/);
  assert.match(r.out, /Target: telegram 42 \(owner from commands\.ownerAllowFrom\)/);
  assert.match(r.out, /Last run: 40m ago \(.+\), took 1\.5s: FAILED \(delivery-failed\), delivery failed/);
  assert.match(r.out, /  error: delivery to telegram 42 failed: chat not found\n  fix: openclaw channels status --probe/);
  assert.match(r.out, /Next run: was due 10m ago \(.+\); overdue because the gateway is not running/);

  const j = JSON.parse((await system(['status', '--json'], s.envDown)).out);
  assert.equal(j.gateway, 'not-running');
  assert.equal(j.every, '30m');
  assert.equal(j.last.status, 'failed');
  assert.equal(j.nextRunAt, startedAt + 30 * 60_000);
  assert.match(j.stateFile, /heartbeat\.json$/);
  const last = JSON.parse((await system(['last', '--json'], s.envDown)).out);
  assert.deepEqual(Object.keys(last).sort(), ['gateway', 'gatewayError', 'last', 'ok', 'version']);
  assert.equal(last.last.error, 'delivery to telegram 42 failed: chat not found');

  const run = await system(['run'], s.envDown);
  assert.ok(run.error instanceof CliError);
  assert.match(run.error.message, /the gateway is not running, so no heartbeat can run/);
  assert.equal(run.error.fix, 'openclaw gateway start');
});

test('gateway up: status over last-heartbeat, enable/disable switch it at once, run returns the record', async (t) => {
  const s = newState();
  const live = () => {
    const cfg = readEditableConfig(s.configPath).value as { agents?: { defaults?: { heartbeat?: Record<string, unknown> } }; commands?: { ownerAllowFrom?: string[] } };
    return { heartbeat: cfg.agents?.defaults?.heartbeat, ownerAllowFrom: cfg.commands?.ownerAllowFrom };
  };
  const sent: unknown[] = [];
  const channels: ChannelService = {
    sendText: async (req) => (sent.push(req), { ok: true, messageIds: ['9'] }),
    status: async () => {
      throw new Error('unused');
    },
    isRunning: () => true,
  };
  const hb = createHeartbeat({ log: silentLogger, stateDir: s.dir, config: live, runTurn: async () => ({ text: 'Backups failed last night.' }), channels: () => channels, broadcast: () => {} });
  const gw = await startTestGateway({ state: s, extraMethods: heartbeatMethods(hb) });
  s.writeConfig({ gateway: { mode: 'local', port: gw.port, auth: { mode: 'token', token: TEST_TOKEN } }, agents: { defaults: { heartbeat: { every: '0m' } } } });
  hb.start();
  t.after(async () => {
    await hb.stop();
    await gw.close();
  });
  const env = { ...s.env, OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: TEST_TOKEN };

  const off = await system(['status'], env);
  assert.equal(off.error, undefined, String(off.error));
  assert.match(off.out, /^Gateway: running\nHeartbeat: off \(agents\.defaults\.heartbeat\.every "0m"\)/);
  assert.match(off.out, /Next run: none \(heartbeats are off\)/);

  const on = await system(['enable', '--every', '1h', '--target', 'telegram:777'], env);
  assert.equal(on.error, undefined, String(on.error));
  assert.equal(on.err, '');
  assert.match(on.out, /Target: telegram 777 \(configured target\)/);
  assert.match(on.out, /First run: in 1h \(.+\)/, 'set-heartbeats re-read the config and armed the timer');
  assert.equal(hb.status().enabled, true);

  const up = JSON.parse((await system(['status', '--json'], env)).out);
  assert.equal(up.gateway, 'running');
  assert.equal(up.enabled, true);
  assert.equal(up.every, '1h');
  assert.deepEqual(up.target, { channel: 'telegram', to: '777', source: 'explicit' });

  const run = await system(['run', '--json'], env);
  assert.equal(run.error, undefined, String(run.error));
  const rec = JSON.parse(run.out).record;
  assert.equal(rec.status, 'sent');
  assert.equal(rec.trigger, 'manual');
  assert.deepEqual(sent, [{ channel: 'telegram', to: '777', text: 'Backups failed last night.' }]);
  const last = await system(['last'], env);
  assert.match(last.out, /Last run: 0s ago \(.+\), took \d+\.\ds: sent to telegram 777 \[manual\]\n  reply: Backups failed last night\./);

  const dis = await system(['disable'], env);
  assert.equal(dis.error, undefined, String(dis.error));
  assert.match(dis.out, /The running gateway stopped its heartbeat timer\./);
  assert.equal(hb.status().enabled, false);
});
