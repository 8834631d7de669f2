// TEST-ONLY socket module for a real gateway process: `OPENCLAW_WHATSAPP_FAKE_SOCKET=<this file,
// compiled>` makes the WhatsApp adapter use it instead of Baileys (WhatsApp Web cannot be reached
// from tests). The test drives it over HTTP on the unix socket `OPENCLAW_WHATSAPP_FAKE_CONTROL`:
//   POST /upsert {messages}  → `messages.upsert` (type notify) on the live socket
//   POST /close {status}     → `connection.update` close with that Boom status
//   POST /down, POST /up     → WhatsApp Web "unreachable": the live socket closes (408) and new
//                              ones close at once instead of opening, until /up
//   GET  /state              → {connected, sockets, qr}
//   POST /link                → the phone scanned: an unlinked socket (no creds.json in its auth
//                              dir, so it offered QR "fake-qr-<n>") saves creds and opens
// and reads what the gateway sent from `<control>.sent.jsonl` (appended synchronously, so it
// survives a kill -9 of the gateway). Each line also carries `hr`: process.hrtime.bigint() (the
// system-wide monotonic clock, comparable across processes) when the gateway called sendMessage.
// OPENCLAW_WHATSAPP_FAKE_LOAD_BAILEYS=1 also loads the Baileys library (never opening its socket),
// so a memory measurement counts what a real WhatsApp account loads.
import fs from 'node:fs';
import http from 'node:http';
import type { WaSocketFactory } from '../socket.js';
import path from 'node:path';
import { FakeWaSocket, SELF, writeLinkedCreds } from './fake-socket.js';

let server: http.Server | undefined;
let live: FakeWaSocket | undefined;
let count = 0;
let down = false;
let linking: { sock: FakeWaSocket; authDir: string; qr: string } | undefined;
const CONNECTION_LOST = 408;

function control(): string {
  const p = process.env.OPENCLAW_WHATSAPP_FAKE_CONTROL;
  if (!p) throw new Error('OPENCLAW_WHATSAPP_FAKE_CONTROL is not set (test-only fake socket)');
  return p;
}

function body(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s ? (JSON.parse(s) as Record<string, unknown>) : {}));
  });
}

function listen(): void {
  if (server) return;
  const sockPath = control();
  fs.rmSync(sockPath, { force: true }); // left by a gateway that was killed
  server = http.createServer(async (req, res) => {
    const b = req.method === 'POST' ? await body(req) : {};
    const ok = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    if (req.url === '/state') return ok({ connected: !!live && !live.ended && !!live.user, sockets: count, qr: linking?.qr ?? null });
    if (req.url === '/link') {
      if (!linking) return res.writeHead(409).end('no socket is showing a QR');
      const { sock, authDir } = linking;
      linking = undefined;
      writeLinkedCreds(authDir);
      sock.open(SELF);
      return ok({ ok: true });
    }
    if (req.url === '/up') {
      down = false;
      return ok({ ok: true });
    }
    if (req.url === '/down') {
      down = true;
      if (live && !live.ended) live.close(CONNECTION_LOST);
      return ok({ ok: true });
    }
    if (!live) return res.writeHead(409).end('no socket');
    if (req.url === '/upsert') {
      live.upsert(b.messages as never);
      return ok({ ok: true });
    }
    if (req.url === '/close') {
      live.close(Number(b.status));
      return ok({ ok: true });
    }
    res.writeHead(404).end();
  });
  server.listen(sockPath);
  server.unref();
}

export const createSocket: WaSocketFactory = async ({ authDir }) => {
  if (process.env.OPENCLAW_WHATSAPP_FAKE_LOAD_BAILEYS === '1') await import('baileys');
  listen();
  const sock = new FakeWaSocket();
  count++;
  live = sock;
  const send = sock.sendMessage.bind(sock);
  sock.sendMessage = async (jid, content, opts) => {
    const hr = String(process.hrtime.bigint());
    const r = await send(jid, content, opts);
    fs.appendFileSync(`${control()}.sent.jsonl`, `${JSON.stringify({ jid, text: content.text, id: r?.key?.id, pid: process.pid, hr })}\n`);
    return r;
  };
  const linked = fs.existsSync(path.join(authDir, 'creds.json'));
  setImmediate(() => {
    if (down) return sock.close(CONNECTION_LOST);
    if (linked) return sock.open(SELF);
    linking = { sock, authDir, qr: `fake-qr-${count}` };
    sock.qr(linking.qr);
  });
  return { sock, saveCreds: async () => {} };
};
