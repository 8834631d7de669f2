// Channels: one card per channel account with what `openclaw channels status --probe` prints (the
// gateway sends the CLI's own line per account), the DM pairing requests with Approve / Dismiss,
// and the WhatsApp link: a QR from the gateway (`web.login.start` / `web.login.wait`), with
// `openclaw channels login` as the alternative.
import { useEffect, useState } from 'preact/hooks';
import { FixLine } from '../components/CopyButton.js';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import type { GatewayClient } from '../gateway/client.js';
import { useGatewayData, useNow } from '../hooks.js';
import { relativeAge } from './view-format.js';
import './views.css';

export interface AccountSnapshot {
  accountId: string;
  name?: string;
  enabled: boolean;
  configured: boolean;
  linked?: boolean;
  running: boolean;
  connected: boolean;
  mode?: string;
  bot?: { username?: string };
  dmPolicy?: string;
  allowFrom?: string[];
  lastInboundAt?: number | null;
  lastOutboundAt?: number | null;
  lastError?: string | null;
  healthState?: string;
  probe?: { ok: boolean; error?: string | null; elapsedMs?: number; fix?: string };
  outbound?: { pending: number; oldestAgeMs: number | null; failed: number };
  pendingPairing?: number;
}

export interface ChannelsStatus {
  ts: number;
  channelOrder: string[];
  channelLabels: Record<string, string>;
  channelAccounts: Record<string, AccountSnapshot[]>;
  statusIssues?: Array<{ channel: string; accountId: string; kind: string; message: string; fix?: string }>;
  statusLines?: Record<string, string[]>;
  warnings?: string[];
}

export interface PairingRequest {
  requestId: string;
  channel: string;
  channelLabel: string;
  accountId: string;
  senderId: string;
  senderLabel: string;
  createdAt: number;
  expiresAt: number;
}

interface PairingList {
  accounts: Array<{ channel: string; channelLabel: string; accountId: string }>;
  requests: PairingRequest[];
}

/** The health states that make `channels status` exit 1 (src/channels/types.ts UNHEALTHY_STATES). */
const UNHEALTHY = new Set(['terminal-disconnect', 'ingress-unavailable', 'blocked', 'not-running', 'stuck', 'probe-failed', 'outbound-stuck']);

export function healthClass(a: AccountSnapshot): 'ok' | 'warn' | 'bad' {
  if (a.probe?.ok === false || UNHEALTHY.has(a.healthState ?? '')) return 'bad';
  return a.healthState === 'healthy' || a.healthState === 'busy' ? 'ok' : 'warn';
}

function loginCommand(channel: string, accountId: string): string {
  return `openclaw channels login --channel ${channel}${accountId && accountId !== 'default' ? ` --account ${accountId}` : ''}`;
}

export function ChannelsView({ client }: { client: GatewayClient }) {
  const now = useNow(5000);
  const [probe, setProbe] = useState(true);
  const status = useGatewayData<ChannelsStatus>(client, 'channels.status', { probe, timeoutMs: 10_000 }, [probe]);
  const pairing = useGatewayData<PairingList>(client, 'channels.pairing.list', {});
  useEffect(() => {
    const offs = ['channel.pairing.requested', 'channel.pairing.resolved'].map((e) => client.on(e, () => (pairing.reload(), status.reload())));
    // Events reach only subscribed scopes; a slow poll keeps the list right regardless.
    const t = setInterval(pairing.reload, 5000);
    return () => (offs.forEach((off) => off()), clearInterval(t));
  }, [client, pairing.reload, status.reload]);

  if (status.notAvailable) return <NotAvailable what="The channel layer" method="channels.status" />;
  const s = status.data;
  const channels = s ? s.channelOrder.filter((c) => s.channelAccounts[c]?.length) : [];
  return (
    <div class="channels-view">
      <div class="toolbar">
        <button type="button" class="secondary" disabled={status.loading} onClick={() => (probe ? status.reload() : setProbe(true))}>
          {status.loading ? 'Probing…' : 'Probe again'}
        </button>
        <span class="muted">{s ? `as of ${new Date(s.ts).toLocaleTimeString()} · same facts as ` : ''}<code>openclaw channels status --probe</code></span>
      </div>
      <ErrorText error={status.error} />
      {s?.warnings?.map((w) => <p key={w} class="error-text">{w}</p>)}
      <PairingRequests client={client} list={pairing.data} error={pairing.error} notAvailable={pairing.notAvailable} now={now} onDone={() => (pairing.reload(), status.reload())} />
      {s && channels.length === 0 && (
        <div class="empty-state">
          <p>No chat channel is configured.</p>
          <FixLine fix="openclaw channels add --channel telegram --token <bot-token>" />
        </div>
      )}
      <div class="cards">
        {channels.flatMap((c) =>
          s!.channelAccounts[c].map((a, i) => (
            <AccountCard key={`${c}:${a.accountId}`} client={client} onLinked={status.reload} channel={c} label={s!.channelLabels[c] ?? c} account={a} line={s!.statusLines?.[c]?.[i]} now={now}
              issues={(s!.statusIssues ?? []).filter((x) => x.channel === c && x.accountId === a.accountId)} />
          )),
        )}
      </div>
    </div>
  );
}

