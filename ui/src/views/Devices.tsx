// Devices: pending requests (approve / reject) and paired devices (rename / revoke / remove),
// refreshed live by device.pair.requested / device.pair.resolved events.
import { useEffect, useState } from 'preact/hooks';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import type { GatewayClient } from '../gateway/client.js';
import { useGatewayData } from '../hooks.js';

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
const when = (ms?: number) => (ms ? new Date(ms).toLocaleString() : '—');

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
        <table class="pending-table">
          <thead>
            <tr>
              <th>Request</th><th>Device</th><th>Client</th><th>Role / scopes</th><th>From</th><th>Asked</th><th />
            </tr>
          </thead>
          <tbody>
            {pending.map((p) => (
              <tr key={p.requestId} data-request-id={p.requestId} data-device-id={p.deviceId}>
                <td><code title={p.requestId}>{short(p.requestId)}</code>{p.isRepair && <span class="tag">upgrade</span>}</td>
                <td>{p.displayName ?? <code title={p.deviceId}>{short(p.deviceId)}</code>}</td>
                <td>{[p.clientId, p.platform].filter(Boolean).join(' · ')}</td>
                <td>{p.role ?? 'operator'} <span class="muted">{(p.scopes ?? []).join(', ')}</span></td>
                <td>{p.remoteIp ?? '—'}</td>
                <td>{when(p.ts)}</td>
                <td class="actions">
                  <button type="button" class="approve" onClick={() => act('device.pair.approve', { requestId: p.requestId })}>Approve</button>
                  <button type="button" class="danger" onClick={() => act('device.pair.reject', { requestId: p.requestId })}>Reject</button>
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
        <table class="paired-table">
          <thead>
            <tr>
              <th>Name</th><th>Device</th><th>Client</th><th>Tokens</th><th>Approved</th><th>Last seen</th><th />
            </tr>
          </thead>
          <tbody>
            {paired.map((d) => (
              <tr key={d.deviceId} data-device-id={d.deviceId}>
                <td>
                  {renaming === d.deviceId ? (
                    <form class="inline-form" onSubmit={(e) => {
                      e.preventDefault();
                      setRenaming(undefined);
                      void act('device.pair.rename', { deviceId: d.deviceId, name: name.trim() });
                    }}>
                      <input name="displayName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
                      <button type="submit">Save</button>
                    </form>
                  ) : (
                    <>{d.displayName ?? <span class="muted">unnamed</span>}{client.deviceId === d.deviceId && <span class="tag">this browser</span>}</>
                  )}
                </td>
                <td><code title={d.deviceId}>{short(d.deviceId)}</code></td>
                <td>{[d.clientId, d.platform].filter(Boolean).join(' · ')}</td>
                <td>
                  {tokenRoles(d).map((t) => (
                    <span key={t.role} class={`tag ${t.revoked ? 'revoked' : ''}`}>
                      {t.role}{t.revoked ? ' (revoked)' : ''}
                      {!t.revoked && (
                        <button type="button" class="link" title={`Revoke the ${t.role} token`} onClick={() => act('device.token.revoke', { deviceId: d.deviceId, role: t.role })}>revoke</button>
                      )}
                    </span>
                  ))}
                </td>
                <td>{when(d.approvedAtMs)}</td>
                <td>{when(d.lastSeenAtMs)}</td>
                <td class="actions">
                  <button type="button" class="secondary" onClick={() => { setRenaming(d.deviceId); setName(d.displayName ?? ''); }}>Rename</button>
                  <button type="button" class="danger" onClick={() => { if (confirm(`Remove device ${short(d.deviceId)}? It will have to pair again.`)) void act('device.pair.remove', { deviceId: d.deviceId }); }}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
