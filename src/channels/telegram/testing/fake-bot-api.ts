// A local Telegram Bot API server for tests: real HTTP on 127.0.0.1, the real wire format
// (`/bot<token>/<method>`, JSON / urlencoded / multipart bodies, `{ok, result}` envelopes) and the
// real semantics that matter to a gateway: getUpdates long polling with offset confirmation and
// redelivery, the two 409 conflicts, 401 for unknown tokens, sendMessage validation (empty, too
// long, bad HTML), webhooks pushed with the secret header and retried until answered 200.
// Point `channels.telegram.apiRoot` at `apiRoot` and drive it with dm()/groupMessage().
import http from 'node:http';
import https from 'node:https';
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Chat, Message, MessageEntity, Update, User } from 'grammy/types';
import { parseTelegramHtml } from './telegram-html.js';

export interface FakeBotDef {
  token: string;
  id: number;
  username: string;
  firstName?: string;
  canJoinGroups?: boolean;
  /** Privacy mode disabled in BotFather (default false, like a new bot). */
  canReadAllGroupMessages?: boolean;
}

export interface FakeBotApiOptions {
  bots?: FakeBotDef[];
  /** Fixed port (default: a random free one). */
  port?: number;
  /** First delay before a failed webhook delivery is retried (doubles up to 2 s). Default 100 ms. */
  webhookRetryMs?: number;
}

export interface FakeUser {
  id: number;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_bot?: boolean;
  language_code?: string;
}

export interface FakeGroup {
  id: number;
  title?: string;
  type?: 'group' | 'supergroup';
  is_forum?: boolean;
}

/** Extra Message fields for injected messages (entities are auto-detected when omitted). */
export interface MessageExtra {
  entities?: MessageEntity[];
  reply_to_message?: Message;
  message_thread_id?: number;
  [field: string]: unknown;
}

export interface ApiErrorSpec {
  error_code: number;
  description: string;
  retry_after?: number;
}

export interface ApiCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface SentMessage {
  token: string;
  chat_id: number | string;
  text: string;
  parse_mode?: string;
  message_thread_id?: number;
  reply_parameters?: Record<string, unknown>;
  /** The Message object the fake answered with (use it as reply_to_message). */
  message: Message;
  at: number;
}

export interface ChatActionCall {
  token: string;
  chat_id: number | string;
  action: string;
  message_thread_id?: number;
  at: number;
}

export interface WebhookDelivery {
  token: string;
  url: string;
  update_id: number;
  /** HTTP status of the webhook's answer; null when the request failed. */
  status: number | null;
  headers: Record<string, string | string[] | undefined>;
  error?: string;
  at: number;
}

export interface FakeBotApi {
  /** e.g. http://127.0.0.1:PORT: what goes into channels.telegram.apiRoot. */
  readonly apiRoot: string;
  readonly port: number;
  addBot(bot: FakeBotDef): void;
  dm(token: string, from: FakeUser, text: string, extra?: MessageExtra): Update;
  groupMessage(token: string, chat: FakeGroup, from: FakeUser, text: string, extra?: MessageExtra): Update;
  /** Queues a raw update (update_id assigned when missing). */
  pushUpdate(token: string, update: Partial<Update> & Omit<Update, 'update_id'>): Update;
  readonly sent: SentMessage[];
  readonly chatActions: ChatActionCall[];
  readonly webhookDeliveries: WebhookDelivery[];
  waitForSent(pred?: (m: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  waitForCall(method: string, pred?: (c: ApiCall) => boolean, timeoutMs?: number): Promise<ApiCall>;
  waitForWebhookDelivery(pred?: (d: WebhookDelivery) => boolean, timeoutMs?: number): Promise<WebhookDelivery>;
  calls(method?: string): ApiCall[];
  /** The next `times` calls of `method` (any known token) answer this error. */
  failNext(method: string, response: ApiErrorSpec, times?: number): void;
  /** While on, getUpdates requests are held open and never answered (a black-holed connection). */
  stallGetUpdates(token: string, on: boolean): void;
  webhook(token: string): { url: string; secret_token?: string } | undefined;
  /** Updates not yet confirmed (getUpdates offset) or delivered (webhook 200). */
  pendingUpdates(token: string): Update[];
  /** The bot's membership in a group, as getChatMember reports it (default `member` for known chats). */
  setMembership(token: string, chatId: number, status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked'): void;
  close(): Promise<void>;
}

const CONFLICT_POLL = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
const CONFLICT_WEBHOOK = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** Update types delivered when allowed_updates is empty or was never set. */
const DEFAULT_EXCLUDED = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);
const NUMERIC = new Set(['offset', 'limit', 'timeout', 'chat_id', 'message_thread_id', 'user_id', 'message_id', 'max_connections']);
const BOOLEAN = new Set(['drop_pending_updates', 'disable_notification', 'protect_content']);

type Reply = { status: number; body: unknown };
const okReply = (result: unknown): Reply => ({ status: 200, body: { ok: true, result } });
const errReply = (code: number, description: string, parameters?: Record<string, unknown>): Reply => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
});

