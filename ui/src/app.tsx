// The shell: header with connection state, the banner (or the sign-in screen), tabs, and the
// active view. The nav collapses behind a menu button on narrow screens.
import { useEffect, useState } from 'preact/hooks';
import { CONN_WORDS, ConnectionBanner, PasswordForm, SignIn, TokenForm, connLook } from './components/ConnectionBanner.js';
import { isSignIn } from './gateway/failure.js';
import { switchGateway, type Session } from './gateway/session.js';
import { useConnState, usePendingPairings } from './hooks.js';
import { ChannelsView } from './views/Channels.js';
import { DeviceNameForm } from './components/DeviceNameForm.js';
import { applyTheme, storedTheme, type ThemeChoice } from './lib/theme.js';
import { ChatView } from './views/Chat.js';
import { ConfigView } from './views/Config.js';
import { DevicesView } from './views/Devices.js';
import { LogsView } from './views/Logs.js';
import { StatusView } from './views/Status.js';

// To add a view: its id here, a label in LABELS, and a case in View().
const TABS = ['chat', 'channels', 'devices', 'status', 'logs', 'config', 'settings'] as const;
type Tab = (typeof TABS)[number];
const LABELS: Record<Tab, string> = { chat: 'Chat', channels: 'Channels', devices: 'Devices', status: 'Status', logs: 'Logs', config: 'Config', settings: 'Settings' };

function tabFromHash(): Tab {
  const h = location.hash.replace(/^#\/?/, '');
  return (TABS as readonly string[]).includes(h) ? (h as Tab) : 'chat';
}

export function App({ session }: { session: Session }) {
  const state = useConnState(session.client);
  const [tab, setTab] = useState<Tab>(tabFromHash);
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  useEffect(() => {
    const on = () => {
      setTab(tabFromHash());
      setMenuOpen(false);
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const connected = state.phase === 'connected';
  const pending = usePendingPairings(session.client);
  const look = connLook(state);
  // Views stay mounted through a reconnect so a streaming reply and typed text survive it.
  const [everConnected, setEverConnected] = useState(false);
  useEffect(() => {
    if (connected) setEverConnected(true);
  }, [connected]);
  useEffect(() => {
    const what = look === 'connected' ? (pending > 0 ? `(${pending}) pairing` : LABELS[tab]) : look === 'signin' ? 'Sign in' : CONN_WORDS[look];
    document.title = `${what} · OpenClaw`;
  }, [look, pending, tab]);
  const failure = state.phase === 'failed' ? state.failure : undefined;
  const signIn = failure && isSignIn(failure) && !everConnected ? failure : undefined;
  return (
    <div class={`shell${menuOpen ? ' menu-open' : ''}`} data-phase={state.phase} onKeyDown={(e) => menuOpen && e.key === 'Escape' && setMenuOpen(false)}>
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header>
        <button type="button" class="secondary menu-toggle" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
          <span aria-hidden="true">☰</span><span class="sr-only">Menu</span>
        </button>
        <h1>
          <img src={new URL('./favicon.svg', import.meta.url).href} alt="" />
          OpenClaw
        </h1>
        <nav id="main-nav" aria-label="Views">
          {TABS.map((t) => (
            <a key={t} href={`#${t}`} class={t === tab ? 'active' : ''} aria-current={t === tab ? 'page' : undefined} data-tab={t} onClick={() => setMenuOpen(false)}>
              {LABELS[t]}
              {t === 'devices' && pending > 0 && (
                <span class="badge" data-pending={pending}>
                  {pending}
                  <span class="sr-only"> pending</span>
                </span>
              )}
            </a>
          ))}
        </nav>
        <div class="header-end">
          <span class={`pill pill-${look}`} data-conn={state.phase} role="status">
            {CONN_WORDS[look]}
          </span>
          <label class="theme-pick">
            <span class="sr-only">Theme</span>
            <select name="theme" value={theme} onChange={(e) => {
              const t = e.currentTarget.value as ThemeChoice;
              setTheme(t);
              applyTheme(t);
            }}>
              <option value="system">Auto</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </div>
      </header>
      {!window.isSecureContext && (
        <section class="banner banner-warn" data-kind="insecure">
          This page is not a secure context (plain HTTP away from localhost): the token travels in clear text. Use HTTPS or an SSH tunnel
          to <code>http://127.0.0.1</code>.
        </section>
      )}
      <ConnectionBanner state={state} session={session} />
      <main id="main" tabIndex={-1}>
        {tab === 'settings' ? (
          <SettingsView session={session} />
        ) : signIn ? (
          <SignIn failure={signIn} session={session} />
        ) : everConnected || connected ? (
          <View tab={tab} session={session} />
        ) : (
          <p class="muted placeholder">The {LABELS[tab]} view appears once the gateway connection is up.</p>
        )}
      </main>
    </div>
  );
}

function View({ tab, session }: { tab: Tab; session: Session }) {
  const client = session.client;
  switch (tab) {
    case 'channels':
      return <ChannelsView client={client} />;
    case 'devices':
      return <DevicesView client={client} />;
    case 'status':
      return <StatusView client={client} />;
    case 'logs':
      return <LogsView client={client} />;
    case 'config':
      return <ConfigView client={client} />;
    default:
      return <ChatView client={client} />;
  }
}

function SettingsView({ session }: { session: Session }) {
  const [url, setUrl] = useState(session.gatewayUrl);
  const [urlError, setUrlError] = useState<string | undefined>(undefined);
  return (
    <div class="settings">
      <h2>Gateway</h2>
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        if (!switchGateway(url)) setUrlError('Enter a ws://, wss://, http:// or https:// URL, e.g. ws://127.0.0.1:18789');
      }}>
        <label>
          WebSocket URL <input name="gatewayUrl" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
        <button type="submit">Switch</button>
      </form>
      {urlError && <p class="error-text" role="alert">{urlError}</p>}
      <h2>This browser</h2>
      <DeviceNameForm label="Device name" savedText="Saved; it is proposed the next time this browser pairs (rename a paired one in Devices)." />
      <h2>Credentials</h2>
      <p class="muted">
        {session.hasToken() ? 'A gateway token is saved for this gateway.' : 'No gateway token saved.'} Tokens are stored in this browser only and sent only to{' '}
        <code>{session.gatewayUrl}</code>.
      </p>
      <TokenForm session={session} />
      {session.hasToken() && (
        <button type="button" class="secondary" onClick={() => session.setToken(undefined)}>Forget saved token</button>
      )}
      <PasswordForm session={session} />
    </div>
  );
}
