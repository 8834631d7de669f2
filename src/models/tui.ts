// `openclaw tui`: a line-oriented terminal chat on the client SDK. It reconnects and resumes by
// itself; a status line says when and why the connection dropped (`closed idle`, `gateway
// stopping` …), and a message sent while disconnected goes out (once, by idempotency key) when
// the connection is back. A reply the restarted gateway re-runs (`replace` delta) replaces the
// partial text instead of being appended to it. Commands: /sessions (a numbered list to pick
// from), /session <n|key>, /new [key], /abort, /history, /quit.
import crypto from 'node:crypto';
import readline from 'node:readline';
import { GatewayClient, type ConnectionState } from '../client/gateway-client.js';
import { resolveGatewayTarget } from '../client/target.js';
import type { Env } from '../config/paths.js';
import { agentIdOfKey, canonicalSessionKey } from '../sessions/keys.js';
import type { ChatEventPayload } from './chat-runs.js';

export interface TuiOptions {
  sessionKey: string;
  agentId?: string;
  url?: string;
  token?: string;
  password?: string;
  env: Env;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/** One status line per connection change, with the close reason and the fix when there is one. */
export function describeState(s: ConnectionState): string | undefined {
  const why = [s.code ? String(s.code) : '', s.reason ?? ''].filter(Boolean).join(' ');
  if (s.state === 'connected') return '-- connected';
  if (s.state === 'reconnecting') return `-- disconnected${why ? ` (${why})` : ''}; reconnecting${s.retryInMs ? ` in ${Math.ceil(s.retryInMs / 1000)}s` : ''}`;
  if (s.state === 'paused') return `-- paused${s.message ? `: ${s.message}` : ''}${s.fix ? `\nfix: ${s.fix}` : ''}`;
  return undefined;
}

/** The reply on screen: which run, its text as shown, and whether the cursor is still after it. */
export interface ReplyView {
  runId?: string;
  /** Highest per-run seq applied (-1: none). */
  seq: number;
  text: string;
  /** The reply's line is unfinished (no newline written after its text yet). */
  open: boolean;
  /** Part of the stream was missed (a seq or resume gap): deltas are held until a `replace` or the final text. */
  held: boolean;
  /** The run that finished last: late duplicates of its events are ignored. */
  finishedRunId?: string;
}

export const EMPTY_REPLY: ReplyView = { seq: -1, text: '', open: false, held: false };

/** Shown when a resumed run's `replace` delta throws away text already on screen. */
export const REPLY_RESTARTED = '-- the gateway restarted mid-reply; the reply starts over:';
/** Shown when the text on screen is not the reply as it ended (events were missed). */
export const REPLY_IN_FULL = '-- the reply in full (part of the stream was missed):';

/**
 * Folds one `chat` event into the reply on screen and says what to print for it. A line-oriented
 * terminal cannot take text back, so a `replace` (a run the restarted gateway re-ran) continues in
 * place when it extends the text shown and otherwise prints the new text after a notice. Deltas
 * are applied once and in order (per-run seq); after a gap they are held, and the final text,
 * when it is not what the screen shows, is printed whole.
 */
export function applyChatEvent(view: ReplyView, p: ChatEventPayload): { view: ReplyView; write: string } {
  if (p.runId === view.finishedRunId) return { view, write: '' };
  const same = p.runId === view.runId;
  const shown = same ? view.text : '';
  const breakLine = view.open ? '\n' : '';
  if (p.state === 'delta') {
    const delta = p.deltaText ?? '';
    if (p.replace) {
      const next: ReplyView = { ...view, runId: p.runId, seq: p.seq, text: delta, open: true, held: false };
      if (same && view.open && delta.startsWith(shown)) return { view: next, write: delta.slice(shown.length) };
      return { view: next, write: `${breakLine}${shown ? `${REPLY_RESTARTED}\n` : ''}${delta}` };
    }
    if (!same) {
      // A run first seen after its start (seq > 0): its beginning is missing, so wait for the final text.
      if (p.seq > 0) return { view: { ...view, runId: p.runId, seq: p.seq, text: '', held: true }, write: '' };
      return { view: { ...view, runId: p.runId, seq: p.seq, text: delta, open: view.open || delta !== '', held: false }, write: delta ? breakLine + delta : '' };
    }
    // Seen already (or numbered by a re-run whose `replace` never reached us), or after a gap.
    if (p.seq <= view.seq || view.held) return { view, write: '' };
    if (p.seq > view.seq + 1) return { view: { ...view, held: true }, write: '' };
    return { view: { ...view, seq: p.seq, text: view.text + delta, open: view.open || delta !== '' }, write: delta };
  }
  const final = p.state === 'final' ? (p.message?.content ?? []).map((c) => c.text).join('') : undefined;
  let write: string;
  if (final === undefined || final === shown) write = breakLine;
  else if (same && view.open && final.startsWith(shown)) write = `${final.slice(shown.length)}\n`;
  else if (shown === '') write = `${breakLine}${final}\n`;
  else write = `${breakLine}${REPLY_IN_FULL}\n${final}\n`;
  if (p.state === 'aborted') write += '-- aborted\n';
  if (p.state === 'error') {
    write += `error: ${p.errorMessage ?? ''}\n`;
    const fix = p.error?.details?.fix;
    if (typeof fix === 'string') write += `fix: ${fix}\n`;
  }
  return { view: { ...EMPTY_REPLY, finishedRunId: p.runId }, write };
}

/**
 * Events were lost (`resume.gap`: the gateway restarted, or its replay log did not reach back far
 * enough): plain deltas can no longer be appended to the reply on screen, only a `replace` or the
 * final text can complete it.
 */
export function afterStreamGap(view: ReplyView): ReplyView {
  return view.runId === undefined ? view : { ...view, held: true };
}

/** A row of `sessions.list`, as far as the picker uses it. */
export interface SessionRow {
  sessionKey: string;
  agentId?: string;
  messageCount?: number;
  updatedAt?: number;
  active?: boolean;
}

/** How long ago, in the largest whole unit: `now`, `42s ago`, `5m ago`, `3h ago`, `2d ago`. */
export function ago(ms: number): string {
  if (ms < 1000) return 'now';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) if (ms >= size) return `${Math.floor(ms / size)}${unit} ago`;
  return `${Math.floor(ms / 1000)}s ago`;
}

