// The iMessage adapter on its own against fake-imsg.mjs (a real child speaking imsg's JSON-RPC):
// inbound facts, the watch cursor only moving after the sink resolved, crash → restart with
// backoff and a resubscribe from the cursor (nothing lost, nothing twice), never ready, a missing
// binary, send and its error mapping, probe, and a prompt stop(). The OPENCLAW_IMESSAGE_* test
// overrides keep every wait short.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createIMessageAdapter, INSTALL_FIX, PERMISSIONS_FIX, RESTART_FIX } from './adapter.js';
import { resolveIMessageAccounts, type IMessageChannelConfig } from './config.js';
import { fakeImsg, type FakeImsg } from './testing/fake-imsg-control.js';
import { ChannelSendError, type ChannelAdapter, type InboundFacts } from '../types.js';
import type { Logger, LogLevel } from '../../logging/types.js';

function captureLog(): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const at = (level: LogLevel) => (msg: string) => void lines.push(`${level} ${msg}`);
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return { log, text: () => lines.join('\n') };
}

const FAST_ENV = { OPENCLAW_IMESSAGE_READY_TIMEOUT_MS: '1500', OPENCLAW_IMESSAGE_RESTART_BASE_MS: '100', OPENCLAW_IMESSAGE_RESTART_CAP_MS: '400', OPENCLAW_IMESSAGE_KILL_GRACE_MS: '300' };

interface H {
  fake: FakeImsg;
  adapter: ChannelAdapter;
  got: InboundFacts[];
  logText: () => string;
  sink: (f: InboundFacts) => Promise<void>;
}

function harness(t: TestContext, opts: { config?: Partial<IMessageChannelConfig>; env?: Record<string, string>; mode?: 'normal' | 'exit' | 'hang' } = {}): H {
  const fake = fakeImsg();
  if (opts.mode) fake.setMode(opts.mode);
  const [account] = resolveIMessageAccounts({ cliPath: fake.cliPath, ...opts.config } as IMessageChannelConfig, {});
  const { log, text } = captureLog();
  const adapter = createIMessageAdapter(account, { log, env: { ...FAST_ENV, ...fake.env, ...opts.env } });
  const got: InboundFacts[] = [];
  t.after(async () => {
    await adapter.stop();
    fake.cleanup();
  });
  return { fake, adapter, got, logText: text, sink: async (f) => void got.push(f) };
}

const until = async <T>(fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000, what = 'condition'): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
};

test('start: spawns imsg rpc, subscribes, delivers an inbound DM as facts; connected in runtime()', async (t) => {
  const h = harness(t);
  await h.adapter.start(h.sink);
  const rt = h.adapter.runtime();
  assert.equal(rt.running, true);
  assert.equal(rt.connected, true);
  assert.equal(rt.lastError, null);
  assert.deepEqual(h.fake.calls('watch.subscribe')[0].params, {});
  const row = h.fake.dm('+15550002222', 'hi bot', { chat_id: 5, sender_name: 'Dana' });
  await until(() => h.got.length === 1, 3000, 'the DM');
  assert.equal(h.got[0].messageId, row.guid);
  assert.equal(h.got[0].senderId, '+15550002222');
  assert.equal(h.got[0].chatId, 'chat_id:5');
  assert.equal(h.got[0].chatType, 'dm');
  assert.equal(h.got[0].text, 'hi bot');
  // our own message and an empty one are not delivered
  h.fake.dm('+15550002222', 'from me', { is_from_me: true });
  h.fake.dm('+15550002222', '');
  h.fake.dm('+15550002222', 'second');
  await until(() => h.got.length === 2, 3000, 'the second DM');
  assert.equal(h.got[1].text, 'second');
});

test('one at a time: the next message waits until the sink resolved the previous one', async (t) => {
  const h = harness(t);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const order: string[] = [];
  await h.adapter.start(async (f) => {
    order.push(`start ${f.text}`);
    if (f.text === 'one') await gate;
    order.push(`done ${f.text}`);
  });
  h.fake.dm('+15550003333', 'one');
  h.fake.dm('+15550003333', 'two');
  await until(() => order.length === 1);
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(order, ['start one']);
  release();
  await until(() => order.length === 4);
  assert.deepEqual(order, ['start one', 'done one', 'start two', 'done two']);
});

test('a failing sink is retried in place; the message is delivered once it stores', async (t) => {
  const h = harness(t);
  let fails = 2;
  await h.adapter.start(async (f) => {
    if (fails-- > 0) throw new Error('disk full');
    h.got.push(f);
  });
  h.fake.dm('+15550004444', 'keep me');
  await until(() => h.got.length === 1, 5000, 'the retried message');
  assert.equal(h.got[0].text, 'keep me');
  assert.match(h.logText(), /inbound message not stored .*disk full/);
});

