// The heartbeat runner with a fake agent turn and a fake channel layer (both are our interfaces).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../../testing/harness.js';
import type { Logger } from '../../logging/types.js';
import type { ChannelService, DeliveryOutcome, SendTextRequest } from '../types.js';
import { createHeartbeat, type HeartbeatDeps } from './runner.js';
import type { HeartbeatConfig } from './schedule.js';
import { readHeartbeatState } from './state.js';

interface Lines {
  lines: Array<{ level: string; msg: string }>;
  log: Logger;
}

function captureLog(): Lines {
  const lines: Lines['lines'] = [];
  const log: Logger = {
    debug: (msg) => lines.push({ level: 'debug', msg }),
    info: (msg) => lines.push({ level: 'info', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    error: (msg) => lines.push({ level: 'error', msg }),
    child: () => log,
  };
  return { lines, log };
}

function fakeChannels(outcome: (req: SendTextRequest) => DeliveryOutcome | Promise<DeliveryOutcome> = () => ({ ok: true, messageIds: ['m1'] })) {
  const sent: Array<{ req: SendTextRequest; timeoutMs?: number }> = [];
  const service: ChannelService = {
    async sendText(req, timeoutMs) {
      sent.push({ req, timeoutMs });
      return outcome(req);
    },
    async status() {
      throw new Error('not used');
    },
    isRunning: () => true,
  };
  return { service, sent };
}

function tempState(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-hb-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Setup {
  heartbeat?: HeartbeatConfig;
  ownerAllowFrom?: Array<string | number>;
}

function setup(t: { after(fn: () => void | Promise<void>): void }, opts: { config?: Setup; reply?: HeartbeatDeps['runTurn']; channels?: ChannelService | undefined; stateDir?: string } = {}) {
  const stateDir = opts.stateDir ?? tempState(t);
  const config: Setup = opts.config ?? { heartbeat: { every: '1s', target: 'telegram', to: '123' } };
  const { lines, log } = captureLog();
  const chans = fakeChannels();
  const events: unknown[] = [];
  const turns: string[] = [];
  const hb = createHeartbeat({
    log,
    stateDir,
    config: () => config,
    runTurn: async (prompt, o) => {
      turns.push(prompt);
      return opts.reply ? opts.reply(prompt, o) : { text: 'The disk is 95% full.', model: 'test/model' };
    },
    channels: () => ('channels' in opts ? opts.channels : chans.service),
    broadcast: (_event, payload) => events.push(payload),
  });
  t.after(() => hb.stop());
  return { hb, config, stateDir, lines, sent: chans.sent, events, turns };
}

test('runs at its cadence and delivers to the target; records are persisted 0600', async (t) => {
  const s = setup(t);
  s.hb.start();
  const st = s.hb.status();
  assert.equal(st.enabled, true);
  assert.equal(st.every, '1s');
  assert.ok(st.nextRunAt! > Date.now() && st.nextRunAt! <= Date.now() + 1000);
  await eventually(() => s.sent.length >= 2, 5000);
  assert.deepEqual(s.sent[0].req, { channel: 'telegram', to: '123', text: 'The disk is 95% full.' });
  assert.equal(s.sent[0].timeoutMs, 15_000);
  const last = s.hb.last()!;
  assert.equal(last.status, 'sent');
  assert.equal(last.delivery, 'sent');
  assert.equal(last.trigger, 'interval');
  assert.deepEqual(last.target, { channel: 'telegram', to: '123' });
  assert.deepEqual(last.messageIds, ['m1']);
  assert.equal(last.preview, 'The disk is 95% full.');
  assert.equal(last.model, 'test/model');
  const file = path.join(s.stateDir, 'heartbeat.json');
  assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
  const onDisk = readHeartbeatState(s.stateDir).state!;
  assert.equal(onDisk.enabled, true);
  assert.equal(onDisk.every, '1s');
  assert.ok(onDisk.last && onDisk.last.status === 'sent');
  assert.ok(onDisk.nextRunAt! > onDisk.last.startedAt);
  // One broadcast per run, without the reply text or the recipient (every client receives it).
  assert.ok(s.events.length >= 2);
  const ev = s.events[0] as Record<string, unknown>;
  assert.equal(ev.status, 'sent');
  assert.equal(ev.channel, 'telegram');
  assert.equal(ev.preview, undefined);
  // The quoted form: a bare 123 turns up inside timestamps now and then.
  assert.equal(JSON.stringify(ev).includes('"123"'), false);
  assert.ok(s.lines.some((l) => l.level === 'info' && l.msg.startsWith('heartbeat sent to telegram 123')));
});

test('no news stays quiet: NO_REPLY and a short HEARTBEAT_OK are not delivered', async (t) => {
  let reply = 'NO_REPLY';
  const s = setup(t, { reply: async () => ({ text: reply }) });
  const r1 = await s.hb.runNow();
  assert.equal(r1.status, 'ok-silent');
  assert.equal(r1.reason, 'no-reply');
  assert.equal(r1.trigger, 'manual');
  assert.equal(r1.delivery, undefined);
  reply = 'HEARTBEAT_OK nothing new';
  const r2 = await s.hb.runNow('test');
  assert.equal(r2.status, 'ok-silent');
  assert.equal(r2.reason, 'heartbeat-ok');
  assert.equal(r2.trigger, 'test');
  assert.equal(s.sent.length, 0);
  reply = `HEARTBEAT_OK ${'z'.repeat(301)}`;
  const r3 = await s.hb.runNow();
  assert.equal(r3.status, 'sent');
  assert.equal(s.sent[0].req.text, 'z'.repeat(301), 'delivered without the token');
});

test('the default prompt goes to the turn; a configured prompt replaces it', async (t) => {
  const s = setup(t, { config: { heartbeat: { target: 'none' } }, reply: async () => ({ text: 'NO_REPLY' }) });
  await s.hb.runNow();
  assert.match(s.turns[0], /reply NO_REPLY\.$/);
  s.config.heartbeat = { target: 'none', prompt: 'Check the backups.' };
  await s.hb.runNow();
  assert.equal(s.turns[1], 'Check the backups.');
  assert.equal(s.hb.status().prompt, 'custom');
});

test('failures are records with the error and one log line with the fix', async (t) => {
  let fail: Error | null = Object.assign(new Error('model backend refused: 401'), { fix: 'openclaw models status --probe' });
  let delivery: DeliveryOutcome | 'throw' = { ok: true };
  const s = setup(t, {
    reply: async () => {
      if (fail) throw fail;
      return { text: 'alert!' };
    },
  });
  const r = await s.hb.runNow();
  assert.equal(r.status, 'failed');
  assert.equal(r.reason, 'turn-failed');
  assert.equal(r.error, 'the heartbeat turn failed: model backend refused: 401');
  assert.equal(r.fix, 'openclaw models status --probe');
  const warns = s.lines.filter((l) => l.level === 'warn');
  assert.equal(warns.length, 1);
  assert.match(warns[0].msg, /heartbeat failed \(turn-failed\): .*401 \(fix: openclaw models status --probe\)/);
  assert.equal(readHeartbeatState(s.stateDir).state!.last!.status, 'failed');

  // The same failure again is not a second warning line.
  await s.hb.runNow();
  assert.equal(s.lines.filter((l) => l.level === 'warn').length, 1);

  fail = null;
  const chans = fakeChannels(() => {
    if (delivery === 'throw') throw new Error('socket hang up');
    return delivery;
  });
  const s2 = setup(t, { stateDir: s.stateDir, channels: chans.service, reply: async () => ({ text: 'alert!' }) });
  delivery = { ok: false, error: 'chat not found', fix: 'openclaw channels status --probe' };
  const d1 = await s2.hb.runNow();
  assert.equal(d1.status, 'failed');
  assert.equal(d1.delivery, 'failed');
  assert.equal(d1.reason, 'delivery-failed');
  assert.equal(d1.error, 'delivery to telegram 123 failed: chat not found');
  assert.equal(d1.fix, 'openclaw channels status --probe');
  delivery = { ok: false, queued: true };
  const d2 = await s2.hb.runNow();
  assert.equal(d2.status, 'sent');
  assert.equal(d2.delivery, 'queued');
  delivery = 'throw';
  const d3 = await s2.hb.runNow();
  assert.equal(d3.status, 'failed');
  assert.match(d3.error!, /socket hang up/);

  const s3 = setup(t, { channels: undefined });
  const c = await s3.hb.runNow();
  assert.equal(c.status, 'failed');
  assert.equal(c.reason, 'channels-unavailable');
  assert.equal(c.fix, 'openclaw channels status');
});

test('no route: skipped before the model is called, with the fix, warned once', async (t) => {
  const s = setup(t, { config: { heartbeat: { every: '30m' } } });
  const r = await s.hb.runNow();
  assert.equal(r.status, 'skipped');
  assert.equal(r.reason, 'no-route');
  assert.match(r.fix!, /--target telegram:<your user id>/);
  assert.equal(s.turns.length, 0, 'no model call for a heartbeat that reaches nobody');
  await s.hb.runNow();
  assert.equal(s.lines.filter((l) => l.level === 'warn').length, 1);
  // The owner resolves live once configured.
  s.config.ownerAllowFrom = ['telegram:555'];
  const ok = await s.hb.runNow();
  assert.equal(ok.status, 'sent');
  assert.equal(s.sent[0].req.to, '555');
  // target none: the turn runs, nothing is delivered.
  s.config.heartbeat = { target: 'none' };
  const none = await s.hb.runNow();
  assert.equal(none.status, 'skipped');
  assert.equal(none.reason, 'target-none');
  assert.equal(s.sent.length, 1);
});

test('the record survives re-creating the runner, and the cadence continues from it', async (t) => {
  const s = setup(t, { config: { heartbeat: { every: '1h', target: 'telegram', to: '123' } } });
  const r = await s.hb.runNow();
  await s.hb.stop();
  const s2 = setup(t, { stateDir: s.stateDir, config: { heartbeat: { every: '1h', target: 'telegram', to: '123' } } });
  assert.deepEqual(s2.hb.last(), r);
  s2.hb.start();
  assert.equal(s2.hb.status().nextRunAt, r.startedAt + 3_600_000);
  await s2.hb.stop();
  const file = readHeartbeatState(s.stateDir).state!;
  assert.deepEqual(file.last, r);
  assert.equal(file.nextRunAt, r.startedAt + 3_600_000, 'a stop keeps the planned run in the file (the down-gateway alarm)');
});

test('disable stops the timer: every "0m", set-heartbeats off, and cadence changes re-arm', async (t) => {
  const s = setup(t);
  s.hb.start();
  await eventually(() => s.turns.length >= 1, 5000);
  s.config.heartbeat = { ...s.config.heartbeat, every: '0m' };
  s.hb.reconfigure();
  let st = s.hb.status();
  assert.equal(st.enabled, false);
  assert.equal(st.disabledReason, 'config');
  assert.equal(st.nextRunAt, null);
  assert.equal(readHeartbeatState(s.stateDir).state!.enabled, false);
  await new Promise((r) => setTimeout(r, 300)); // a run in flight may finish
  const after = s.turns.length;
  await new Promise((r) => setTimeout(r, 2200));
  assert.equal(s.turns.length, after, 'no runs once disabled');

  s.config.heartbeat = { ...s.config.heartbeat, every: '1s' };
  s.hb.reconfigure();
  assert.equal(s.hb.status().enabled, true);
  await eventually(() => s.turns.length > after, 5000);
  st = s.hb.setEnabled(false);
  assert.equal(st.enabled, false);
  assert.equal(st.disabledReason, 'runtime');
  await new Promise((r) => setTimeout(r, 300));
  const paused = s.turns.length;
  await new Promise((r) => setTimeout(r, 2200));
  assert.equal(s.turns.length, paused);
  assert.equal(s.hb.setEnabled(true).enabled, true);

  s.config.heartbeat = { ...s.config.heartbeat, every: '2h' };
  s.hb.reconfigure();
  const next = s.hb.status().nextRunAt!;
  assert.ok(next > Date.now() + 3_600_000, 'a longer cadence re-arms');

  s.config.heartbeat = { ...s.config.heartbeat, every: 'sometimes' };
  s.hb.reconfigure();
  st = s.hb.status();
  assert.equal(st.enabled, false);
  assert.equal(st.disabledReason, 'invalid');
  assert.match(st.error!, /invalid duration "sometimes"/);
  assert.ok(s.lines.some((l) => l.level === 'warn' && /heartbeat off: .*fix: openclaw system heartbeat enable --every 30m/.test(l.msg)));
});

test('runs never overlap: a second run while one is in flight is a busy skip', async (t) => {
  let release!: () => void;
  let active = 0;
  let maxActive = 0;
  const s = setup(t, {
    reply: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((r) => (release = r));
      active--;
      return { text: 'alert' };
    },
  });
  const first = s.hb.runNow();
  await eventually(() => active === 1);
  assert.equal(s.hb.status().running, true);
  const second = await s.hb.runNow();
  assert.equal(second.status, 'skipped');
  assert.equal(second.reason, 'busy');
  s.hb.start(); // 1s ticks while the turn hangs
  await new Promise((r) => setTimeout(r, 2300));
  assert.equal(maxActive, 1);
  assert.equal(s.turns.length, 1);
  assert.equal(s.hb.last(), null, 'a busy skip does not replace the record of the run it waits for');
  release();
  const r = await first;
  assert.equal(r.status, 'sent');
  assert.deepEqual(s.hb.last(), r);
});

test('a turn past its timeout is a failure, and stays busy until it lets go', async (t) => {
  // The runner's timers are unref'd (they never hold a gateway open); this test's hanging turn
  // holds nothing either, so keep the loop alive for it.
  const keepAlive = setInterval(() => {}, 1000);
  t.after(() => clearInterval(keepAlive));
  let release!: () => void;
  let aborted = false;
  const s = setup(t, {
    config: { heartbeat: { target: 'telegram', to: '1', timeoutSeconds: 0.2 } },
    reply: async (_p, o) => {
      o?.signal.addEventListener('abort', () => (aborted = true));
      await new Promise<void>((r) => (release = r));
      return { text: 'late' };
    },
  });
  const r = await s.hb.runNow();
  assert.equal(r.status, 'failed');
  assert.equal(r.reason, 'timeout');
  assert.match(r.error!, /did not finish within/);
  assert.equal(aborted, true, 'the turn is told to stop');
  const busy = await s.hb.runNow();
  assert.equal(busy.reason, 'busy');
  release();
  await eventually(() => !s.hb.status().running);
  assert.equal(s.sent.length, 0, 'a late reply is not delivered');
});

test('a corrupt state file is ignored with a warning and rewritten', async (t) => {
  const dir = tempState(t);
  fs.writeFileSync(path.join(dir, 'heartbeat.json'), '{nope');
  const s = setup(t, { stateDir: dir });
  assert.equal(s.hb.last(), null);
  assert.ok(s.lines.some((l) => l.level === 'warn' && /ignoring unreadable/.test(l.msg)));
  await s.hb.runNow();
  assert.equal(readHeartbeatState(dir).state!.last!.status, 'sent');
});