/** The picker: sessions newest first, numbered for `/session <n>`; the current one marked. */
export function formatSessionList(rows: readonly SessionRow[], current: string, now: number): string {
  if (rows.length === 0) return `-- no sessions yet; this one (${current}) starts with your first message
`;
  const width = Math.max(...rows.map((r) => r.sessionKey.length));
  const lines = rows.map((r, i) => {
    const facts = [`${r.messageCount ?? 0} message${r.messageCount === 1 ? '' : 's'}`, r.updatedAt ? ago(now - r.updatedAt) : '', r.active ? 'answering' : '', r.sessionKey === current ? 'current' : '']
      .filter(Boolean).join(', ');
    return `${String(i + 1).padStart(3)}) ${r.sessionKey.padEnd(width)}  ${facts}`;
  });
  return `-- sessions, newest first:\n${lines.join('\n')}\n-- pick one: /session <number or key>; start one: /new [key]\n`;
}

/** The key `/new` gives a session when none is typed: `tui-20261201-231005` (UTC). */
export function newSessionKey(now: Date): string {
  return `tui-${now.toISOString().replace(/[-:]|\.\d+Z$/g, '').replace('T', '-')}`;
}

/** What `/session <arg>` means: a number from the last list shown, else a session key as typed. */
export function pickSession(arg: string, listed: readonly SessionRow[]): SessionRow | { error: string } {
  const key = arg.trim();
  if (!key) return { error: 'which session? /sessions lists them; then /session <number or key>' };
  if (/^\d+$/.test(key) && !listed.some((r) => r.sessionKey === key)) {
    const row = listed[Number(key) - 1];
    return row ?? { error: listed.length ? `no session number ${key}; pick 1-${listed.length} (/sessions shows them)` : 'list the sessions first: /sessions' };
  }
  return listed.find((r) => r.sessionKey === key) ?? { sessionKey: key };
}

