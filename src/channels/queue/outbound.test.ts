import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { silentLogger, type Logger } from '../../logging/types.js';
import { ChannelSendError, type ChannelAdapter, type OutboundText } from '../types.js';
import { Journal } from './journal.js';
import { FAILED_RETENTION_MS, OutboundQueue, type OutboundRecord } from './outbound.js';

/** A channel whose send() is scripted per call: this is our own interface, not a library. */
function scriptedAdapter(script: Array<'ok' | Error>): ChannelAdapter & { sent: OutboundText[] } {
  const sent: OutboundText[] = [];
  let n = 0;
  return {
    channel: 'telegram', accountId: 'default', textLimit: 4096, sent,
    start: async () => {}, stop: async () => {}, probe: async () => ({ ok: true }),
    runtime: () => ({ running: true, connected: true }),
    async send(m) {
      const step = script[n++] ?? 'ok';
      if (step instanceof Error) throw step;
      sent.push(m);
      return { messageIds: [String(n)] };
    },
  };
}

function queue(adapter: ChannelAdapter | undefined, log: Logger = silentLogger) {
  const journal = new Journal<OutboundRecord>(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oc-out-')), 'out.jsonl')).open();
  return { journal, q: new OutboundQueue({ journal, log, adapter: () => adapter, onSent: () => {} }) };
}

const item = (id: string, text: string, chatId = '1') => ({ id, channel: 'telegram' as const, accountId: 'default', chatId, text, kind: 'reply' as const });

test('texts to one chat go out in order and leave the journal once accepted', async () => {
  const a = scriptedAdapter([]);
  const { q, journal } = queue(a);
  await q.enqueue([item('r:0', 'one'), item('r:1', 'two'), item('r:2', 'three')]);
  const results = await Promise.all(['r:0', 'r:1', 'r:2'].map((id) => q.wait(id, 5000)));
  assert.ok(results.every((r) => r.ok));
  assert.deepEqual(a.sent.map((m) => m.text), ['one', 'two', 'three']);
  assert.equal(journal.size, 0);
  q.close();
});

test('a retryable failure is retried after Telegram\'s retry_after; a permanent one fails with one log line', async () => {
  const a = scriptedAdapter([new ChannelSendError('Too Many Requests: retry after 1', true, undefined, 50), 'ok', new ChannelSendError('Forbidden: bot was blocked by the user', false, 'ask the user to unblock the bot')]);
  const lines: string[] = [];
  const log: Logger = { ...silentLogger, error: (m) => lines.push(m), child: () => log };
  const { q, journal } = queue(a, log);
  await q.enqueue([item('x', 'retry me')]);
  assert.deepEqual(await q.wait('x', 5000), { ok: true, messageIds: ['2'] });
  await q.enqueue([item('y', 'blocked', '2')]);
  const failed = await q.wait('y', 5000);
  assert.equal(failed.ok, false);
  assert.equal(failed.error, 'Forbidden: bot was blocked by the user');
  assert.deepEqual(lines, ['send failed: Forbidden: bot was blocked by the user (fix: ask the user to unblock the bot)']);
  assert.equal(journal.get('y')?.state, 'failed');
  assert.equal(q.stats('telegram', 'default').failed, 1);
  q.close();
});

test('with no running adapter a message stays queued (and is not lost) until the wait runs out', async () => {
  const { q, journal } = queue(undefined);
  await q.enqueue([item('z', 'later')]);
  const r = await q.wait('z', 100);
  assert.equal(r.ok, false);
  assert.equal(r.queued, true);
  assert.equal(journal.get('z')?.state, 'pending');
  assert.equal(q.stats('telegram', 'default').pending, 1);
  q.close();
});

test('enqueue is idempotent per id, also after the message was sent', async () => {
  const a = scriptedAdapter([]);
  const { q } = queue(a);
  await q.enqueue([item('dup', 'once')]);
  await q.wait('dup', 5000);
  await q.enqueue([item('dup', 'once')]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.sent.length, 1);
  q.close();
});

test('a message that failed for good is reported for a day, then dropped from stats and the journal', async () => {
  const { journal, q } = queue(scriptedAdapter([]));
  const now = Date.now();
  const base = { ...item('old', 'x'), seq: 0, attempts: 8, nextAttemptAt: 0, state: 'failed' as const, lastError: '403: Forbidden' };
  await journal.put({ ...base, createdAt: now - FAILED_RETENTION_MS - 120_000, failedAt: now - FAILED_RETENTION_MS - 60_000 });
  await journal.put({ ...base, id: 'recent', createdAt: now - 1000, failedAt: now - 1000 });
  assert.equal(q.stats('telegram', 'default', now).failed, 1);
  assert.deepEqual(q.failed(now).map((r) => r.id), ['recent']);
  q.kick();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(journal.get('old'), undefined, 'the expired dead letter left the journal');
  assert.equal(journal.get('recent')?.state, 'failed', 'a recent one stays for status and logs');
  q.close();
  await journal.close();
});
