// Chat: sessions in a drawer (new, rename, delete), the transcript with markdown replies, the
// streaming reply (a "thinking" state until its first token), send and abort.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import { randomId, type GatewayClient } from '../gateway/client.js';
import { useConnState, useGatewayData, useNow } from '../hooks.js';
import { applyChatEvent, mergeHistory, relativeTime, sessionName, type ChatEvent, type ChatLine, type HistoryResult, type RunProgress, type SessionNameFacts } from './chat-model.js';
import { handleCopyClick, renderMarkdown } from './markdown.js';

interface SessionRow extends SessionNameFacts {
  messageCount?: number;
  active?: boolean;
}

/** sessions.list rows carry `sessionKey` (upstream clients also saw `key`). */
type SessionListRow = Omit<SessionRow, 'key'> & { sessionKey?: string; key?: string };

interface SessionDefaults {
  mainSessionKey?: string;
  defaultAgentId?: string;
}

function sessionDefaults(client: GatewayClient): SessionDefaults {
  return (client.hello?.snapshot?.sessionDefaults as SessionDefaults | undefined) ?? {};
}

/** The gateway's canonical main session (shared with `openclaw agent` and the TUI); known once connected. */
function mainSessionKey(client: GatewayClient): string | undefined {
  if (!client.hello) return undefined;
  const d = sessionDefaults(client);
  return d.mainSessionKey ?? `agent:${d.defaultAgentId ?? 'main'}:main`;
}

