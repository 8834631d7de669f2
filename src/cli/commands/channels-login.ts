// `openclaw channels login|logout`: link a WhatsApp account by scanning a QR with the phone, and
// unlink it (the auth dir is moved aside as a backup, never deleted). Only WhatsApp has a login;
// token channels say how to add them instead. The WhatsApp modules (and Baileys, qrcode) load only
// when these commands run.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { eprintln, printJson, println } from '../output.js';
import { CHANNEL_IDS, DEFAULT_ACCOUNT_ID } from '../../channels/types.js';
import type { WaSocketFactory } from '../../channels/whatsapp/socket.js';
import { parseAccount } from '../parse.js';

type Env = Record<string, string | undefined>;

const DEFAULT_LOGIN_TIMEOUT_MS = 180_000;

let testSocketFactory: WaSocketFactory | undefined;
/** Test-only: the socket `channels login` opens (the in-process CLI tests inject a scripted fake). */
export function setWhatsAppLoginSocketFactoryForTests(f: WaSocketFactory | undefined): void {
  testSocketFactory = f;
}

const LOGIN_EPILOG = `
Links this gateway to WhatsApp as a "linked device" (WhatsApp Web multi-device). A QR code is
printed; on the phone open WhatsApp → Settings → Linked devices → Link a device and scan it.
The session is stored in <state dir>/credentials/whatsapp/<account>/ (creds.json, mode 0600; the
previous creds.json is kept as creds.json.bak), or in channels.whatsapp.authDir. A running
gateway starts the account once channels.whatsapp is in openclaw.json (login writes it if missing).

Examples:
  openclaw channels login --channel whatsapp
  openclaw channels login --channel whatsapp --account work --timeout 300000
`;

const LOGOUT_EPILOG = `
Unlinks the account: its auth dir is moved to <dir>.bak-<timestamp> (nothing is deleted). When a
gateway is running, it does this itself (RPC channels.logout): it stops the listener first and
tells WhatsApp, so the phone drops the device. Otherwise the dir is moved here; then also remove the
device on the phone (Settings → Linked devices) if it is still listed.

Examples:
  openclaw channels logout --channel whatsapp --yes
  openclaw channels logout --channel whatsapp --account work --yes
`;

interface LoginOpts {
  channel?: string;
  account?: string;
  timeout?: number;
  json?: boolean;
  verbose?: boolean;
}

interface LogoutOpts {
  channel?: string;
  account?: string;
  yes?: boolean;
  json?: boolean;
}

function parseTimeout(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of milliseconds, e.g. --timeout 180000');
  return n;
}

const accountFlag = (account: string) => (account === DEFAULT_ACCOUNT_ID ? '' : ` --account ${account}`);

/** Only WhatsApp links by QR; everything else gets the command that does configure it. */
function requireWhatsApp(channelArg: string | undefined, verb: 'login' | 'logout'): void {
  const channel = (channelArg ?? 'whatsapp').trim().toLowerCase();
  if (channel === 'whatsapp') return;
  if (channel === 'telegram') {
    throw new CliError(`Telegram has no channels ${verb}: use openclaw channels add --channel telegram --token <token>`, {
      exitCode: ExitCodes.USAGE,
      fix: verb === 'login' ? 'openclaw channels add --channel telegram --token <token from @BotFather>' : 'openclaw channels remove --channel telegram --yes',
    });
  }
  if (channel === 'discord') {
    throw new CliError(`Discord has no channels ${verb}: it uses a bot token (channels.discord.token).`, { exitCode: ExitCodes.USAGE, fix: verb === 'login' ? 'openclaw config set channels.discord.token <bot token>' : 'openclaw channels remove --channel discord --yes' });
  }
  if (channel === 'imessage') {
    throw new CliError(`iMessage has no channels ${verb}: it runs on a Mac signed in to Messages (channels.imessage).`, { exitCode: ExitCodes.USAGE, fix: 'openclaw channels list --all' });
  }
  throw new CliError(`unknown channel "${channel}" (expected one of: ${CHANNEL_IDS.join(', ')})`, { exitCode: ExitCodes.USAGE, fix: 'openclaw channels login --channel whatsapp' });
}

async function configError(err: unknown): Promise<unknown> {
  const { ConfigError } = await import('../../config/load.js');
  if (err instanceof ConfigError) return new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: err.fix });
  return err;
}

/** The account's auth dir (channels.whatsapp[.accounts.<id>].authDir, else the default) and its config block. */
async function locate(account: string, env: Env): Promise<{ authDir: string; configPath: string; block: Record<string, unknown> | undefined; inConfig: boolean }> {
  const [{ resolveConfigPath }, { readEditableConfig }, wa] = await Promise.all([import('../../config/paths.js'), import('../../config/edit.js'), import('../../channels/whatsapp/config.js')]);
  const configPath = resolveConfigPath(env);
  let block: Record<string, unknown> | undefined;
  try {
    block = (readEditableConfig(configPath).value.channels as Record<string, unknown> | undefined)?.whatsapp as Record<string, unknown> | undefined;
  } catch (err) {
    throw await configError(err);
  }
  const resolved = block ? wa.resolveWhatsAppAccounts(block as never, env).find((a) => a.accountId === account) : undefined;
  return { authDir: resolved?.authDir ?? wa.defaultAuthDir(account, env), configPath, block, inConfig: !!resolved };
}

