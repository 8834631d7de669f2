// Pure pieces of the chat view: text out of transcript messages, and folding `chat` events into
// the reply being streamed (exactly once: per-run seq, cumulative snapshots win over deltas).

export interface ChatLine {
  id: string;
  role: string;
  text: string;
  runId?: string;
  state?: 'delta' | 'final' | 'aborted' | 'error';
  note?: string;
  /** The command the gateway says fixes a failed reply. */
  fix?: string;
  /** `<provider>/<model>` that wrote the reply. */
  model?: string;
  /** When the message was written (ms). */
  ts?: number;
  /** The reply was cut by a gateway restart and answered again by the restarted gateway. */
  resumed?: boolean;
}

export interface ChatEvent {
  runId: string;
  sessionKey: string;
  seq?: number;
  state: 'delta' | 'final' | 'aborted' | 'error';
  deltaText?: string;
  replace?: boolean;
  message?: unknown;
  errorMessage?: string;
  error?: { message?: string; details?: { fix?: unknown } };
}

/** The fix command of an error shape's details, when it names one. */
export function errorFix(error: { details?: { fix?: unknown } } | undefined): string | undefined {
  const fix = error?.details?.fix;
  return typeof fix === 'string' && fix ? fix : undefined;
}

function messageModel(message: unknown): string | undefined {
  const model = message && typeof message === 'object' ? (message as { model?: unknown }).model : undefined;
  return typeof model === 'string' && model ? model : undefined;
}

