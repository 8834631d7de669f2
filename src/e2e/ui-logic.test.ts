// Unit tests for the Control UI's pure modules (ui/src/**). They are browser code outside tsc's
// rootDir, so Vite compiles them on the fly (ssrLoadModule), exactly as the bundle sees them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import fc from 'fast-check';
import { createServer, type ViteDevServer } from 'vite';
import { findPackageRoot } from '../gateway/control-ui-http.js';

// ui/ is outside tsc's rootDir, so the modules are typed loosely here; Vite type-checks nothing,
// `npx tsc -p ui` does.
type UiModule = Record<string, any>;
let vite: ViteDevServer;
let sha2: UiModule;
let failure: UiModule;
let credentials: UiModule;
let chat: UiModule;

before(async () => {
  vite = await createServer({
    root: path.join(findPackageRoot(), 'ui'),
    configFile: false,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, hmr: false, ws: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  sha2 = (await vite.ssrLoadModule('/src/crypto/sha2.ts'));
  failure = (await vite.ssrLoadModule('/src/gateway/failure.ts'));
  credentials = (await vite.ssrLoadModule('/src/gateway/credentials.ts'));
  chat = (await vite.ssrLoadModule('/src/views/chat-model.ts'));
});

after(async () => {
  await vite.close();
});

test('pure-JS SHA-256 and SHA-512 match node:crypto on every length around block boundaries', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
      assert.equal(Buffer.from(sha2.sha256(bytes)).toString('hex'), crypto.createHash('sha256').update(bytes).digest('hex'));
      assert.equal(Buffer.from(sha2.sha512(bytes)).toString('hex'), crypto.createHash('sha512').update(bytes).digest('hex'));
    }),
    { numRuns: 150 },
  );
  for (const n of [55, 56, 63, 64, 111, 112, 127, 128]) {
    const bytes = new Uint8Array(n).fill(0x61);
    assert.equal(Buffer.from(sha2.sha512(bytes)).toString('hex'), crypto.createHash('sha512').update(bytes).digest('hex'), `len ${n}`);
  }
});

test('the noble fallback signs v3 payloads that node:crypto (the gateway) verifies', async () => {
  await vite.ssrLoadModule('/src/crypto/device-identity.ts'); // installs our SHA-512 into noble
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
