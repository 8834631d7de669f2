// Start-up wiring: take credentials out of the address bar once, pick the gateway URL, and build
// the one GatewayClient the views share. Secrets are removed from history before anything else.
import { loadDeviceIdentity } from '../crypto/device-identity.js';
import { storedDeviceName } from '../lib/device-name.js';
import { GatewayClient, type ConnectAuth } from './client.js';
import { credentialStore, defaultGatewayUrl, normalizeGatewayUrl, readUrlCredentials } from './credentials.js';

declare const __UI_VERSION__: string;

export interface Session {
  client: GatewayClient;
  gatewayUrl: string;
  /** Save a shared token (or clear it) and reconnect at once. */
  setToken(token: string | undefined): void;
  setPassword(password: string | undefined): void;
  hasToken(): boolean;
}

/** Reads and strips #token= / ?token= / #bootstrap= / gatewayUrl= from the current address. */
function stripUrlCredentials() {
  const creds = readUrlCredentials(location.href);
  if (creds.cleanedUrl !== location.href) history.replaceState(history.state, '', creds.cleanedUrl);
  return creds;
}

function takeUrlCredentials(): { bootstrap?: string; gatewayUrl: string } {
  const creds = stripUrlCredentials();
  // A gatewayUrl from a link applies to this page load only (a stray link cannot repoint the UI
  // for good); Settings → Switch stores one.
  const fromUrl = creds.gatewayUrl ? normalizeGatewayUrl(creds.gatewayUrl) : null;
  const gatewayUrl = fromUrl ?? credentialStore.gatewayUrl() ?? defaultGatewayUrl(location);
  if (creds.token) credentialStore.update(gatewayUrl, { token: creds.token });
  return { bootstrap: creds.bootstrap, gatewayUrl };
}

export function createSession(): Session {
  const { bootstrap, gatewayUrl } = takeUrlCredentials();
  let bootstrapCode = bootstrap;
  const auth = (): ConnectAuth => {
    const c = credentialStore.get(gatewayUrl);
    return { token: c.token, deviceToken: c.deviceToken, bootstrapToken: bootstrapCode, password: credentialStore.password(gatewayUrl) };
  };
  const client = new GatewayClient({
    url: gatewayUrl,
    clientVersion: typeof __UI_VERSION__ === 'string' ? __UI_VERSION__ : '0.0.0',
    origin: location.origin,
    identity: loadDeviceIdentity,
    auth,
    displayName: storedDeviceName,
    onHello(hello, usedBootstrap) {
      if (usedBootstrap) bootstrapCode = undefined; // single use: consumed by the gateway
      if (hello.auth?.deviceToken) credentialStore.update(gatewayUrl, { deviceToken: hello.auth.deviceToken, deviceTokenScopes: hello.auth.scopes });
    },
    onDeviceTokenRejected() {
      credentialStore.update(gatewayUrl, { deviceToken: undefined, deviceTokenScopes: undefined });
    },
  });
  client.onState((s) => {
    if (s.phase === 'failed' && s.failure.kind === 'bootstrap') bootstrapCode = undefined;
  });
  // A sign-in link pasted into this open tab only changes the fragment: read it here too.
  addEventListener('hashchange', () => {
    const creds = stripUrlCredentials();
    if (!creds.token && !creds.bootstrap) return;
    if (creds.token) credentialStore.update(gatewayUrl, { token: creds.token });
    if (creds.bootstrap) bootstrapCode = creds.bootstrap;
    client.retryNow();
  });
  return {
    client,
    gatewayUrl,
    setToken(token) {
      credentialStore.update(gatewayUrl, { token: token || undefined });
      client.retryNow();
    },
    setPassword(password) {
      credentialStore.setPassword(gatewayUrl, password || undefined);
      client.retryNow();
    },
    hasToken: () => !!credentialStore.get(gatewayUrl).token,
  };
}

/** Switch gateways: the new URL is stored and the page restarts cleanly with it. */
export function switchGateway(url: string): boolean {
  const normalized = normalizeGatewayUrl(url);
  if (!normalized) return false;
  credentialStore.setGatewayUrl(normalized);
  location.reload();
  return true;
}