/** Text of a transcript message: string content, or the text parts of structured content. */
export function messageText(message: unknown): string {
  if (typeof message === 'string') return message;
  if (!message || typeof message !== 'object') return '';
  const m = message as { content?: unknown; text?: unknown };
  if (typeof m.text === 'string') return m.text;
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) {
    return m.content.map((p) => (typeof p === 'string' ? p : p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('');
  }
  return '';
}

export function messageRole(message: unknown): string {
  const role = message && typeof message === 'object' ? (message as { role?: unknown }).role : undefined;
  return typeof role === 'string' ? role : 'assistant';
}

export interface RunProgress {
  /** Highest per-run seq applied. */
  seq: number;
}

/** Label of a reply that stopped streaming without finishing (until the gateway resumes it). */
export const INTERRUPTED = 'interrupted: the gateway stopped before this reply finished';

/** Applies one chat event to the lines; returns the new lines (same array when ignored). */
export function applyChatEvent(lines: ChatLine[], progress: Map<string, RunProgress>, ev: ChatEvent): ChatLine[] {
  const p = progress.get(ev.runId) ?? { seq: -1 };
  // A resumed run (the gateway restarted mid-reply) numbers its events afresh from its `replace`
  // delta, so that delta starts a new per-run sequence instead of counting as a duplicate.
  const restart = ev.state === 'delta' && ev.replace === true;
  if (typeof ev.seq === 'number') {
    if (ev.seq <= p.seq && !restart) return lines; // duplicate delivery
    p.seq = ev.seq;
  }
  progress.set(ev.runId, p);
  const idx = lines.findIndex((l) => l.runId === ev.runId && l.role === 'assistant');
  const prev = idx >= 0 ? lines[idx] : { id: `run-${ev.runId}`, role: 'assistant', text: '', runId: ev.runId };
  const interrupted = prev.state === 'error' && prev.note === INTERRUPTED;
  if (prev.state && prev.state !== 'delta' && !(interrupted && (restart || ev.state !== 'delta'))) return lines; // run already finished
  const snapshot = ev.message !== undefined ? messageText(ev.message) : undefined;
  let text = prev.text;
  if (snapshot !== undefined && (snapshot.length > 0 || ev.state !== 'delta')) text = snapshot || text;
  else if (ev.deltaText !== undefined) text = ev.replace ? ev.deltaText : text + ev.deltaText;
  const next: ChatLine = { ...prev, text, state: ev.state };
  next.ts ??= Date.now();
  const model = messageModel(ev.message);
  if (model) next.model = model;
  if (interrupted) delete next.note; // the gateway continued it: no longer "interrupted"
  // Only a run re-run after a restart sends `replace`; its final message says so too.
  if (interrupted || restart || (ev.message as { resumed?: unknown } | undefined)?.resumed === true) next.resumed = true;
  if (ev.state === 'error') {
    next.note = ev.errorMessage ?? ev.error?.message ?? 'failed';
    const fix = errorFix(ev.error);
    if (fix) next.fix = fix;
  }
  if (idx >= 0) return lines.map((l, i) => (i === idx ? next : l));
  return [...lines, next];
}

export interface HistoryMessage {
  id?: string;
  runId?: string;
  ts?: number;
  model?: string;
  stopReason?: string;
  errorMessage?: string;
  fix?: string;
  resumed?: boolean;
}

export interface HistoryResult {
  messages?: HistoryMessage[];
  inFlightRun?: { runId: string; text: string };
}

/** A transcript message as a line: aborted, failed (with its fix) and interrupted replies keep that state. */
export function historyLine(m: HistoryMessage, i: number): ChatLine {
  const role = messageRole(m);
  const line: ChatLine = { id: m.id ?? `h-${i}`, role, text: messageText(m), ...(typeof m.ts === 'number' ? { ts: m.ts } : {}) };
  if (role !== 'assistant') return line;
  if (m.runId) line.runId = m.runId;
  if (m.model) line.model = m.model;
  if (m.resumed) line.resumed = true;
  if (m.stopReason === 'aborted') line.state = 'aborted';
  else if (m.stopReason === 'interrupted') Object.assign(line, { state: 'error', note: INTERRUPTED });
  else if (m.stopReason === 'error') Object.assign(line, { state: 'error', note: m.errorMessage ?? 'failed', ...(m.fix ? { fix: m.fix } : {}) });
  else if (m.runId) line.state = 'final';
  return line;
}

/**
 * Lines after a chat.history answer: the transcript, then the run still streaming (its text so
 * far from the gateway, unless this page already shows more of it), then replies that
 * stopped streaming without finishing (the gateway restarted mid-reply).
 */
export function mergeHistory(cur: ChatLine[], h: HistoryResult): ChatLine[] {
  const msgs = h.messages ?? [];
  // A run is finished when its assistant message is in the transcript (user lines carry the runId too).
  const done = new Set(msgs.filter((m) => messageRole(m) === 'assistant').map((m) => m.runId).filter(Boolean));
  const lines: ChatLine[] = msgs.map(historyLine);
  const live = h.inFlightRun && !done.has(h.inFlightRun.runId) ? h.inFlightRun : undefined;
  for (const l of cur) {
    if (!l.runId || l.state !== 'delta' || done.has(l.runId) || l.runId === live?.runId) continue;
    lines.push({ ...l, state: 'error', note: INTERRUPTED });
  }
  if (live) {
    // Deltas that arrived after the gateway answered are already on the page (events and the
    // answer share one ordered socket): keep the page's text when it extends the snapshot.
    const shown = cur.find((l) => l.runId === live.runId && l.role === 'assistant' && l.state === 'delta');
    const text = shown && shown.text.startsWith(live.text) ? shown.text : live.text;
    lines.push({ ...(shown?.resumed ? { resumed: true } : {}), id: `run-${live.runId}`, role: 'assistant', text, runId: live.runId, state: 'delta' });
  }
  return lines;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function relativeTime(ts: number, now: number): string {
  const s = Math.max(0, Math.round((now - ts) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

const CHANNEL_NAMES: Record<string, string> = { telegram: 'Telegram', discord: 'Discord', whatsapp: 'WhatsApp', imessage: 'iMessage', slack: 'Slack', signal: 'Signal' };

export interface SessionNameFacts {
  key: string;
  label?: string;
  displayName?: string;
  origin?: { channel?: string; senderLabel?: string; senderId?: string };
}

/**
 * A name a person recognizes: the label they gave it, else "Main" for an agent's main session,
 * "Telegram · Alice" for a channel session (the sender's name once the gateway has seen one),
 * else the key without its `agent:<id>:` prefix.
 */
export function sessionName(s: SessionNameFacts): string {
  if (s.label) return s.label;
  if (s.displayName) return s.displayName;
  const m = /^agent:([^:]+):(.*)$/.exec(s.key);
  const rest = m ? m[2] : s.key;
  const agent = m && m[1] !== 'main' ? ` (${m[1]})` : '';
  if (rest === 'main') return `Main${agent}`;
  const parts = rest.split(':');
  const channel = s.origin?.channel ?? (CHANNEL_NAMES[parts[0]] ? parts[0] : undefined);
  if (channel) {
    const who = s.origin?.senderLabel ?? s.origin?.senderId ?? parts[parts.length - 1];
    const group = parts.includes('group') ? 'group ' : '';
    return `${CHANNEL_NAMES[channel] ?? channel} · ${group}${who}${agent}`;
  }
  return `${rest}${agent}`;
}
