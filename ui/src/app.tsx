// The shell: header with connection state, the banner, tabs, and the active view.
import { useEffect, useState } from 'preact/hooks';
import { ConnectionBanner, PasswordForm, TokenForm } from './components/ConnectionBanner.js';
import { switchGateway, type Session } from './gateway/session.js';
import { useConnState } from './hooks.js';
import { ChannelsView } from './views/Channels.js';
import { ChatView } from './views/Chat.js';
import { ConfigView } from './views/Config.js';
import { DevicesView } from './views/Devices.js';
import { LogsView } from './views/Logs.js';
import { StatusView } from './views/Status.js';

const TABS = ['chat', 'channels', 'devices', 'status', 'logs', 'config', 'settings'] as const;
type Tab = (typeof TABS)[number];

function tabFromHash(): Tab {
  const h = location.hash.replace(/^#\/?/, '');
  return (TABS as readonly string[]).includes(h) ? (h as Tab) : 'chat';
}

export function App({ session }: { session: Session }) {
  const state = useConnState(session.client);
  const [tab, setTab] = useState<Tab>(tabFromHash);
  useEffect(() => {
    const on = () => setTab(tabFromHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const connected = state.phase === 'connected';
  // Views stay mounted through a reconnect so a streaming reply and typed text survive it.
  const [everConnected, setEverConnected] = useState(false);
  useEffect(() => {
    if (connected) setEverConnected(true);
  }, [connected]);
  return (
    <div class="shell" data-phase={state.phase}>
      <header>
        <h1>OpenClaw</h1>
        <nav>
          {TABS.map((t) => (
            <a key={t} href={`#${t}`} class={t === tab ? 'active' : ''} data-tab={t}>
              {t[0].toUpperCase() + t.slice(1)}
            </a>
          ))}
        </nav>
        <span class={`pill pill-${state.phase}`} data-conn={state.phase}>
          {state.phase === 'connected' ? 'connected' : state.phase === 'failed' ? 'disconnected' : state.phase}
        </span>
      </header>
      {!window.isSecureContext && (
        <section class="banner banner-warn" data-kind="insecure">
          This page is not a secure context (plain HTTP away from localhost): the token travels in clear text. Use HTTPS or an SSH tunnel
          to <code>http://127.0.0.1</code>.
        </section>
      )}
      <ConnectionBanner state={state} session={session} />
      <main>
        {tab === 'settings' ? (
          <SettingsView session={session} />
        ) : everConnected || connected ? (
          <View tab={tab} session={session} />
        ) : (
          <p class="muted placeholder">The {tab} view appears once the gateway connection is up.</p>
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
          WebSocket URL <input name="gatewayUrl" value={url} onInput={(e) => setUrl(e.currentTarget.value)} size={40} />
        </label>
        <button type="submit">Switch</button>
      </form>
      {urlError && <p class="error-text">{urlError}</p>}
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
