// `openclaw channels list|status|add|remove`: chat channel accounts from the terminal. `status`
// asks the running gateway (RPC channels.status) and falls back to what the config alone says;
// `add` and `remove` edit openclaw.json through the config store (locked, validated, backed up),
// and a running gateway applies the change by itself. Bot tokens are never printed.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { eprintln, printJson, println, useColor } from '../output.js';
import { CHANNEL_IDS, DEFAULT_ACCOUNT_ID, type ChannelId, type ChannelsStatusPayload, type DmPolicy } from '../../channels/types.js';
import { CHANNEL_FACTS, channelLabel, IMPLEMENTED_CHANNELS, setupCommand } from '../../channels/catalog.js';
import type { ResolvedAccount } from '../../channels/config.js';
import { closest } from '../../config/closest.js';
import { registerChannelsLogin } from './channels-login.js';
import { parseAccount } from '../parse.js';

type Env = Record<string, string | undefined>;
type Json = Record<string, unknown>;

/** Default RPC budget without / with `--probe`, and the range a request is clamped to. */
export const STATUS_TIMEOUT_MS = { default: 10_000, probe: 30_000, min: 1_000, max: 30_000 } as const;
/** Extra client-side wait beyond the budget the gateway gets, so a slow probe still answers. */
const CLIENT_GRACE_MS = 2_000;

const EPILOG = `
Examples:
  openclaw channels list                                   configured channels and accounts
  openclaw channels list --all                             also the channels this gateway supports
  openclaw channels status --probe                         live status; asks Telegram (getMe) too
  openclaw channels add --channel telegram --token <token> add or update the Telegram bot
  openclaw channels remove --channel telegram --yes        delete channels.telegram (backed up)
`;

const STATUS_EPILOG = `
Exit codes (for scripts and monitors):
  0  every account is healthy (and every probe that ran worked)
  1  an account is unhealthy (terminal-disconnect, not-running, stuck, probe-failed, …), a probe
     failed, or the gateway could not be asked (the config-only status is still printed)

Examples:
  openclaw channels status
  openclaw channels status --probe --channel telegram
  openclaw channels status --json | jq '.channelAccounts.telegram[0].healthState'
  openclaw channels status --probe >/dev/null || echo "a channel needs attention"
`;

const ADD_EPILOG = `
Writes channels.telegram (or channels.telegram.accounts.<id> with --account) and sets dmPolicy
to "pairing" when none is set, so unknown senders get a pairing code. A running gateway picks the
change up by itself. The token is never printed.

Examples:
  openclaw channels add --channel telegram --token 123456789:AA…           (from @BotFather)
  openclaw channels add --channel telegram --token-file /etc/openclaw/telegram.token
  openclaw channels add --channel telegram --use-env                       (TELEGRAM_BOT_TOKEN)
  openclaw channels add --channel telegram --account work --token <token> --name "Work bot"
  openclaw channels add --channel telegram --dm-policy allowlist --allow-from 123456789
  openclaw channels add --channel discord --token <bot token>              (Developer Portal → Bot)
  openclaw channels add --channel whatsapp                                 (then: openclaw channels login --channel whatsapp)
  openclaw channels add --channel imessage --cli-path /usr/local/bin/imsg
`;

const REMOVE_EPILOG = `
Deletes the channel block (or one account with --account); the previous file is kept as
openclaw.json.bak. --disable keeps the config and only sets enabled: false.

Examples:
  openclaw channels remove --channel telegram --yes
  openclaw channels remove --channel telegram --account work --yes
  openclaw channels remove --channel telegram --disable
`;

// ---- shared ------------------------------------------------------------------------------------

function isChannelId(v: string): v is ChannelId {
  return (CHANNEL_IDS as readonly string[]).includes(v);
}

function isImplemented(c: string): boolean {
  return (IMPLEMENTED_CHANNELS as readonly string[]).includes(c);
}

const supportedText = () => IMPLEMENTED_CHANNELS.join(', ');

function notImplemented(channel: string, action: string): CliError {
  const label = channelLabel(channel);
  return new CliError(`${label} is not implemented yet in this gateway, so it cannot be ${action} (supported: ${supportedText()}).`, {
    exitCode: ExitCodes.USAGE,
    fix: 'openclaw channels list --all',
    data: { channel, supported: [...IMPLEMENTED_CHANNELS] },
  });
}

function unknownChannel(channel: string, extra: string[] = []): CliError {
  return new CliError(`unknown channel "${channel}" (expected one of: ${[...CHANNEL_IDS, ...extra].join(', ')})`, { exitCode: ExitCodes.USAGE, fix: 'openclaw channels list --all' });
}

function parseTimeout(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive number of milliseconds, e.g. --timeout 30000');
  return n;
}

function collectList(v: string, acc: string[] = []): string[] {
  return [...acc, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
}

async function configPathOf(env: Env): Promise<string> {
  const { resolveConfigPath } = await import('../../config/paths.js');
  return resolveConfigPath(env);
}

/** Library errors as one-sentence CLI errors with their fix (the config store's, mostly). */
async function asCliError(err: unknown): Promise<unknown> {
  const [{ ConfigError }, { ConfigClobberError, ConfigConflictError, ConfigLockError }] = await Promise.all([import('../../config/load.js'), import('../../config/store.js')]);
  if (err instanceof ConfigError) return new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: err.fix });
  if (err instanceof ConfigClobberError || err instanceof ConfigConflictError) return new CliError(err.message, { fix: err.fix });
  if (err instanceof ConfigLockError) return new CliError(err.message, { fix: err.fix });
  return err;
}

// ---- status ------------------------------------------------------------------------------------

interface StatusOpts {
  channel?: string;
  probe?: boolean;
  timeout?: number;
  json?: boolean;
}

