// Devices: pending requests (approve / reject) and paired devices (rename / revoke / remove),
// refreshed live by device.pair.requested / device.pair.resolved events. Tables turn into cards
// on narrow screens (class "cards" + data-label); times are relative, the exact one on hover.
import { useEffect, useState } from 'preact/hooks';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import type { GatewayClient } from '../gateway/client.js';
import { useGatewayData, useNow } from '../hooks.js';
import { exactTime, relativeTime } from '../lib/time.js';

interface Pending {
  requestId: string;
  deviceId: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  role?: string;
  scopes?: string[];
  remoteIp?: string;
  ts?: number;
  isRepair?: boolean;
}

interface Paired {
  deviceId: string;
  displayName?: string;
  platform?: string;
  clientId?: string;
  roles?: string[];
  scopes?: string[];
  remoteIp?: string;
  approvedAtMs?: number;
  lastSeenAtMs?: number;
  tokens?: Record<string, { role?: string; revokedAtMs?: number }> | { role: string; revokedAtMs?: number }[];
}

const short = (id: string) => (id.length > 16 ? `${id.slice(0, 12)}…` : id);
function When({ ms, now }: { ms?: number; now: number }) {
  if (!ms) return <>—</>;
  return <time dateTime={new Date(ms).toISOString()} title={exactTime(ms)}>{relativeTime(ms, now)}</time>;
}

function tokenRoles(d: Paired): { role: string; revoked: boolean }[] {
  const t = d.tokens;
  if (!t) return (d.roles ?? []).map((role) => ({ role, revoked: false }));
  const list = Array.isArray(t) ? t : Object.entries(t).map(([role, v]) => ({ ...v, role: v.role ?? role }));
  return list.map((x) => ({ role: x.role ?? 'operator', revoked: !!x.revokedAtMs }));
}

export function DevicesView({ client }: { client: GatewayClient }) {
  const list = useGatewayData<{ pending?: Pending[]; paired?: Paired[] }>(client, 'device.pair.list', {});
  const [error, setError] = useState<string | undefined>(undefined);
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const [name, setName] = useState('');
  const now = useNow(15_000);

  useEffect(() => {
    const offs = [client.on('device.pair.requested', list.reload), client.on('device.pair.resolved', list.reload)];
    return () => offs.forEach((off) => off());
  }, [client, list.reload]);

  if (list.notAvailable) return <NotAvailable what="Device management" method="device.pair.list" />;

  const act = async (method: string, params: Record<string, unknown>) => {
    setError(undefined);
    try {
      await client.request(method, params);
    } catch (err) {
      setError(`${method}: ${err instanceof Error ? err.message : String(err)}`);
    }
    list.reload();
  };

  const pending = list.data?.pending ?? [];
  const paired = list.data?.paired ?? [];
  return (
    <div class="devices">
      <ErrorText error={error ?? list.error} />
      <h2>Pending requests ({pending.length})</h2>
      {pending.length === 0 ? (
        <p class="muted">No device is waiting for approval.</p>
      ) : (
        <table class="pending-table cards">
          <thead>
            <tr>
              <th>Request</th><th>Device</th><th>Client</th><th>Role / scopes</th><th>From</th><th>Asked</th><th><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {pending.map((p) => (
              <tr key={p.requestId} data-request-id={p.requestId} data-device-id={p.deviceId}>
                <td data-label="Request"><code title={p.requestId}>{short(p.requestId)}</code>{p.isRepair && <span class="tag">upgrade</span>}</td>
                <td data-label="Device">{p.displayName ?? <code title={p.deviceId}>{short(p.deviceId)}</code>}</td>
                <td data-label="Client">{[p.clientId, p.platform].filter(Boolean).join(' · ')}</td>
                <td data-label="Role / scopes">{p.role ?? 'operator'} <span class="muted">{(p.scopes ?? []).join(', ')}</span></td>
                <td data-label="From">{p.remoteIp ?? '—'}</td>
                <td data-label="Asked"><When ms={p.ts} now={now} /></td>
                <td class="actions">
                  <button type="button" class="approve" aria-label={`Approve ${p.displayName ?? short(p.deviceId)}`} onClick={() => act('device.pair.approve', { requestId: p.requestId })}>Approve</button>
                  <button type="button" class="danger" aria-label={`Reject ${p.displayName ?? short(p.deviceId)}`} onClick={() => act('device.pair.reject', { requestId: p.requestId })}>Reject</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Paired devices ({paired.length})</h2>
      {paired.length === 0 ? (
        <p class="muted">No paired devices.</p>
      ) : (
        <table class="paired-table cards">
          <thead>
            <tr>
              <th>Name</th><th>Device</th><th>Client</th><th>Tokens</th><th>Approved</th><th>Last seen</th><th><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {paired.map((d) => (
              <tr key={d.deviceId} data-device-id={d.deviceId}>
                <td data-label="Name">
                  {renaming === d.deviceId ? (
                    <form class="inline-form" onSubmit={(e) => {
                      e.preventDefault();
                      setRenaming(undefined);
                      void act('device.pair.rename', { deviceId: d.deviceId, name: name.trim() });
                    }}>
                      <input name="displayName" aria-label="Device name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
                      <button type="submit">Save</button>
                    </form>
                  ) : (
                    <>{d.displayName ?? <span class="muted">unnamed</span>}{client.deviceId === d.deviceId && <span class="tag">this browser</span>}</>
                  )}
                </td>
                <td data-label="Device"><code title={d.deviceId}>{short(d.deviceId)}</code></td>
                <td data-label="Client">{[d.clientId, d.platform].filter(Boolean).join(' · ')}</td>
                <td data-label="Tokens">
                  {tokenRoles(d).map((t) => (
                    <span key={t.role} class={`tag ${t.revoked ? 'revoked' : ''}`}>
                      {t.role}{t.revoked ? ' (revoked)' : ''}
                      {!t.revoked && (
                        <button type="button" class="link" aria-label={`Revoke the ${t.role} token of ${d.displayName ?? short(d.deviceId)}`} onClick={() => {
                          const self = client.deviceId === d.deviceId ? ' This is the browser you are using: it will be signed out.' : '';
                          if (confirm(`Revoke the ${t.role} token of ${d.displayName ?? short(d.deviceId)}? It stays paired but must sign in again.${self}`)) void act('device.token.revoke', { deviceId: d.deviceId, role: t.role });
                        }}>revoke</button>
                      )}
                    </span>
                  ))}
                </td>
                <td data-label="Approved"><When ms={d.approvedAtMs} now={now} /></td>
                <td data-label="Last seen"><When ms={d.lastSeenAtMs} now={now} /></td>
                <td class="actions">
                  <button type="button" class="secondary" aria-label={`Rename ${d.displayName ?? short(d.deviceId)}`} onClick={() => { setRenaming(d.deviceId); setName(d.displayName ?? ''); }}>Rename</button>
                  <button type="button" class="danger" aria-label={`Remove ${d.displayName ?? short(d.deviceId)}`} onClick={() => { if (confirm(`Remove device ${short(d.deviceId)}? It will have to pair again.`)) void act('device.pair.remove', { deviceId: d.deviceId }); }}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
