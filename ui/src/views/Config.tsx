// Config: the gateway's redacted config, and edits sent as a JSON merge patch that the gateway
// validates; its rejection (message and issues) is shown as-is.
import { useEffect, useState } from 'preact/hooks';
import { FixLine } from '../components/CopyButton.js';
import { ErrorText, NotAvailable } from '../components/NotAvailable.js';
import { GatewayRequestError, type GatewayClient } from '../gateway/client.js';
import { useGatewayData } from '../hooks.js';

interface ConfigSnapshot {
  path?: string;
  exists?: boolean;
  config?: unknown;
  hash?: string;
  valid?: boolean;
  issues?: unknown[];
}

function issueText(issue: unknown): string {
  if (typeof issue === 'string') return issue;
  if (issue && typeof issue === 'object') {
    const i = issue as { path?: unknown; message?: unknown };
    const path = Array.isArray(i.path) ? i.path.join('.') : typeof i.path === 'string' ? i.path : '';
    return `${path ? `${path}: ` : ''}${String(i.message ?? JSON.stringify(issue))}`;
  }
  return String(issue);
}

export function ConfigView({ client }: { client: GatewayClient }) {
  const snap = useGatewayData<ConfigSnapshot>(client, 'config.get', {});
  const [patch, setPatch] = useState('{\n  \n}');
  const [result, setResult] = useState<{ ok: boolean; text: string; issues?: string[]; fix?: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  useEffect(() => client.on('config.changed', snap.reload), [client, snap.reload]);

  if (snap.notAvailable) return <NotAvailable what="Config" method="config.get" />;

  const apply = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setResult(undefined);
    try {
      await client.request('config.patch', { raw: patch, ...(snap.data?.hash ? { baseHash: snap.data.hash } : {}) });
      setResult({ ok: true, text: 'Saved. The gateway validated and applied the change.' });
      snap.reload();
    } catch (err) {
      const details = err instanceof GatewayRequestError ? err.details : undefined;
      const issues = Array.isArray(details?.issues) ? details!.issues.map(issueText) : undefined;
      const fix = typeof details?.fix === 'string' ? details.fix : undefined;
      setResult({ ok: false, text: err instanceof Error ? err.message : String(err), issues, fix });
    } finally {
      setBusy(false);
    }
  };

  const d = snap.data;
  return (
    <div class="config">
      <ErrorText error={snap.error} />
      <p class="muted">
        {d?.path ?? ''} {d?.hash ? `· hash ${d.hash.slice(0, 12)}` : ''} {d?.valid === false ? '· INVALID' : ''} · secrets are redacted
      </p>
      {d?.issues && d.issues.length > 0 && (
        <ul class="issues">{d.issues.map((i, k) => <li key={k}>{issueText(i)}</li>)}</ul>
      )}
      <div class="config-grid">
        <section>
          <h3>Current (redacted)</h3>
          <pre class="config-view" tabIndex={0} aria-label="Current configuration">{d ? JSON.stringify(d.config ?? {}, null, 2) : 'loading…'}</pre>
        </section>
        <section>
          <h3>Change</h3>
          <form onSubmit={apply}>
            <p class="muted">
              A JSON merge patch: keys you write replace the current values, <code>null</code> deletes a key.
              Example: <code>{'{"gateway": {"controlUi": {"allowedOrigins": ["https://example.com"]}}}'}</code>
            </p>
            <textarea name="patch" class="config-edit" aria-label="JSON merge patch" rows={14} spellcheck={false} value={patch} onInput={(e) => setPatch(e.currentTarget.value)} />
            <button type="submit" disabled={busy}>{busy ? 'Validating…' : 'Validate & apply'}</button>
          </form>
          {result && (
            <div class={result.ok ? 'ok-text' : 'error-text'} role="status" data-config-result={result.ok ? 'ok' : 'rejected'}>
              <p>{result.ok ? result.text : `Rejected by the gateway: ${result.text}`}</p>
              {result.issues && <ul>{result.issues.map((i) => <li key={i}>{i}</li>)}</ul>}
              {result.fix && <FixLine fix={result.fix} />}
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
