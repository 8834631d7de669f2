// A local Discord for tests: real HTTP and a real WebSocket on 127.0.0.1, speaking Discord's wire
// format. REST under /api/v10 (`Authorization: Bot <token>`, Discord's error bodies `{message, code}`,
// `Retry-After` on 429) and the Gateway (JSON encoding): HELLO → IDENTIFY → READY with a
// resume_gateway_url pointing back here, heartbeats and ACKs, MESSAGE_CREATE dispatches with
// increasing `s`, RESUME replaying what was dispatched while the client was away, then RESUMED,
// INVALID_SESSION for unknown sessions, and the close codes Discord uses (4004 bad token, 4014
// disallowed intents); READY or RESUMED can be withheld (`holdReady`, `holdResumed`). Point
// `channels.discord.apiRoot` at `apiRoot` and drive it with dm() / guildMessage() /
// dropConnection() / closeWith().
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, WebSocket, type RawData } from 'ws';

export interface FakeDiscordBot {
  token: string;
  id: string;
  username: string;
  applicationId?: string;
  /** Application flags (GET /oauth2/applications/@me, READY). Default: GATEWAY_MESSAGE_CONTENT_LIMITED (1 << 19), a small bot with the Portal toggle on. */
  flags?: number;
  /** `approximate_guild_count` of GET /oauth2/applications/@me (omitted when unset). */
  guildCount?: number;
  /** Intent bits this bot may not request (IDENTIFY with one of them → close 4014). */
  disallowedIntents?: number;
  /** The next this many IDENTIFYs get no READY (the socket stays open, heartbeats are ACKed). */
  holdReady?: number;
  /** The next this many RESUMEs get neither the replay nor RESUMED. */
  holdResumed?: number;
}

export interface FakeDiscordOptions {
  bots?: FakeDiscordBot[];
  /** HELLO heartbeat_interval (ms). Default 1000. */
  heartbeatIntervalMs?: number;
  port?: number;
}

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface FakeCall {
  token: string | null;
  method: string;
  path: string;
  body: any;
  at: number;
}

export interface FakeSentMessage {
  token: string;
  channelId: string;
  content: string;
  message_reference?: { message_id: string; channel_id?: string; guild_id?: string; fail_if_not_exists?: boolean };
  /** The message object the fake answered with (use it as `referenced`). */
  message: any;
  at: number;
}

export interface GuildMessageOptions {
  /** Users mentioned (Discord also fills `mentions` from `<@id>` in the text; both are merged). */
  mentions?: FakeUser[];
  roles?: string[];
  /** The message this one replies to (e.g. a `sent[i].message`). */
  referenced?: any;
  extra?: Record<string, unknown>;
}