function AccountCard({ client, onLinked, channel, label, account: a, line, issues, now }: {
  client: GatewayClient; onLinked(): void; channel: string; label: string; account: AccountSnapshot; line?: string; now: number;
  issues: NonNullable<ChannelsStatus['statusIssues']>;
}) {
  const health = healthClass(a);
  // Kept when the refreshed status removes the link block, so the outcome stays readable.
  const [linkedNote, setLinkedNote] = useState<string | undefined>(undefined);
  const facts: [string, string | undefined][] = [
    ['State', [a.enabled ? 'enabled' : 'disabled', a.configured ? 'configured' : 'not configured', a.linked === undefined ? '' : a.linked ? 'linked' : 'not linked'].filter(Boolean).join(', ')],
    ['Listener', `${a.running ? 'running' : 'stopped'}, ${a.connected ? 'connected' : 'disconnected'}${a.mode ? ` (${a.mode})` : ''}`],
    ['Bot', a.bot?.username ? `@${a.bot.username.replace(/^@/, '')}` : undefined],
    ['DM policy', a.dmPolicy],
    ['Allowed senders', a.allowFrom?.length ? a.allowFrom.join(', ') : undefined],
    ['Last inbound', a.lastInboundAt ? relativeAge(now - a.lastInboundAt) : undefined],
    ['Last outbound', a.lastOutboundAt ? relativeAge(now - a.lastOutboundAt) : undefined],
    ['Health', a.healthState],
    ['Probe', a.probe ? (a.probe.ok ? `works${a.probe.elapsedMs !== undefined ? ` (${a.probe.elapsedMs} ms)` : ''}` : `failed: ${a.probe.error ?? 'no answer'}`) : undefined],
    ['Outbound queue', a.outbound && (a.outbound.pending || a.outbound.failed) ? `${a.outbound.pending} waiting, ${a.outbound.failed} failed` : undefined],
    ['Pending pairings', a.pendingPairing ? String(a.pendingPairing) : undefined],
    ['Last error', a.lastError ?? undefined],
  ];
  return (
    <article class={`card channel-card health-${health}`} data-channel={channel} data-account={a.accountId} data-health={health}>
      <header class="card-head">
        <h3>{label} <span class="muted">{a.accountId}{a.name ? ` (${a.name})` : ''}</span></h3>
        <span class={`badge badge-${health}`}>{health === 'ok' ? 'healthy' : health === 'warn' ? 'attention' : 'failing'}</span>
      </header>
      <dl class="facts">
        {facts.filter(([, v]) => v).map(([k, v]) => (
          <div key={k} data-fact={k}><dt>{k}</dt><dd>{v}</dd></div>
        ))}
      </dl>
      {issues.map((x) => (
        <div key={x.kind + x.message} class="card-issue">
          <p class={x.kind === 'pairing' ? 'muted' : 'error-text'}>{x.message}{x.kind === 'pairing' ? ' (approve or dismiss them above)' : ''}</p>
          {x.fix && x.kind !== 'pairing' && <FixLine fix={x.fix} />}
        </div>
      ))}
      {a.probe?.ok === false && a.probe.fix && <FixLine fix={a.probe.fix} />}
      {channel === 'whatsapp' && a.linked === false && (
        <div class="card-issue" data-whatsapp-login>
          <WhatsAppQrLogin client={client} accountId={a.accountId} onLinked={(message) => (setLinkedNote(message), onLinked())} />
          <p class="muted small">Or run this on the gateway host and scan the QR it prints in WhatsApp → Settings → Linked devices:</p>
          <FixLine fix={loginCommand(channel, a.accountId)} />
        </div>
      )}
      {linkedNote && <p class="ok-text" role="status" data-whatsapp-qr-result="linked">{linkedNote}</p>}
      {line && <code class="status-line" data-status-line>{line}</code>}
    </article>
  );
}

type QrState =
  | { phase: 'idle' }
  | { phase: 'starting' }
  | { phase: 'showing'; qrDataUrl: string; message: string }
  | { phase: 'failed'; message: string; fix?: string };

interface LoginAnswer { qrDataUrl?: string; message: string; connected?: boolean; fix?: string }

