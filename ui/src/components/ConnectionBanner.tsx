// The connection banner: state, close code and reason, one sentence of cause, the exact fix with
// a copy button, and what happens next (retry countdown or a form for the missing secret). A
// browser that has no secret yet gets the sign-in screen instead; a pairing wait is calm, not red.
import { useState } from 'preact/hooks';
import type { ConnState } from '../gateway/client.js';
import { isSignIn, type Failure } from '../gateway/failure.js';
import type { Session } from '../gateway/session.js';
import { useNow } from '../hooks.js';
import { FixLine } from './CopyButton.js';
import { DeviceNameForm } from './DeviceNameForm.js';

export type ConnLook = 'connected' | 'connecting' | 'signin' | 'waiting' | 'failed';

/** The one-word state for the header pill and the document title. */
export function connLook(state: ConnState): ConnLook {
  if (state.phase === 'connected') return 'connected';
  const f = state.phase === 'failed' ? state.failure : state.phase === 'connecting' ? state.lastFailure : undefined;
  if (!f) return 'connecting';
  if (isSignIn(f)) return 'signin';
  if (f.kind === 'pairing') return 'waiting';
  return state.phase === 'failed' ? 'failed' : 'connecting';
}

export const CONN_WORDS: Record<ConnLook, string> = {
  connected: 'connected',
  connecting: 'connecting',
  signin: 'signed out',
  waiting: 'waiting for approval',
  failed: 'disconnected',
};

/** Stop and restart are expected events, not errors; pairing is a wait. */
function tone(f: Failure): 'error' | 'warn' | 'wait' {
  if (f.kind === 'pairing') return 'wait';
  if (f.kind === 'restart' || f.kind === 'stopped' || f.kind === 'idle') return 'warn';
  return 'error';
}

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
  if (isSignIn(f)) return null; // the shell shows <SignIn> instead
  const retrying = state.phase === 'connecting';
  const seconds = state.phase === 'failed' && state.retryAt !== null ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : null;
  const t = tone(f);
  return (
    <section class={`banner banner-${t}`} data-state="failed" data-kind={f.kind} data-request-id={f.requestId ?? ''} role={t === 'error' ? 'alert' : 'status'}>
      <div class="banner-head">
        {t === 'wait' && <span class="spinner" aria-hidden="true" />}
        <strong class="banner-title">{f.title}</strong>
        {f.closeCode !== undefined && (
          <span class="banner-close" data-close-code={f.closeCode}>
            disconnected ({f.closeCode}){f.closeReason ? `: ${f.closeReason}` : ''}
          </span>
        )}
      </div>
      {f.requestId && (
        <>
          <p>
            This browser is new to the gateway. Pairing request <code class="request-id">{f.requestId}</code> is waiting for approval; this page
            connects by itself once it is approved.
          </p>
          <p class="muted">Approve it on the gateway host with the command below, or from the Devices view of a browser that is already paired.</p>
          <DeviceNameForm label="Name shown to the approver" savedText="Saved; sent with the next check." onSaved={() => session.client.retryNow()} />
        </>
      )}
      {!f.requestId && <p class="banner-cause">{f.cause}</p>}
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
      <p class="banner-next muted" aria-live="off">
        {retrying
          ? 'Checking again now…'
          : seconds === null
          ? 'Not retrying until you change something.'
          : f.kind === 'pairing'
            ? `Waiting for approval — checking again in ${seconds} s.`
            : f.kind === 'rate-limited'
              ? `Locked out — retrying in ${seconds} s.`
              : f.kind === 'stopped'
                ? `Reconnecting when it is back — next try in ${seconds} s.`
                : `Reconnecting in ${seconds} s (attempt ${state.attempt + 1}).`}{' '}
        <button type="button" class="link" onClick={() => session.client.retryNow()}>
          Retry now
        </button>
      </p>
    </section>
  );
}

/** First visit (no secret sent yet): how to get in, without an error. */
export function SignIn({ failure, session }: { failure: Failure; session: Session }) {
  const password = failure.detailCode === 'AUTH_PASSWORD_MISSING';
  return (
    <section class="signin" data-state="signin" data-kind={failure.kind} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in to this gateway</h2>
      <p class="muted">
        This browser has no credentials for <code>{session.gatewayUrl}</code> yet.
      </p>
      <ol>
        <li>
          On the gateway host, run <code>openclaw dashboard</code>. It opens this page with a one-time sign-in link (or prints it); you can
          also paste that link into this tab's address bar.
          <FixLine fix="openclaw dashboard" />
        </li>
        <li>
          {password ? 'Or enter the gateway password:' : 'Or paste the gateway token (or the whole sign-in link):'}
          {password ? <PasswordForm session={session} /> : <TokenForm session={session} />}
        </li>
      </ol>
      <p class="muted">Credentials are kept in this browser only and sent only to this gateway.</p>
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
        const value = token.trim();
        setToken('');
        // A whole link (…/#bootstrap=… or #token=…): hand its fragment to the hashchange reader.
        if (/^https?:\/\/.*#.*\b(bootstrap|token)=/.test(value)) location.hash = new URL(value).hash;
        else if (value) session.setToken(value);
      }}
    >
      <label>
        Gateway token{' '}
        <input name="token" type="password" autocomplete="off" placeholder="paste gateway.auth.token" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      </label>
      <button type="submit">Connect</button>
      <span class="muted token-hint">
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
