// Unit tests for the Control UI's pure modules (ui/src/**). They are browser code outside tsc's
// rootDir, so Vite compiles them on the fly (ssrLoadModule), exactly as the bundle sees them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fc from 'fast-check';
import type { ViteDevServer } from 'vite';
import { uiModuleServer } from './ui-modules.js';

// ui/ is outside tsc's rootDir, so the modules are typed loosely here; Vite type-checks nothing,
// `npx tsc -p ui` does.
type UiModule = Record<string, any>;
let vite: ViteDevServer;
let failure: UiModule;
let credentials: UiModule;
let chat: UiModule;
let deviceName: UiModule;
let time: UiModule;

before(async () => {
  vite = await uiModuleServer();
  failure = (await vite.ssrLoadModule('/src/gateway/failure.ts'));
  credentials = (await vite.ssrLoadModule('/src/gateway/credentials.ts'));
  chat = (await vite.ssrLoadModule('/src/views/chat-model.ts'));
  deviceName = (await vite.ssrLoadModule('/src/lib/device-name.ts'));
  time = (await vite.ssrLoadModule('/src/lib/time.ts'));
});

after(async () => {
  await vite.close();
});

test('the noble fallback signs v3 payloads that node:crypto (the gateway) verifies', async () => {
  await vite.ssrLoadModule('/src/crypto/device-identity.ts'); // installs @noble/hashes' SHA-512 into noble
  const ed = await import('@noble/ed25519');
  const secret = ed.utils.randomSecretKey();
  const publicKey = await ed.getPublicKeyAsync(secret);
  const payload = new TextEncoder().encode('v3|dev|openclaw-control-ui|ui|operator|operator.admin|1|tok|nonce|web|');
  const signature = await ed.signAsync(payload, secret);
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey)]);
  const key = crypto.createPublicKey({ key: spki, format: 'der', type: 'spki' });
  assert.equal(crypto.verify(null, payload, key, signature), true);
});

test('URL credentials are read once and stripped, other fragment state is kept', () => {
  const r1 = credentials.readUrlCredentials('http://127.0.0.1:18789/#token=abc');
  assert.equal(r1.token, 'abc');
  assert.equal(r1.cleanedUrl, 'http://127.0.0.1:18789/');
  const r2 = credentials.readUrlCredentials('http://h:1/ui/?token=q%20t&x=1#devices');
  assert.equal(r2.token, 'q t');
  assert.equal(r2.cleanedUrl, 'http://h:1/ui/?x=1#devices');
  const r3 = credentials.readUrlCredentials('http://h:1/#bootstrap=code-1&gatewayUrl=ws://g:2');
  assert.equal(r3.bootstrap, 'code-1');
  assert.equal(r3.gatewayUrl, 'ws://g:2');
  assert.equal(r3.cleanedUrl, 'http://h:1/');
  const r4 = credentials.readUrlCredentials('http://h:1/#logs');
  assert.equal(r4.cleanedUrl, 'http://h:1/#logs');
  assert.equal(r4.token, undefined);
});

test('gateway URLs: http(s) become ws(s), anything else is refused', () => {
  assert.equal(credentials.normalizeGatewayUrl('http://127.0.0.1:18789/'), 'ws://127.0.0.1:18789');
  assert.equal(credentials.normalizeGatewayUrl('https://gw.example.com'), 'wss://gw.example.com');
  assert.equal(credentials.normalizeGatewayUrl('wss://gw.example.com/base#x'), 'wss://gw.example.com/base');
  assert.equal(credentials.normalizeGatewayUrl('javascript:alert(1)'), null);
  assert.equal(credentials.normalizeGatewayUrl('not a url'), null);
  assert.equal(credentials.defaultGatewayUrl({ protocol: 'https:', host: 'gw:443' }), 'wss://gw:443');
});

