import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChannelBench } from './channels.js';

// A small run of the real bench (a gateway process polling the Bot API stand-in): keeps the bench
// working and its figures meaningful. No timing is asserted: targets live in `npm run bench`.
test('the channel bench answers DMs and chat.send turns and reads both processes\' RSS', async () => {
  const r = await runChannelBench({ samples: 2, rssRuns: 1 });
  assert.equal(r.samples, 2);
  for (const [name, v] of Object.entries({ telegram: r.telegramMs, ws: r.wsMs })) assert.ok(Number.isFinite(v) && v > 0, `${name} path measured: ${v}`);
  assert.ok(r.modelMs > 0, 'the model stand-in reported its own time');
  assert.ok(r.rssWithTelegramMb > 20 && r.rssWithoutChannelsMb > 20, 'RSS read from /proc for both gateways');
});
