// Where the Control UI keeps what it needs to connect: the gateway URL, the shared token (typed or
// taken once from the address bar), the device token from hello-ok and a one-shot bootstrap code.
// Everything is keyed by gateway URL, so a credential is only ever sent to the gateway it came for.

export interface UrlCredentials {
  token?: string;
  bootstrap?: string;
  gatewayUrl?: string;
  /** The address with those parameters removed (for history.replaceState). */
  cleanedUrl: string;
}

const URL_KEYS = ['token', 'bootstrap', 'gatewayUrl'] as const;

/** Reads `#token=`/`?token=`, `#bootstrap=` and `gatewayUrl` from an address, and strips them. */
export function readUrlCredentials(href: string): UrlCredentials {
  const url = new URL(href);
  const hash = new URLSearchParams(url.hash.replace(/^#\/?/, ''));
  const out: UrlCredentials = { cleanedUrl: href };
  let hashTouched = false;
  let queryTouched = false;
  for (const key of URL_KEYS) {
    const value = hash.get(key) ?? url.searchParams.get(key);
    if (value) out[key] = value.trim();
    if (hash.has(key)) (hashTouched = true), hash.delete(key);
    if (url.searchParams.has(key)) (queryTouched = true), url.searchParams.delete(key);
  }
  if (!hashTouched && !queryTouched) return out;
  if (hashTouched) {
    const rest = hash.toString();
    url.hash = rest ? `#${rest}` : '';
  }
  out.cleanedUrl = url.toString();
  return out;
}

/** The gateway's WebSocket URL when the page is served by the gateway itself. */
export function defaultGatewayUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}`;
}

/** Accepts ws(s):// and http(s):// (turned into ws(s)://); returns null for anything else. */
export function normalizeGatewayUrl(input: string): string | null {
  try {
    const url = new URL(input.trim());
    if (url.protocol === 'http:') url.protocol = 'ws:';
    else if (url.protocol === 'https:') url.protocol = 'wss:';
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return null;
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return null;
  }
}

export interface GatewayCredentials {
  token?: string;
  deviceToken?: string;
  deviceTokenScopes?: string[];
}

interface StoredState {
  version: 1;
  gatewayUrl?: string;
  gateways: Record<string, GatewayCredentials>;
}

const STORAGE_KEY = 'openclaw.controlUi.v1';
const PASSWORD_KEY = 'openclaw.controlUi.password.';

function read(): StoredState {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredState | null;
    if (parsed && parsed.version === 1 && typeof parsed.gateways === 'object') return parsed;
  } catch {
    // corrupt or unavailable storage: start over
  }
  return { version: 1, gateways: {} };
}

function write(state: StoredState): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // storage full or disabled: credentials live for this page only
  }
}

export const credentialStore = {
  gatewayUrl(): string | undefined {
    return read().gatewayUrl;
  },
  setGatewayUrl(url: string): void {
    const s = read();
    s.gatewayUrl = url;
    write(s);
  },
  get(gatewayUrl: string): GatewayCredentials {
    return read().gateways[gatewayUrl] ?? {};
  },
  update(gatewayUrl: string, patch: Partial<GatewayCredentials>): void {
    const s = read();
    const next: GatewayCredentials = { ...s.gateways[gatewayUrl], ...patch };
    for (const k of Object.keys(next) as (keyof GatewayCredentials)[]) if (next[k] === undefined) delete next[k];
    s.gateways[gatewayUrl] = next;
    write(s);
  },
  /** Passwords stay in this tab's session only. */
  password(gatewayUrl: string): string | undefined {
    try {
      return sessionStorage.getItem(PASSWORD_KEY + gatewayUrl) ?? undefined;
    } catch {
      return undefined;
    }
  },
  setPassword(gatewayUrl: string, password: string | undefined): void {
    try {
      if (password) sessionStorage.setItem(PASSWORD_KEY + gatewayUrl, password);
      else sessionStorage.removeItem(PASSWORD_KEY + gatewayUrl);
    } catch {
      // sessionStorage disabled
    }
  },
};
