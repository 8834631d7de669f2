// `openclaw message send` in-process: no gateway, and an in-process control plane whose `send` is a stub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, localConfig, stateDirsForFile } from '../../testing/harness.js';
import { startTestGateway, TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import type { OpenClawConfig } from '../../config/schema.js';
import type { DeliveryOutcome } from '../../channels/types.js';
import { register } from './message.js';
import { runRegistered } from '../testing-in-process.js';

const state = stateDirsForFile();

const cli = (args: string[], env: NodeJS.ProcessEnv) => runRegistered(register, args, env);

test('message send without a gateway: "send failed: gateway not connected" and how to start one, exit 1', async () => {
  const s = state(localConfig(TEST_TOKEN, { gateway: { port: await freePort() } }));
  const r = await cli(['message', 'send', '--channel', 'telegram', '--target', '123', '--message', 'hi'], s.env);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'send failed: gateway not connected\nfix: openclaw gateway start\n');
  const json = await cli(['message', 'send', '--channel', 'telegram', '-t', '123', '-m', 'hi', '--json'], s.env);
  assert.equal(json.code, 1);
  const body = JSON.parse(json.stdout);
  assert.equal(body.ok, false);
  assert.equal(body.error, 'send failed: gateway not connected');
  assert.equal(body.fix, 'openclaw gateway start');
  assert.equal(body.code, 'GATEWAY_NOT_CONNECTED');
});

test('message send: usage errors before any connection', async () => {
  const env = state(localConfig(TEST_TOKEN)).env;
  const unknown = await cli(['message', 'send', '--channel', 'slack', '-t', '1', '-m', 'hi'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^unknown channel "slack" \(expected one of: telegram, discord, whatsapp, imessage\)\nfix: openclaw channels list\n$/);
  const empty = await cli(['message', 'send', '--channel', 'telegram', '-t', '1', '-m', '  '], env);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /--message is empty/);
  const missing = await cli(['message', 'send', '--channel', 'telegram', '-m', 'hi'], env);
  assert.equal(missing.code, 2);
});

test('message send through a gateway: sent, queued, and refused outcomes', async (t) => {
  const s = state(localConfig(TEST_TOKEN, { channels: { telegram: { botToken: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1' } } }));
  const calls: Array<Record<string, unknown>> = [];
  let next: DeliveryOutcome = { ok: true, messageIds: ['42'] };
  const gw = await startTestGateway({
    state: s,
    config: localConfig(TEST_TOKEN) as OpenClawConfig,
    extraMethods: [{ name: 'send', scope: 'operator.write', sideEffect: true, handler: ({ params }) => (calls.push(params as Record<string, unknown>), next) }],
  });
  t.after(() => gw.close());
  const env = { ...s.env, OPENCLAW_GATEWAY_URL: gw.url };

  const sent = await cli(['message', 'send', '--channel', 'telegram', '--target', '123456789', '--message', 'Build finished'], env);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.stdout, 'Sent to telegram 123456789 (message id 42).\n');
  const p = calls.at(-1)!;
  assert.equal(p.channel, 'telegram');
  assert.equal(p.to, '123456789');
  assert.equal(p.message, 'Build finished');
  assert.equal(typeof p.idempotencyKey, 'string');
  assert.equal(p.accountId, undefined);

  next = { ok: true, queued: true };
  const queued = await cli(['message', 'send', '-t', '123', '-m', 'x', '--account', 'work'], env);
  assert.equal(queued.code, 0, queued.stderr);
  assert.match(queued.stdout, /^Queued for the channel 123 \(account work\): not delivered yet; the gateway keeps it and retries/);
  assert.equal(calls.at(-1)!.channel, undefined);
  assert.equal(calls.at(-1)!.accountId, 'work');

  next = { ok: false, error: 'Telegram refused: chat not found', fix: 'check the chat id: openclaw pairing list telegram' };
  const refused = await cli(['message', 'send', '--channel', 'telegram', '-t', '999', '-m', 'x'], env);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'send failed: Telegram refused: chat not found\nfix: check the chat id: openclaw pairing list telegram\n');

  next = { ok: true, messageIds: ['7', '8'] };
  const json = await cli(['message', 'send', '--channel', 'telegram', '-t', '5', '-m', 'long', '--thread-id', '3', '--json'], env);
  assert.deepEqual(JSON.parse(json.stdout), { ok: true, version: 1, messageIds: ['7', '8'], channel: 'telegram', to: '5' });
  assert.equal(calls.at(-1)!.threadId, '3');
});
