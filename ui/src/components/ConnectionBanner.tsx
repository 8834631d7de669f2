// The connection banner: state, close code and reason, one sentence of cause, the exact fix with
// a copy button, and what happens next (retry countdown or a form for the missing secret).
import { useState } from 'preact/hooks';
import type { ConnState } from '../gateway/client.js';
import type { Session } from '../gateway/session.js';
import { useNow } from '../hooks.js';
import { FixLine } from './CopyButton.js';

export function ConnectionBanner({ state, session }: { state: ConnState; session: Session }) {
  const now = useNow(250);
  if (state.phase === 'connected' || state.phase === 'idle') return null;
  if (state.phase === 'connecting' && !state.lastFailure) {
    return (
      <section class="banner banner-info" data-state="connecting" aria-live="polite">
        <strong class="banner-title">connecting…</strong>
        <span class="muted"> {session.gatewayUrl}</span>
      </section>
    );
  }
  // While a retry runs, the last failure stays on screen so the banner does not flicker.
  const f = state.phase === 'failed' ? state.failure : state.lastFailure!;
  const retrying = state.phase === 'connecting';
  const seconds = state.phase === 'failed' && state.retryAt !== null ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : null;
  return (
    <section class="banner banner-error" data-state="failed" data-kind={f.kind} data-request-id={f.requestId ?? ''} role="alert">
      <div class="banner-head">
        <strong class="banner-title">{f.title}</strong>
        {f.closeCode !== undefined && (
          <span class="banner-close" data-close-code={f.closeCode}>
            disconnected ({f.closeCode}){f.closeReason ? `: ${f.closeReason}` : ''}
          </span>
        )}
      </div>
      {f.requestId && (
        <p>
          Pairing request <code class="request-id">{f.requestId}</code> is waiting for approval on the gateway host.
        </p>
      )}
      <p class="banner-cause">{f.cause}</p>
      <FixLine fix={f.fix} />
      {f.kind === 'origin' && (
        <p class="muted">
          This page's origin is <code>{location.origin}</code>; the gateway refuses browser connections from origins it does not list.
        </p>
      )}
      {f.kind === 'abnormal' && (
        <ul class="checklist muted">
          <li>Is the gateway running? <code>openclaw gateway status</code></li>
          <li>Is <code>{session.gatewayUrl}</code> the right address and port?</li>
          <li>Behind a reverse proxy: does it forward WebSocket upgrades (Upgrade/Connection headers)?</li>
        </ul>
      )}
      {(f.kind === 'auth-token' || f.kind === 'bootstrap' || f.kind === 'device-token') && <TokenForm session={session} />}
      {f.kind === 'auth-password' && <PasswordForm session={session} />}
      <p class="banner-next muted">
        {retrying
          ? 'Checking again now…'
          : seconds === null
          ? 'Not retrying until you change something.'
          : f.kind === 'pairing'
            ? `Waiting for approval — checking again in ${seconds} s.`
            : f.kind === 'rate-limited'
              ? `Locked out — retrying in ${seconds} s.`
              : `Reconnecting in ${seconds} s (attempt ${state.attempt + 1}).`}{' '}
        <button type="button" class="link" onClick={() => session.client.retryNow()}>
          Retry now
        </button>
      </p>
    </section>
  );
}

export function TokenForm({ session }: { session: Session }) {
  const [token, setToken] = useState('');
  return (
    <form
      class="inline-form token-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (token.trim()) session.setToken(token.trim());
        setToken('');
      }}
    >
      <label>
        Gateway token{' '}
        <input name="token" type="password" autocomplete="off" placeholder="paste gateway.auth.token" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      </label>
      <button type="submit">Connect</button>
      <span class="muted">
        Show it on the gateway host: <code>openclaw config get gateway.auth.token --show-secrets</code>
      </span>
    </form>
  );
}

export function PasswordForm({ session }: { session: Session }) {
  const [password, setPassword] = useState('');
  return (
    <form
      class="inline-form password-form"
      onSubmit={(e) => {
        e.preventDefault();
        session.setPassword(password);
        setPassword('');
      }}
    >
      <label>
        Gateway password{' '}
        <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <button type="submit">Connect</button>
    </form>
  );
}