/** The timeoutMs sent with channels.status: the default for the mode, clamped to 1–30 s. */
export function statusTimeoutMs(probe: boolean, requested?: number): number {
  const t = requested ?? (probe ? STATUS_TIMEOUT_MS.probe : STATUS_TIMEOUT_MS.default);
  return Math.min(STATUS_TIMEOUT_MS.max, Math.max(STATUS_TIMEOUT_MS.min, Math.round(t)));
}

/** `--channel all` (or none) asks for every channel. */
function statusChannel(v: string | undefined): ChannelId | undefined {
  if (v === undefined) return undefined;
  const c = v.trim().toLowerCase();
  if (c === '' || c === 'all') return undefined;
  if (!isChannelId(c)) throw unknownChannel(v, ['all']);
  return c;
}

/** Credentials in a URL (`wss://user:pass@host`) never reach the terminal. */
function redactUrls(text: string): string {
  return text.replace(/\b((?:wss?|https?):\/\/)[^\s/@"'<>]+@/gi, '$1***@');
}

/** The gateway answered but would not let us in: config-only status says "auth unavailable". */
async function isAuthRejection(err: unknown): Promise<boolean> {
  const { GatewayCallError } = await import('../../client/errors.js');
  if (!(err instanceof GatewayCallError) || !err.detailCode) return false;
  const d = err.detailCode;
  return d.startsWith('AUTH_') || d.startsWith('DEVICE_AUTH_') || d === 'PAIRING_REQUIRED' || d === 'DEVICE_IDENTITY_REQUIRED' || d === 'MISSING_SCOPE';
}

export async function channelsStatus(o: StatusOpts, env: Env = process.env): Promise<void> {
  const channel = statusChannel(o.channel);
  const probe = Boolean(o.probe);
  const timeoutMs = statusTimeoutMs(probe, o.timeout);
  if (!o.json && !process.stderr.isTTY) println(probe ? 'Checking channel status (probe)…' : 'Checking channel status…');
  const [{ callGateway }, { ConfigError }, status] = await Promise.all([import('../../client/call.js'), import('../../config/load.js'), import('../../channels/status-line.js')]);
  let payload: ChannelsStatusPayload;
  try {
    payload = (await callGateway({ method: 'channels.status', params: { probe, timeoutMs, ...(channel ? { channel } : {}) }, timeoutMs: timeoutMs + CLIENT_GRACE_MS, env })) as ChannelsStatusPayload;
  } catch (err) {
    if (err instanceof ConfigError) throw await asCliError(err);
    return configOnlyStatus(o, channel, err, env);
  }
  if (o.json) printJson({ ok: status.unhealthyAccounts(payload).length === 0, ...payload });
  else for (const line of status.formatStatusText(payload, { gatewayReachable: true, terminalLinks: Boolean(process.stdout.isTTY), color: useColor(env) })) println(line);
  if (status.unhealthyAccounts(payload).length > 0) process.exitCode = ExitCodes.FAILURE;
}

async function configOnlyStatus(o: StatusOpts, channel: ChannelId | undefined, err: unknown, env: Env): Promise<void> {
  const [{ loadConfig }, { resolveAllAccounts, unimplementedChannels }, status] = await Promise.all([import('../../config/load.js'), import('../../channels/config.js'), import('../../channels/status-line.js')]);
  const authUnavailable = await isAuthRejection(err);
  const error = redactUrls(err instanceof Error ? err.message : String(err));
  const fix = err instanceof Error && typeof (err as { fix?: unknown }).fix === 'string' ? (err as unknown as { fix: string }).fix : undefined;
  if (!o.json) {
    eprintln(`${authUnavailable ? 'Gateway auth unavailable' : 'Gateway not reachable'}: ${error}`);
    if (authUnavailable && fix) eprintln(`fix: ${fix}`);
  }
  let loaded;
  try {
    loaded = loadConfig(await configPathOf(env), env);
  } catch (e) {
    throw await asCliError(e);
  }
  const mode = loaded.config.gateway?.mode === 'remote' ? 'remote' : 'local';
  const channels = loaded.config.channels;
  process.exitCode = ExitCodes.FAILURE;
  if (o.json) {
    const configuredChannels = status.configuredChannelIds(channels, env).filter((c) => !channel || c === channel);
    return printJson({ ok: false, ...status.configOnlyJson({ error, gatewayAuthUnavailable: authUnavailable, configPath: loaded.path, mode, configuredChannels }) });
  }
  const accounts = resolveAllAccounts(channels, env).filter((a) => !channel || a.channel === channel);
  const unimplemented = unimplementedChannels(channels).filter((c) => !channel || c === channel);
  const lines = status.formatConfigOnlyText(accounts, { configPath: loaded.path, mode, gatewayAuthUnavailable: authUnavailable, unimplemented, terminalLinks: Boolean(process.stdout.isTTY) });
  for (const line of lines) println(line);
}

// ---- list --------------------------------------------------------------------------------------

interface ListEntry {
  accounts: string[];
  label: string;
  installed: boolean;
  /** configured: in openclaw.json; available: supported, not configured; coming: not implemented yet. */
  origin: 'configured' | 'available' | 'coming';
  implemented: boolean;
}

function listAccountLine(a: ResolvedAccount): string {
  const label = `${channelLabel(a.channel)} ${a.accountId}${a.name?.trim() ? ` (${a.name.trim()})` : ''}`;
  const bits = ['installed', a.configured || a.tokenError ? 'configured' : 'not configured', a.enabled ? 'enabled' : 'disabled'];
  // As upstream: a linked-device channel says linked / not linked; only token channels have a token source.
  const credential = CHANNEL_FACTS[a.channel].credential;
  if (credential === 'link') bits.push(a.configured ? 'linked' : 'not linked');
  if (credential === 'token') {
    const source = a.tokenSource || 'none';
    bits.push(`token=${a.tokenError && source !== 'none' ? `${source}-unavailable` : source}`);
  }
  return `- ${label}: ${bits.join(', ')}`;
}

export async function channelsList(o: { all?: boolean; json?: boolean }, env: Env = process.env): Promise<void> {
  const [{ loadConfig }, { resolveAllAccounts, unimplementedChannels }] = await Promise.all([import('../../config/load.js'), import('../../channels/config.js')]);
  let loaded;
  try {
    loaded = loadConfig(await configPathOf(env), env);
  } catch (e) {
    throw await asCliError(e);
  }
  const channels = loaded.config.channels;
  const accounts = resolveAllAccounts(channels, env);
  const unimplemented = new Set(unimplementedChannels(channels).filter(isChannelId));
  const chat: Record<string, ListEntry> = {};
  const lines: string[] = ['Chat channels:'];
  for (const id of CHANNEL_IDS) {
    const own = accounts.filter((a) => a.channel === id);
    const implemented = isImplemented(id);
    if (implemented && own.length > 0) {
      chat[id] = { accounts: own.map((a) => a.accountId), label: channelLabel(id), installed: true, origin: 'configured', implemented };
      lines.push(...own.map(listAccountLine));
    } else if (!implemented && unimplemented.has(id)) {
      chat[id] = { accounts: [], label: channelLabel(id), installed: false, origin: 'configured', implemented };
      lines.push(`- ${channelLabel(id)}: not installed, configured, disabled, not implemented yet in this gateway (config kept, not started)`);
    } else if (o.all) {
      chat[id] = { accounts: [], label: channelLabel(id), installed: implemented, origin: implemented ? 'available' : 'coming', implemented };
      lines.push(implemented ? `- ${channelLabel(id)}: installed, not configured (add: ${setupCommand(id)})` : `- ${channelLabel(id)}: not installed, not configured, coming (not implemented yet in this gateway)`);
    }
  }
  if (o.json) return printJson({ chat });
  const { NO_CONFIGURED_CHAT_CHANNELS_LINE } = await import('../../channels/status-line.js');
  if (lines.length === 1) lines.push(NO_CONFIGURED_CHAT_CHANNELS_LINE);
  for (const line of lines) println(line);
  println();
  println(accounts.length > 0 ? 'Live status: openclaw channels status --probe' : 'Add one: openclaw channels add --channel telegram --token <token>');
}

// ---- add ---------------------------------------------------------------------------------------

export interface AddInput {
  channel: string;
  account?: string;
  name?: string;
  token?: string;
  tokenFile?: string;
  useEnv?: boolean;
  dmPolicy?: DmPolicy;
  allowFrom?: string[];
}

export interface ConfigChange {
  op: 'set' | 'remove' | 'move';
  path: string;
  /** What was set, secrets shown as "(redacted)". */
  value?: unknown;
  /** For a move: where the value came from. */
  from?: string;
}

export interface AddPlan {
  accountId: string;
  /** RFC 7386 merge patch for patchConfig (null deletes). */
  patch: Json;
  changes: ConfigChange[];
  notes: string[];
}

/** Telegram's bot token shape as @BotFather prints it: the bot's numeric id, a colon, ~35 characters. */
export const TELEGRAM_TOKEN_SHAPE = /^\d{5,16}:[A-Za-z0-9_-]{30,64}$/;
const DM_POLICIES: readonly DmPolicy[] = ['pairing', 'allowlist', 'open', 'disabled'];
/** Keys that belong to the default account when a block turns into an accounts map (upstream promotes the credentials). */
const PROMOTED_KEYS = ['name', 'botToken', 'tokenFile', 'webhookUrl', 'webhookSecret', 'webhookPath', 'webhookHost', 'webhookPort'];
const REDACTED_TEXT = '(redacted)';

function addFix(i: Pick<AddInput, 'account'>, rest: string): string {
  return `openclaw channels add --channel telegram${i.account && i.account !== DEFAULT_ACCOUNT_ID ? ` --account ${i.account}` : ''} ${rest}`;
}

/** Checks a token without ever echoing it; the error names the likely mistake. */
export function checkTelegramToken(token: string, where: string, input: Pick<AddInput, 'account'> = {}): string {
  const t = token.trim().replace(/^["']|["']$/g, '');
  if (TELEGRAM_TOKEN_SHAPE.test(t)) return t;
  const hint = /^bot\d+:/i.test(t)
    ? ' (drop the leading "bot": that belongs to the API URL, not the token)'
    : /\s/.test(t)
      ? ' (it contains whitespace)'
      : !t.includes(':')
        ? ' (no ":" in it)'
        : '';
  throw new CliError(`${where} does not look like a Telegram bot token${hint}; expected <bot id digits>:<about 35 letters, digits, "_" or "-">, as @BotFather prints it.`, {
    exitCode: ExitCodes.USAGE,
    fix: addFix(input, "--token '<token from @BotFather: /mybots → your bot → API Token>'"),
  });
}

/** A token file the gateway will accept: a regular file (not a symlink) holding one token. */
export function checkTokenFile(file: string, input: Pick<AddInput, 'account'> = {}): { path: string; warnings: string[] } {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(`--token-file ${abs} cannot be read (${code}).`, { exitCode: ExitCodes.USAGE, fix: code === 'ENOENT' ? `printf '%s\\n' '<token>' > ${abs} && chmod 600 ${abs}` : `ls -l ${abs}` });
  }
  if (st.isSymbolicLink()) {
    throw new CliError(`--token-file ${abs} is a symlink, and the gateway refuses symlinked token files.`, { exitCode: ExitCodes.USAGE, fix: addFix(input, `--token-file "$(readlink -f ${abs})"`) });
  }
  if (!st.isFile()) throw new CliError(`--token-file ${abs} is not a regular file.`, { exitCode: ExitCodes.USAGE, fix: `ls -l ${abs}` });
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new CliError(`--token-file ${abs} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { exitCode: ExitCodes.USAGE, fix: `ls -l ${abs}  (the gateway's user must be able to read it)` });
  }
  checkTelegramToken(text, `The content of ${abs}`, input);
  const warnings = (st.mode & 0o077) !== 0 ? [`${abs} is readable by other users; restrict it: chmod 600 ${abs}`] : [];
  return { path: abs, warnings };
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setIn(obj: Json, segs: string[], value: unknown): void {
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    if (!isObj(cur[s])) cur[s] = {};
    cur = cur[s] as Json;
  }
  cur[segs[segs.length - 1]] = value;
}

function shown(key: string, value: unknown): unknown {
  return key === 'botToken' || key === 'webhookSecret' ? REDACTED_TEXT : value;
}

/**
 * The edit `channels add --channel telegram` makes, as a merge patch on the current file (pure).
 * A non-default account added to a single-account block first moves the block's credentials into
 * accounts.default, so the existing bot keeps working (upstream does the same).
 */
export function planTelegramAdd(current: Json, input: AddInput, env: Env = {}): AddPlan {
  const channels = isObj(current.channels) ? current.channels : {};
  const block = isObj(channels.telegram) ? channels.telegram : undefined;
  const accounts = block && isObj(block.accounts) ? block.accounts : undefined;
  const hasAccountsMap = !!accounts && Object.keys(accounts).length > 0;
  const defaultAccount = block && typeof block.defaultAccount === 'string' && block.defaultAccount ? block.defaultAccount : DEFAULT_ACCOUNT_ID;
  const accountId = input.account ?? (hasAccountsMap ? defaultAccount : DEFAULT_ACCOUNT_ID);
  const base = ['channels', 'telegram'];
  const atBlock = !hasAccountsMap && accountId === DEFAULT_ACCOUNT_ID;
  const target = atBlock ? base : [...base, 'accounts', accountId];
  const targetNow: Json = (atBlock ? block : accounts?.[accountId] && isObj(accounts[accountId]) ? (accounts[accountId] as Json) : undefined) ?? {};
  const patch: Json = {};
  const changes: ConfigChange[] = [];
  const notes: string[] = [];
  const dotted = (segs: string[]) => segs.join('.');
  const set = (key: string, value: unknown) => {
    setIn(patch, [...target, key], value);
    changes.push({ op: 'set', path: dotted([...target, key]), value: shown(key, value) });
  };
  const remove = (key: string) => {
    if (targetNow[key] === undefined) return;
    setIn(patch, [...target, key], null);
    changes.push({ op: 'remove', path: dotted([...target, key]) });
  };

  if (input.useEnv && accountId !== DEFAULT_ACCOUNT_ID) {
    throw new CliError('TELEGRAM_BOT_TOKEN can only be used for the default account.', { exitCode: ExitCodes.USAGE, fix: addFix(input, '--token <token>') });
  }

  // A block used as the default account becomes accounts.default before another account joins.
  if (!hasAccountsMap && accountId !== DEFAULT_ACCOUNT_ID && block) {
    const moved = PROMOTED_KEYS.filter((k) => block[k] !== undefined);
    if (moved.length > 0 || env.TELEGRAM_BOT_TOKEN?.trim()) {
      setIn(patch, [...base, 'accounts', DEFAULT_ACCOUNT_ID], {});
      for (const k of moved) {
        setIn(patch, [...base, k], null);
        setIn(patch, [...base, 'accounts', DEFAULT_ACCOUNT_ID, k], block[k]);
        changes.push({ op: 'move', from: dotted([...base, k]), path: dotted([...base, 'accounts', DEFAULT_ACCOUNT_ID, k]), value: shown(k, block[k]) });
      }
      if (moved.length === 0) changes.push({ op: 'set', path: dotted([...base, 'accounts', DEFAULT_ACCOUNT_ID]), value: {} });
      notes.push(`The existing bot stays as account "${DEFAULT_ACCOUNT_ID}" (channels.telegram.accounts.${DEFAULT_ACCOUNT_ID}).`);
    }
  }

  if (input.token !== undefined) {
    set('botToken', checkTelegramToken(input.token, 'The --token value', input));
    remove('tokenFile');
  } else if (input.tokenFile !== undefined) {
    set('tokenFile', input.tokenFile);
    remove('botToken');
  } else if (input.useEnv) {
    remove('botToken');
    remove('tokenFile');
  }
  if (input.name !== undefined) set('name', input.name);
  if (targetNow.enabled === false) {
    setIn(patch, [...target, 'enabled'], null);
    changes.push({ op: 'remove', path: dotted([...target, 'enabled']) });
    notes.push(`Account "${accountId}" was disabled (enabled: false); it is enabled again.`);
  }

  const inherited = (key: string) => targetNow[key] ?? (atBlock ? undefined : block?.[key]);
  const dmPolicy = (input.dmPolicy ?? inherited('dmPolicy')) as string | undefined;
  if (input.dmPolicy !== undefined) set('dmPolicy', input.dmPolicy);
  else if (dmPolicy === undefined) set('dmPolicy', 'pairing');
  if (input.allowFrom !== undefined) set('allowFrom', input.allowFrom);
  const allowFrom = (input.allowFrom ?? (inherited('allowFrom') as unknown[] | undefined) ?? []).map(String);
  const policyPath = dotted([...target, 'dmPolicy']);
  if (dmPolicy === 'open' && !allowFrom.includes('*')) {
    throw new CliError(`${policyPath}="open" requires allowFrom to include "*" (anyone may then talk to the bot).`, { exitCode: ExitCodes.USAGE, fix: addFix(input, `--dm-policy open --allow-from '*'  (or keep --dm-policy pairing)`) });
  }
  if (dmPolicy === 'allowlist' && allowFrom.length === 0) {
    throw new CliError(`${policyPath}="allowlist" with an empty allowFrom would drop every DM.`, { exitCode: ExitCodes.USAGE, fix: addFix(input, '--dm-policy allowlist --allow-from <your numeric Telegram user id>') });
  }
  return { accountId, patch, changes, notes };
}

/** What `channels add` writes for Discord, WhatsApp and iMessage: their one credential key each. */
const OTHER_CREDENTIALS: Record<Exclude<ChannelId, 'telegram'>, { option: 'token' | 'authDir' | 'cliPath'; key: string; required: boolean; example: string }> = {
  discord: { option: 'token', key: 'token', required: true, example: '--token <bot token from the Developer Portal>' },
  whatsapp: { option: 'authDir', key: 'authDir', required: false, example: '(then: openclaw channels login --channel whatsapp)' },
  imessage: { option: 'cliPath', key: 'cliPath', required: false, example: '--cli-path /usr/local/bin/imsg' },
};

export interface OtherAddInput {
  channel: Exclude<ChannelId, 'telegram'>;
  account?: string;
  name?: string;
  token?: string;
  authDir?: string;
  cliPath?: string;
  dmPolicy?: DmPolicy;
  allowFrom?: string[];
}

/** The edit `channels add` makes for Discord, WhatsApp and iMessage (pure): the block or accounts.<id>. */
export function planOtherAdd(current: Json, input: OtherAddInput): AddPlan {
  const ch = input.channel;
  const cred = OTHER_CREDENTIALS[ch];
  const channels = isObj(current.channels) ? current.channels : {};
  const block = isObj(channels[ch]) ? (channels[ch] as Json) : undefined;
  const accounts = block && isObj(block.accounts) ? block.accounts : undefined;
  const accountId = input.account ?? DEFAULT_ACCOUNT_ID;
  const atBlock = accountId === DEFAULT_ACCOUNT_ID && !(accounts && isObj(accounts[DEFAULT_ACCOUNT_ID]));
  const target = atBlock ? ['channels', ch] : ['channels', ch, 'accounts', accountId];
  const targetNow: Json = (atBlock ? block : accounts && isObj(accounts[accountId]) ? (accounts[accountId] as Json) : undefined) ?? {};
  const patch: Json = {};
  const changes: ConfigChange[] = [];
  const notes: string[] = [];
  const set = (key: string, value: unknown, secret = false) => {
    setIn(patch, [...target, key], value);
    changes.push({ op: 'set', path: [...target, key].join('.'), value: secret ? REDACTED_TEXT : value });
  };
  const value = input[cred.option];
  if (value !== undefined) set(cred.key, value, cred.option === 'token');
  else if (cred.required && targetNow[cred.key] === undefined) {
    throw new CliError(`${channelLabel(ch)} requires --${cred.option === 'token' ? 'token' : cred.option}.`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels add --channel ${ch}${accountId !== DEFAULT_ACCOUNT_ID ? ` --account ${accountId}` : ''} ${cred.example}` });
  }
  if (input.name !== undefined) set('name', input.name);
  if (targetNow.enabled === false) {
    setIn(patch, [...target, 'enabled'], null);
    changes.push({ op: 'remove', path: [...target, 'enabled'].join('.') });
  }
  const dmPolicy = input.dmPolicy ?? (targetNow.dmPolicy as string | undefined) ?? (atBlock ? undefined : (block?.dmPolicy as string | undefined));
  if (input.dmPolicy !== undefined) set('dmPolicy', input.dmPolicy);
  else if (dmPolicy === undefined) set('dmPolicy', 'pairing');
  if (input.allowFrom !== undefined) set('allowFrom', input.allowFrom);
  const allowFrom = (input.allowFrom ?? (targetNow.allowFrom as unknown[] | undefined) ?? []).map(String);
  const policyPath = [...target, 'dmPolicy'].join('.');
  if (dmPolicy === 'open' && !allowFrom.includes('*')) throw new CliError(`${policyPath}="open" requires allowFrom to include "*" (anyone may then talk to the bot).`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels add --channel ${ch} --dm-policy open --allow-from '*'` });
  if (dmPolicy === 'allowlist' && allowFrom.length === 0) throw new CliError(`${policyPath}="allowlist" with an empty allowFrom would drop every DM.`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels add --channel ${ch} --dm-policy allowlist --allow-from <sender id>` });
  if (ch === 'whatsapp') notes.push('Next, link the phone: openclaw channels login --channel whatsapp' + (accountId !== DEFAULT_ACCOUNT_ID ? ` --account ${accountId}` : ''));
  return { accountId, patch, changes, notes };
}

async function channelsAddOther(channel: Exclude<ChannelId, 'telegram'>, o: AddOpts, env: Env): Promise<void> {
  if (o.tokenFile !== undefined || o.useEnv) throw new CliError(`--token-file and --use-env are Telegram options; ${channelLabel(channel)} takes ${OTHER_CREDENTIALS[channel].example}.`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels add --channel ${channel} ${OTHER_CREDENTIALS[channel].example}` });
  if (o.token !== undefined && channel !== 'discord') throw new CliError(`--token is for Telegram and Discord; ${channelLabel(channel)} takes ${OTHER_CREDENTIALS[channel].example}.`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels add --channel ${channel} ${OTHER_CREDENTIALS[channel].example}` });
  if (o.token !== undefined && !/^[\w-]{20,}\.[\w-]{4,}\.[\w-]{20,}$/.test(o.token.trim())) {
    throw new CliError('The --token value does not look like a Discord bot token (three dot-separated parts, as the Developer Portal → Bot → Reset Token shows it).', { exitCode: ExitCodes.USAGE, fix: 'openclaw channels add --channel discord --token <bot token>' });
  }
  const [{ patchConfig, readEditableConfig }] = await Promise.all([import('../../config/edit.js')]);
  const configPath = await configPathOf(env);
  let result;
  let plan: AddPlan;
  try {
    const input: OtherAddInput = { channel, account: o.account, name: o.name, token: o.token?.trim(), authDir: o.authDir, cliPath: o.cliPath, dmPolicy: o.dmPolicy as DmPolicy | undefined, allowFrom: o.allowFrom && o.allowFrom.length > 0 ? o.allowFrom : undefined };
    plan = planOtherAdd(readEditableConfig(configPath).value, input);
    result = patchConfig(configPath, plan.patch, { dryRun: o.dryRun });
  } catch (err) {
    throw await asCliError(err);
  }
  const label = channelLabel(channel);
  const next = channel === 'whatsapp' ? `openclaw channels login --channel whatsapp${plan.accountId !== DEFAULT_ACCOUNT_ID ? ` --account ${plan.accountId}` : ''}` : 'openclaw channels status --probe';
  if (o.json) return printJson({ ok: true, channel, accountId: plan.accountId, configPath, written: result.written, dryRun: result.dryRun, backupPath: result.backupPath, changes: plan.changes, notes: plan.notes, warnings: result.warnings, next });
  if (!result.changed) println(`${label} account "${plan.accountId}" is already set up that way; nothing was written.`);
  else println(`${o.dryRun ? 'Would add' : 'Added'} ${label} account "${plan.accountId}".`);
  if (result.changed) for (const c of plan.changes) println(describeChange(c));
  for (const n of plan.notes) println(n);
  for (const w of result.warnings) println(`warning: ${w}`);
  if (result.written) println(`Config: ${configPath}${result.backupPath ? ` (previous version: ${result.backupPath})` : ''}`);
  if (!o.dryRun) println(`Next: ${next}`);
}

function normalizeAllowFrom(entries: string[], input: Pick<AddInput, 'account'>): string[] {
  const out: string[] = [];
  for (const raw of entries) {
    const e = raw.trim().replace(/^(telegram|tg):/i, '');
    if (e !== '*' && !/^\d+$/.test(e)) {
      throw new CliError(`--allow-from "${raw}" is not a numeric Telegram user id (or "*").`, {
        exitCode: ExitCodes.USAGE,
        fix: `${addFix(input, '--allow-from 123456789')}  (your id: DM the bot and read it from the pairing reply or openclaw pairing list telegram)`,
      });
    }
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

function describeChange(c: ConfigChange): string {
  const v = (value: unknown) => (value === REDACTED_TEXT ? REDACTED_TEXT : JSON.stringify(value));
  if (c.op === 'move') return `  moved ${c.from} → ${c.path}`;
  if (c.op === 'remove') return `  removed ${c.path}`;
  return `  set ${c.path} = ${v(c.value)}`;
}

interface AddOpts {
  channel?: string;
  account?: string;
  name?: string;
  token?: string;
  tokenFile?: string;
  useEnv?: boolean;
  dmPolicy?: string;
  allowFrom?: string[];
  authDir?: string;
  cliPath?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function channelsAdd(channelArg: string | undefined, o: AddOpts, env: Env = process.env): Promise<void> {
  const channel = (o.channel ?? channelArg ?? '').trim().toLowerCase();
  if (!channel) throw new CliError('channels add needs a channel.', { exitCode: ExitCodes.USAGE, fix: 'openclaw channels add --channel telegram --token <token>' });
  if (!isChannelId(channel)) throw unknownChannel(channel);
  if (!isImplemented(channel)) throw notImplemented(channel, 'added');
  if (o.dmPolicy !== undefined && !DM_POLICIES.includes(o.dmPolicy as DmPolicy)) {
    throw new CliError(`--dm-policy "${o.dmPolicy}" is not one of ${DM_POLICIES.join(', ')}.`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels add --channel ${channel} --dm-policy pairing` });
  }
  if (channel !== 'telegram') return channelsAddOther(channel, o, env);
  const given = [o.token !== undefined, o.tokenFile !== undefined, Boolean(o.useEnv)].filter(Boolean).length;
  if (given === 0) throw new CliError('Telegram requires token or --token-file (or --use-env).', { exitCode: ExitCodes.USAGE, fix: addFix(o, '--token <token from @BotFather>') });
  if (given > 1) throw new CliError('Give exactly one of --token, --token-file or --use-env.', { exitCode: ExitCodes.USAGE, fix: addFix(o, '--token <token>') });
  if (o.dmPolicy !== undefined && !DM_POLICIES.includes(o.dmPolicy as DmPolicy)) {
    throw new CliError(`--dm-policy "${o.dmPolicy}" is not one of ${DM_POLICIES.join(', ')}.`, { exitCode: ExitCodes.USAGE, fix: addFix(o, '--dm-policy pairing') });
  }
  if (o.useEnv && !env.TELEGRAM_BOT_TOKEN?.trim()) {
    throw new CliError('--use-env: TELEGRAM_BOT_TOKEN is not set in this shell.', { exitCode: ExitCodes.USAGE, fix: "export TELEGRAM_BOT_TOKEN='<token>'  (the gateway service needs it in its environment too), then rerun" });
  }
  if (o.useEnv) checkTelegramToken(env.TELEGRAM_BOT_TOKEN!, 'TELEGRAM_BOT_TOKEN', o);
  const warnings: string[] = [];
  let tokenFile: string | undefined;
  if (o.tokenFile !== undefined) {
    const checked = checkTokenFile(o.tokenFile, o);
    tokenFile = checked.path;
    warnings.push(...checked.warnings);
  }
  const input: AddInput = {
    channel,
    account: o.account,
    name: o.name,
    token: o.token,
    tokenFile,
    useEnv: o.useEnv,
    dmPolicy: o.dmPolicy as DmPolicy | undefined,
    allowFrom: o.allowFrom && o.allowFrom.length > 0 ? normalizeAllowFrom(o.allowFrom, o) : undefined,
  };
  const [{ patchConfig, readEditableConfig }, { resolveTelegramAccounts }] = await Promise.all([import('../../config/edit.js'), import('../../channels/config.js')]);
  const configPath = await configPathOf(env);
  let result;
  let plan: AddPlan;
  try {
    plan = planTelegramAdd(readEditableConfig(configPath).value, input, env);
    result = patchConfig(configPath, plan.patch, { dryRun: o.dryRun });
  } catch (err) {
    throw await asCliError(err);
  }
  // What the gateway will see for this account once it reads the file (the token file or env as now).
  const after = readAfter(configPath, plan.patch, o.dryRun, readEditableConfig);
  const resolved = resolveTelegramAccounts(after as Parameters<typeof resolveTelegramAccounts>[0], env).find((a) => a.accountId === plan.accountId);
  const expected = o.token !== undefined ? 'config' : o.tokenFile !== undefined ? 'tokenFile' : 'env';
  if (resolved && resolved.tokenSource !== expected) {
    warnings.push(`account "${plan.accountId}" will still use its ${resolved.tokenSource} token (channels.telegram.tokenFile beats botToken beats TELEGRAM_BOT_TOKEN); check: openclaw config get channels.telegram`);
  }
  const label = channelLabel(channel);
  const next = 'openclaw channels status --probe';
  if (o.json) {
    return printJson({ ok: true, channel, accountId: plan.accountId, configPath, written: result.written, dryRun: result.dryRun, backupPath: result.backupPath, changes: plan.changes, notes: plan.notes, warnings, next });
  }
  if (!result.changed) println(`${label} account "${plan.accountId}" is already set up that way; nothing was written.`);
  else println(`${o.dryRun ? 'Would add' : 'Added'} ${label} account "${plan.accountId}".`);
  if (result.changed) for (const c of plan.changes) println(describeChange(c));
  for (const n of plan.notes) println(n);
  for (const w of [...warnings, ...result.warnings]) println(`warning: ${w}`);
  if (result.written) println(`Config: ${configPath}${result.backupPath ? ` (previous version: ${result.backupPath})` : ''}`);
  if (!o.dryRun) println(`Next: ${next}  (a running gateway picks the change up by itself; if none runs: openclaw gateway start)`);
}

/** The telegram block as the gateway will read it: the file after the write, or (dry run) with the patch applied. */
function readAfter(configPath: string, patch: Json, dryRun: boolean | undefined, read: (p: string) => { value: Json }): Json | undefined {
  const merge = (t: Json, p: Json): Json => {
    const out: Json = { ...t };
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete out[k];
      else if (isObj(v)) out[k] = merge(isObj(out[k]) ? (out[k] as Json) : {}, v);
      else out[k] = v;
    }
    return out;
  };
  const value = dryRun ? merge(read(configPath).value, patch) : read(configPath).value;
  const channels = isObj(value.channels) ? value.channels : {};
  return isObj(channels.telegram) ? channels.telegram : undefined;
}

