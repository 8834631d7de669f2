// Test support: a scripted stand-in for a Baileys socket. WhatsApp Web cannot be reached (or
// faithfully faked) from tests, so the adapter is tested at the library boundary: an `ev`
// EventEmitter emitting the events Baileys emits, with real Baileys message shapes, and a
// `sendMessage` that records calls and answers `{ key: { id } }` like Baileys does.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { WaMessage, WaSelf } from '../facts.js';
import type { WaConnectionUpdate, WaSocketFactory, WaSocketLike } from '../socket.js';

export const SELF: WaSelf = { id: '15551234567:7@s.whatsapp.net', lid: '98765432109876:7@lid', name: 'Claw' };

export interface SentCall {
  jid: string;
  content: { text: string };
  opts?: Record<string, unknown>;
  id: string | undefined;
}

let idSeq = 0;
export const waId = () => `3EB0${(Date.now() % 1e8).toString(16).toUpperCase()}${(++idSeq).toString(16).toUpperCase().padStart(6, '0')}`;

/** A Boom-shaped close reason (`lastDisconnect.error.output.statusCode`). */
export function boom(statusCode: number, message = `Stream Errored (${statusCode})`): Error {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: { statusCode, message } } });
}

export class FakeWaSocket implements WaSocketLike {
  readonly ev = new EventEmitter();
  user: WaSelf | null = null;
  readonly sent: SentCall[] = [];
  readonly presence: Array<{ type: string; jid?: string }> = [];
  readonly read: Array<WaMessage['key']> = [];
  ended = false;
  loggedOut = false;
  /** What sendMessage answers: a key id (default), none (`'no-id'`), or a throw. */
  sendMode: 'ok' | 'no-id' | 'throw' = 'ok';

  async sendMessage(jid: string, content: { text: string }, opts?: Record<string, unknown>) {
    if (this.sendMode === 'throw') throw boom(500, 'Connection Closed');
    const id = this.sendMode === 'no-id' ? undefined : waId();
    this.sent.push({ jid, content, ...(opts ? { opts } : {}), id });
    return id ? { key: { remoteJid: jid, fromMe: true, id }, message: { conversation: content.text }, messageTimestamp: Math.floor(Date.now() / 1000) } : undefined;
  }
  async sendPresenceUpdate(type: 'composing' | 'paused' | 'available' | 'unavailable', jid?: string) {
    this.presence.push({ type, jid });
  }
  async readMessages(keys: Array<WaMessage['key']>) {
    this.read.push(...keys);
  }
  end(): void {
    if (this.ended) return;
    this.ended = true;
    // Baileys emits a close when the socket is ended.
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error: boom(428, 'Connection Closed'), date: new Date() } });
  }
  async logout(): Promise<void> {
    this.loggedOut = true;
    this.end();
  }

  // ---- scripting

  update(u: WaConnectionUpdate): void {
    this.ev.emit('connection.update', u);
  }
  open(user: WaSelf = SELF): void {
    this.user = user;
    this.update({ connection: 'open' });
  }
  close(statusCode: number): void {
    this.update({ connection: 'close', lastDisconnect: { error: boom(statusCode), date: new Date() } });
  }
  qr(code: string): void {
    this.update({ qr: code });
  }
  credsUpdate(creds: Record<string, unknown> = {}): void {
    this.ev.emit('creds.update', creds);
  }
  upsert(messages: WaMessage[], type: 'notify' | 'append' = 'notify'): void {
    this.ev.emit('messages.upsert', { messages, type });
  }
}

/** A factory that hands out fresh FakeWaSockets and writes creds.json like Baileys' saveCreds. */
export function fakeFactory(opts: { onSocket?: (s: FakeWaSocket, n: number) => void; creds?: () => Record<string, unknown> } = {}): WaSocketFactory & { sockets: FakeWaSocket[]; saves: number } {
  const sockets: FakeWaSocket[] = [];
  const f = (async ({ authDir }: { authDir: string }) => {
    const sock = new FakeWaSocket();
    sockets.push(sock);
    const saveCreds = async () => {
      f.saves++;
      fs.mkdirSync(authDir, { recursive: true });
      const creds = opts.creds?.() ?? { noiseKey: { private: 'x', public: 'y' }, registered: true, me: sock.user ? { id: sock.user.id, name: sock.user.name } : undefined, saved: f.saves };
      // Baileys' useMultiFileAuthState writes with the process umask (0644 here): the adapter tightens it.
      fs.writeFileSync(path.join(authDir, 'creds.json'), JSON.stringify(creds), { mode: 0o644 });
      fs.writeFileSync(path.join(authDir, `pre-key-${f.saves}.json`), '{}', { mode: 0o644 });
    };
    const n = sockets.length;
    // after the caller attached its listeners (it awaits this factory first)
    setImmediate(() => opts.onSocket?.(sock, n));
    return { sock, saveCreds };
  }) as unknown as WaSocketFactory & { sockets: FakeWaSocket[]; saves: number };
  f.sockets = sockets;
  f.saves = 0;
  return f;
}

/** Writes a linked creds.json (what a finished `channels login` leaves) into `authDir`. */
export function writeLinkedCreds(authDir: string, self: WaSelf = SELF): void {
  fs.mkdirSync(authDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(authDir, 'creds.json'), JSON.stringify({ registered: true, me: { id: self.id, lid: self.lid, name: self.name } }), { mode: 0o600 });
}

// ---- real Baileys message shapes

const nowSec = () => Math.floor(Date.now() / 1000);

export function dmMessage(fromNumber: string, text: string, o: { id?: string; ts?: number; fromMe?: boolean; pushName?: string; remoteJid?: string } = {}): WaMessage {
  return {
    key: { remoteJid: o.remoteJid ?? `${fromNumber.replace(/^\+/, '')}@s.whatsapp.net`, fromMe: o.fromMe ?? false, id: o.id ?? waId() },
    messageTimestamp: o.ts ?? nowSec(),
    pushName: o.pushName ?? 'Alice',
    message: { conversation: text },
  };
}

export function groupMessage(groupJid: string, fromNumber: string, text: string, o: { id?: string; ts?: number; mentionedJid?: string[]; replyToParticipant?: string; pushName?: string } = {}): WaMessage {
  const contextInfo = o.mentionedJid || o.replyToParticipant ? { ...(o.mentionedJid ? { mentionedJid: o.mentionedJid } : {}), ...(o.replyToParticipant ? { participant: o.replyToParticipant, stanzaId: waId(), quotedMessage: { conversation: 'earlier answer' } } : {}) } : undefined;
  return {
    key: { remoteJid: groupJid, fromMe: false, id: o.id ?? waId(), participant: `${fromNumber.replace(/^\+/, '')}@s.whatsapp.net` },
    messageTimestamp: o.ts ?? nowSec(),
    pushName: o.pushName ?? 'Bob',
    message: contextInfo ? { extendedTextMessage: { text, contextInfo } } : { conversation: text },
  };
}

/** POSTs to fake-gateway-socket's control server (`OPENCLAW_WHATSAPP_FAKE_CONTROL`); resolves with the HTTP status. */
export function postFakeControl(socketPath: string, route: string, body: unknown = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: route, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
