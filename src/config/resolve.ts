// The effective gateway settings: flag > env > config > default (DESIGN §2). Pure: no I/O; the
// env is passed in, so a Docker env token pins the token whatever the file says.
import { BIND_LITERAL_RE, type GatewayConfig, type OpenClawConfig } from './schema.js';
import { bindModeForHost, isBindMode, parseBindLiteral } from './bind.js';
import { configDeprecations } from './deprecations.js';
import { ConfigError } from './load.js';
import { resolveConfigPath, type Env } from './paths.js';
import { isLoopbackHost, type AuthMode, type BindMode, type GatewayMode, type ResolvedGatewaySettings, type SettingSource } from './types.js';

export interface GatewayFlags {
  port?: number;
  bind?: string;
  auth?: string;
  token?: string;
  password?: string;
}

export const DEFAULT_GATEWAY_PORT = 18789;
export const DEFAULTS = {
  keepAliveSeconds: 30,
  rateLimit: { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true },
  logging: { level: 'info', maxFileBytes: 10 * 1024 * 1024, maxFiles: 5 },
} as const;

const GATEWAY_MODES = ['local', 'remote', 'hybrid'] as const;
const AUTH_MODES = ['none', 'token', 'password', 'trusted-proxy'] as const;
const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

interface Picked<T> {
  value: T;
  source: SettingSource;
}

export function resolveGatewaySettings(config: OpenClawConfig, env: Env, flags: GatewayFlags = {}): ResolvedGatewaySettings {
  const configPath = resolveConfigPath(env);
  // config env.vars sit below the process env (they never override a value already set).
  const e: Env = { ...nonEmpty(config.env?.vars ?? {}), ...nonEmpty(env) };
  const gw = config.gateway ?? {};
  const warnings = configDeprecations(config);
  const fail = (problem: string, fix: string): never => {
    throw new ConfigError({ message: `${problem}.`, problem, configPath, fix });
  };

  const mode = pickMode(e, gw.mode, fail);
  const place = resolveBind(flags.bind, gw, mode.value, fail);
  const port = resolvePort(flags.port, e, gw.port, place.literalPort, fail);
  if (place.literalPort !== undefined && gw.port !== undefined && gw.port !== place.literalPort && port.source === 'config-legacy') {
    warnings.push(`gateway.bind "${gw.bind}" sets port ${place.literalPort}, which overrides gateway.port ${gw.port}; keep one of them.`);
  }

  const token = pickToken(flags.token, e, gw, warnings, fail);
  const password = firstOf<string>([
    [flags.password, 'flag'],
    [e.OPENCLAW_GATEWAY_PASSWORD, 'env'],
    [gw.auth?.password, 'config'],
  ]);
  const authMode = pickAuthMode(flags.auth, e, gw.auth?.mode, password.value !== undefined, fail);
  const tp = gw.auth?.trustedProxy;
  const tailscaleMode = gw.tailscale?.mode ?? 'off';
  const host = place.host;

  return {
    mode: mode.value,
    modeSource: mode.source,
    bind: place.bind,
    bindSource: place.source,
    host,
    port: port.value,
    portSource: port.source,
    auth: {
      mode: authMode,
      token: token.value,
      tokenSource: token.source,
      password: password.value,
      passwordSource: password.source,
      trustedProxy: tp ? { userHeader: tp.userHeader, requiredHeaders: tp.requiredHeaders ?? [], allowUsers: tp.allowUsers ?? [], allowLoopback: tp.allowLoopback ?? false } : undefined,
      rateLimit: { ...DEFAULTS.rateLimit, ...stripUndefined(gw.auth?.rateLimit ?? {}) },
      allowTailscale: gw.auth?.allowTailscale ?? (tailscaleMode === 'serve' && (authMode === 'token' || authMode === 'none')),
      identityScopes: gw.auth?.identityScopes ?? {},
    },
    trustedProxies: gw.trustedProxies ?? [],
    allowRealIpFallback: gw.allowRealIpFallback ?? false,
    controlUi: {
      enabled: gw.controlUi?.enabled ?? true,
      basePath: normalizeBasePath(gw.controlUi?.basePath ?? '/'),
      allowedOrigins: gw.controlUi?.allowedOrigins ?? [],
      allowInsecureAuth: gw.controlUi?.allowInsecureAuth ?? false,
      dangerouslyAllowHostHeaderOriginFallback: gw.controlUi?.dangerouslyAllowHostHeaderOriginFallback ?? false,
      root: gw.controlUi?.root,
    },
    websocket: { keepAliveSeconds: gw.websocket?.keepAlive ?? DEFAULTS.keepAliveSeconds },
    nodes: { pairing: { autoApproveLocal: gw.nodes?.pairing?.autoApproveLocal ?? true, autoApproveCidrs: gw.nodes?.pairing?.autoApproveCidrs ?? [] } },
    http: {
      // The OpenAI-style endpoints carry the operator's model keys: on by default only on loopback.
      // Enabling either endpoint serves the whole /v1 group (reference §9.3).
      chatCompletionsEnabled: gw.http?.endpoints?.responses?.enabled === true || (gw.http?.endpoints?.chatCompletions?.enabled ?? isLoopbackHost(host)),
      responsesEnabled: gw.http?.endpoints?.responses?.enabled ?? false,
    },
    reload: { mode: gw.reload?.mode ?? 'hybrid', debounceMs: gw.reload?.debounceMs ?? 300 },
    tls: {
      enabled: gw.tls?.enabled ?? false,
      autoGenerate: gw.tls?.autoGenerate ?? false,
      certPath: gw.tls?.certPath,
      keyPath: gw.tls?.keyPath,
      caPath: gw.tls?.caPath,
    },
    tailscale: { mode: tailscaleMode },
    logging: resolveLogging(config, e, fail),
    warnings,
  };
}

