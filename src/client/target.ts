// Which gateway a CLI command talks to, and with which credentials (reference §6.6, §10.1):
// --url > OPENCLAW_GATEWAY_URL > gateway.remote.url (gateway.mode=remote) > the running gateway
// named by <state>/gateway.pid > ws://127.0.0.1:<port>. An explicit --url never falls back to
// credentials from the env or the config.
import { localDialHost } from '../config/bind.js';
import { loadConfig } from '../config/load.js';
import { resolveConfigPath, resolveStateDir, statePaths, type Env } from '../config/paths.js';
import { resolveGatewaySettings } from '../config/resolve.js';
import { inspectPidFile } from '../gateway/pidfile.js';

export type TargetSource = 'flag' | 'env' | 'config-remote' | 'pidfile' | 'local';

export interface GatewayTarget {
  url: string;
  token?: string;
  password?: string;
  source: TargetSource;
  stateDir: string;
}

export interface TargetInput {
  url?: string;
  token?: string;
  password?: string;
  env?: Env;
}

/** ws://host:port, with IPv6 bracketed and wildcard listen addresses mapped to loopback. */
export function localUrl(host: string, port: number): string {
  const h = localDialHost(host);
  return `ws://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export function resolveGatewayTarget(i: TargetInput = {}): GatewayTarget {
  const env = i.env ?? process.env;
  const stateDir = resolveStateDir(env);
  if (i.url) return { url: i.url, token: i.token, password: i.password, source: 'flag', stateDir };
  const config = loadConfig(resolveConfigPath(env)).config;
  const settings = resolveGatewaySettings(config, env);
  const remote = config.gateway?.remote;
  let url: string;
  let source: TargetSource;
  if (env.OPENCLAW_GATEWAY_URL) {
    url = env.OPENCLAW_GATEWAY_URL;
    source = 'env';
  } else if (config.gateway?.mode === 'remote' && remote?.url) {
    url = remote.url;
    source = 'config-remote';
  } else {
    const pid = inspectPidFile(statePaths(env).pidFile);
    if (pid.state === 'running') {
      url = localUrl(pid.record.host, pid.record.port);
      source = 'pidfile';
    } else {
      url = localUrl('127.0.0.1', settings.port);
      source = 'local';
    }
  }
  const envToken = env.OPENCLAW_GATEWAY_TOKEN || env.OPENCLAW_GATEWAY_AUTH_TOKEN || undefined;
  const envPassword = env.OPENCLAW_GATEWAY_PASSWORD || undefined;
  const configToken = config.gateway?.auth?.token ?? config.gateway?.token;
  const configPassword = config.gateway?.auth?.password;
  // A configured remote gateway has its own credentials; the local gateway.auth.* only back them up.
  const toRemote = source === 'config-remote';
  const token = i.token ?? envToken ?? (toRemote ? (remote?.token ?? configToken) : (configToken ?? remote?.token));
  const password = i.password ?? envPassword ?? (toRemote ? (remote?.password ?? configPassword) : (configPassword ?? remote?.password));
  return { url, token: token || undefined, password: password || undefined, source, stateDir };
}