export async function channelsLogin(o: LoginOpts, env: Env = process.env): Promise<void> {
  requireWhatsApp(o.channel, 'login');
  const account = o.account ?? DEFAULT_ACCOUNT_ID;
  const flag = accountFlag(account);
  const [{ runWhatsAppLogin, WhatsAppLoginError }, { readLinkedNumber }, { socketFactoryFromEnv }] = await Promise.all([
    import('../../channels/whatsapp/login.js'),
    import('../../channels/whatsapp/config.js'),
    import('../../channels/whatsapp/socket.js'),
  ]);
  const where = await locate(account, env);
  const already = readLinkedNumber(where.authDir);
  if (already.linked) {
    const relink = `openclaw channels logout --channel whatsapp${flag} --yes, then openclaw channels login --channel whatsapp${flag}`;
    if (o.json) return printJson({ ok: true, channel: 'whatsapp', accountId: account, alreadyLinked: true, selfNumber: already.selfNumber ?? null, authDir: where.authDir });
    println(`WhatsApp account "${account}" is already linked${already.selfNumber ? ` (${already.selfNumber})` : ''}; nothing to do.`);
    println(`To link another phone: ${relink}`);
    return;
  }
  const out = o.json ? (t: string) => process.stderr.write(t) : (t: string) => process.stdout.write(t);
  let factory: WaSocketFactory | undefined;
  try {
    factory = testSocketFactory ?? (await socketFactoryFromEnv(env));
  } catch (err) {
    throw new CliError((err as Error).message, { fix: 'unset OPENCLAW_WHATSAPP_FAKE_SOCKET (test-only)' });
  }
  if (!o.json) println(`Linking WhatsApp account "${account}" (session: ${where.authDir})…`);
  let result;
  try {
    result = await runWhatsAppLogin({ authDir: where.authDir, ...(factory ? { socketFactory: factory } : {}), out, timeoutMs: o.timeout ?? DEFAULT_LOGIN_TIMEOUT_MS, accountFlag: flag });
  } catch (err) {
    if (err instanceof WhatsAppLoginError) throw new CliError(err.message, { fix: err.fix, data: { channel: 'whatsapp', accountId: account, ...(err.status ? { status: err.status } : {}) } });
    throw new CliError(`WhatsApp login failed: ${(err as Error).message}`, { fix: `openclaw channels login --channel whatsapp${flag}` });
  }
  // The gateway runs accounts that are in openclaw.json: add the block (pairing for unknown DMs) when missing.
  let configWritten = false;
  if (!where.inConfig) {
    const { patchConfig } = await import('../../config/edit.js');
    const patch = account === DEFAULT_ACCOUNT_ID || !where.block ? (account === DEFAULT_ACCOUNT_ID ? { channels: { whatsapp: { dmPolicy: 'pairing' } } } : { channels: { whatsapp: { accounts: { [account]: { dmPolicy: 'pairing' } } } } }) : { channels: { whatsapp: { accounts: { [account]: { dmPolicy: 'pairing' } } } } };
    try {
      configWritten = patchConfig(where.configPath, patch).written;
    } catch (err) {
      throw await configError(err);
    }
  }
  // The running gateway owns the socket: ask it to start the account now (upstream's channels.start).
  const start = await askGateway<{ started?: boolean; outcome?: { reason?: string } }>('channels.start', { channel: 'whatsapp', accountId: account }, env);
  const gateway = start.kind === 'ok' ? { reachable: true, started: !!start.value.started, ...(start.value.outcome?.reason ? { reason: start.value.outcome.reason } : {}) } : start.kind === 'refused' ? { reachable: true, started: false, reason: start.message } : { reachable: false, started: false };
  if (o.json) return printJson({ ok: true, channel: 'whatsapp', accountId: account, selfNumber: result.selfNumber ?? null, authDir: where.authDir, configWritten, gateway });
  println(`Linked WhatsApp${result.selfNumber ? ` ${result.selfNumber}` : ''} (account "${account}").`);
  if (configWritten) println(`Wrote channels.whatsapp${account === DEFAULT_ACCOUNT_ID ? '' : `.accounts.${account}`} (dmPolicy: pairing) to ${where.configPath}.`);
  if (gateway.started) println(`The running gateway connected it; check: openclaw channels status --probe --channel whatsapp${flag}`);
  else if (gateway.reachable) println(`The running gateway did not start it${gateway.reason ? ` (${gateway.reason})` : ''}; check: openclaw channels status --probe --channel whatsapp${flag}`);
  else println('The gateway is not running; it connects this account when it starts: openclaw gateway start');
}

type GatewayAnswer<T> = { kind: 'ok'; value: T } | { kind: 'refused'; message: string; fix?: string } | { kind: 'unreachable'; message: string };

