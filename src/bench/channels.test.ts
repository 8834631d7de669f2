import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChannelBench } from './channels.js';

// A small run of the real bench (gateway processes with Telegram, Discord, WhatsApp and iMessage
// against their stand-ins): keeps the bench working and its figures meaningful. No timing is
// asserted: targets live in `npm run bench`.
test('the channel bench answers DMs on all four channels and chat.send turns, and reads the gateways\' RSS', async () => {
  const r = await runChannelBench({ samples: 1, rssRuns: 1, settleMs: 100 });
  assert.equal(r.samples, 1);
  assert.deepEqual(Object.keys(r.latency).sort(), ['discord', 'imessage', 'telegram', 'whatsapp']);
  for (const [name, { ms, wsMs }] of Object.entries(r.latency)) {
    assert.ok(Number.isFinite(ms) && ms > 0, `${name} path measured: ${ms}`);
    assert.ok(Number.isFinite(wsMs) && wsMs > 0, `chat.send paired with ${name} measured: ${wsMs}`);
  }
  assert.ok(r.modelMs > 0, 'the model stand-in reported its own time');
  for (const [name, mb] of Object.entries({ none: r.rssWithoutChannelsMb, telegram: r.rssWithTelegramMb, all: r.rssWithAllChannelsMb })) assert.ok(mb > 20, `RSS read from /proc for the ${name} gateway: ${mb}`);
});