test('crash: connected:false with `imsg rpc exited (code 1)` + fix, restart with backoff, resubscribe from the cursor: nothing lost, nothing twice', async (t) => {
  const h = harness(t, { env: { OPENCLAW_IMESSAGE_RESTART_BASE_MS: '600', OPENCLAW_IMESSAGE_RESTART_CAP_MS: '2000' } });
  await h.adapter.start(h.sink);
  const first = h.fake.dm('+15550005555', 'before the crash');
  await until(() => h.got.length === 1);
  h.fake.crash();
  const rt = await until(() => {
    const r = h.adapter.runtime();
    return !r.connected && r.lastError ? r : undefined;
  }, 3000, 'disconnected');
  assert.match(rt.lastError ?? '', /^imsg rpc exited \(code 1\)/);
  assert.equal(rt.running, true);
  assert.deepEqual(rt.issues, [{ message: rt.lastError, fix: RESTART_FIX }]);
  // sent while imsg is down: the restarted child replays it from since_rowid
  const during = h.fake.dm('+15550005555', 'during the restart');
  await until(() => h.adapter.runtime().connected, 5000, 'reconnected');
  await until(() => h.got.length === 2, 3000, 'the message sent during the restart');
  assert.deepEqual(h.got.map((f) => f.text), ['before the crash', 'during the restart']);
  assert.equal(h.got[1].messageId, during.guid);
  const subs = h.fake.calls('watch.subscribe');
  assert.equal(subs.length, 2);
  assert.deepEqual(subs[1].params, { since_rowid: first.id });
  assert.equal(h.fake.spawns().length, 2);
  assert.equal(h.adapter.runtime().lastError, null);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(h.got.length, 2, 'nothing twice');
});

test('imsg reports the watch stream died (an `error` notification): restarted, resubscribed from the cursor', async (t) => {
  const h = harness(t);
  await h.adapter.start(h.sink);
  const first = h.fake.dm('+15550008888', 'one');
  await until(() => h.got.length === 1);
  h.fake.set('watch-error', 'database is locked');
  await until(() => h.fake.spawns().length === 2, 5000, 'a restart');
  h.fake.dm('+15550008888', 'two');
  await until(() => h.got.length === 2, 5000, 'the message after the restart');
  assert.deepEqual(h.fake.calls('watch.subscribe').at(-1)?.params, { since_rowid: first.id });
  assert.match(h.logText(), /warn iMessage imsg watch failed: database is locked; restarting imsg rpc/);
});

test('restart backoff doubles up to the cap', async (t) => {
  const h = harness(t, { mode: 'exit', env: { OPENCLAW_IMESSAGE_RESTART_BASE_MS: '100', OPENCLAW_IMESSAGE_RESTART_CAP_MS: '400' } });
  const started = Date.now();
  await h.adapter.start(h.sink);
  await until(() => h.fake.spawns().length >= 5, 6000, '5 spawns');
  // 100 + 200 + 400 + 400 between the 5 starts
  assert.ok(Date.now() - started >= 1000, `too fast: ${Date.now() - started} ms`);
});

test('never ready (exits 1 at once): the exact status text with the permissions fix', async (t) => {
  const h = harness(t, { mode: 'exit' });
  await h.adapter.start(h.sink);
  const rt = h.adapter.runtime();
  assert.equal(rt.connected, false);
  assert.equal(rt.running, true);
  assert.match(rt.lastError ?? '', /^imsg rpc not ready after 1500ms \(Error: imsg rpc exited \(code 1\)\) \(imsg said: Error: unable to open database file \(authorization denied\)\)$/);
  assert.equal(rt.issues?.[0].fix, PERMISSIONS_FIX);
  assert.match(PERMISSIONS_FIX, /Full Disk Access/);
  assert.match(PERMISSIONS_FIX, /Automation/);
  assert.match(h.logText(), /error iMessage imsg rpc not ready after 1500ms .*Fix: grant Full Disk Access/);
});

test('never ready (hangs): not ready after the timeout, and stop() is still prompt', async (t) => {
  const h = harness(t, { mode: 'hang', env: { OPENCLAW_IMESSAGE_READY_TIMEOUT_MS: '300' } });
  await h.adapter.start(h.sink);
  assert.equal(h.adapter.runtime().lastError, 'imsg rpc not ready after 300ms (Error: no answer to chats.list)');
  const started = Date.now();
  await h.adapter.stop();
  assert.ok(Date.now() - started < 1500);
  assert.equal(h.adapter.runtime().running, false);
});