type Fail = (problem: string, fix: string) => never;

function pickMode(e: Env, configured: GatewayMode | undefined, fail: Fail): Picked<GatewayMode | undefined> {
  const fromEnv = e.OPENCLAW_GATEWAY_MODE;
  if (fromEnv !== undefined) {
    if (!isOneOf(GATEWAY_MODES, fromEnv)) fail(`OPENCLAW_GATEWAY_MODE="${fromEnv}" is not one of ${GATEWAY_MODES.join('|')}`, 'export OPENCLAW_GATEWAY_MODE=local  (or unset it to use gateway.mode)');
    return { value: fromEnv as GatewayMode, source: 'env' };
  }
  return configured !== undefined ? { value: configured, source: 'config' } : { value: undefined, source: 'default' };
}

interface Placement {
  bind: BindMode;
  host: string;
  source: SettingSource;
  /** The port of a `HOST:PORT` bind alias. */
  literalPort?: number;
}

function resolveBind(flag: string | undefined, gw: GatewayConfig, mode: GatewayMode | undefined, fail: Fail): Placement {
  const custom = () => gw.customBindHost || fail('gateway.bind is "custom" but gateway.customBindHost is not set', 'openclaw config set gateway.customBindHost <IPv4 address>');
  const fromText = (text: string, source: SettingSource, legacySource: SettingSource): Placement => {
    if (isBindMode(text)) return { bind: text, host: hostForBind(text, custom), source };
    const { host, port } = parseBindLiteral(text);
    return { bind: bindModeForHost(host), host, source: legacySource, literalPort: port };
  };
  if (flag !== undefined) {
    if (!isBindMode(flag) && !BIND_LITERAL_RE.test(flag)) fail(`--bind "${flag}" is not loopback|lan|tailnet|auto|custom or a HOST[:PORT]`, 'openclaw gateway run --bind loopback');
    const p = fromText(flag, 'flag', 'flag');
    return { ...p, literalPort: undefined }; // --port is the flag for ports
  }
  if (gw.bind !== undefined) return fromText(gw.bind, 'config', 'config-legacy');
  if (gw.host !== undefined) return { ...fromText(gw.host, 'config-legacy', 'config-legacy'), source: 'config-legacy' };
  const byMode: BindMode = mode === 'remote' || mode === 'hybrid' ? 'lan' : 'loopback';
  return { bind: byMode, host: hostForBind(byMode, custom), source: 'default' };
}

function hostForBind(bind: BindMode, custom: () => string): string {
  switch (bind) {
    case 'lan':
      return '0.0.0.0';
    case 'custom':
      return custom();
    default:
      // loopback; tailnet and auto fall back to loopback until tailnet discovery exists.
      return '127.0.0.1';
  }
}

