import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer } from 'ws';
import { probeHandshake, readProbeResponse } from './handshake-probe.js';

const UPGRADED = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';

function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  const head = Buffer.from([0x81, 126, 0, 0]);
  head.writeUInt16BE(payload.length, 2);
  return Buffer.concat([head, payload]);
}

const challenge = JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { nonce: 'n', ts: 1 } });

test('readProbeResponse: the upgrade plus a connect.challenge frame, whole or in pieces', () => {
  const all = Buffer.concat([Buffer.from(UPGRADED), textFrame(challenge)]);
  assert.deepEqual(readProbeResponse(all), { state: 'challenge' });
  for (const cut of [5, UPGRADED.length, UPGRADED.length + 1, all.length - 1]) assert.deepEqual(readProbeResponse(all.subarray(0, cut)), { state: 'more' });
  const long = JSON.stringify({ type: 'event', event: 'connect.challenge', payload: { pad: 'x'.repeat(300) } });
  assert.deepEqual(readProbeResponse(Buffer.concat([Buffer.from(UPGRADED), textFrame(long)])), { state: 'challenge' });
});

test('readProbeResponse: refusals and wrong first frames name what happened', () => {
  const refused = readProbeResponse(Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'));
  assert.deepEqual(refused, { state: 'failed', reason: 'upgrade refused (HTTP/1.1 403 Forbidden)' });
  const closed = readProbeResponse(Buffer.concat([Buffer.from(UPGRADED), Buffer.from([0x88, 0])]));
  assert.deepEqual(closed, { state: 'failed', reason: 'closed before connect.challenge' });
  const other = readProbeResponse(Buffer.concat([Buffer.from(UPGRADED), textFrame('{"type":"event","event":"tick"}')]));
  assert.deepEqual(other, { state: 'failed', reason: 'first frame was not connect.challenge' });
});

async function wsServer(onConnection: (send: (text: string) => void) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => onConnection((text) => ws.send(text)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

test('probeHandshake resolves against a real WebSocket server that sends connect.challenge', async () => {
  const srv = await wsServer((send) => send(challenge));
  try {
    await probeHandshake('127.0.0.1', srv.port, 5000);
  } finally {
    await srv.close();
  }
});

test('probeHandshake rejects a server that greets with something else, or never upgrades', async () => {
  const srv = await wsServer((send) => send(JSON.stringify({ type: 'event', event: 'tick' })));
  try {
    await assert.rejects(probeHandshake('127.0.0.1', srv.port, 5000), /first frame was not connect\.challenge/);
  } finally {
    await srv.close();
  }
  const plain = http.createServer((_, res) => res.end('no upgrades here'));
  plain.on('upgrade', (_, socket) => socket.end('HTTP/1.1 426 Upgrade Required\r\n\r\n'));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  try {
    await assert.rejects(probeHandshake('127.0.0.1', (plain.address() as AddressInfo).port, 5000), /upgrade refused \(HTTP\/1\.1 426/);
  } finally {
    await new Promise((r) => plain.close(r));
  }
});

test('probeHandshake gives up after its timeout when the server stays silent', async () => {
  const srv = await wsServer(() => {});
  try {
    await assert.rejects(probeHandshake('127.0.0.1', srv.port, 200), /no connect\.challenge/);
  } finally {
    await srv.close();
  }
});
