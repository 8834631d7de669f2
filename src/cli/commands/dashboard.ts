// `openclaw dashboard`: asks the running gateway for a single-use sign-in code and prints (and
// opens) the Control UI link carrying it. The long-lived gateway token never appears in the URL.
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { printJson, println } from '../output.js';
import { parsePositive } from '../parse.js';

export interface DashboardLink {
  /** The link to open: http(s)://host:port<basePath>#bootstrap=<code>. */
  url: string;
  /** The Control UI without the code. */
  httpUrl: string;
  wsUrl: string;
  port: number;
  tokenIncluded: false;
  expiresAtMs: number;
}

export interface DashboardOptions {
  env: NodeJS.ProcessEnv;
  /** ws(s):// URL of the gateway; default: where this state dir's gateway listens. */
  url?: string;
  token?: string;
  password?: string;
  timeoutMs: number;
}

/** 0.0.0.0 / :: are listen addresses, not places a browser can go. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host;
}

/** Creates a bootstrap code on the running gateway and builds the dashboard link around it. */
export async function createDashboardLink(o: DashboardOptions): Promise<DashboardLink> {
  const { summarizeConfig } = await import('../../gateway/status.js');
  const { normalizeBasePath } = await import('../../gateway/control-ui-http.js');
  const config = summarizeConfig(o.env);
  if (!config.valid) throw new CliError(`Invalid config ${config.path}: ${config.problem}`, { exitCode: ExitCodes.CONFIG, fix: config.fix });
  const settings = config.settings;
  if (settings && !settings.controlUi.enabled) {
    throw new CliError('The Control UI is disabled (gateway.controlUi.enabled is false).', { exitCode: ExitCodes.CONFIG, fix: 'openclaw config set gateway.controlUi.enabled true' });
  }
  const { withGateway } = await import('../../client/call.js');
  let created: { result: unknown; url: string };
  try {
    // The same target resolution as every CLI call: --url > env > pid file > config.
    created = await withGateway({ url: o.url, token: o.token, password: o.password, timeoutMs: o.timeoutMs, env: o.env }, async (client, remainingMs, target) => ({
      result: await client.request('dashboard.bootstrap.create', {}, { timeoutMs: remainingMs() }),
      url: target.url,
    }));
  } catch (err) {
    const e = err as Error & { fix?: string };
    throw new CliError(e.message, { fix: e.fix ?? 'openclaw gateway status' });
  }
  const { code, expiresAtMs } = (created.result ?? {}) as { code?: unknown; expiresAtMs?: unknown };
  if (typeof code !== 'string' || !code) throw new CliError('The gateway did not return a sign-in code.', { fix: 'openclaw logs --tail 50' });
  const ws = new URL(created.url);
  ws.hostname = browsableHost(ws.hostname);
  const wsUrl = `${ws.protocol}//${ws.host}`;
  const scheme = ws.protocol === 'wss:' ? 'https:' : 'http:';
  const httpUrl = `${scheme}//${ws.host}${normalizeBasePath(settings?.controlUi.basePath)}/`;
  return {
    url: `${httpUrl}#bootstrap=${encodeURIComponent(code)}`,
    httpUrl,
    wsUrl,
    port: Number(ws.port) || (ws.protocol === 'wss:' ? 443 : 80),
    tokenIncluded: false,
    expiresAtMs: typeof expiresAtMs === 'number' ? expiresAtMs : Date.now() + 10 * 60_000,
  };
}

/** Whether a browser can be opened here (a desktop session on Linux; always on macOS/Windows). */
export function canOpenBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Launches the system opener without waiting for it; false when it could not start. */
function openInBrowser(url: string): Promise<boolean> {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('Open the Control UI signed in, with a single-use link (valid 10 minutes); the gateway token is never put in the URL.')
    .option('--no-open', 'print the link without opening a browser')
    .option('--json', 'print {url, httpUrl, wsUrl, port, tokenIncluded, expiresAtMs}')
    .option('--url <url>', 'gateway WebSocket URL (default: the local gateway of this state dir)')
    .option('--token <token>', 'gateway token (default: gateway.auth.token)')
    .option('--password <password>', 'gateway password (default: gateway.auth.password)')
    .option('--timeout <ms>', 'how long to wait for the gateway', parsePositive, 10_000)
    .addHelpText('after', '\nThe link signs this browser in once and pairs it; later visits use the device token it receives.\nExample: openclaw dashboard --no-open')
    .action(async (opts: { open: boolean; json?: boolean; url?: string; token?: string; password?: string; timeout: number }) => {
      const link = await createDashboardLink({ env: process.env, url: opts.url, token: opts.token, password: opts.password, timeoutMs: opts.timeout });
      const opened = opts.open && canOpenBrowser(process.env) ? await openInBrowser(link.url) : false;
      if (opts.json) return printJson(link);
      println(link.url);
      const minutes = Math.max(1, Math.round((link.expiresAtMs - Date.now()) / 60_000));
      println(opened ? `Opened the Control UI in your browser (link valid ${minutes} min, single use).` : `Open this link in a browser within ${minutes} min (single use).`);
    });
}