function resolvePort(flag: number | undefined, e: Env, configured: number | undefined, literal: number | undefined, fail: Fail): Picked<number> {
  if (flag !== undefined) {
    if (!Number.isInteger(flag) || flag < 0 || flag > 65535) fail(`--port ${flag} is not a port (0-65535)`, 'openclaw gateway run --port 18789');
    return { value: flag, source: 'flag' };
  }
  const fromEnv = e.OPENCLAW_GATEWAY_PORT;
  if (fromEnv !== undefined) {
    const n = /^\d{1,5}$/.test(fromEnv.trim()) ? Number(fromEnv.trim()) : NaN;
    if (!(n >= 0 && n <= 65535)) fail(`OPENCLAW_GATEWAY_PORT="${fromEnv}" is not a port number (0-65535)`, 'export OPENCLAW_GATEWAY_PORT=18789  (or unset it to use gateway.port)');
    return { value: n, source: 'env' };
  }
  if (literal !== undefined) return { value: literal, source: 'config-legacy' };
  if (configured !== undefined) return { value: configured, source: 'config' };
  return { value: DEFAULT_GATEWAY_PORT, source: 'default' };
}

function pickToken(flag: string | undefined, e: Env, gw: GatewayConfig, warnings: string[], fail: Fail): Picked<string | undefined> {
  const canonical = gw.auth?.token;
  const legacy = gw.token;
  if (canonical !== undefined && legacy !== undefined && canonical !== legacy) {
    fail('gateway.auth.token and legacy gateway.token differ; remove one (openclaw doctor --fix migrates gateway.token)', 'openclaw config unset gateway.token');
  }
  const aliasEnv = e.OPENCLAW_GATEWAY_AUTH_TOKEN;
  if (aliasEnv !== undefined) {
    if (e.OPENCLAW_GATEWAY_TOKEN === undefined) warnings.push('OPENCLAW_GATEWAY_AUTH_TOKEN is deprecated; set OPENCLAW_GATEWAY_TOKEN instead.');
    else if (e.OPENCLAW_GATEWAY_TOKEN !== aliasEnv) warnings.push('OPENCLAW_GATEWAY_AUTH_TOKEN is ignored because OPENCLAW_GATEWAY_TOKEN is set to a different value; unset the deprecated one.');
  }
  return firstOf<string>([
    [flag, 'flag'],
    [e.OPENCLAW_GATEWAY_TOKEN, 'env'],
    [aliasEnv, 'env'],
    [canonical, 'config'],
    [legacy, 'config-legacy'],
  ]);
}

function pickAuthMode(flag: string | undefined, e: Env, configured: AuthMode | undefined, hasPassword: boolean, fail: Fail): AuthMode {
  if (flag !== undefined) {
    if (!isOneOf(AUTH_MODES, flag)) fail(`--auth "${flag}" is not one of ${AUTH_MODES.join('|')}`, 'openclaw gateway run --auth token');
    return flag as AuthMode;
  }
  const fromEnv = e.OPENCLAW_GATEWAY_AUTH_MODE;
  if (fromEnv !== undefined) {
    if (!isOneOf(AUTH_MODES, fromEnv)) fail(`OPENCLAW_GATEWAY_AUTH_MODE="${fromEnv}" is not one of ${AUTH_MODES.join('|')}`, 'export OPENCLAW_GATEWAY_AUTH_MODE=token  (or unset it to use gateway.auth.mode)');
    return fromEnv as AuthMode;
  }
  if (configured !== undefined) return configured;
  return hasPassword ? 'password' : 'token';
}

function resolveLogging(config: OpenClawConfig, e: Env, fail: Fail): ResolvedGatewaySettings['logging'] {
  const fromEnv = e.OPENCLAW_LOG_LEVEL;
  if (fromEnv !== undefined && !isOneOf(LOG_LEVELS, fromEnv)) fail(`OPENCLAW_LOG_LEVEL="${fromEnv}" is not one of ${LOG_LEVELS.join('|')}`, 'export OPENCLAW_LOG_LEVEL=info');
  return {
    level: (fromEnv as (typeof LOG_LEVELS)[number] | undefined) ?? config.logging?.level ?? DEFAULTS.logging.level,
    maxFileBytes: config.logging?.maxFileBytes ?? DEFAULTS.logging.maxFileBytes,
    maxFiles: config.logging?.maxFiles ?? DEFAULTS.logging.maxFiles,
  };
}

function firstOf<T>(candidates: Array<[T | undefined, SettingSource]>): Picked<T | undefined> {
  for (const [value, source] of candidates) if (value !== undefined && value !== '') return { value, source };
  return { value: undefined, source: 'default' };
}

function nonEmpty(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isOneOf(values: readonly string[], v: string): boolean {
  return values.includes(v);
}

/** `/`, `/ui/` → `/ui`; always a leading slash, no trailing one (except the root). */
export function normalizeBasePath(p: string): string {
  const trimmed = '/' + p.replace(/^\/+|\/+$/g, '');
  return trimmed;
}
