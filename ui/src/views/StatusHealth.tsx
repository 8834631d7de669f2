// The Status view's health sections: model providers (models.status), sessions, pending pairings
// (devices and DM senders), channel accounts (channels.status) and the last errors in the log.
import { useEffect, useState } from 'preact/hooks';
import { FixLine } from '../components/CopyButton.js';
import { ErrorText } from '../components/NotAvailable.js';
import type { GatewayClient } from '../gateway/client.js';
import { useGatewayData, useNow } from '../hooks.js';
import { healthClass, type ChannelsStatus } from './Channels.js';
import { parseLogLine } from './logs-model.js';
import { relativeAge } from './view-format.js';
import './views.css';

interface ProviderRow {
  provider: string;
  api: string;
  baseUrl: string;
  models: string[];
  state: 'ok' | 'failing' | 'cooling-down' | 'unknown';
  requests: number;
  consecutiveFailures: number;
  lastOkAt: number | null;
  lastFailureAt: number | null;
  lastError: { model: string; kind: string; status?: number; message: string; fix: string } | null;
  cooldownUntil: number | null;
  probe?: { reachable: boolean; authOk: boolean; latencyMs: number; error?: string; fix?: string; missingModels: string[] };
}

interface ModelsStatus {
  ts: number;
  defaultModel: string | null;
  fallbacks: string[];
  providers: ProviderRow[];
}

const STATE_CLASS = { ok: 'ok', failing: 'bad', 'cooling-down': 'warn', unknown: 'warn' } as const;
const STATE_TEXT = { ok: 'healthy', failing: 'failing', 'cooling-down': 'rate limited', unknown: 'not used yet' } as const;
/** Lines of the log searched for the last errors. */
const ERROR_SCAN_LINES = 2000;

export function StatusHealth({ client }: { client: GatewayClient }) {
  const now = useNow(5000);
  const models = useGatewayData<ModelsStatus>(client, 'models.status', {});
  // A probe's answer (it asks every backend) is shown until a newer plain answer arrives.
  const [probed, setProbed] = useState<ModelsStatus | undefined>(undefined);
  const [probing, setProbing] = useState(false);
  const probe = () => {
    setProbing(true);
    client.request<ModelsStatus>('models.status', { probe: true, timeoutMs: 5000 }).then(setProbed, () => models.reload()).finally(() => setProbing(false));
  };
  const shown = probed && probed.ts >= (models.data?.ts ?? 0) ? probed : models.data;
  const sessions = useGatewayData<{ totalCount: number; sessions: Array<{ key: string; updatedAt: number; messageCount: number; active?: boolean; lastModel?: string }> }>(client, 'sessions.list', { limit: 500 });
  const devices = useGatewayData<{ pending: unknown[] }>(client, 'device.pair.list', {});
  const dm = useGatewayData<{ requests: unknown[] }>(client, 'channels.pairing.list', {});
  const channels = useGatewayData<ChannelsStatus>(client, 'channels.status', {});
  const logs = useGatewayData<{ lines?: string[] }>(client, 'logs.tail', { limit: ERROR_SCAN_LINES });
  useEffect(() => {
    const offs = [
      client.on('chat', (p) => (p as { state?: string }).state !== 'delta' && (models.reload(), sessions.reload(), logs.reload())),
      client.on('device.pair.requested', devices.reload),
      client.on('device.pair.resolved', devices.reload),
      client.on('channel.pairing.requested', dm.reload),
      client.on('channel.pairing.resolved', dm.reload),
    ];
    return () => offs.forEach((off) => off());
  }, [client, models.reload, sessions.reload, logs.reload, devices.reload, dm.reload]);

  const recent = [...(sessions.data?.sessions ?? [])].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, 5);
  const errors = (logs.data?.lines ?? []).map((l, i) => parseLogLine(l, i)).filter((l) => l.level === 'error' || l.level === 'warn').slice(-8).reverse();
  const accounts = channels.data ? channels.data.channelOrder.flatMap((c) => (channels.data!.channelAccounts[c] ?? []).map((a) => ({ c, label: channels.data!.channelLabels[c] ?? c, a }))) : [];
  return (
    <div class="status-health">
      <h2>Model providers</h2>
      {models.notAvailable ? <p class="muted">This gateway does not report model health (it has no <code>models.status</code>).</p> : <ErrorText error={models.error} />}
      {shown && (
        <>
          <p class="muted">
            Default model <code>{shown.defaultModel ?? '(none: openclaw config set agents.defaults.model <provider/model>)'}</code>
            {shown.fallbacks.length ? <> then {shown.fallbacks.map((f) => <code key={f}>{f}</code>)}</> : null}{' '}
            <button type="button" class="secondary" disabled={probing} onClick={probe}>{probing ? 'Probing…' : 'Probe providers'}</button>
          </p>
          {shown!.providers.length === 0 && (
            <>
              <p class="muted">No model provider is configured, so nothing can answer.</p>
              <FixLine fix="openclaw models scan --apply" />
            </>
          )}
          <div class="cards">
            {shown!.providers.map((p) => <ProviderCard key={p.provider} p={p} now={now} />)}
          </div>
        </>
      )}

      <h2>Sessions ({sessions.data?.totalCount ?? '…'})</h2>
      <ErrorText error={sessions.error} />
      <ul class="error-list" data-sessions>
        {recent.map((s) => (
          <li key={s.key}><code>{s.key}</code> <span class="muted">{s.messageCount} messages · {relativeAge(now - s.updatedAt)}{s.active ? ' · replying now' : ''}</span></li>
        ))}
      </ul>

      <h2>Pending pairings</h2>
      <dl class="kv" data-pending>
        <div data-key="Devices"><dt>Devices</dt><dd>{devices.data ? <a href="#devices">{devices.data.pending.length} waiting</a> : devices.notAvailable ? 'not available' : '…'}</dd></div>
        <div data-key="DM senders"><dt>DM senders</dt><dd>{dm.data ? <a href="#channels">{dm.data.requests.length} waiting</a> : dm.notAvailable ? 'not available' : '…'}</dd></div>
      </dl>

      <h2>Channels</h2>
      {channels.notAvailable ? <p class="muted">No channel layer on this gateway.</p> : <ErrorText error={channels.error} />}
      {channels.data && accounts.length === 0 && <p class="muted">No chat channel is configured.</p>}
      <ul class="error-list" data-channel-health>
        {accounts.map(({ c, label, a }) => {
          const h = healthClass(a);
          return (
            <li key={`${c}:${a.accountId}`} data-channel={c} data-health={h}>
              <a href="#channels">{label} {a.accountId}</a>: <span class={`state-${h}`}>{a.healthState ?? (a.running ? 'running' : 'stopped')}</span>
              {a.lastError ? <span class="muted"> — {a.lastError}</span> : null}
            </li>
          );
        })}
      </ul>

      <h2>Last errors</h2>
      {!logs.notAvailable && <ErrorText error={logs.error} />}
      {logs.data && errors.length === 0 && <p class="muted">No warnings or errors in the last {ERROR_SCAN_LINES} log lines.</p>}
      <ul class="error-list" data-last-errors>
        {errors.map((l) => (
          <li key={l.key} class={`level-${l.level}`}>
            <span class="log-time">{l.time ? new Date(l.time).toLocaleTimeString() : ''}</span> <span class={l.level === 'error' ? 'state-bad' : 'state-warn'}>{l.level}</span>{' '}
            {l.subsystem && <span class="log-sub">[{l.subsystem}]</span>} {l.message}
          </li>
        ))}
      </ul>
      {errors.length > 0 && <p class="muted small"><a href="#logs">All logs</a></p>}
    </div>
  );
}