interface Poll {
  res: http.ServerResponse;
  limit: number;
  timer?: NodeJS.Timeout;
  done: boolean;
}

interface BotState {
  def: FakeBotDef;
  queue: Update[];
  allowed?: string[];
  pending?: Poll;
  held: Poll[];
  stalled: boolean;
  webhook?: { url: string; secret_token?: string; lastErrorDate?: number; lastErrorMessage?: string };
  webhookBusy: boolean;
  webhookDelay: number;
  membership: Map<string, string>;
}

function writeReply(res: http.ServerResponse, r: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(r.body);
  res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Form fields arrive as strings: give them the types the Bot API reads them as. */
function coerceField(key: string, value: string): unknown {
  if (NUMERIC.has(key) && /^-?\d+$/.test(value)) return Number(value);
  if (BOOLEAN.has(key)) return value === 'true' || value === '1';
  if ((value.startsWith('{') || value.startsWith('[')) && key !== 'text') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

async function parseParams(req: http.IncomingMessage, url: URL): Promise<Record<string, unknown> | null> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = coerceField(k, v);
  const body = await readBody(req);
  if (body.length === 0) return params;
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    try {
      const json = JSON.parse(body.toString('utf8'));
      if (json && typeof json === 'object') Object.assign(params, json);
    } catch {
      return null;
    }
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = coerceField(k, v);
  } else if (type.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': req.headers['content-type']! } }).formData();
    for (const [k, v] of form) if (typeof v === 'string') params[k] = coerceField(k, v);
  }
  return params;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined);
const updateType = (u: Update) => Object.keys(u).find((k) => k !== 'update_id') ?? '';