test('connect rejections become banners with the Rejections cause and an exact fix', () => {
  const ctx = { origin: 'http://ui.example:5173', port: 18789 };
  const pairing = failure.failureFromError({ code: 'NOT_PAIRED', message: 'pairing required', details: { code: 'PAIRING_REQUIRED', requestId: 'r-123' } }, ctx);
  assert.equal(pairing.kind, 'pairing');
  assert.equal(pairing.fix, 'openclaw devices approve r-123');
  assert.equal(failure.retryDelay(pairing, 5), 2000);

  const origin = failure.failureFromError({ code: 'INVALID_REQUEST', message: 'origin not allowed (…)', details: { code: 'CONTROL_UI_ORIGIN_NOT_ALLOWED' } }, ctx);
  assert.equal(origin.kind, 'origin');
  assert.equal(origin.fix, `openclaw config set gateway.controlUi.allowedOrigins '["http://ui.example:5173"]'`);

  const limited = failure.failureFromError({ code: 'INVALID_REQUEST', message: 'unauthorized: too many failed authentication attempts (retry later)', retryAfterMs: 42_000, details: { code: 'AUTH_RATE_LIMITED' } }, ctx);
  assert.equal(limited.kind, 'rate-limited');
  assert.equal(failure.retryDelay(limited, 1), 42_000);
  assert.match(limited.fix, /Wait 42 s/);

  const mismatch = failure.failureFromError({ code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', details: { code: 'AUTH_TOKEN_MISMATCH' } }, ctx);
  assert.equal(mismatch.kind, 'auth-token');
  assert.equal(failure.retryDelay(mismatch, 1), null, 'a wrong token is not retried (it would feed the rate limiter)');

  const unknown = failure.failureFromError({ code: 'UNAVAILABLE', message: 'something new', details: { code: 'NEW_CODE', fix: 'openclaw do-the-thing' } }, ctx);
  assert.equal(unknown.fix, 'openclaw do-the-thing');
});

test('closes without a res are explained: 1006, closed idle, stale device token, pairing reason', () => {
  const ctx = { origin: 'http://127.0.0.1:18789' };
  const dropped = failure.failureFromClose(1006, '', ctx);
  assert.equal(dropped.kind, 'abnormal');
  assert.match(dropped.fix, /openclaw gateway status/);
  assert.equal(failure.failureFromClose(4008, 'closed idle', ctx).kind, 'idle');
  assert.equal(failure.failureFromClose(4008, 'connect failed — device token mismatch', ctx).kind, 'device-token');
  const pairing = failure.failureFromClose(1008, 'pairing required: device is not approved yet (requestId: abc-1)', ctx);
  assert.equal(pairing.requestId, 'abc-1');
  assert.equal(pairing.fix, 'openclaw devices approve abc-1');
  assert.equal(failure.failureFromClose(1012, 'service restart', ctx).kind, 'restart');
});

test('stop, restart and crash are named apart (the close codes the gateway sends at shutdown)', () => {
  const ctx = { origin: 'http://127.0.0.1:18789' };
  const stopped = failure.failureFromClose(1001, 'going away', ctx);
  assert.equal(stopped.kind, 'stopped');
  assert.equal(stopped.title, 'gateway stopped');
  assert.equal(stopped.fix, 'openclaw gateway start');
  assert.equal(failure.failureFromClose(1012, 'service restart', ctx).title, 'gateway restarting');
  const crashed = failure.failureFromClose(1006, '', { ...ctx, wasConnected: true });
  assert.equal(crashed.kind, 'abnormal');
  assert.equal(crashed.title, 'connection lost');
  assert.match(crashed.cause, /crashed or was killed/);
  assert.equal(failure.failureFromClose(1006, '', ctx).title, 'gateway unreachable', 'never connected: unreachable, not lost');
  for (const f of [stopped, failure.failureFromClose(1012, 'service restart', ctx), crashed]) assert.equal(failure.isGatewayDown(f), true);
  assert.equal(failure.isGatewayDown(failure.failureFromClose(1006, '', ctx)), false);
});

test('every close the gateway sends from the Rejections table gets the kind its detail code has', async () => {
  const errors = await vite.ssrLoadModule('/../src/protocol/errors.ts');
  const ctx = { origin: 'http://127.0.0.1:18789' };
  let checked = 0;
  for (const [id, r] of Object.entries(errors.Rejections) as [string, any][]) {
    if (r.closeCode === undefined || [1001, 1006, 1012, 4008].includes(r.closeCode)) continue;
    const close = errors.rejectionClose(id, { requestId: 'req-1', origin: ctx.origin, retryAfterMs: 5000, detail: 'x' });
    if (!close) continue;
    const fromRes = failure.failureFromError({ code: r.errorCode, message: r.message({}), details: { code: r.detailCode } }, ctx);
    const fromClose = failure.failureFromClose(close.code, close.reason, ctx);
    assert.equal(fromClose.kind, fromRes.kind, `${r.detailCode}: close "${close.reason}"`);
    if (fromRes.kind !== 'other') checked++;
  }
  assert.ok(checked >= 8, `only ${checked} rejections checked`);
});

test('a missing secret is a sign-in, a wrong one an error', () => {
  const ctx = { origin: 'http://127.0.0.1:18789' };
  const missing = failure.failureFromError({ code: 'INVALID_REQUEST', message: 'unauthorized: gateway token missing', details: { code: 'AUTH_TOKEN_MISSING' } }, ctx);
  assert.equal(failure.isSignIn(missing), true);
  const pw = failure.failureFromError({ code: 'INVALID_REQUEST', message: 'unauthorized: gateway password missing', details: { code: 'AUTH_PASSWORD_MISSING' } }, ctx);
  assert.equal(failure.isSignIn(pw), true);
  const wrong = failure.failureFromError({ code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', details: { code: 'AUTH_TOKEN_MISMATCH' } }, ctx);
  assert.equal(failure.isSignIn(wrong), false);
});

test('device names from user agents: browser and OS', () => {
  const cases: [string, string][] = [
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'Headless Chrome on Linux'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'Safari on macOS'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari on iPhone'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['curl/8.5.0', 'Browser'],
  ];
  for (const [ua, name] of cases) assert.equal(deviceName.deviceNameFromUserAgent(ua), name, ua);
});

test('relative times', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  assert.equal(time.relativeTime(now - 3000, now), 'just now');
  assert.equal(time.relativeTime(now - 90_000, now), '1 min ago');
  assert.equal(time.relativeTime(now - 3 * 3_600_000, now), '3 h ago');
  assert.equal(time.relativeTime(now - 2 * 86_400_000, now), '2 d ago');
  assert.equal(time.relativeTime(now + 5 * 60_000, now), 'in 5 min');
});

test('reconnect backoff doubles from 1 s and stays at 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(failure.backoffMs), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
});

test('chat events applied with any number of duplicate deliveries give the same text as one delivery', () => {
  const run = (deliveries: number[][]) => {
    const events = deliveries.map((_, i) => ({ runId: 'r1', sessionKey: 's', seq: i, state: 'delta' as const, deltaText: `w${i} ` }));
    let lines: { text: string }[] = [];
    const progress = new Map();
    deliveries.forEach((copies, i) => {
      for (let k = 0; k < copies.length; k++) lines = chat.applyChatEvent(lines, progress, events[i]);
      // a late duplicate of an earlier event
      if (i > 0 && copies.length > 1) lines = chat.applyChatEvent(lines, progress, events[i - 1]);
    });
    return lines;
  };
  fc.assert(
    fc.property(fc.array(fc.array(fc.constant(0), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 30 }), (deliveries) => {
      const lines = run(deliveries);
      assert.equal(lines.length, 1);
      assert.equal(lines[0].text, deliveries.map((_, i) => `w${i} `).join(''));
    }),
  );
});

test('the final snapshot wins, and nothing changes a finished reply', () => {
  const progress = new Map();
  let lines = chat.applyChatEvent([], progress, { runId: 'r', sessionKey: 's', seq: 0, state: 'delta', deltaText: 'Hel' });
  lines = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 1, state: 'final', message: { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] } });
  assert.equal(lines[0].text, 'Hello!');
  assert.equal(lines[0].state, 'final');
  const same = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 2, state: 'delta', deltaText: 'x' });
  assert.equal(same, lines);
});