function ProviderCard({ p, now }: { p: ProviderRow; now: number }) {
  const cls = STATE_CLASS[p.state];
  return (
    <article class={`card channel-card health-${cls}`} data-provider={p.provider} data-state={p.state}>
      <header class="card-head">
        <h3>{p.provider} <span class="muted">{p.api}</span></h3>
        <span class={`badge badge-${cls}`}>{STATE_TEXT[p.state]}</span>
      </header>
      <dl class="facts">
        <div><dt>URL</dt><dd>{p.baseUrl}</dd></div>
        <div><dt>Models</dt><dd>{p.models.join(', ') || '—'}</dd></div>
        <div><dt>Last answer</dt><dd>{p.lastOkAt ? relativeAge(now - p.lastOkAt) : 'none yet'}</dd></div>
        {p.consecutiveFailures > 0 && <div><dt>Failures</dt><dd>{p.consecutiveFailures} in a row</dd></div>}
        {p.cooldownUntil && <div><dt>Retry after</dt><dd>{new Date(p.cooldownUntil).toLocaleTimeString()} (the backend's Retry-After)</dd></div>}
        {p.probe && <div><dt>Probe</dt><dd>{p.probe.reachable && p.probe.authOk ? `answers (${p.probe.latencyMs} ms)` : p.probe.error ?? 'failed'}</dd></div>}
        {p.probe && p.probe.missingModels.length > 0 && <div><dt>Not served</dt><dd>{p.probe.missingModels.join(', ')}</dd></div>}
      </dl>
      {p.lastError && p.consecutiveFailures > 0 && (
        <div class="card-issue" data-last-error>
          <p class="error-text">{p.lastError.message}{p.lastFailureAt ? ` (${relativeAge(now - p.lastFailureAt)})` : ''}</p>
          <FixLine fix={p.lastError.fix} />
        </div>
      )}
      {p.probe?.fix && !(p.probe.reachable && p.probe.authOk) && <FixLine fix={p.probe.fix} />}
    </article>
  );
}