/** Entities the real servers add on their own: bot commands and @mentions. */
export function detectEntities(text: string): MessageEntity[] {
  const out: MessageEntity[] = [];
  for (const m of text.matchAll(/(?<![\w/@])\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w@])/g)) {
    out.push({ type: 'bot_command', offset: m.index!, length: m[0].length });
  }
  for (const m of text.matchAll(/(?<![\w@/])@[A-Za-z0-9_]{4,32}(?![\w@])/g)) {
    out.push({ type: 'mention', offset: m.index!, length: m[0].length });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

export async function startFakeBotApi(opts: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const bots = new Map<string, BotState>();
  const chats = new Map<string, Chat>();
  const users = new Map<number, User>();
  const allCalls: ApiCall[] = [];
  const sent: SentMessage[] = [];
  const chatActions: ChatActionCall[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  const failures: Array<{ method: string; spec: ApiErrorSpec; left: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const webhookRetryMs = opts.webhookRetryMs ?? 100;
  let nextUpdateId = 100_000 + Math.floor(Math.random() * 1000);
  let nextMessageId = 1;
  let closed = false;

  const now = () => Math.floor(Date.now() / 1000);
  const changed = () => changes.emit('change');
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  function addBot(def: FakeBotDef): void {
    bots.set(def.token, {
      def, queue: [], held: [], stalled: false, webhookBusy: false, webhookDelay: webhookRetryMs, membership: new Map(),
    });
  }
  for (const b of opts.bots ?? []) addBot(b);

  function botState(token: string): BotState {
    const st = bots.get(token);
    if (!st) throw new Error(`fake Bot API: no bot with token ${token.slice(0, 6)}…; call addBot() first`);
    return st;
  }

  const botUser = (def: FakeBotDef): User => ({ id: def.id, is_bot: true, first_name: def.firstName ?? def.username, username: def.username });

  function allowedFilter(st: BotState): (u: Update) => boolean {
    const allowed = st.allowed && st.allowed.length ? new Set(st.allowed) : undefined;
    return (u) => (allowed ? allowed.has(updateType(u)) : !DEFAULT_EXCLUDED.has(updateType(u)));
  }

  function finishPoll(st: BotState, poll: Poll, reply: Reply): void {
    if (poll.done) return;
    poll.done = true;
    if (poll.timer) {
      clearTimeout(poll.timer);
      timers.delete(poll.timer);
    }
    if (st.pending === poll) st.pending = undefined;
    writeReply(poll.res, reply);
  }

  const deliverable = (st: BotState, limit: number) => st.queue.filter(allowedFilter(st)).slice(0, limit);

  function queueUpdate(token: string, update: Update): void {
    const st = botState(token);
    st.queue.push(update);
    const msg = update.message ?? update.edited_message ?? update.channel_post;
    if (msg) {
      chats.set(String(msg.chat.id), msg.chat);
      if (msg.from) users.set(msg.from.id, msg.from);
    }
    if (st.webhook) pumpWebhook(st);
    else if (st.pending) {
      const ready = deliverable(st, st.pending.limit);
      if (ready.length) finishPoll(st, st.pending, okReply(ready));
    }
    changed();
  }

  function pushUpdate(token: string, update: Partial<Update> & Omit<Update, 'update_id'>): Update {
    const u = { ...update, update_id: update.update_id ?? nextUpdateId++ } as Update;
    if (u.update_id >= nextUpdateId) nextUpdateId = u.update_id + 1;
    queueUpdate(token, u);
    return u;
  }

  function toUser(from: FakeUser): User {
    const u: User = { id: from.id, is_bot: from.is_bot ?? false, first_name: from.first_name ?? from.username ?? `User${from.id}` };
    if (from.last_name) u.last_name = from.last_name;
    if (from.username) u.username = from.username;
    if (from.language_code) u.language_code = from.language_code;
    return u;
  }

  function buildMessage(chat: Chat, from: User, text: string, extra: MessageExtra = {}): Message {
    const { entities, ...rest } = extra;
    const ents = entities ?? detectEntities(text);
    const msg = { message_id: nextMessageId++, from, chat, date: now(), text, ...(ents.length ? { entities: ents } : {}), ...rest } as Message;
    if (extra.message_thread_id !== undefined && (chat as { is_forum?: boolean }).is_forum) (msg as { is_topic_message?: boolean }).is_topic_message = true;
    return msg;
  }

  function dm(token: string, from: FakeUser, text: string, extra?: MessageExtra): Update {
    const user = toUser(from);
    const chat = { id: user.id, type: 'private', first_name: user.first_name, ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}) } as Chat;
    return pushUpdate(token, { message: buildMessage(chat, user, text, extra) } as Omit<Update, 'update_id'>);
  }

  function groupMessage(token: string, group: FakeGroup, from: FakeUser, text: string, extra?: MessageExtra): Update {
    const type = group.type ?? 'supergroup';
    const isForum = group.is_forum ?? (extra?.message_thread_id !== undefined && type === 'supergroup');
    const chat = { id: group.id, type, title: group.title ?? `Group ${group.id}`, ...(isForum ? { is_forum: true } : {}) } as Chat;
    return pushUpdate(token, { message: buildMessage(chat, toUser(from), text, extra) } as Omit<Update, 'update_id'>);
  }

  // ---- webhook delivery: one update at a time, in order, retried until the receiver answers 2xx.
  function postUpdate(url: string, update: Update, secret?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
      const body = JSON.stringify(update);
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
      if (secret) headers['X-Telegram-Bot-Api-Secret-Token'] = secret;
      const mod = url.startsWith('https:') ? https : http;
      const req = mod.request(url, { method: 'POST', headers, agent: false, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('Read timeout expired')));
      req.on('error', reject);
      req.end(body);
    });
  }

  function pumpWebhook(st: BotState): void {
    const wh = st.webhook;
    if (!wh || st.webhookBusy || closed) return;
    const next = st.queue.find(allowedFilter(st));
    if (!next) return;
    st.webhookBusy = true;
    const record = (status: number | null, headers: http.IncomingHttpHeaders, error?: string) => {
      webhookDeliveries.push({ token: st.def.token, url: wh.url, update_id: next.update_id, status, headers, ...(error ? { error } : {}), at: Date.now() });
      changed();
    };
    const retry = (message: string) => {
      wh.lastErrorDate = now();
      wh.lastErrorMessage = message;
      const delay = st.webhookDelay;
      st.webhookDelay = Math.min(2000, delay * 2);
      later(delay, () => {
        st.webhookBusy = false;
        pumpWebhook(st);
      });
    };
    postUpdate(wh.url, next, wh.secret_token).then(
      ({ status, headers }) => {
        if (closed) return;
        record(status, headers);
        if (status >= 200 && status < 300) {
          st.queue = st.queue.filter((u) => u !== next);
          st.webhookDelay = webhookRetryMs;
          st.webhookBusy = false;
          pumpWebhook(st);
        } else retry(`Wrong response from the webhook: ${status} ${http.STATUS_CODES[status] ?? ''}`.trim());
      },
      (err: NodeJS.ErrnoException) => {
        if (closed) return;
        record(null, {}, err.code ?? err.message);
        retry(err.code === 'ECONNREFUSED' ? 'Connection refused' : err.message);
      },
    );
  }

  // ---- methods
  function getUpdates(st: BotState, p: Record<string, unknown>, res: http.ServerResponse): Reply | undefined {
    if (st.webhook) return errReply(409, CONFLICT_WEBHOOK);
    const offset = num(p.offset) ?? 0;
    const limit = Math.max(1, Math.min(100, num(p.limit) ?? 100));
    const timeout = Math.max(0, num(p.timeout) ?? 0);
    if (Array.isArray(p.allowed_updates)) st.allowed = p.allowed_updates.map(String);
    // Confirmation: everything below the offset is gone for good; a negative offset keeps the last -offset.
    if (offset > 0) st.queue = st.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) st.queue = st.queue.slice(offset);
    const poll: Poll = { res, limit, done: false };
    res.on('close', () => {
      if (poll.done) return;
      poll.done = true;
      if (poll.timer) clearTimeout(poll.timer);
      if (st.pending === poll) st.pending = undefined;
      st.held = st.held.filter((h) => h !== poll);
    });
    if (st.stalled) {
      st.held.push(poll);
      return undefined;
    }
    // The newer request wins; the earlier one is told it was terminated.
    if (st.pending) finishPoll(st, st.pending, errReply(409, CONFLICT_POLL));
    const ready = deliverable(st, limit);
    if (ready.length || timeout === 0) return okReply(ready);
    st.pending = poll;
    poll.timer = later(timeout * 1000, () => finishPoll(st, poll, okReply(deliverable(st, limit))));
    return undefined;
  }

  function chatFor(chatId: number | string): Chat {
    const known = chats.get(String(chatId));
    if (known) return known;
    const id = Number(chatId);
    if (id > 0) return { id, type: 'private', first_name: users.get(id)?.first_name ?? `User${id}` } as Chat;
    return { id, type: String(chatId).startsWith('-100') ? 'supergroup' : 'group', title: `Group ${chatId}` } as Chat;
  }

  function sendMessage(st: BotState, p: Record<string, unknown>): Reply {
    const chatId = p.chat_id as number | string | undefined;
    if (chatId === undefined || chatId === '') return errReply(400, 'Bad Request: chat_id is empty');
    const raw = p.text === undefined || p.text === null ? '' : String(p.text);
    const parseMode = typeof p.parse_mode === 'string' && p.parse_mode !== '' ? p.parse_mode : undefined;
    let text = raw;
    let entities: MessageEntity[] | undefined;
    if (parseMode?.toLowerCase() === 'html') {
      const parsed = parseTelegramHtml(raw);
      if (!parsed.ok) return errReply(400, `Bad Request: can't parse entities: ${parsed.error}`);
      text = parsed.text;
      entities = parsed.entities;
    } else if (parseMode && !['markdown', 'markdownv2'].includes(parseMode.toLowerCase())) {
      return errReply(400, `Bad Request: unsupported parse_mode`);
    }
    if (text.trim() === '') return errReply(400, 'Bad Request: message text is empty');
    if (text.length > 4096) return errReply(400, 'Bad Request: message is too long');
    const threadId = num(p.message_thread_id);
    const message = {
      message_id: nextMessageId++,
      from: botUser(st.def),
      chat: chatFor(chatId),
      date: now(),
      text,
      ...(entities?.length ? { entities } : {}),
      ...(threadId !== undefined ? { message_thread_id: threadId, is_topic_message: true } : {}),
    } as Message;
    sent.push({
      token: st.def.token,
      chat_id: chatId,
      text: raw,
      ...(parseMode ? { parse_mode: parseMode } : {}),
      ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
      ...(p.reply_parameters && typeof p.reply_parameters === 'object' ? { reply_parameters: p.reply_parameters as Record<string, unknown> } : {}),
      message,
      at: Date.now(),
    });
    return okReply(message);
  }

  function webhookInfo(st: BotState): Record<string, unknown> {
    const wh = st.webhook;
    if (!wh) return { url: '', has_custom_certificate: false, pending_update_count: st.queue.length };
    return {
      url: wh.url,
      has_custom_certificate: false,
      pending_update_count: st.queue.length,
      max_connections: 40,
      ip_address: '127.0.0.1',
      ...(wh.lastErrorDate ? { last_error_date: wh.lastErrorDate, last_error_message: wh.lastErrorMessage } : {}),
      ...(st.allowed ? { allowed_updates: st.allowed } : {}),
    };
  }

  function setWebhook(st: BotState, p: Record<string, unknown>): Reply {
    const url = typeof p.url === 'string' ? p.url : '';
    if (p.drop_pending_updates === true) st.queue = [];
    if (Array.isArray(p.allowed_updates)) st.allowed = p.allowed_updates.map(String);
    if (url === '') {
      st.webhook = undefined;
      return okReply(true);
    }
    if (!/^https?:\/\//i.test(url)) return errReply(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    const secret = typeof p.secret_token === 'string' && p.secret_token !== '' ? p.secret_token : undefined;
    if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) return errReply(400, 'Bad Request: secret token contains unallowed characters');
    st.webhook = { url, ...(secret ? { secret_token: secret } : {}) };
    st.webhookDelay = webhookRetryMs;
    // An active long poll is cut off, as on the real server.
    if (st.pending) finishPoll(st, st.pending, errReply(409, CONFLICT_WEBHOOK));
    pumpWebhook(st);
    return okReply(true);
  }

  function getChatMember(st: BotState, p: Record<string, unknown>): Reply {
    const chatId = String(p.chat_id ?? '');
    const userId = num(p.user_id);
    const chat = chats.get(chatId);
    if (!chat) return errReply(400, 'Bad Request: chat not found');
    if (userId === undefined) return errReply(400, 'Bad Request: user_id is empty');
    if (userId === st.def.id) {
      const status = st.membership.get(chatId) ?? 'member';
      return okReply({ status, user: botUser(st.def) });
    }
    const user = users.get(userId);
    if (!user) return errReply(400, 'Bad Request: user not found');
    return okReply({ status: 'member', user });
  }

  const methods: Record<string, (st: BotState, p: Record<string, unknown>, res: http.ServerResponse) => Reply | undefined> = {
    getMe: (st) => okReply({
      ...botUser(st.def),
      can_join_groups: st.def.canJoinGroups ?? true,
      can_read_all_group_messages: st.def.canReadAllGroupMessages ?? false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),
    getUpdates,
    sendMessage,
    sendChatAction: (st, p) => {
      if (p.chat_id === undefined || p.chat_id === '') return errReply(400, 'Bad Request: chat_id is empty');
      if (typeof p.action !== 'string' || !p.action) return errReply(400, 'Bad Request: action is empty');
      const threadId = num(p.message_thread_id);
      chatActions.push({ token: st.def.token, chat_id: p.chat_id as number | string, action: p.action, ...(threadId !== undefined ? { message_thread_id: threadId } : {}), at: Date.now() });
      return okReply(true);
    },
    getWebhookInfo: (st) => okReply(webhookInfo(st)),
    setWebhook,
    deleteWebhook: (st, p) => {
      st.webhook = undefined;
      if (p.drop_pending_updates === true) st.queue = [];
      return okReply(true);
    },
    getChat: (_st, p) => {
      const chat = chats.get(String(p.chat_id ?? ''));
      return chat ? okReply(chat) : errReply(400, 'Bad Request: chat not found');
    },
    getChatMember,
  };
  const methodByLower = new Map(Object.keys(methods).map((m) => [m.toLowerCase(), m]));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return writeReply(res, errReply(404, 'Not Found'));
    const token = decodeURIComponent(m[1]);
    const params = await parseParams(req, url);
    const method = methodByLower.get(m[2].toLowerCase()) ?? m[2];
    allCalls.push({ token, method, params: params ?? {}, at: Date.now() });
    changed();
    if (params === null) return writeReply(res, errReply(400, "Bad Request: can't parse JSON"));
    const st = bots.get(token);
    if (!st) return writeReply(res, errReply(401, 'Unauthorized'));
    const fn = methods[method];
    if (!fn) return writeReply(res, errReply(404, 'Not Found'));
    const failure = failures.find((f) => f.method === method && f.left > 0);
    if (failure) {
      failure.left--;
      const { error_code, description, retry_after } = failure.spec;
      return writeReply(res, errReply(error_code, description, retry_after !== undefined ? { retry_after } : undefined));
    }
    const reply = fn(st, params, res);
    if (reply) writeReply(res, reply);
    changed();
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => writeReply(res, errReply(500, `Internal Server Error: ${err.message}`)));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  function waitFor<T>(find: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (hit === undefined) return false;
        clearTimeout(timer);
        changes.off('change', check);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        changes.off('change', check);
        reject(new Error(describe()));
      }, timeoutMs);
      if (!check()) changes.on('change', check);
    });
  }

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    port,
    addBot,
    dm,
    groupMessage,
    pushUpdate,
    sent,
    chatActions,
    webhookDeliveries,
    waitForSent(pred = () => true, timeoutMs = 5000) {
      return waitFor(() => sent.find(pred), timeoutMs, () => {
        const list = sent.map((s) => `  ${s.chat_id}: ${JSON.stringify(s.text.slice(0, 200))}`).join('\n');
        return `waitForSent: no matching sendMessage within ${timeoutMs} ms; ${sent.length} sent:${list ? `\n${list}` : ' (none)'}`;
      });
    },
    waitForCall(method, pred = () => true, timeoutMs = 5000) {
      return waitFor(() => allCalls.find((c) => c.method === method && pred(c)), timeoutMs, () => {
        const seen = allCalls.filter((c) => c.method === method).map((c) => `  ${JSON.stringify(c.params)}`).join('\n');
        return `waitForCall(${method}): no matching call within ${timeoutMs} ms; calls of ${method}:${seen ? `\n${seen}` : ' (none)'}`;
      });
    },
    waitForWebhookDelivery(pred = () => true, timeoutMs = 5000) {
      return waitFor(() => webhookDeliveries.find(pred), timeoutMs, () => `waitForWebhookDelivery: none matched within ${timeoutMs} ms; deliveries: ${JSON.stringify(webhookDeliveries.map((d) => ({ update_id: d.update_id, status: d.status, error: d.error })))}`);
    },
    calls: (method) => (method ? allCalls.filter((c) => c.method === method) : [...allCalls]),
    failNext(method, response, times = 1) {
      failures.push({ method, spec: response, left: times });
    },
    stallGetUpdates(token, on) {
      const st = botState(token);
      st.stalled = on;
      if (!on) {
        const held = st.held;
        st.held = [];
        for (const poll of held) finishPoll(st, poll, okReply(deliverable(st, poll.limit)));
      }
    },
    webhook(token) {
      const wh = botState(token).webhook;
      return wh ? { url: wh.url, ...(wh.secret_token ? { secret_token: wh.secret_token } : {}) } : undefined;
    },
    pendingUpdates: (token) => [...botState(token).queue],
    setMembership(token, chatId, status) {
      botState(token).membership.set(String(chatId), status);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const st of bots.values()) {
        if (st.pending) st.pending.res.destroy();
        for (const h of st.held) h.res.destroy();
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