function newSessionKey(client: GatewayClient, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `agent:${sessionDefaults(client).defaultAgentId ?? 'main'}:ui-${stamp}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function ChatView({ client }: { client: GatewayClient }) {
  const conn = useConnState(client);
  // No session is picked before the gateway names its main one: no phantom `main` while disconnected.
  const [mainKey, setMainKey] = useState(() => mainSessionKey(client));
  const [picked, setPicked] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (conn.phase === 'connected') setMainKey(mainSessionKey(client));
  }, [client, conn]);
  const sessionKey = picked ?? mainKey;
  if (!sessionKey || !mainKey) {
    return (
      <div class="chat chat-waiting">
        <p class="muted">Waiting for the gateway: the sessions appear once it is connected.</p>
      </div>
    );
  }
  return <ChatSession client={client} sessionKey={sessionKey} mainKey={mainKey} pick={setPicked} />;
}

function ChatSession({ client, sessionKey, mainKey, pick }: { client: GatewayClient; sessionKey: string; mainKey: string; pick(key: string): void }) {
  const sessions = useGatewayData<{ sessions?: SessionListRow[] }>(client, 'sessions.list', {});
  const history = useGatewayData<HistoryResult>(client, 'chat.history', { sessionKey, limit: 200 }, [sessionKey]);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const progress = useRef(new Map<string, RunProgress>());
  const [activeRun, setActiveRun] = useState<string | undefined>(undefined);
  /** A message was sent and no token (or end) of its reply has arrived yet. */
  const [thinking, setThinking] = useState(false);
  /** chat.send requests not answered yet (their run's first events may arrive before the answer). */
  const sending = useRef(0);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const bottom = useRef<HTMLDivElement>(null);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const now = useNow(30_000);

  useEffect(() => {
    setLines([]);
    progress.current.clear();
    setActiveRun(undefined);
    setThinking(false);
    setRenaming(undefined);
    setConfirmDelete(false);
  }, [sessionKey]);

  useEffect(() => {
    if (!history.data) return;
    setLines((cur) => mergeHistory(cur, history.data!));
  }, [history.data]);

  useEffect(
    () =>
      client.on('chat', (payload: ChatEvent) => {
        if (!payload || payload.sessionKey !== sessionKey) return;
        // A run another client started here (`openclaw agent`, the TUI, a channel): the transcript has its user message.
        if (!progress.current.has(payload.runId) && !sending.current) history.reload();
        setLines((cur) => applyChatEvent(cur, progress.current, payload));
        if (payload.state !== 'delta' || payload.deltaText || payload.message) setThinking(false);
        if (payload.state === 'delta') setActiveRun(payload.runId);
        else {
          setActiveRun((r) => (r === payload.runId ? undefined : r));
          sessions.reload(); // message counts changed
        }
      }),
    [client, sessionKey, sessions.reload, history.reload],
  );

  useEffect(() => bottom.current?.scrollIntoView({ block: 'end' }), [lines, thinking]);

  const rows = useMemo(() => {
    const list: SessionRow[] = (sessions.data?.sessions ?? []).flatMap((s) => {
      const key = s.sessionKey ?? s.key;
      return key ? [{ ...s, key }] : [];
    });
    return list.some((s) => s.key === sessionKey) ? list : [{ key: sessionKey }, ...list];
  }, [sessions.data, sessionKey]);
  const current = rows.find((s) => s.key === sessionKey) ?? { key: sessionKey };
  const canPatch = client.supports('sessions.patch');

  if (history.notAvailable) return <NotAvailable what="Chat" method="chat.history" />;

  const send = async (e: Event) => {
    e.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    setError(undefined);
    setThinking(true);
    setLines((cur) => [...cur, { id: `u-${randomId()}`, role: 'user', text, ts: Date.now() }]);
    sending.current++;
    try {
      // The key makes a retry after a reconnect (or a gateway restart) return the first run.
      const res = await client.request<{ runId?: string }>('chat.send', { sessionKey, message: text }, { idempotencyKey: randomId() });
      if (res?.runId) {
        setActiveRun(res.runId);
        if (!progress.current.has(res.runId)) progress.current.set(res.runId, { seq: -1 });
      }
    } catch (err) {
      setThinking(false);
      setError(message(err));
    } finally {
      sending.current--;
    }
  };

  const abort = async () => {
    try {
      await client.request('chat.abort', { sessionKey, ...(activeRun ? { runId: activeRun } : {}) });
    } catch (err) {
      setError(message(err));
    }
  };

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(message(err));
    }
    sessions.reload();
  };

  const create = () =>
    act(async () => {
      const key = newSessionKey(client);
      // The label makes the session exist (and listed) before its first message.
      if (canPatch) await client.request('sessions.patch', { key, label: `New chat ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` });
      pick(key);
      setDrawerOpen(false);
    });

  const rename = (e: Event) => {
    e.preventDefault();
    const label = (renaming ?? '').trim();
    void act(async () => {
      await client.request('sessions.patch', { key: sessionKey, label: label || null });
      setRenaming(undefined);
    });
  };

  const remove = () =>
    act(async () => {
      await client.request('sessions.delete', { sessionKey });
      setConfirmDelete(false);
      if (sessionKey === mainKey) history.reload();
      else pick(mainKey);
    });

  const name = sessionName(current);

  return (
    <div class={`chat${drawerOpen ? ' drawer-open' : ''}`}>
      <aside class="sessions" id="chat-sessions" aria-label="Sessions" onKeyDown={(e) => e.key === 'Escape' && setDrawerOpen(false)}>
        <h3>Sessions</h3>
        <button type="button" class="secondary drawer-close" onClick={() => setDrawerOpen(false)}>Close</button>
        <button type="button" class="new-session" onClick={create}>New session</button>
        {sessions.notAvailable && <p class="muted">sessions.list not available</p>}
        <ul>
          {rows.map((s) => (
            <li key={s.key}>
              <button type="button" class={s.key === sessionKey ? 'active' : ''} aria-current={s.key === sessionKey ? 'true' : undefined} title={s.key} data-session-key={s.key} onClick={() => {
                pick(s.key);
                setDrawerOpen(false);
              }}>
                <span class="session-name">{sessionName(s)}</span>
                {s.active && <span class="tag">live</span>}
                {s.messageCount !== undefined && <span class="muted"> · {s.messageCount}</span>}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <section class="transcript" aria-label="Conversation">
        <div class="transcript-head">
          <button type="button" class="secondary sessions-toggle" aria-expanded={drawerOpen} aria-controls="chat-sessions" onClick={() => setDrawerOpen((o) => !o)}>
            Sessions
          </button>
          {renaming === undefined ? (
            <>
              <h2 class="session-title" title={sessionKey}>{name}</h2>
              {canPatch && <button type="button" class="secondary rename-session" onClick={() => setRenaming(current.label ?? name)}>Rename</button>}
              {client.supports('sessions.delete') && <button type="button" class="secondary delete-session" onClick={() => setConfirmDelete(true)}>Delete</button>}
            </>
          ) : (
            <form class="rename-form" onSubmit={rename}>
              <input name="label" aria-label="Session name" maxLength={120} value={renaming} onInput={(e) => setRenaming(e.currentTarget.value)}
                onKeyDown={(e) => e.key === 'Escape' && setRenaming(undefined)} ref={(el) => el?.focus()} />
              <button type="submit">Save</button>
              <button type="button" class="secondary" onClick={() => setRenaming(undefined)}>Cancel</button>
            </form>
          )}
        </div>
        {confirmDelete && (
          <div class="confirm-delete" role="alertdialog" aria-label="Delete session">
            <p>Delete “{name}”? It leaves the list; the gateway keeps its transcript as an archived file.</p>
            <button type="button" class="danger confirm-delete-yes" onClick={remove}>Delete</button>
            <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>Cancel</button>
          </div>
        )}
        <div class="messages" data-session={sessionKey} role="log" aria-live="polite" aria-label="Transcript" tabIndex={0} onClick={(e) => handleCopyClick(e)}>
          {lines.length === 0 && !thinking && <p class="muted">No messages yet. Say hello.</p>}
          {lines.map((l) => <Line key={l.id} line={l} now={now} />)}
          {thinking && !lines.some((l) => l.role === 'assistant' && l.runId === activeRun) && (
            <div class="msg msg-thinking" aria-label="Thinking"><span class="thinking">Thinking…</span></div>
          )}
          <div ref={bottom} />
        </div>
        <ErrorText error={error ?? history.error} />
        <form class="composer" onSubmit={send}>
          <textarea name="message" rows={2} placeholder="Message" aria-label="Message" value={draft} onInput={(e) => setDraft(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) send(e);
            }} />
          <button type="submit">Send</button>
          <button type="button" class="secondary" disabled={!activeRun} onClick={abort}>
            Abort
          </button>
        </form>
      </section>
    </div>
  );
}

function Line({ line: l, now }: { line: ChatLine; now: number }) {
  const assistant = l.role === 'assistant';
  const html = useMemo(() => (assistant ? renderMarkdown(l.text) : ''), [assistant, l.text]);
  return (
    <div class={`msg msg-${l.role}`} data-run-id={l.runId ?? ''} data-state={l.state ?? ''}>
      <span class="who">
        {l.role}
        {(l.model || l.ts) && (
          <span class="meta">
            {l.model && <span class="model">{l.model}</span>}
            {l.model && l.ts && ' · '}
            {l.ts && <time dateTime={new Date(l.ts).toISOString()} title={new Date(l.ts).toLocaleString()}>{relativeTime(l.ts, now)}</time>}
          </span>
        )}
      </span>
      {assistant ? <div class="text md" dangerouslySetInnerHTML={{ __html: html }} /> : <div class="text">{l.text}</div>}
      {l.state === 'delta' && !l.text && <span class="thinking">Thinking…</span>}
      {l.state === 'aborted' && <span class="muted"> (aborted)</span>}
      {l.state === 'error' && <span class="error-text"> ({l.note ?? 'failed'})</span>}
      {l.fix && (
        <p class="fix">
          Fix: <code>{l.fix}</code>
        </p>
      )}
      {l.resumed && <span class="muted resumed-note">interrupted by a gateway restart; answered again</span>}
    </div>
  );
}