test('history merge: finished runs from the transcript, the live run from inFlightRun, the rest marked interrupted', () => {
  const streaming = [
    { id: 'run-a', role: 'assistant', text: 'par', runId: 'a', state: 'delta' as const },
    { id: 'run-b', role: 'assistant', text: 'gone', runId: 'b', state: 'delta' as const },
  ];
  const merged = chat.mergeHistory(streaming, {
    messages: [
      { id: 'u1', runId: 'a', role: 'user', content: 'hi' } as never,
      { id: 'u2', runId: 'b', role: 'user', content: 'again' } as never,
    ],
    inFlightRun: { runId: 'a', text: 'partial so far' },
  });
  assert.deepEqual(
    merged.map((l: UiModule) => [l.role, l.text, l.state ?? '']),
    [
      ['user', 'hi', ''],
      ['user', 'again', ''],
      ['assistant', 'gone', 'error'],
      ['assistant', 'partial so far', 'delta'],
    ],
  );
  const done = chat.mergeHistory(streaming, { messages: [{ id: 'm', runId: 'a', role: 'assistant', content: 'partial so far, done' } as never] });
  assert.equal(done.filter((l: UiModule) => l.runId === 'a').length, 1);
  assert.equal(done.find((l: UiModule) => l.runId === 'a')?.state, 'final');
});