// ---- remove ------------------------------------------------------------------------------------

interface RemoveOpts {
  channel?: string;
  account?: string;
  yes?: boolean;
  delete?: boolean;
  disable?: boolean;
  json?: boolean;
}

export interface RemovePlan {
  /** Account ids the removal takes away (or disables). */
  accounts: string[];
  patch: Json;
  changes: ConfigChange[];
  /** The whole channel block goes. */
  wholeChannel: boolean;
}

/** The edit `channels remove` makes (pure). Throws when the channel or account is not in the file. */
export function planRemove(current: Json, channel: string, account: string | undefined, disable: boolean): RemovePlan {
  const channels = isObj(current.channels) ? current.channels : {};
  const block = channels[channel];
  if (!isObj(block)) {
    throw new CliError(`channels.${channel} is not in the config; nothing to remove.`, { fix: 'openclaw channels list' });
  }
  const accounts = isObj(block.accounts) ? block.accounts : undefined;
  const ids = accounts && Object.keys(accounts).length > 0 ? Object.keys(accounts) : [DEFAULT_ACCOUNT_ID];
  const base = `channels.${channel}`;
  const hasAccountsMap = !!accounts && Object.keys(accounts).length > 0;
  // Without an accounts map the block itself is the default account.
  const whole = account === undefined || (!hasAccountsMap && account === DEFAULT_ACCOUNT_ID);
  if (!whole && !(hasAccountsMap && accounts![account!] !== undefined)) {
    // The fix never removes anything: a guessed id could be another bot, so it is named, not run.
    const guess = hasAccountsMap ? closest(account!, ids) : undefined;
    throw new CliError(`${base} has no account "${account}" (accounts: ${ids.join(', ')})${guess ? `; did you mean "${guess}"?` : '.'}`, { exitCode: ExitCodes.USAGE, fix: `openclaw channels list  (shows the account ids of ${base})` });
  }
  if (disable) {
    const at = whole ? base : `${base}.accounts.${account}`;
    const patch: Json = {};
    setIn(patch, at.split('.'), { enabled: false });
    return { accounts: whole ? ids : [account!], patch, changes: [{ op: 'set', path: `${at}.enabled`, value: false }], wholeChannel: whole };
  }
  if (whole) {
    // The last channel takes the empty `channels` section with it.
    const patch = Object.keys(channels).length === 1 ? { channels: null } : { channels: { [channel]: null } };
    return { accounts: ids, patch, changes: [{ op: 'remove', path: base }], wholeChannel: true };
  }
  const patch: Json = {};
  const changes: ConfigChange[] = [];
  const left = ids.filter((id) => id !== account);
  if (left.length === 0) {
    setIn(patch, ['channels', channel, 'accounts'], null);
    changes.push({ op: 'remove', path: `${base}.accounts` });
  } else {
    setIn(patch, ['channels', channel, 'accounts', account!], null);
    changes.push({ op: 'remove', path: `${base}.accounts.${account}` });
  }
  if (block.defaultAccount === account) {
    setIn(patch, ['channels', channel, 'defaultAccount'], null);
    changes.push({ op: 'remove', path: `${base}.defaultAccount` });
  }
  return { accounts: [account!], patch, changes, wholeChannel: false };
}

