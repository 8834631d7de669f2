// Test helpers: a real gateway, and real nginx / Apache / Caddy processes in front of it, configured
// with the snippets from docs/reverse-proxy.md (TLS listener swapped for a loopback port).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isPortInUse } from '../../infra/port-owner.js';
import { repoRoot } from '../repo-root.js';
import { eventually, freePort, localConfig, makeStateDir, READY_LINE, spawnCli, type GatewayProcess, type StateDir } from '../../testing/harness.js';

export const TEST_TOKEN = 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK';
/** The public origin of docs/reverse-proxy.md; the browser's Origin behind the proxy. */
export const PUBLIC_ORIGIN = 'https://openclaw.example.com';
/** The gateway side of docs/reverse-proxy.md: trust the local proxy, allow the public origin. */
export const BEHIND_PROXY = { trustedProxies: ['127.0.0.1'], controlUi: { allowedOrigins: [PUBLIC_ORIGIN] } };

/** The first ```<lang> block of docs/reverse-proxy.md. */
export function docSnippet(lang: 'nginx' | 'apache' | 'caddy'): string {
  const text = fs.readFileSync(path.join(repoRoot(), 'docs', 'reverse-proxy.md'), 'utf8');
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text);
  if (!m) throw new Error(`no \`\`\`${lang} block in docs/reverse-proxy.md`);
  return m[1];
}

export interface RunningGateway {
  state: StateDir;
  port: number;
  proc: GatewayProcess;
  stop(): Promise<void>;
}

export async function startGateway(gatewayExtra: Record<string, unknown> = {}): Promise<RunningGateway> {
  const port = await freePort();
  const state = makeStateDir(localConfig(TEST_TOKEN, { gateway: { port, ...gatewayExtra } }));
  const proc = spawnCli(['gateway', 'run', '--port', String(port)], { env: state.env });
  await proc.waitFor(READY_LINE, 15_000);
  return {
    state, port, proc,
    async stop() {
      proc.kill('SIGTERM');
      await proc.exited;
      state.cleanup();
    },
  };
}

export interface RunningProxy {
  port: number;
  url: string;
  stop(): Promise<void>;
}

async function startProcess(cmd: string, args: string[], port: number, dir: string, env: NodeJS.ProcessEnv = process.env, scheme: 'http' | 'https' = 'http'): Promise<RunningProxy> {
  let output = '';
  const child: ChildProcess = spawn(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => ((exited = true), resolve())));
  child.on('error', (err) => (output += String(err)));
  try {
    await eventually(async () => {
      if (exited) throw new Error(`${cmd} exited: ${output}`);
      // Up means: the port accepts connections (TLS may not be trusted by this process).
      return isPortInUse(port);
    }, 10_000, 50);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${cmd} did not start: ${(err as Error).message}\n${output}`);
  }
  return {
    port, url: `${scheme}://127.0.0.1:${port}/`,
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await done;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl CLI); trust it with NODE_EXTRA_CA_CERTS. */
export function selfSignedCert(): { cert: string; key: string; dir: string } {
  const dir = tmp('tls');
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(key, 0o644); // nginx workers read it in this throwaway test dir
  return { cert, key, dir };
}

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `openclaw-${name}-`));

/** nginx with the documented server block; `edit` changes the snippet (to break it on purpose). */
export async function startNginx(gatewayPort: number, edit: (snippet: string) => string = (s) => s, opts: { tls?: { cert: string; key: string }; port?: number } = {}): Promise<RunningProxy> {
  const { tls } = opts;
  const port = opts.port ?? (await freePort());
  const dir = tmp('nginx');
  let snippet = edit(docSnippet('nginx')).replaceAll('127.0.0.1:18789', `127.0.0.1:${gatewayPort}`);
  snippet = tls
    ? snippet.replace(/listen 443 ssl;/, `listen 127.0.0.1:${port} ssl;`)
        .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${tls.cert};`)
        .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${tls.key};`)
    : snippet.replace(/listen 443 ssl;/, `listen 127.0.0.1:${port};`).replace(/^\s*ssl_certificate.*$/gm, '');
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`).join('\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `daemon off;\nmaster_process off;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n${temps}\n${snippet}\n}\n`);
  const proxy = await startProcess('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], port, dir, process.env, tls ? 'https' : 'http');
  return proxy;
}

export async function startApache(gatewayPort: number, edit: (snippet: string) => string = (s) => s): Promise<RunningProxy> {
  const port = await freePort();
  const dir = tmp('apache');
  const mods = '/usr/lib/apache2/modules';
  const load = ['mpm_event', 'authz_core', 'proxy', 'proxy_http', 'proxy_wstunnel', 'headers']
    .map((m) => `LoadModule ${m}_module ${mods}/mod_${m}.so`).join('\n');
  const snippet = edit(docSnippet('apache'))
    .replace('<VirtualHost *:443>', `<VirtualHost 127.0.0.1:${port}>`)
    .replace(/^\s*SSL.*$/gm, '')
    .replaceAll('127.0.0.1:18789', `127.0.0.1:${gatewayPort}`);
  const user = process.getuid?.() === 0 ? 'User nobody\nGroup nogroup\n' : '';
  fs.writeFileSync(path.join(dir, 'httpd.conf'), `ServerRoot ${dir}\nServerName localhost\nListen 127.0.0.1:${port}\nPidFile ${dir}/httpd.pid\nErrorLog ${dir}/error.log\nDefaultRuntimeDir ${dir}\nMutex file:${dir} default\n${user}${load}\n${snippet}\n`);
  return startProcess('apache2', ['-f', path.join(dir, 'httpd.conf'), '-DFOREGROUND'], port, dir);
}

export async function startCaddy(gatewayPort: number, edit: (snippet: string) => string = (s) => s): Promise<RunningProxy> {
  const port = await freePort();
  const dir = tmp('caddy');
  const snippet = edit(docSnippet('caddy'))
    .replace('openclaw.example.com {', `http://127.0.0.1:${port} {`)
    .replaceAll('127.0.0.1:18789', `127.0.0.1:${gatewayPort}`);
  fs.writeFileSync(path.join(dir, 'Caddyfile'), `{\n  admin off\n  auto_https off\n  storage file_system ${dir}/data\n}\n${snippet}`);
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
  return startProcess('caddy', ['run', '--config', path.join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], port, dir, env);
}