export interface FakeErrorSpec {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GatewayEvent {
  op: number;
  t?: string | null;
  s?: number | null;
  d?: any;
}

export interface FakeDiscord {
  apiRoot: string;
  gatewayUrl: string;
  port: number;
  addBot(bot: FakeDiscordBot): void;
  dm(token: string, user: FakeUser, text: string, extra?: Record<string, unknown>): any;
  guildMessage(token: string, guildId: string, channelId: string, user: FakeUser, text: string, opts?: GuildMessageOptions): any;
  /** Dispatches any event (t, d) to the bot's current session. */
  dispatch(token: string, t: string, d: unknown): void;
  /** Terminates the bot's sockets without a close frame (the client sees 1006); the session stays resumable. */
  dropConnection(token?: string): void;
  /** Closes the bot's sockets with a close frame carrying `code`; 4004/4014 also end the session. */
  closeWith(code: number, token?: string, reason?: string): void;
  /** Sends op 9 INVALID_SESSION (`d` = resumable) to the bot's sockets. */
  invalidSession(token: string, resumable: boolean): void;
  setApplicationFlags(flags: number, token?: string): void;
  /** Sends to this user's DM channel fail with 50007 "Cannot send messages to this user". */
  blockDms(userId: string): void;
  /** The next `times` requests matching `METHOD /path` (`:id` matches one segment) get this answer. */
  failNext(route: string, spec: FakeErrorSpec, times?: number): void;
  readonly sent: FakeSentMessage[];
  readonly calls: FakeCall[];
  readonly typing: Array<{ token: string; channelId: string; at: number }>;
  /** Every op the clients sent (IDENTIFY, RESUME, heartbeats…), with the token it belongs to. */
  readonly received: Array<{ token: string | null; op: number; d: any; at: number }>;
  /** URLs the gateway sockets were opened with (path + query). */
  readonly connectUrls: string[];
  /** Open sockets that finished IDENTIFY or RESUME for this token. */
  liveSockets(token: string): number;
  waitFor<T>(fn: () => T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
  waitForReady(token: string, count?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const DISCORD_EPOCH = 1420070400000n;
let snowSeq = 0n;
/** A real-looking snowflake (timestamp in the high bits), unique within this process. */
export function snowflake(at = Date.now()): string {
  snowSeq = (snowSeq + 1n) & 0xfffn;
  return String(((BigInt(at) - DISCORD_EPOCH) << 22n) | (BigInt(process.pid & 0x1f) << 17n) | snowSeq);
}

// discord-api-types ApplicationFlags: GatewayMessageContent (approved, any size) and
// GatewayMessageContentLimited (toggled in the Developer Portal, bots in < 100 servers).
export const FLAG_GATEWAY_MESSAGE_CONTENT = 1 << 18;
export const FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED = 1 << 19;

interface Session {
  id: string;
  token: string;
  seq: number;
  /** Every dispatch of this session, for RESUME replays. */
  events: GatewayEvent[];
  socket: WebSocket | null;
  closed: boolean;
}

interface SocketState {
  token: string | null;
  session: Session | null;
}

const userObject = (u: FakeUser) => ({ id: u.id, username: u.username, global_name: u.global_name ?? null, discriminator: '0', avatar: null, ...(u.bot ? { bot: true } : {}) });

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const bots = new Map<string, FakeDiscordBot>();
  for (const b of opts.bots ?? []) bots.set(b.token, b);
  const heartbeatInterval = opts.heartbeatIntervalMs ?? 1000;
  const sessions = new Map<string, Session>();
  /** token → the session new dispatches go to. */
  const current = new Map<string, Session>();
  /** Dispatches for a bot that has no session yet, delivered after its READY (a test convenience). */
  const early = new Map<string, Array<{ t: string; d: unknown }>>();
  const dmChannels = new Map<string, string>(); // `${token}:${userId}` → channel id
  const dmRecipient = new Map<string, string>(); // channel id → user id
  const blockedDms = new Set<string>();
  const failures: Array<{ method: string; re: RegExp; spec: FakeErrorSpec; left: number }> = [];
  const sent: FakeSentMessage[] = [];
  const calls: FakeCall[] = [];
  const typing: FakeDiscord['typing'] = [];
  const received: FakeDiscord['received'] = [];
  const connectUrls: string[] = [];
  const sockets = new Map<WebSocket, SocketState>();

  const botUser = (b: FakeDiscordBot) => ({ id: b.id, username: b.username, global_name: null, discriminator: '0', avatar: null, bot: true, flags: 0 });

  const send = (ws: WebSocket, p: GatewayEvent) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: null, s: null, ...p }));
  };

  function dispatch(token: string, t: string, d: unknown): void {
    const s = current.get(token);
    if (!s || s.closed) {
      const q = early.get(token) ?? [];
      q.push({ t, d });
      early.set(token, q);
      return;
    }
    const ev: GatewayEvent = { op: 0, t, s: ++s.seq, d };
    s.events.push(ev);
    // Away (dropped, not yet resumed): kept for the RESUME replay.
    if (s.socket) send(s.socket, ev);
  }

  function dmChannelFor(token: string, userId: string): string {
    const k = `${token}:${userId}`;
    let id = dmChannels.get(k);
    if (!id) {
      id = snowflake();
      dmChannels.set(k, id);
      dmRecipient.set(id, userId);
    }
    return id;
  }

  function baseMessage(channelId: string, author: FakeUser, text: string) {
    return {
      id: snowflake(),
      channel_id: channelId,
      author: userObject(author),
      content: text,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [...text.matchAll(/<@!?(\d+)>/g)].map((m) => {
        const bot = [...bots.values()].find((b) => b.id === m[1]);
        return bot ? botUser(bot) : { id: m[1], username: `user${m[1]}`, global_name: null, discriminator: '0', avatar: null };
      }),
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
    } as Record<string, any>;
  }

  // ---- gateway

  const wss = new WebSocketServer({ noServer: true });

  function endSession(s: Session | null) {
    if (!s) return;
    s.closed = true;
    if (current.get(s.token) === s) current.delete(s.token);
  }

  function onGatewayMessage(ws: WebSocket, st: SocketState, raw: RawData) {
    let p: GatewayEvent;
    try {
      p = JSON.parse(raw.toString());
    } catch {
      ws.close(4002, 'Error while decoding payload.');
      return;
    }
    received.push({ token: st.token ?? (p.d?.token as string | undefined) ?? null, op: p.op, d: p.d, at: Date.now() });
    switch (p.op) {
      case 1: // heartbeat
        send(ws, { op: 11 });
        return;
      case 2: {
        // IDENTIFY
        if (st.session) return void ws.close(4005, 'Already authenticated.');
        const bot = bots.get(String(p.d?.token ?? ''));
        if (!bot) return void ws.close(4004, 'Authentication failed.');
        const intents = Number(p.d?.intents ?? 0);
        if (bot.disallowedIntents && intents & bot.disallowedIntents) return void ws.close(4014, 'Disallowed intent(s).');
        if (bot.holdReady && bot.holdReady > 0) {
          bot.holdReady--;
          st.token = bot.token;
          return;
        }
        const old = current.get(bot.token);
        if (old) endSession(old);
        const s: Session = { id: crypto.randomBytes(16).toString('hex'), token: bot.token, seq: 0, events: [], socket: ws, closed: false };
        sessions.set(s.id, s);
        current.set(bot.token, s);
        st.token = bot.token;
        st.session = s;
        const ready: GatewayEvent = {
          op: 0,
          t: 'READY',
          s: ++s.seq,
          d: {
            v: 10,
            user: botUser(bot),
            guilds: [],
            session_id: s.id,
            resume_gateway_url: gatewayUrl,
            shard: p.d?.shard ?? [0, 1],
            application: { id: bot.applicationId ?? bot.id, flags: bot.flags ?? FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED },
          },
        };
        s.events.push(ready);
        send(ws, ready);
        const q = early.get(bot.token);
        early.delete(bot.token);
        for (const e of q ?? []) dispatch(bot.token, e.t, e.d);
        return;
      }
      case 6: {
        // RESUME
        const s = sessions.get(String(p.d?.session_id ?? ''));
        if (!s || s.closed || s.token !== p.d?.token) return void send(ws, { op: 9, d: false });
        const holder = bots.get(s.token);
        if (holder?.holdResumed && holder.holdResumed > 0) {
          holder.holdResumed--;
          st.token = s.token;
          return;
        }
        if (s.socket && s.socket !== ws) s.socket.terminate();
        s.socket = ws;
        st.token = s.token;
        st.session = s;
        const from = Number(p.d?.seq ?? 0);
        for (const ev of s.events) if ((ev.s ?? 0) > from) send(ws, ev);
        send(ws, { op: 0, t: 'RESUMED', s: null, d: {} });
        return;
      }
      default:
        return;
    }
  }

  wss.on('connection', (ws, req) => {
    connectUrls.push(req.url ?? '');
    const q = new URL(req.url ?? '/', 'ws://x').searchParams;
    const st: SocketState = { token: null, session: null };
    sockets.set(ws, st);
    if (q.get('v') !== '10') return void ws.close(4012, 'Invalid API version.');
    if ((q.get('encoding') ?? 'json') !== 'json') return void ws.close(4002, 'Error while decoding payload.');
    ws.on('message', (raw) => onGatewayMessage(ws, st, raw));
    ws.on('close', () => {
      sockets.delete(ws);
      if (st.session?.socket === ws) st.session.socket = null;
    });
    ws.on('error', () => {});
    send(ws, { op: 10, d: { heartbeat_interval: heartbeatInterval } });
  });

  // ---- REST

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (status === 204) {
      res.writeHead(204, headers).end();
      return;
    }
    const data = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers }).end(data);
  };

  async function readBody(req: http.IncomingMessage): Promise<any> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return { __invalid: text };
    }
  }

  async function onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bot ') ? auth.slice(4) : null;
    if (!url.pathname.startsWith('/api/v10/')) return json(res, 404, { message: '404: Not Found', code: 0 });
    // @discordjs/rest sends `@me` as `%40me`; Discord accepts both.
    const path = decodeURIComponent(url.pathname.slice('/api/v10'.length));
    calls.push({ token, method, path, body, at: Date.now() });
    const bot = token ? bots.get(token) : undefined;
    if (!bot) return json(res, 401, { message: '401: Unauthorized', code: 0 });

    const f = failures.find((x) => x.left > 0 && x.method === method && x.re.test(path));
    if (f) {
      f.left--;
      return json(res, f.spec.status, f.spec.body ?? { message: `${f.spec.status}: fake failure`, code: 0 }, f.spec.headers);
    }

    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return json(res, 200, { url: gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
    }
    if (method === 'GET' && path === '/users/@me') return json(res, 200, botUser(bot));
    if (method === 'GET' && (path === '/oauth2/applications/@me' || path === '/applications/@me')) {
      return json(res, 200, { id: bot.applicationId ?? bot.id, name: bot.username, description: '', bot_public: true, bot_require_code_grant: false, flags: bot.flags ?? FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED, ...(bot.guildCount !== undefined ? { approximate_guild_count: bot.guildCount } : {}), bot: botUser(bot) });
    }
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = String(body?.recipient_id ?? '');
      if (!/^\d+$/.test(recipient)) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { recipient_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Value is not snowflake.' }] } } });
      const id = dmChannelFor(bot.token, recipient);
      return json(res, 200, { id, type: 1, last_message_id: null, flags: 0, recipients: [{ id: recipient, username: `user${recipient}`, global_name: null, discriminator: '0', avatar: null }] });
    }
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/typing$/.exec(path))) {
      typing.push({ token: bot.token, channelId: m[1], at: Date.now() });
      return json(res, 204, null);
    }
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(path))) {
      const channelId = m[1];
      const content = typeof body?.content === 'string' ? body.content : '';
      if (!content) return json(res, 400, { message: 'Cannot send an empty message', code: 50006 });
      if (content.length > 2000) {
        return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } });
      }
      const recipient = dmRecipient.get(channelId);
      if (recipient && blockedDms.has(recipient)) return json(res, 403, { message: 'Cannot send messages to this user', code: 50007 });
      const msg = baseMessage(channelId, { id: bot.id, username: bot.username, bot: true }, content);
      if (body.message_reference) {
        msg.type = 19;
        msg.message_reference = { channel_id: channelId, ...body.message_reference };
      }
      sent.push({ token: bot.token, channelId, content, ...(body.message_reference ? { message_reference: body.message_reference } : {}), message: msg, at: Date.now() });
      return json(res, 200, msg);
    }
    return json(res, 404, { message: '404: Not Found', code: 0 });
  }

  const server = http.createServer((req, res) => {
    onRequest(req, res).catch((err) => json(res, 500, { message: String(err), code: 0 }));
  });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const gatewayUrl = `ws://127.0.0.1:${port}`;

  const socketsOf = (token?: string) => [...sockets.entries()].filter(([, st]) => !token || st.token === token).map(([ws, st]) => ({ ws, st }));

  const api: FakeDiscord = {
    apiRoot: `http://127.0.0.1:${port}/api/v10`,
    gatewayUrl,
    port,
    addBot: (b) => void bots.set(b.token, b),
    dm(token, user, text, extra = {}) {
      const msg = { ...baseMessage(dmChannelFor(token, user.id), user, text), ...extra };
      dispatch(token, 'MESSAGE_CREATE', msg);
      return msg;
    },
    guildMessage(token, guildId, channelId, user, text, o = {}) {
      const msg = baseMessage(channelId, user, text);
      const seen = new Set(msg.mentions.map((u: { id: string }) => u.id));
      for (const u of o.mentions ?? []) if (!seen.has(u.id)) msg.mentions.push(userObject(u));
      msg.guild_id = guildId;
      msg.member = { roles: o.roles ?? [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0, nick: null, avatar: null };
      if (o.referenced) {
        msg.type = 19;
        msg.message_reference = { type: 0, message_id: o.referenced.id, channel_id: o.referenced.channel_id, guild_id: guildId };
        msg.referenced_message = o.referenced;
      }
      Object.assign(msg, o.extra ?? {});
      dispatch(token, 'MESSAGE_CREATE', msg);
      return msg;
    },
    dispatch,
    dropConnection(token) {
      for (const { ws } of socketsOf(token)) ws.terminate();
    },
    closeWith(code, token, reason = '') {
      for (const { ws, st } of socketsOf(token)) {
        if (code === 4004 || code === 4014 || code === 1000) endSession(st.session);
        ws.close(code, reason);
      }
    },
    invalidSession(token, resumable) {
      for (const { ws, st } of socketsOf(token)) {
        if (!resumable) endSession(st.session);
        send(ws, { op: 9, d: resumable });
      }
    },
    setApplicationFlags(flags, token) {
      for (const b of bots.values()) if (!token || b.token === token) b.flags = flags;
    },
    blockDms: (userId) => void blockedDms.add(userId),
    failNext(route, spec, times = 1) {
      const [method, p] = route.split(' ');
      const re = new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[a-z]+/gi, '[^/]+')}$`);
      failures.push({ method, re, spec, left: times });
    },
    sent,
    calls,
    typing,
    received,
    connectUrls,
    liveSockets: (token) => socketsOf(token).filter(({ ws, st }) => st.session && !st.session.closed && st.session.socket === ws).length,
    async waitFor(fn, what, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = fn();
        if (v) return v as any;
        if (Date.now() > deadline) throw new Error(`fake discord: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async waitForReady(token, count = 1, timeoutMs = 5000) {
      await api.waitFor(() => [...sessions.values()].filter((s) => s.token === token).length >= count && current.get(token)?.socket, `READY #${count}`, timeoutMs);
    },
    async close() {
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
    },
  };
  return api;
}
