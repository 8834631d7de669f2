// `openclaw onboard --mode local|remote` and the repair half of `openclaw setup`: bring an existing
// config to a startable state without asking anything. Only the keys named here change, through
// `patchConfig` (validated, backed up, under the config lock); a pinned token is never replaced.
import { patchConfig, readEditableConfig, type EditResult } from './edit.js';
import { isPlainObject } from './path-ops.js';
import { envPinsToken, generateGatewayToken } from './setup.js';

export type OnboardMode = 'local' | 'remote';

export interface OnboardOptions {
  mode: OnboardMode;
  /** Only fill gateway.mode when it is unset (what `setup` does); onboard sets it outright. */
  onlyIfUnset?: boolean;
  port?: number;
  bind?: string;
  /** A gateway elsewhere for this CLI to talk to: gateway.remote.url / .token. */
  remoteUrl?: string;
  remoteToken?: string;
}

export interface OnboardChange {
  key: string;
  /** Secrets are described, never shown. */
  before: string;
  after: string;
}

export interface OnboardResult {
  configPath: string;
  changes: OnboardChange[];
  tokenGenerated: boolean;
  backupPath?: string;
}

const show = (v: unknown): string => (v === undefined ? 'unset' : String(v));

/** The merge patch (and its description) that onboards `current`; empty when nothing is missing. */
export function onboardPatch(current: Record<string, unknown>, opts: OnboardOptions, env: NodeJS.ProcessEnv): { patch: Record<string, unknown>; changes: OnboardChange[]; tokenGenerated: boolean } {
  const gw = isPlainObject(current.gateway) ? current.gateway : {};
  const auth = isPlainObject(gw.auth) ? gw.auth : {};
  const patch: Record<string, unknown> = {};
  const changes: OnboardChange[] = [];
  const set = (key: string, value: unknown, before: unknown, shown = show(value), beforeShown = show(before)) => {
    patch[key] = value;
    changes.push({ key: `gateway.${key}`, before: beforeShown, after: shown });
  };
  if (gw.mode === undefined ? true : !opts.onlyIfUnset && gw.mode !== opts.mode) set('mode', opts.mode, gw.mode);
  if (!opts.onlyIfUnset) {
    // remote = reachable beyond this machine: all interfaces unless a bind is named.
    const bind = opts.bind ?? (opts.mode === 'remote' ? (gw.bind === undefined || gw.bind === 'loopback' ? 'lan' : gw.bind) : 'loopback');
    if (gw.bind !== bind) set('bind', bind, gw.bind);
    if (opts.port !== undefined && gw.port !== opts.port) set('port', opts.port, gw.port);
  }
  const authMode = auth.mode;
  const hasSecret = typeof auth.token === 'string' || typeof gw.token === 'string' || (authMode === 'password' && typeof auth.password === 'string') || authMode === 'trusted-proxy';
  // A remote gateway refuses to start open; a local one gets a token too (the dashboard link uses it).
  const wantsToken = (authMode === undefined || authMode === 'token' || (authMode === 'none' && opts.mode === 'remote' && !opts.onlyIfUnset)) && !hasSecret && !envPinsToken(env);
  let tokenGenerated = false;
  if (wantsToken) {
    patch.auth = { mode: 'token', token: generateGatewayToken() };
    changes.push({ key: 'gateway.auth.token', before: 'unset', after: 'generated (show it with: openclaw config get gateway.auth.token --show-secrets)' });
    tokenGenerated = true;
  }
  const remote: Record<string, unknown> = {};
  if (opts.remoteUrl !== undefined) {
    remote.url = opts.remoteUrl;
    changes.push({ key: 'gateway.remote.url', before: show(isPlainObject(gw.remote) ? gw.remote.url : undefined), after: opts.remoteUrl });
  }
  if (opts.remoteToken !== undefined) {
    remote.token = opts.remoteToken;
    changes.push({ key: 'gateway.remote.token', before: 'kept private', after: 'set (not shown)' });
  }
  if (Object.keys(remote).length) patch.remote = remote;
  return { patch: Object.keys(patch).length ? { gateway: patch } : {}, changes, tokenGenerated };
}

/** Applies `onboardPatch` to the config file (which must exist: first-run setup creates it). */
export function onboardConfig(configPath: string, opts: OnboardOptions, env: NodeJS.ProcessEnv = process.env): OnboardResult {
  const { value } = readEditableConfig(configPath);
  const { patch, changes, tokenGenerated } = onboardPatch(value, opts, env);
  if (changes.length === 0) return { configPath, changes, tokenGenerated: false };
  const written: EditResult = patchConfig(configPath, patch);
  return { configPath, changes, tokenGenerated, backupPath: written.backupPath };
}
