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
  };
  trustedProxies: string[];
  allowRealIpFallback: boolean;
  controlUi: {
    enabled: boolean;
    basePath: string;
    allowedOrigins: string[];
    allowInsecureAuth: boolean;
    dangerouslyAllowHostHeaderOriginFallback: boolean;
  };
  websocket: { keepAliveSeconds: number };
  nodes: { pairing: { autoApproveLocal: boolean } };
  http: { chatCompletionsEnabled: boolean };
  reload: { mode: 'off' | 'hot' | 'restart' | 'hybrid' };
  logging: { level: 'debug' | 'info' | 'warn' | 'error'; maxFileBytes: number; maxFiles: number };
  /** Deprecation warnings produced while resolving (aliases used, etc.). */
  warnings: string[];
}

/** Whether `host` is a loopback literal. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