export async function channelsRemove(o: RemoveOpts, env: Env = process.env): Promise<void> {
  const channel = (o.channel ?? '').trim().toLowerCase();
  if (!channel) {
    throw new CliError('Missing channel. Use openclaw channels remove --channel <name> or run openclaw channels status to inspect configured channels.', { exitCode: ExitCodes.USAGE, fix: 'openclaw channels remove --channel telegram --yes' });
  }
  if (!isChannelId(channel)) throw unknownChannel(channel);
  const confirmed = Boolean(o.yes || o.delete);
  const accountFlag = o.account ? ` --account ${o.account}` : '';
  if (!o.disable && !confirmed) {
    const what = o.account ? `channels.${channel} account "${o.account}"` : `channels.${channel}`;
    throw new CliError(`refusing to delete ${what} without --yes (a backup is kept; --disable keeps the config instead)`, {
      exitCode: ExitCodes.USAGE,
      fix: `openclaw channels remove --channel ${channel}${accountFlag} --yes`,
    });
  }
  const { patchConfig, readEditableConfig } = await import('../../config/edit.js');
  const configPath = await configPathOf(env);
  let plan: RemovePlan;
  let result;
  try {
    plan = planRemove(readEditableConfig(configPath).value, channel, o.account, Boolean(o.disable));
    // A deletion the user asked for by name may shrink the file a lot: the size guard does not apply.
    result = patchConfig(configPath, plan.patch, { force: !o.disable });
  } catch (err) {
    throw await asCliError(err);
  }
  const label = channelLabel(channel);
  const verb = o.disable ? 'Disabled' : 'Deleted';
  const names = plan.accounts.map((a) => `"${a}"`).join(', ');
  if (o.json) return printJson({ ok: true, channel, action: o.disable ? 'disable' : 'delete', accounts: plan.accounts, configPath, written: result.written, backupPath: result.backupPath, changes: plan.changes });
  println(`${verb} ${label} account${plan.accounts.length === 1 ? '' : 's'} ${names}.`);
  for (const c of plan.changes) println(describeChange(c));
  if (result.written) println(`Config: ${configPath}${result.backupPath ? ` (previous version: ${result.backupPath})` : ''}`);
  else println('Nothing changed (it already was that way).');
  if (isImplemented(channel) && result.written) println('A running gateway stops the account by itself; check: openclaw channels status');
}

