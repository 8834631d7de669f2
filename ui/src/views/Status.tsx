// Status: gateway version, auth mode, bind, uptime and the connected clients (system-presence).
import { useEffect, useRef } from 'preact/hooks';
import { ErrorText } from '../components/NotAvailable.js';
import type { GatewayClient } from '../gateway/client.js';
import { useGatewayData, useNow } from '../hooks.js';
import { StatusHealth } from './StatusHealth.js';

interface PresenceEntry {
  host?: string;
  ip?: string;
  version?: string;
  platform?: string;
  mode?: string;
  reason?: string;
  ts: number;
  deviceId?: string;
  instanceId?: string;
  roles?: string[];
  text?: string;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return [d && `${d}d`, (d || h) && `${h}h`, `${m}m`, `${s % 60}s`].filter(Boolean).join(' ');
}

function flatten(value: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, Array.isArray(value) ? value.join(', ') : String(value)]);
  return out;
}

export function StatusView({ client }: { client: GatewayClient }) {
  const now = useNow(1000);
  const status = useGatewayData<Record<string, unknown>>(client, 'status', {});
  const loadedAt = useRef(Date.now());
  useEffect(() => void (loadedAt.current = Date.now()), [status.data]);
  const presence = useGatewayData<{ presence?: PresenceEntry[] } | PresenceEntry[]>(client, 'system-presence', {});
  useEffect(() => client.on('presence', presence.reload), [client, presence.reload]);
  const hello = client.hello;
  const snap = hello?.snapshot ?? {};
  const connectedAt = client.state.phase === 'connected' ? client.state.connectedAt : now;
  const s = status.data ?? {};
  const baseUptime = typeof s.uptimeMs === 'number' ? s.uptimeMs : snap.uptimeMs;
  const uptimeMs = typeof baseUptime === 'number' ? baseUptime + (now - (status.data ? loadedAt.current : connectedAt)) : undefined;
  const gw = (s.gateway as Record<string, unknown> | undefined) ?? {};
  const rows: [string, unknown][] = [
    ['Gateway version', hello?.server.version],
    ['Auth mode', gw.authMode ?? (s.auth as { mode?: string } | undefined)?.mode ?? snap.authMode],
    ['Bind', [gw.bind, gw.host !== undefined ? `(${gw.host}:${gw.port})` : ''].filter(Boolean).join(' ')],
    ['Gateway mode', gw.mode],
    ['Uptime', uptimeMs !== undefined ? formatDuration(uptimeMs) : undefined],
    ['Connection', hello?.server.connId],
    ['Resume', hello?.resume ? `session ${hello.resume.sessionId.slice(0, 8)}…, ${hello.resume.replayed} replayed` : 'not offered'],
  ];
  const list = Array.isArray(presence.data) ? presence.data : (presence.data?.presence ?? (snap.presence as PresenceEntry[] | undefined) ?? []);
  const clients = list.filter((p) => p.reason !== 'disconnect');
  return (
    <div class="status">
      <ErrorText error={status.error} />
      <dl class="kv">
        {rows.map(([k, v]) => (
          <div key={k} data-key={k}>
            <dt>{k}</dt>
            <dd>{v === undefined || v === null || v === '' ? '—' : String(v)}</dd>
          </div>
        ))}
      </dl>
      <h2>Connected clients ({clients.length})</h2>
      <ErrorText error={presence.error} />
      <table class="presence-table">
        <thead>
          <tr><th>Client</th><th>Platform</th><th>Version</th><th>Address</th><th>Device</th><th>Since</th></tr>
        </thead>
        <tbody>
          {clients.map((p, i) => (
            <tr key={p.deviceId ?? p.instanceId ?? i}>
              <td data-label="Client">{p.mode ?? p.text ?? '—'}</td>
              <td data-label="Platform">{p.platform ?? '—'}</td>
              <td data-label="Version">{p.version ?? '—'}</td>
              <td data-label="Address">{p.ip ?? p.host ?? '—'}</td>
              <td data-label="Device"><code>{p.deviceId ? `${p.deviceId.slice(0, 12)}…` : '—'}</code></td>
              <td data-label="Since">{new Date(p.ts).toLocaleTimeString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <StatusHealth client={client} />
      {status.data && (
        <details>
          <summary>Full status</summary>
          <dl class="kv small">
            {flatten(status.data).map(([k, v]) => (
              <div key={k}><dt>{k}</dt><dd>{v}</dd></div>
            ))}
          </dl>
        </details>
      )}
    </div>
  );
}