export async function runTui(o: TuiOptions): Promise<void> {
  const target = resolveGatewayTarget({ url: o.url, token: o.token, password: o.password, env: o.env });
  const client = new GatewayClient({ url: target.url, token: target.token, password: target.password, stateDir: target.stateDir, reconnect: true, resume: true });
  const out = (line: string) => o.output.write(line + '\n');
  let reply = EMPTY_REPLY;
  let sessionKey = o.sessionKey;
  let agentId = o.agentId;
  let listed: SessionRow[] = [];
  client.on('state', (s) => {
    const line = describeState(s);
    if (!line) return;
    if (reply.open) o.output.write('\n');
    reply = { ...reply, open: false };
    out(line);
  });
  client.on('event', (name, payload) => {
    if (name === 'resume.gap') reply = afterStreamGap(reply);
    if (name !== 'chat') return;
    const p = payload as ChatEventPayload;
    if (p.sessionKey !== sessionKey) return;
    const next = applyChatEvent(reply, p);
    reply = next.view;
    if (next.write) o.output.write(next.write);
  });
  await client.connect();
  // `main` is the alias of the default agent's `agent:<id>:main`: the events name the canonical key.
  const defaults = client.helloOk?.snapshot?.sessionDefaults as { defaultAgentId?: string } | undefined;
  const canonical = (key: string) => canonicalSessionKey(key, agentId ?? agentIdOfKey(key) ?? defaults?.defaultAgentId ?? 'main');
  sessionKey = canonical(sessionKey);
  out(`session ${sessionKey} on ${target.url}. Type a message; /sessions, /new, /abort, /history, /quit.`);

  const rl = readline.createInterface({ input: o.input, terminal: false });
  const report = (err: unknown) => out(`error: ${(err as Error).message}`);
  const noTimeout = { timeoutMs: 24 * 3600_000 };
  const showHistory = async (limit: number) => {
    const h = (await client.request('chat.history', { sessionKey, limit, ...(agentId ? { agentId } : {}) }).catch(report)) as { messages?: Array<{ role: string; content: unknown }> } | undefined;
    for (const m of h?.messages ?? []) out(`${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`);
  };
  for await (const raw of rl) {
    const line = raw.trim();
    if (!line) continue;
    if (line === '/quit' || line === '/exit') break;
    if (line === '/abort') {
      await client.request('chat.abort', { sessionKey }).catch(report);
      continue;
    }
    if (line === '/history') {
      await showHistory(20);
      continue;
    }
    if (line === '/sessions') {
      const r = (await client.request('sessions.list', { limit: 50, ...(o.agentId ? { agentId: o.agentId } : {}) }).catch(report)) as { sessions?: SessionRow[] } | undefined;
      if (!r) continue;
      listed = r.sessions ?? [];
      o.output.write(formatSessionList(listed, sessionKey, Date.now()));
      continue;
    }
    const command = /^\/(session|new)(?:\s+(.*))?$/.exec(line);
    if (command) {
      const picked = command[1] === 'new' ? { sessionKey: command[2]?.trim() || newSessionKey(new Date()) } : pickSession(command[2] ?? '', listed);
      if ('error' in picked) {
        out(`-- ${picked.error}`);
        continue;
      }
      if (reply.open) o.output.write('\n');
      reply = EMPTY_REPLY; // a reply still streaming in the old session stays there
      sessionKey = canonical(picked.sessionKey);
      agentId = picked.agentId ?? o.agentId;
      out(`-- session ${sessionKey}`);
      if (command[1] === 'session') await showHistory(6);
      continue;
    }
    // Not awaited: the answer streams in as events while the next line can be typed.
    client.request('chat.send', { sessionKey, message: line, ...(agentId ? { agentId } : {}) }, { ...noTimeout, idempotencyKey: crypto.randomUUID() }).catch(report);
  }
  rl.close();
  await client.close();
}