/** One RPC to the local gateway: its answer, its refusal, or the fact that nobody answered. */
async function askGateway<T>(method: string, params: Record<string, unknown>, env: Env): Promise<GatewayAnswer<T>> {
  const { callGateway, GatewayCallError } = await import('../../client/call.js');
  try {
    return { kind: 'ok', value: (await callGateway({ method, params, timeoutMs: 15_000, env })) as T };
  } catch (err) {
    if (err instanceof GatewayCallError) return { kind: 'refused', message: err.message, ...(err.fix ? { fix: err.fix } : {}) };
    return { kind: 'unreachable', message: (err as Error).message };
  }
}

export async function channelsLogout(o: LogoutOpts, env: Env = process.env): Promise<void> {
  requireWhatsApp(o.channel, 'logout');
  const account = o.account ?? DEFAULT_ACCOUNT_ID;
  const flag = accountFlag(account);
  const where = await locate(account, env);
  if (!o.yes) {
    throw new CliError(`refusing to unlink WhatsApp account "${account}" without --yes (its session in ${where.authDir} is moved aside, not deleted)`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels logout --channel whatsapp${flag} --yes` });
  }
  // A running gateway stops its listener, unlinks the device and moves the session aside itself.
  const viaGateway = await askGateway<{ cleared?: boolean; loggedOut?: boolean; backupPath?: string; selfNumber?: string; wasLinked?: boolean }>('channels.logout', { channel: 'whatsapp', accountId: account }, env);
  if (viaGateway.kind === 'ok') {
    const r = viaGateway.value;
    if (o.json) return printJson({ ok: true, channel: 'whatsapp', accountId: account, wasLinked: !!r.wasLinked, backupPath: r.backupPath ?? null, authDir: where.authDir, loggedOut: !!r.loggedOut, viaGateway: true });
    if (!r.backupPath) {
      println(`WhatsApp account "${account}" is not linked (no session in ${where.authDir}); nothing to do.`);
      return;
    }
    println(`Unlinked WhatsApp account "${account}"${r.selfNumber ? ` (${r.selfNumber})` : ''}: the gateway stopped its listener${r.loggedOut ? ' and WhatsApp removed this device' : ''}. The session was moved to ${r.backupPath}.`);
    if (!r.loggedOut) println('Also remove this device on the phone: WhatsApp → Settings → Linked devices.');
    println(`Link again with: openclaw channels login --channel whatsapp${flag}`);
    return;
  }
  if (viaGateway.kind === 'refused' && where.inConfig) {
    // The gateway knows the account but could not log it out: moving the session under it is not safe.
    throw new CliError(`The running gateway could not log out WhatsApp account "${account}": ${viaGateway.message}`, { fix: viaGateway.fix ?? `openclaw gateway stop, then openclaw channels logout --channel whatsapp${flag} --yes`, data: { channel: 'whatsapp', accountId: account } });
  }
  const { runWhatsAppLogout } = await import('../../channels/whatsapp/login.js');
  const r = runWhatsAppLogout({ authDir: where.authDir });
  if (o.json) return printJson({ ok: true, channel: 'whatsapp', accountId: account, wasLinked: r.wasLinked, backupPath: r.backupPath ?? null, authDir: where.authDir });
  if (!r.backupPath) {
    println(`WhatsApp account "${account}" is not linked (no session in ${where.authDir}); nothing to do.`);
    return;
  }
  println(`Unlinked WhatsApp account "${account}"${r.selfNumber ? ` (${r.selfNumber})` : ''}. The session was moved to ${r.backupPath}.`);
  println('Also remove this device on the phone: WhatsApp → Settings → Linked devices.');
  println(`Link again with: openclaw channels login --channel whatsapp${flag}`);
  if (!r.wasLinked) eprintln('(the directory held no completed link)');
}

export function registerChannelsLogin(channels: Command): void {
  channels
    .command('login')
    .description('Link a WhatsApp account by scanning a QR code with the phone (WhatsApp only).')
    .option('--channel <name>', 'channel id (only whatsapp has a login; default whatsapp)')
    .option('--account <id>', 'account id (default: the default account)', parseAccount)
    .option('--timeout <ms>', `how long to wait for the scan (default ${DEFAULT_LOGIN_TIMEOUT_MS})`, parseTimeout)
    .option('--verbose', 'accepted for upstream compatibility (the QR and every step are always printed)')
    .option('--json', 'print the result as JSON (the QR goes to stderr)')
    .addHelpText('after', LOGIN_EPILOG)
    .action((o: LoginOpts) => channelsLogin(o));

  channels
    .command('logout')
    .description('Unlink a WhatsApp account: its session is moved aside as a backup; needs --yes.')
    .option('--channel <name>', 'channel id (only whatsapp; default whatsapp)')
    .option('--account <id>', 'account id (default: the default account)', parseAccount)
    .option('--yes', 'really unlink it')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', LOGOUT_EPILOG)
    .action((o: LogoutOpts) => channelsLogout(o));
}
