// Chat: sessions on the left, the transcript with the streaming reply, send and abort.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import { randomId, type GatewayClient } from '../gateway/client.js';
import { useGatewayData } from '../hooks.js';
import { applyChatEvent, mergeHistory, type ChatEvent, type ChatLine, type HistoryResult, type RunProgress } from './chat-model.js';

interface SessionRow {
  key: string;
  label?: string;
  displayName?: string;
  messageCount?: number;
  active?: boolean;
}

/** sessions.list rows carry `sessionKey` (upstream clients also saw `key`). */
type SessionListRow = Omit<SessionRow, 'key'> & { sessionKey?: string; key?: string };

function defaultSessionKey(client: GatewayClient): string {
  const d = client.hello?.snapshot?.sessionDefaults as { mainSessionKey?: string } | undefined;
  return d?.mainSessionKey ?? 'main';
}

export function ChatView({ client }: { client: GatewayClient }) {
  const sessions = useGatewayData<{ sessions?: SessionListRow[] }>(client, 'sessions.list', {});
  const [sessionKey, setSessionKey] = useState(() => defaultSessionKey(client));
  const history = useGatewayData<HistoryResult>(client, 'chat.history', { sessionKey, limit: 200 }, [sessionKey]);
  const [lines, setLines] = useState<ChatLine[]>([]);
  const progress = useRef(new Map<string, RunProgress>());
  const [activeRun, setActiveRun] = useState<string | undefined>(undefined);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const bottom = useRef<HTMLDivElement>(null);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const drawer = useRef<HTMLElement>(null);
  // Keyboard users land in the drawer when it opens.
  useEffect(() => {
    if (drawerOpen) drawer.current?.querySelector<HTMLElement>('.sessions li button')?.focus();
  }, [drawerOpen]);

  useEffect(() => {
    if (!history.data) return;
    setLines((cur) => mergeHistory(cur, history.data!));
  }, [history.data]);

  useEffect(
    () =>
      client.on('chat', (payload: ChatEvent) => {
        if (!payload || payload.sessionKey !== sessionKey) return;
        setLines((cur) => applyChatEvent(cur, progress.current, payload));
        if (payload.state === 'delta') setActiveRun(payload.runId);
        else {
          setActiveRun((r) => (r === payload.runId ? undefined : r));
          sessions.reload(); // message counts changed
        }
      }),
    [client, sessionKey, sessions.reload],
  );

  useEffect(() => bottom.current?.scrollIntoView({ block: 'end' }), [lines]);

  const rows = useMemo(() => {
    const list: SessionRow[] = (sessions.data?.sessions ?? []).flatMap((s) => {
      const key = s.sessionKey ?? s.key;
      return key ? [{ ...s, key }] : [];
    });
    return list.some((s) => s.key === sessionKey) ? list : [{ key: sessionKey }, ...list];
  }, [sessions.data, sessionKey]);

  if (history.notAvailable) return <NotAvailable what="Chat" method="chat.history" />;

  const send = async (e: Event) => {
    e.preventDefault();
    const message = draft.trim();
    if (!message) return;
    setDraft('');
    setError(undefined);
    setLines((cur) => [...cur, { id: `u-${randomId()}`, role: 'user', text: message }]);
    try {
      // The key makes a retry after a reconnect (or a gateway restart) return the first run.
      const res = await client.request<{ runId?: string }>('chat.send', { sessionKey, message }, { idempotencyKey: randomId() });
      if (res?.runId) setActiveRun(res.runId);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const abort = async () => {
    try {
      await client.request('chat.abort', { sessionKey, ...(activeRun ? { runId: activeRun } : {}) });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div class={`chat${drawerOpen ? ' drawer-open' : ''}`}>
      <aside ref={drawer} class="sessions" id="chat-sessions" aria-label="Sessions" onKeyDown={(e) => e.key === 'Escape' && setDrawerOpen(false)}>
        <div class="sessions-head">
          <h3>Sessions</h3>
          <button type="button" class="secondary drawer-close" onClick={() => setDrawerOpen(false)}>Close</button>
        </div>
        {sessions.notAvailable && <p class="muted">sessions.list not available</p>}
        <ul>
          {rows.map((s) => (
            <li key={s.key}>
              <button type="button" class={s.key === sessionKey ? 'active' : ''} aria-current={s.key === sessionKey ? 'true' : undefined} onClick={() => {
                setSessionKey(s.key);
                setDrawerOpen(false);
              }}>
                {s.label ?? s.displayName ?? s.key}
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
        </div>
        <div class="messages" data-session={sessionKey} role="log" aria-live="polite" aria-label="Transcript" tabIndex={0}>
          {lines.length === 0 && <p class="muted">No messages yet. Say hello.</p>}
          {lines.map((l) => (
            <div key={l.id} class={`msg msg-${l.role}`} data-run-id={l.runId ?? ''} data-state={l.state ?? ''}>
              <span class="who">{l.role}</span>
              <div class="text">{l.text}</div>
              {l.state === 'aborted' && <span class="muted"> (aborted)</span>}
              {l.state === 'error' && <span class="error-text"> ({l.note ?? 'failed'})</span>}
            </div>
          ))}
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
