// Every place a gateway token can be set, read from the raw config and env (the effective token is
// in settings; drift needs all of them). Pure.
import type { Env } from '../config/paths.js';
import { valueAt, type JsonObject } from './config-view.js';

export interface TokenSource {
  /** Where the value lives: `gateway.auth.token`, `OPENCLAW_GATEWAY_TOKEN`, … */
  name: string;
  value: string;
  /** Used by the server (false for gateway.remote.token, which is what clients send). */
  server: boolean;
}

export function tokenSources(config: JsonObject, env: Env): TokenSource[] {
  const vars = valueAt(config, 'env.vars');
  const fromVars = (k: string) => (typeof vars === 'object' && vars !== null ? (vars as Record<string, unknown>)[k] : undefined);
  const candidates: [string, unknown, boolean][] = [
    ['OPENCLAW_GATEWAY_TOKEN', env.OPENCLAW_GATEWAY_TOKEN || fromVars('OPENCLAW_GATEWAY_TOKEN'), true],
    ['OPENCLAW_GATEWAY_AUTH_TOKEN', env.OPENCLAW_GATEWAY_AUTH_TOKEN || fromVars('OPENCLAW_GATEWAY_AUTH_TOKEN'), true],
    ['gateway.auth.token', valueAt(config, 'gateway.auth.token'), true],
    ['gateway.token', valueAt(config, 'gateway.token'), true],
    ['gateway.remote.token', valueAt(config, 'gateway.remote.token'), false],
  ];
  return candidates.flatMap(([name, v, server]) => (typeof v === 'string' && v.length > 0 ? [{ name, value: v, server }] : []));
}
