// The effective gateway settings after config file + env overlay + CLI flags (DESIGN §2).
// Produced by config/resolve.ts; consumed by the server, the control plane and doctor.

export type GatewayMode = 'local' | 'remote' | 'hybrid';
export type AuthMode = 'none' | 'token' | 'password' | 'trusted-proxy';
export type BindMode = 'loopback' | 'lan' | 'tailnet' | 'auto' | 'custom';

/** Where a setting's value came from, for status/doctor output. */
export type SettingSource = 'flag' | 'env' | 'config' | 'config-legacy' | 'default';

export interface TrustedProxyAuth {
  userHeader: string;
  requiredHeaders: string[];
  allowUsers: string[];
  allowLoopback: boolean;
}

export interface RateLimitSettings {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

export interface ResolvedGatewaySettings {
  /** undefined = unset (start is blocked unless allowUnconfigured). */
  mode: GatewayMode | undefined;
  modeSource: SettingSource;
  bind: BindMode;
  /** Where bind/host came from (a flag, the config, a deprecated alias, or the mode's default). */
  bindSource?: SettingSource;
  /** The literal host to listen on (127.0.0.1, 0.0.0.0, …). */
  host: string;
  port: number;
  portSource: SettingSource;
  auth: {
    mode: AuthMode;
    token: string | undefined;
    tokenSource: SettingSource;
    password: string | undefined;
    passwordSource: SettingSource;
    trustedProxy: TrustedProxyAuth | undefined;
    rateLimit: RateLimitSettings;
    /** gateway.auth.allowTailscale (default: true when tailscale.mode is serve and auth is token/none). */
    allowTailscale?: boolean;
    /** gateway.auth.identityScopes: per-identity connection scopes for identity-bearing modes. */
    identityScopes?: Record<string, string[]>;
  };
  trustedProxies: string[];
  allowRealIpFallback: boolean;
  controlUi: {
    enabled: boolean;
    basePath: string;
    allowedOrigins: string[];
    allowInsecureAuth: boolean;
    dangerouslyAllowHostHeaderOriginFallback: boolean;
    /** Directory of a custom Control UI build (default: the bundled one). */
    root?: string;
  };
  websocket: { keepAliveSeconds: number };
  nodes: { pairing: { autoApproveLocal: boolean; autoApproveCidrs?: string[] } };
  http: { chatCompletionsEnabled: boolean; responsesEnabled?: boolean };
  reload: { mode: 'off' | 'hot' | 'restart' | 'hybrid'; debounceMs?: number };
  tls?: { enabled: boolean; autoGenerate: boolean; certPath?: string; keyPath?: string; caPath?: string };
  tailscale?: { mode: 'off' | 'serve' | 'funnel' };
  logging: { level: 'debug' | 'info' | 'warn' | 'error'; maxFileBytes: number; maxFiles: number };
  /** Deprecation warnings produced while resolving (aliases used, etc.). */
  warnings: string[];
}

/** Whether `host` is a loopback literal. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