/** "Link with QR": the gateway's QR (rotated as WhatsApp rotates it) until the phone links or the code expires. */
function WhatsAppQrLogin({ client, accountId, onLinked }: { client: GatewayClient; accountId: string; onLinked(message: string): void }) {
  const [st, setSt] = useState<QrState>({ phase: 'idle' });
  const [alive] = useState({ on: true });
  useEffect(() => () => void (alive.on = false), [alive]);
  const run = async () => {
    setSt({ phase: 'starting' });
    try {
      const start = await client.request<LoginAnswer>('web.login.start', { accountId });
      let qr: string | undefined = start.qrDataUrl;
      if (!qr) {
        if (start.connected) return (setSt({ phase: 'idle' }), onLinked(start.message));
        return setSt({ phase: 'failed', message: start.message, fix: start.fix });
      }
      const instruction = start.message;
      while (alive.on && qr) {
        setSt({ phase: 'showing', qrDataUrl: qr, message: instruction });
        const r: LoginAnswer = await client.request<LoginAnswer>('web.login.wait', { accountId, timeoutMs: 25_000, currentQrDataUrl: qr });
        if (r.connected) return (setSt({ phase: 'idle' }), onLinked(r.message));
        if (!r.qrDataUrl) return setSt({ phase: 'failed', message: r.message, fix: r.fix });
        qr = r.qrDataUrl;
      }
    } catch (err) {
      const e = err as Error & { fix?: string };
      setSt({ phase: 'failed', message: e.message, fix: e.fix });
    }
  };
  if (st.phase === 'idle' || st.phase === 'starting') {
    return (
      <p>
        <button type="button" disabled={st.phase === 'starting'} onClick={run} data-whatsapp-qr-start>{st.phase === 'starting' ? 'Asking WhatsApp for a QR…' : 'Link with QR'}</button>
      </p>
    );
  }
  if (st.phase === 'showing') {
    return (
      <figure class="wa-qr" data-whatsapp-qr>
        <img src={st.qrDataUrl} width={264} height={264} alt={`WhatsApp link QR code for account ${accountId}. ${st.message}.`} />
        <figcaption aria-live="polite">{st.message}. Waiting for the phone…</figcaption>
      </figure>
    );
  }
  return (
    <div role="alert" data-whatsapp-qr-result="failed">
      <p class="error-text">{st.message}</p>
      {st.fix && <FixLine fix={st.fix} />}
      <button type="button" onClick={run} data-whatsapp-qr-start>Try again with a new QR</button>
    </div>
  );
}

function PairingRequests({ client, list, error, notAvailable, now, onDone }: {
  client: GatewayClient; list?: PairingList; error?: string; notAvailable: boolean; now: number; onDone(): void;
}) {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  if (notAvailable) return null;
  const requests = list?.requests ?? [];
  const act = async (r: PairingRequest, op: 'approve' | 'dismiss') => {
    setBusy(r.requestId);
    setResult(undefined);
    try {
      const params = { channel: r.channel, accountId: r.accountId, requestId: r.requestId, ...(op === 'approve' ? { notify: true } : {}) };
      const res = await client.request<{ notification?: string }>(`channels.pairing.${op}`, params);
      const told = res.notification === 'sent' ? ' and told them' : res.notification === 'failed' ? ' (the notification could not be delivered)' : '';
      setResult({ ok: true, text: op === 'approve' ? `Approved ${r.senderLabel}${told}; their next message is answered.` : `Dismissed ${r.senderLabel}.` });
    } catch (err) {
      setResult({ ok: false, text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(undefined);
      onDone();
    }
  };
  return (
    <section class="pairing-requests" aria-labelledby="pairing-h">
      <h2 id="pairing-h">DM access requests ({requests.length})</h2>
      <ErrorText error={error} />
      {list && list.accounts.length === 0 && <p class="muted">No account uses <code>dmPolicy: "pairing"</code>, so nobody can ask for access.</p>}
      {list && list.accounts.length > 0 && requests.length === 0 && <p class="muted">No pending requests. Unknown senders who message the bot appear here.</p>}
      <ul class="request-list">
        {requests.map((r) => (
          <li key={r.requestId} class="card request" data-request={r.requestId} data-sender={r.senderId}>
            <div>
              <strong>{r.senderLabel}</strong> <span class="muted">id {r.senderId} · {r.channelLabel} {r.accountId}</span>
              <div class="muted small">asked {relativeAge(now - r.createdAt)} · expires in {relativeAge(r.expiresAt - now, true)}</div>
            </div>
            <div class="actions">
              <button type="button" disabled={busy !== undefined} onClick={() => act(r, 'approve')} aria-label={`Approve ${r.senderLabel}`}>Approve</button>
              <button type="button" class="secondary" disabled={busy !== undefined} onClick={() => act(r, 'dismiss')} aria-label={`Dismiss ${r.senderLabel}`}>Dismiss</button>
            </div>
          </li>
        ))}
      </ul>
      {result && <p class={result.ok ? 'ok-text' : 'error-text'} role="status" data-pairing-result={result.ok ? 'ok' : 'failed'}>{result.text}</p>}
    </section>
  );
}