test('a resumed run: its replace delta rewrites the partial text, revives an interrupted reply, and restarts the per-run seq', () => {
  const progress = new Map();
  let lines = chat.applyChatEvent([], progress, { runId: 'r', sessionKey: 's', seq: 0, state: 'delta', deltaText: 'Hello ' });
  lines = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 1, state: 'delta', deltaText: 'wor' });
  // the gateway died; chat.history came back without the run, so the reply is marked interrupted
  lines = chat.mergeHistory(lines, { messages: [{ id: 'u', runId: 'r', role: 'user', content: 'hi' } as never] });
  assert.equal(lines[1].state, 'error');
  assert.equal(lines[1].note, chat.INTERRUPTED);
  // the restarted gateway re-runs it from the start, numbering its events from 0 again
  lines = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 0, state: 'delta', deltaText: 'Hello', replace: true });
  assert.deepEqual([lines[1].text, lines[1].state, lines[1].note], ['Hello', 'delta', undefined]);
  lines = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 1, state: 'delta', deltaText: ' world' });
  const again = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 1, state: 'delta', deltaText: ' world' });
  assert.equal(again, lines, 'a duplicate of a resumed-run delta is still dropped');
  lines = chat.applyChatEvent(lines, progress, { runId: 'r', sessionKey: 's', seq: 2, state: 'final', message: { role: 'assistant', content: [{ type: 'text', text: 'Hello world' }] } });
  assert.deepEqual(lines.map((l: UiModule) => [l.role, l.text, l.state ?? '']), [['user', 'hi', ''], ['assistant', 'Hello world', 'final']]);
});

test('an interrupted reply ignores plain deltas; a failed reply is not revived by a replace', () => {
  const progress = new Map();
  const interrupted = [{ id: 'run-r', role: 'assistant', text: 'par', runId: 'r', state: 'error' as const, note: chat.INTERRUPTED }];
  assert.equal(chat.applyChatEvent(interrupted, progress, { runId: 'r', sessionKey: 's', seq: 5, state: 'delta', deltaText: 'x' }), interrupted);
  const failed = [{ id: 'run-f', role: 'assistant', text: 'boom', runId: 'f', state: 'error' as const }];
  assert.equal(chat.applyChatEvent(failed, progress, { runId: 'f', sessionKey: 's', seq: 0, state: 'delta', deltaText: 'x', replace: true }), failed);
});

