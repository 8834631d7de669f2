// Pure pieces of the chat view: text out of transcript messages, and folding `chat` events into
// the reply being streamed (exactly once: per-run seq, cumulative snapshots win over deltas).

export interface ChatLine {
  id: string;
  role: string;
  text: string;
  runId?: string;
  state?: 'delta' | 'final' | 'aborted' | 'error';
  note?: string;
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
  if (ev.state === 'error' && ev.errorMessage && !text) text = ev.errorMessage;
  const next: ChatLine = { ...prev, text, state: ev.state };
  if (interrupted) delete next.note; // the gateway continued it: no longer "interrupted"
  if (idx >= 0) return lines.map((l, i) => (i === idx ? next : l));
  return [...lines, next];
}

export interface HistoryResult {
  messages?: { id?: string; runId?: string }[];
  inFlightRun?: { runId: string; text: string };
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
  const lines: ChatLine[] = msgs.map((m, i) => {
    const role = messageRole(m);
    return { id: m.id ?? `h-${i}`, role, text: messageText(m), ...(m.runId && role === 'assistant' ? { runId: m.runId, state: 'final' as const } : {}) };
  });
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
    lines.push({ id: `run-${live.runId}`, role: 'assistant', text, runId: live.runId, state: 'delta' });
  }
  return lines;
}