test('a missing imsg: clear lastError + install fix, no exception, send is retryable, probe fails', async (t) => {
  const h = harness(t, { config: { cliPath: '/nonexistent/imsg' } });
  await h.adapter.start(h.sink);
  const rt = h.adapter.runtime();
  assert.match(rt.lastError ?? '', /^imsg rpc not ready after 1500ms \(Error: imsg not found: cannot run "\/nonexistent\/imsg" \(spawn \/nonexistent\/imsg ENOENT\)\)$/);
  assert.equal(rt.issues?.[0].fix, INSTALL_FIX);
  await assert.rejects(h.adapter.send({ accountId: 'default', chatId: '+15550001111', text: 'x' }), (e: Error) => e instanceof ChannelSendError && e.retryable);
  const probe = await h.adapter.probe(2000);
  assert.equal(probe.ok, false);
  assert.match(String(probe.error), /imsg not found/);
  assert.equal(probe.fix, INSTALL_FIX);
});

test('send: chat_id targets and handles reach imsg `send`; an RPC error is not retryable and carries the text', async (t) => {
  const h = harness(t, { config: { service: 'imessage', region: 'US' } });
  await h.adapter.start(h.sink);
  await h.adapter.send({ accountId: 'default', chatId: 'chat_id:5', text: 'to the chat' });
  await h.adapter.send({ accountId: 'default', chatId: '+1 555 000 6666', text: 'to a handle' });
  assert.deepEqual(h.fake.sent(), [
    { chat_id: 5, text: 'to the chat' },
    { to: '+15550006666', text: 'to a handle', service: 'imessage', region: 'US' },
  ]);
  h.fake.set('send-error', 'Messages got an error: Not authorized to send Apple events to Messages. (-1743)');
  const err = await h.adapter.send({ accountId: 'default', chatId: 'chat_id:5', text: 'x' }).catch((e: unknown) => e);
  assert.ok(err instanceof ChannelSendError);
  assert.equal(err.retryable, false);
  assert.match(err.message, /imsg send failed: Messages got an error: Not authorized/);
  assert.equal(err.fix, PERMISSIONS_FIX);
});

test('send while the child is down is retryable', async (t) => {
  const h = harness(t, { env: { OPENCLAW_IMESSAGE_RESTART_BASE_MS: '2000' } });
  await h.adapter.start(h.sink);
  h.fake.crash();
  await until(() => !h.adapter.runtime().connected);
  const err = await h.adapter.send({ accountId: 'default', chatId: 'chat_id:1', text: 'x' }).catch((e: unknown) => e);
  assert.ok(err instanceof ChannelSendError);
  assert.equal(err.retryable, true);
  assert.match(err.message, /imsg rpc exited \(code 1\)/);
});

test('probe: a real chats.list; fails when the RPC fails (also without a running adapter)', async (t) => {
  const h = harness(t);
  // not started: a short-lived child
  const cold = await h.adapter.probe(3000);
  assert.equal(cold.ok, true, String(cold.error));
  await h.adapter.start(h.sink);
  assert.equal((await h.adapter.probe(3000)).ok, true);
  h.fake.set('chats-error', 'unable to open database file');
  const bad = await h.adapter.probe(3000);
  assert.equal(bad.ok, false);
  assert.equal(bad.error, 'chats.list failed: unable to open database file');
  assert.equal(bad.fix, PERMISSIONS_FIX);
  h.fake.setMode('exit');
  await h.adapter.stop();
  const down = await h.adapter.probe(3000);
  assert.equal(down.ok, false);
  assert.match(String(down.error), /^imsg rpc not ready after 1500ms \(Error: imsg rpc exited \(code 1\)\)/);
});

test('stop(): unsubscribes and kills the child promptly, even one that ignores SIGTERM', async (t) => {
  const h = harness(t);
  h.fake.set('ignore-sigterm');
  await h.adapter.start(h.sink);
  const pid = Number(h.fake.spawns()[0].split(' ')[0]);
  const started = Date.now();
  await h.adapter.stop();
  assert.ok(Date.now() - started < 1500, `stop took ${Date.now() - started} ms`);
  assert.equal(h.fake.calls('watch.unsubscribe').length, 1);
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  assert.deepEqual({ running: h.adapter.runtime().running, connected: h.adapter.runtime().connected }, { running: false, connected: false });
  h.fake.dm('+15550007777', 'after stop');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(h.got.length, 0);
  assert.equal(h.fake.spawns().length, 1, 'not restarted');
});
