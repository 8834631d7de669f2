// First run: create the state dir (0700) and a local, loopback, token-auth config (0600) with a
// freshly generated token. An existing config, and above all an existing token, is never replaced.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { statePaths, type Env } from './paths.js';
import { applyMergePatch } from './merge-patch.js';
import { ConfigStore, withConfigLock } from './store.js';
import type { OpenClawConfig } from './schema.js';
import { DEFAULT_GATEWAY_PORT } from './resolve.js';

/** 32 random bytes, base64url (43 characters). */
export function generateGatewayToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** The config `openclaw setup` writes. Without a token, auth still says token (env supplies it). */
export function firstRunConfig(token: string | undefined, createdBy = 'openclaw setup', now = new Date()): OpenClawConfig {
  return {
    gateway: {
      mode: 'local',
      bind: 'loopback',
      port: DEFAULT_GATEWAY_PORT,
      auth: token === undefined ? { mode: 'token' } : { mode: 'token', token },
    },
    meta: { createdAt: now.toISOString(), createdBy },
  };
}

/** True when the env already pins the gateway token (Docker), so the file needs none of its own. */
export function envPinsToken(env: Env): boolean {
  return Boolean(env.OPENCLAW_GATEWAY_TOKEN || env.OPENCLAW_GATEWAY_AUTH_TOKEN);
}

/**
 * Creates the first-run config unless one exists. `extra` is a merge patch onto it (the model
 * backends first-run setup found), validated with the rest.
 */
export function runFirstRunSetup(env: Env = process.env, extra?: Record<string, unknown>): { created: boolean; configPath: string; token?: string } {
  const paths = statePaths(env);
  fs.mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  return withConfigLock(paths.configPath, () => {
    if (fs.existsSync(paths.configPath)) return { created: false, configPath: paths.configPath };
    const token = envPinsToken(env) ? undefined : generateGatewayToken();
    const config = firstRunConfig(token);
    new ConfigStore(paths.configPath).write(extra ? (applyMergePatch(config, extra) as Record<string, unknown>) : config);
    return { created: true, configPath: paths.configPath, token };
  });
}
