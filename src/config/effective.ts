// What `config get` shows for a key the file does not hold: the value the gateway actually uses
// (from env, a deprecated alias or the default) and where it came from.
import { resolveGatewaySettings } from './resolve.js';
import type { SettingSource } from './types.js';

export interface EffectiveValue {
  value: unknown;
  source: SettingSource;
  /** The env var when source is env. */
  envVar?: string;
}

type Settings = ReturnType<typeof resolveGatewaySettings>;

const EFFECTIVE: Record<string, (s: Settings, env: NodeJS.ProcessEnv) => EffectiveValue | undefined> = {
  'gateway.port': (s) => ({ value: s.port, source: s.portSource, envVar: 'OPENCLAW_GATEWAY_PORT' }),
  'gateway.mode': (s) => (s.mode === undefined ? undefined : { value: s.mode, source: s.modeSource, envVar: 'OPENCLAW_GATEWAY_MODE' }),
  'gateway.bind': (s) => ({ value: s.bind, source: s.bindSource ?? 'default' }),
  'gateway.auth.token': (s) => (s.auth.token === undefined ? undefined : { value: s.auth.token, source: s.auth.tokenSource, envVar: 'OPENCLAW_GATEWAY_TOKEN' }),
  'gateway.auth.password': (s) => (s.auth.password === undefined ? undefined : { value: s.auth.password, source: s.auth.passwordSource, envVar: 'OPENCLAW_GATEWAY_PASSWORD' }),
  'gateway.auth.mode': (s, env) => ({ value: s.auth.mode, source: env.OPENCLAW_GATEWAY_AUTH_MODE ? 'env' : 'default', envVar: 'OPENCLAW_GATEWAY_AUTH_MODE' }),
};

/** The effective value of `path` under `config` + `env`, for the keys the gateway resolves; undefined otherwise. */
export function effectiveValue(path: string, config: Record<string, unknown>, env: NodeJS.ProcessEnv): EffectiveValue | undefined {
  const pick = EFFECTIVE[path];
  if (!pick) return undefined;
  try {
    return pick(resolveGatewaySettings(config as never, env), env);
  } catch {
    return undefined; // a config that does not resolve has no effective value to show
  }
}

export function describeSource(e: EffectiveValue): string {
  if (e.source === 'env') return `env ${e.envVar ?? ''}`.trim();
  if (e.source === 'config-legacy') return 'a deprecated config key';
  return e.source;
}