test('history merge keeps deltas that arrived after the gateway answered (no text lost to a stale snapshot)', () => {
  const cur = [{ id: 'run-a', role: 'assistant', text: 'one two three', runId: 'a', state: 'delta' as const }];
  const merged = chat.mergeHistory(cur, { messages: [{ id: 'u', runId: 'a', role: 'user', content: 'hi' } as never], inFlightRun: { runId: 'a', text: 'one two' } });
  assert.equal(merged.find((l: UiModule) => l.runId === 'a')?.text, 'one two three');
  // a page that missed events (or shows another attempt) takes the gateway's text
  const other = chat.mergeHistory([{ ...cur[0], text: 'uno' }], { messages: [], inFlightRun: { runId: 'a', text: 'one two' } });
  assert.equal(other.find((l: UiModule) => l.runId === 'a')?.text, 'one two');
});

test('history lines keep how a reply ended: aborted, failed with its fix, interrupted, resumed; model and time', () => {
  const lines = chat.mergeHistory([], {
    messages: [
      { id: 'u', runId: 'a', role: 'user', content: 'hi', ts: 1 },
      { id: 'a', runId: 'a', role: 'assistant', content: 'par', stopReason: 'aborted', ts: 2 },
      { id: 'b', runId: 'b', role: 'assistant', content: '', stopReason: 'error', errorMessage: 'all models failed', fix: 'openclaw models status', ts: 3 },
      { id: 'c', runId: 'c', role: 'assistant', content: '', stopReason: 'interrupted', ts: 4 },
      { id: 'd', runId: 'd', role: 'assistant', content: 'done', model: 'p/m', resumed: true, ts: 5 },
    ] as never,
  });
  assert.deepEqual(
    lines.map((l: UiModule) => [l.role, l.state ?? '', l.note ?? '', l.fix ?? '', l.model ?? '', Boolean(l.resumed), l.ts]),
    [
      ['user', '', '', '', '', false, 1],
      ['assistant', 'aborted', '', '', '', false, 2],
      ['assistant', 'error', 'all models failed', 'openclaw models status', '', false, 3],
      ['assistant', 'error', chat.INTERRUPTED, '', '', false, 4],
      ['assistant', 'final', '', '', 'p/m', true, 5],
    ],
  );
  // A live failure carries the fix from the error shape.
  const failed = chat.applyChatEvent([], new Map(), { runId: 'x', sessionKey: 's', seq: 0, state: 'error', errorMessage: 'boom', error: { details: { fix: 'openclaw doctor' } } });
  assert.deepEqual([failed[0].note, failed[0].fix], ['boom', 'openclaw doctor']);
});

test('friendly session names and relative times', () => {
  assert.equal(chat.sessionName({ key: 'agent:main:main' }), 'Main');
  assert.equal(chat.sessionName({ key: 'agent:ops:main' }), 'Main (ops)');
  assert.equal(chat.sessionName({ key: 'agent:main:main', label: 'Everyday' }), 'Everyday');
  assert.equal(chat.sessionName({ key: 'agent:main:telegram:direct:42', origin: { channel: 'telegram', senderLabel: 'Alice' } }), 'Telegram · Alice');
  assert.equal(chat.sessionName({ key: 'agent:main:discord:group:99' }), 'Discord · group 99');
  assert.equal(chat.sessionName({ key: 'agent:main:ui-20261204-181500' }), 'ui-20261204-181500');
  assert.equal(chat.relativeTime(1000, 1000 + 10_000), 'just now');
  assert.equal(chat.relativeTime(0, 5 * 60_000), '5 min ago');
  assert.equal(chat.relativeTime(0, 3 * 3600_000), '3 h ago');
  assert.equal(chat.relativeTime(0, 2 * 86_400_000), '2 d ago');
});
