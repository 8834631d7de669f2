// The fake Discord on its own, with a raw `ws` client and fetch: the wire format the adapter tests
// rely on (auth errors, HELLO/IDENTIFY/READY, heartbeat ACKs, RESUME replays, close codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startFakeDiscord, type FakeDiscordBot, type GatewayEvent } from './fake-discord.js';

const BOT = { token: 'MTAwMDAwMDAwMDAwMDAwMDAx.GfAkE1.fake-discord-self-test-secret-abcdefghijk', id: '100000000000000001', username: 'fake_bot' };

function client(url: string): { ws: WebSocket; got: GatewayEvent[]; closed: Promise<number>; next(pred: (e: GatewayEvent) => boolean): Promise<GatewayEvent> } {
  const ws = new WebSocket(`${url}/?v=10&encoding=json`);
  const got: GatewayEvent[] = [];
  const waiters: Array<{ pred: (e: GatewayEvent) => boolean; resolve: (e: GatewayEvent) => void }> = [];
  ws.on('message', (raw) => {
    const e = JSON.parse(raw.toString()) as GatewayEvent;
    got.push(e);
    for (const w of [...waiters]) if (w.pred(e)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(e);
    }
  });
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  return {
    ws,
    got,
    closed,
    next: (pred) => {
      const seen = got.find(pred);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

test('REST: 401 body without a valid Bot token; gateway/bot points at the fake; @me routes', async () => {
  const fake = await startFakeDiscord({ bots: [BOT] });
  try {
    const bad = await fetch(`${fake.apiRoot}/users/@me`, { headers: { authorization: 'Bot nope' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(await bad.json(), { message: '401: Unauthorized', code: 0 });
    const auth = { authorization: `Bot ${BOT.token}` };
    const gw = await (await fetch(`${fake.apiRoot}/gateway/bot`, { headers: auth })).json();
    assert.equal(gw.url, fake.gatewayUrl);
    assert.equal((await (await fetch(`${fake.apiRoot}/users/%40me`, { headers: auth })).json()).id, BOT.id);
    const empty = await fetch(`${fake.apiRoot}/channels/1/messages`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ content: '' }) });
    assert.deepEqual([empty.status, (await empty.json()).code], [400, 50006]);
  } finally {
    await fake.close();
  }
});

test('gateway: HELLO, IDENTIFY → READY, heartbeat → ACK, dispatch seq, drop + RESUME replays the gap, bad token → 4004', async () => {
  const fake = await startFakeDiscord({ bots: [BOT], heartbeatIntervalMs: 100 });
  try {
    const c = client(fake.gatewayUrl);
    const hello = await c.next((e) => e.op === 10);
    assert.equal(hello.d.heartbeat_interval, 100);
    c.ws.send(JSON.stringify({ op: 2, d: { token: BOT.token, intents: 0, properties: {} } }));
    const ready = await c.next((e) => e.t === 'READY');
    assert.equal(ready.s, 1);
    assert.equal(ready.d.user.id, BOT.id);
    assert.equal(ready.d.resume_gateway_url, fake.gatewayUrl);
    c.ws.send(JSON.stringify({ op: 1, d: 1 }));
    await c.next((e) => e.op === 11);
    fake.dm(BOT.token, { id: '5', username: 'u' }, 'one');
    assert.equal((await c.next((e) => e.t === 'MESSAGE_CREATE')).s, 2);

    fake.dropConnection(BOT.token);
    assert.equal(await c.closed, 1006);
    fake.dm(BOT.token, { id: '5', username: 'u' }, 'in the gap');
    const r = client(fake.gatewayUrl);
    await r.next((e) => e.op === 10);
    r.ws.send(JSON.stringify({ op: 6, d: { token: BOT.token, session_id: ready.d.session_id, seq: 2 } }));
    await r.next((e) => e.t === 'RESUMED');
    assert.deepEqual(r.got.filter((e) => e.op === 0).map((e) => [e.t, e.s, e.d?.content]), [['MESSAGE_CREATE', 3, 'in the gap'], ['RESUMED', null, undefined]]);
    r.ws.close();

    const unknown = client(fake.gatewayUrl);
    await unknown.next((e) => e.op === 10);
    unknown.ws.send(JSON.stringify({ op: 6, d: { token: BOT.token, session_id: 'nope', seq: 1 } }));
    assert.equal((await unknown.next((e) => e.op === 9)).d, false);
    unknown.ws.close();

    const bad = client(fake.gatewayUrl);
    await bad.next((e) => e.op === 10);
    bad.ws.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 0, properties: {} } }));
    assert.equal(await bad.closed, 4004);
  } finally {
    await fake.close();
  }
});

test('gateway: holdReady withholds READY from the next IDENTIFY (heartbeats still ACKed); holdResumed withholds the replay and RESUMED', async () => {
  const bot: FakeDiscordBot = { ...BOT, holdReady: 1 };
  const fake = await startFakeDiscord({ bots: [bot] });
  try {
    const held = client(fake.gatewayUrl);
    await held.next((e) => e.op === 10);
    held.ws.send(JSON.stringify({ op: 2, d: { token: BOT.token, intents: 0, properties: {} } }));
    held.ws.send(JSON.stringify({ op: 1, d: null }));
    await held.next((e) => e.op === 11);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(held.got.some((e) => e.t === 'READY'), false, 'no READY');
    assert.equal(bot.holdReady, 0);
    held.ws.close();

    const c = client(fake.gatewayUrl);
    await c.next((e) => e.op === 10);
    c.ws.send(JSON.stringify({ op: 2, d: { token: BOT.token, intents: 0, properties: {} } }));
    const ready = await c.next((e) => e.t === 'READY');
    fake.dropConnection(BOT.token);
    await c.closed;
    bot.holdResumed = 1;
    const r = client(fake.gatewayUrl);
    await r.next((e) => e.op === 10);
    r.ws.send(JSON.stringify({ op: 6, d: { token: BOT.token, session_id: ready.d.session_id, seq: 1 } }));
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(r.got.some((e) => e.t === 'RESUMED'), false, 'no RESUMED');
    r.ws.close();
  } finally {
    await fake.close();
  }
});
