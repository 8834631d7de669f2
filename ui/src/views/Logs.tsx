// Logs: live tail by polling logs.tail with the returned cursor; level filter and text search;
// the visible lines can be downloaded; while the connection is down the lines are marked stale.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import type { GatewayClient } from '../gateway/client.js';
import { isNotAvailable, useConnState } from '../hooks.js';
import { LEVELS, atLeast, parseLogLine, type Level, type LogLine } from './logs-model.js';
import './views.css';

const POLL_MS = 1000;
const KEEP_LINES = 2000;

interface TailResult {
  file?: string;
  cursor?: number;
  lines?: string[];
  truncated?: boolean;
  reset?: boolean;
}

export function LogsView({ client }: { client: GatewayClient }) {
  const conn = useConnState(client);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [file, setFile] = useState<string | undefined>(undefined);
  const [minLevel, setMinLevel] = useState<Level>('info');
  const [search, setSearch] = useState('');
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [notAvailable, setNotAvailable] = useState(false);
  const [updatedAt, setUpdatedAt] = useState<number | undefined>(undefined);
  const cursor = useRef<number | undefined>(undefined);
  const counter = useRef(0);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    if (conn.phase !== 'connected' || paused) return;
    if (!client.supports('logs.tail')) return setNotAvailable(true);
    let live = true;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const r = await client.request<TailResult>('logs.tail', { ...(cursor.current !== undefined ? { cursor: cursor.current } : {}), limit: 500 });
        if (!live) return;
        setError(undefined);
        setUpdatedAt(Date.now());
        setFile(r.file);
        cursor.current = r.cursor;
        const fresh = (r.lines ?? []).map((l) => parseLogLine(l, counter.current++));
        if (fresh.length || r.reset) setLines((cur) => (r.reset ? fresh : [...cur, ...fresh]).slice(-KEEP_LINES));
      } catch (err) {
        if (!live) return;
        if (isNotAvailable(err)) return setNotAvailable(true);
        setError(err instanceof Error ? err.message : String(err));
      }
      if (live) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, conn.phase, paused]);

  useEffect(() => {
    const el = box.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [lines]);

  if (notAvailable) return <NotAvailable what="Log tail" method="logs.tail" />;
  const q = search.toLowerCase();
  const shown = lines.filter((l) => atLeast(l.level, minLevel) && (!q || l.raw.toLowerCase().includes(q)));
  const stale = conn.phase !== 'connected' && lines.length > 0;
  const exportLines = () => {
    // The lines as the gateway wrote them (JSONL), only those the filters show.
    const blob = new Blob([shown.map((l) => l.raw).join('\n') + '\n'], { type: 'application/x-ndjson' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `openclaw-logs-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <div class="logs">
      <div class="toolbar">
        <label>
          Level{' '}
          <select name="level" value={minLevel} onChange={(e) => setMinLevel(e.currentTarget.value as Level)}>
            {LEVELS.map((l) => <option key={l} value={l}>{l}+</option>)}
          </select>
        </label>
        <input type="search" placeholder="filter text" aria-label="Filter log lines" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <button type="button" class="secondary" onClick={() => setPaused((p) => !p)}>{paused ? 'Resume' : 'Pause'}</button>
        <button type="button" class="secondary" data-action="export" disabled={shown.length === 0} onClick={exportLines}>Export {shown.length} lines</button>
        <span class="muted">{file ?? ''} · {shown.length}/{lines.length} lines</span>
        {stale && (
          <span class="stale-marker" data-stale role="status">
            stale: disconnected{updatedAt ? `, last update ${new Date(updatedAt).toLocaleTimeString()}` : ''}
          </span>
        )}
      </div>
      <ErrorText error={error} />
      <pre class={`log-box${stale ? ' stale' : ''}`} ref={box} tabIndex={0} aria-label="Gateway log lines">
        {shown.map((l) => (
          <div key={l.key} class={`log-line level-${l.level}`}>
            <span class="log-time">{l.time ? l.time.slice(11, 23) : ''}</span> <span class="log-level">{l.level}</span>{' '}
            {l.subsystem && <span class="log-sub">[{l.subsystem}]</span>} {l.message}
          </div>
        ))}
      </pre>
    </div>
  );
}