// ---- registration ------------------------------------------------------------------------------

export function register(program: Command): void {
  const channels = program
    .command('channels')
    .description('List, check, add and remove chat channel accounts (Telegram, Discord, WhatsApp, iMessage).')
    .addHelpText('after', EPILOG);

  channels
    .command('list')
    .description('List configured chat channels and accounts (--all: also the channels this gateway supports).')
    .option('--all', 'include channels that are not configured (and the ones not implemented yet)')
    .option('--json', 'print machine-readable JSON')
    .action((o: { all?: boolean; json?: boolean }) => channelsList(o));

  channels
    .command('status')
    .description('Show every channel account from the running gateway (config-only when it is down); exit 1 when one is unhealthy.')
    .option('--channel <name>', `only this channel (${[...CHANNEL_IDS, 'all'].join(', ')})`)
    .option('--probe', 'also ask each channel (Telegram: getMe, webhook info) whether the credentials work')
    .option('--timeout <ms>', `how long the gateway may take (default ${STATUS_TIMEOUT_MS.default}, ${STATUS_TIMEOUT_MS.probe} with --probe; clamped to ${STATUS_TIMEOUT_MS.min}-${STATUS_TIMEOUT_MS.max})`, parseTimeout)
    .option('--json', 'print the channels.status payload (or the config-only fallback) as JSON')
    .addHelpText('after', STATUS_EPILOG)
    .action((o: StatusOpts) => channelsStatus(o));

  channels
    .command('add [channel]')
    .description('Add or update a channel account in openclaw.json (Telegram/Discord: the bot token; WhatsApp: then channels login; iMessage: the imsg path).')
    .option('--channel <name>', `channel id (supported: ${supportedText()})`)
    .option('--account <id>', 'account id (default: the default account)', parseAccount)
    .option('--name <name>', 'display name for this account')
    .option('--token <token>', 'bot token from @BotFather (written to botToken)')
    .option('--token-file <path>', 'file holding the bot token (written to tokenFile; a regular file, not a symlink)')
    .option('--use-env', 'use TELEGRAM_BOT_TOKEN from the gateway environment (default account only)')
    .option('--dm-policy <policy>', `who may DM the bot: ${DM_POLICIES.join(', ')} (default pairing when unset)`)
    .option('--allow-from <ids>', 'allowed sender ids, comma-separated or repeated (replaces allowFrom)', collectList)
    .option('--auth-dir <dir>', 'WhatsApp: an existing Baileys credentials directory to attach (default <state>/credentials/whatsapp/<account>)')
    .option('--cli-path <path>', 'iMessage: the imsg executable (default: imsg on PATH; an SSH wrapper for a remote Mac)')
    .option('--dry-run', 'show what would be written, write nothing')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', ADD_EPILOG)
    .action((channelArg: string | undefined, o: AddOpts) => channelsAdd(channelArg, o));

  channels
    .command('remove')
    .description('Delete a channel (or one account) from openclaw.json, keeping a backup; needs --yes.')
    .option('--channel <name>', `channel id (${CHANNEL_IDS.join(', ')})`)
    .option('--account <id>', 'only this account', parseAccount)
    .option('--yes', 'really delete it')
    .option('--delete', 'same as --yes (upstream spelling)')
    .option('--disable', 'keep the config, set enabled: false instead of deleting')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', REMOVE_EPILOG)
    .action((o: RemoveOpts) => channelsRemove(o));
  registerChannelsLogin(channels);
}
