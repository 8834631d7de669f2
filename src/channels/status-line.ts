// The text of `openclaw channels status`, byte-compatible with upstream (users paste it into issues,
// dashboards parse it): the account line's bit order, the age format, the warnings block, the
// config-only fallback. Pure: no config reads, no clock of its own (callers pass `now`).
import { channelLabel, IMPLEMENTED_CHANNELS } from './catalog.js';
import type { ResolvedAccount } from './config.js';
import { CHANNEL_IDS, UNHEALTHY_STATES, type ChannelAccountSnapshot, type ChannelId, type ChannelsStatusPayload, type HealthState } from './types.js';
import { paint } from '../cli/style.js';

export const NO_CONFIGURED_CHAT_CHANNELS_LINE = '- no configured chat channels (run `openclaw channels list --all` to see installable channels)';
export const GATEWAY_NOT_REACHABLE_LINE = 'Gateway not reachable; showing config-only status.';
export const GATEWAY_AUTH_UNAVAILABLE_LINE = 'Gateway auth unavailable; showing config-only status.';
/** What `status --deep` links to in the Tip line. */
export const STATUS_DOCS_URL = 'https://docs.openclaw.ai/cli/status';
/** Upstream caps the partial-status warnings it prints, and each one's length. */
const MAX_WARNINGS = 50;
const MAX_WARNING_CHARS = 500;


export interface TextOptions {
  /** ms since epoch; ages are `now - at`. */
  now?: number;
  /**
   * stdout is a terminal: the Tip line carries an OSC 8 hyperlink labelled `status --deep` (what a
   * pasted terminal shows); otherwise the plain docs URL, as upstream prints when piped.
   */
  terminalLinks?: boolean;
  /** Colour (a terminal): unhealthy account lines red, the Warnings heading yellow. Off: upstream's plain bytes. */
  color?: boolean;
}


/** The account makes `channels status` exit 1 (see unhealthyAccounts). */
function isUnhealthy(a: ChannelAccountSnapshot): boolean {
  return UNHEALTHY_STATES.has(a.healthState as HealthState) || a.probe?.ok === false;
}

/**
 * Upstream's relative age: whole minutes rounded, so anything under 30 s is `just now`, then
 * `2m ago`, `3h ago` (up to 47 h), `2d ago`. A negative or missing duration is `unknown`.
 */
export function formatTimeAgo(durationMs: number | null | undefined): string {
  if (durationMs == null || !Number.isFinite(durationMs) || durationMs < 0) return 'unknown';
  const minutes = Math.round(Math.round(durationMs / 1000) / 60);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** One line of untrusted text (account names, ids): ANSI stripped, \r \n \t escaped, other controls dropped. */
export function sanitizeTerminalText(input: string): string {
  return input.replace(ANSI, '').replace(/\p{Cc}/gu, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : ''));
}

/** `Telegram default`, `Telegram work (Work bot)`. */
export function formatAccountLabel(channelLabelText: string, accountId: string | undefined, name?: string): string {
  const base = sanitizeTerminalText(accountId || 'default');
  const account = name?.trim() ? `${base} (${sanitizeTerminalText(name.trim())})` : base;
  return `${sanitizeTerminalText(channelLabelText)} ${account}`;
}

type Loose = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The credential key pairs upstream prints, in its order (Telegram only fills the first). */
const CREDENTIAL_BITS: Array<[label: string, source: string, status: string]> = [
  ['token', 'tokenSource', 'tokenStatus'],
  ['bot', 'botTokenSource', 'botTokenStatus'],
  ['app', 'appTokenSource', 'appTokenStatus'],
  ['signing', 'signingSecretSource', 'signingSecretStatus'],
];
const CREDENTIAL_STATUS_KEYS = ['tokenStatus', 'botTokenStatus', 'appTokenStatus', 'signingSecretStatus', 'userTokenStatus'];

function enabledConfiguredLinkedBits(bits: string[], a: Loose): void {
  if (typeof a.enabled === 'boolean') bits.push(a.enabled ? 'enabled' : 'disabled');
  if (typeof a.configured === 'boolean') {
    if (a.configured) {
      bits.push('configured');
      if (CREDENTIAL_STATUS_KEYS.some((k) => a[k] === 'configured_unavailable')) bits.push('secret unavailable in this command path');
    } else bits.push('not configured');
  }
  if (typeof a.linked === 'boolean') bits.push(a.linked ? 'linked' : 'not linked');
  const reason = str(a.stateReason);
  const duplicatesState = (a.enabled === false && reason === 'disabled') || (a.configured === false && reason === 'not configured') || (a.linked === false && reason === 'not linked');
  if (reason && !duplicatesState) bits.push(`reason:${reason}`);
  const error = str(a.lastError);
  if (error) bits.push(`error:${error}`);
}

function modeBit(bits: string[], a: Loose): void {
  if (str(a.mode)) bits.push(`mode:${a.mode}`);
}

function credentialBits(bits: string[], a: Loose): void {
  for (const [label, sourceKey, statusKey] of CREDENTIAL_BITS) {
    const source = a[sourceKey];
    if (typeof source !== 'string' || !source || source === 'none') continue;
    bits.push(`${label}:${source}${a[statusKey] === 'configured_unavailable' ? ' (unavailable)' : ''}`);
  }
}

function baseUrlBit(bits: string[], a: Loose): void {
  if (str(a.baseUrl)) bits.push(`url:${a.baseUrl}`);
}

function botUsername(a: ChannelAccountSnapshot): string {
  const probeBot = (a.probe as { bot?: { username?: unknown } } | undefined)?.bot;
  const raw = a.bot?.username ?? probeBot?.username ?? '';
  if (typeof raw !== 'string') return '';
  const trimmed = raw.trim();
  if (!trimmed) return '';
  return trimmed.startsWith('@') ? trimmed : `@${trimmed}`;
}

/**
 * One account of a live `channels.status` answer, upstream's `buildChannelAccountLine` bit order:
 * `- Telegram default: enabled, configured, running, connected, in:2m ago, …, works, audit ok`.
 */
export function formatAccountLine(channelLabelText: string, snapshot: ChannelAccountSnapshot, now: number = Date.now()): string {
  const a = snapshot as unknown as Loose;
  const bits: string[] = [];
  enabledConfiguredLinkedBits(bits, a);
  if (typeof snapshot.running === 'boolean') bits.push(snapshot.running ? 'running' : 'stopped');
  if (typeof snapshot.connected === 'boolean') bits.push(snapshot.connected ? 'connected' : 'disconnected');
  const inboundAt = finiteOrNull(snapshot.lastInboundAt);
  const outboundAt = finiteOrNull(snapshot.lastOutboundAt);
  const transportAt = finiteOrNull(snapshot.lastTransportActivityAt);
  if (inboundAt) bits.push(`in:${formatTimeAgo(now - inboundAt)}`);
  if (outboundAt) bits.push(`out:${formatTimeAgo(now - outboundAt)}`);
  if (transportAt) bits.push(`transport:${formatTimeAgo(now - transportAt)}`);
  modeBit(bits, a);
  const bot = botUsername(snapshot);
  if (bot) bits.push(`bot:${bot}`);
  if (typeof snapshot.dmPolicy === 'string' && snapshot.dmPolicy.length > 0) bits.push(`dm:${snapshot.dmPolicy}`);
  // Upstream shows the first two entries and nothing about the rest.
  if (Array.isArray(snapshot.allowFrom) && snapshot.allowFrom.length > 0) bits.push(`allow:${snapshot.allowFrom.slice(0, 2).map(String).join(',')}`);
  credentialBits(bits, a);
  const messageContent = (a.application as { intents?: { messageContent?: unknown } } | undefined)?.intents?.messageContent;
  if (typeof messageContent === 'string' && messageContent.length > 0 && messageContent !== 'enabled') bits.push(`intents:content=${messageContent}`);
  if (snapshot.allowUnmentionedGroups === true) bits.push('groups:unmentioned');
  if (typeof snapshot.healthState === 'string' && snapshot.healthState) bits.push(`health:${snapshot.healthState}`);
  baseUrlBit(bits, a);
  if (snapshot.probe && typeof snapshot.probe.ok === 'boolean') bits.push(snapshot.probe.ok ? 'works' : 'probe failed');
  if (snapshot.audit && typeof snapshot.audit.ok === 'boolean') bits.push(snapshot.audit.ok ? 'audit ok' : 'audit failed');
  return `- ${formatAccountLabel(channelLabelText, typeof snapshot.accountId === 'string' ? snapshot.accountId : undefined, typeof snapshot.name === 'string' ? snapshot.name : undefined)}: ${bits.join(', ')}`;
}

/** `Tip: status --deep adds …`: upstream ends both views with it. */
export function tipLine(terminalLinks = false): string {
  const link = terminalLinks ? `\u001b]8;;${STATUS_DOCS_URL}\u0007status --deep\u001b]8;;\u0007` : STATUS_DOCS_URL;
  return `Tip: ${link} adds gateway health probes to status output (requires a reachable gateway).`;
}

/** The live view. Channels print in sorted id order (as upstream), accounts in payload order. */
export function formatStatusText(payload: ChannelsStatusPayload, opts: TextOptions & { gatewayReachable: true }): string[] {
  const now = opts.now ?? Date.now();
  const lines = ['Gateway reachable.'];
  const warnings = (Array.isArray(payload.warnings) ? payload.warnings : []).filter((w) => typeof w === 'string' && w.trim().length > 0).slice(0, MAX_WARNINGS);
  if (payload.partial === true || warnings.length > 0) {
    lines.push('Channel status is partial:');
    for (const w of warnings) lines.push(`- ${w.slice(0, MAX_WARNING_CHARS)}`);
    lines.push('');
  }
  const labels = payload.channelLabels && typeof payload.channelLabels === 'object' ? payload.channelLabels : {};
  const start = lines.length;
  for (const channel of Object.keys(payload.channelAccounts ?? {}).sort()) {
    const accounts = payload.channelAccounts[channel];
    if (!Array.isArray(accounts)) continue;
    const label = typeof labels[channel] === 'string' ? labels[channel] : channel;
    for (const account of accounts) {
      const line = formatAccountLine(label, account, now);
      lines.push(paint(opts.color === true && isUnhealthy(account), 'red', line));
    }
  }
  if (lines.length === start) lines.push(NO_CONFIGURED_CHAT_CHANNELS_LINE);
  lines.push('');
  const issues = Array.isArray(payload.statusIssues) ? payload.statusIssues : [];
  if (issues.length > 0) {
    lines.push(paint(opts.color === true, 'yellow', 'Warnings:'));
    for (const i of issues) lines.push(`- ${i.channel} ${i.accountId}: ${i.message}${i.fix ? ` (${i.fix})` : ''}`);
    lines.push('- Run: openclaw doctor');
    lines.push('');
  }
  lines.push(tipLine(opts.terminalLinks));
  return lines;
}

// ---- config-only fallback ---------------------------------------------------------------------

export interface ConfigOnlyMeta extends TextOptions {
  configPath: string;
  mode: 'local' | 'remote';
  /** The gateway answered but refused our credentials (vs. not answering at all). */
  gatewayAuthUnavailable?: boolean;
  /** Channel blocks in the config this gateway has no adapter for (`unimplementedChannels`). */
  unimplemented?: string[];
}

/** Upstream's duplicate-token reason: the first account (in id order) owns a bot token. */
function duplicateTokenReason(accountId: string, ownerAccountId: string): string {
  return `Duplicate Telegram bot token: account "${accountId}" shares a token with account "${ownerAccountId}". Keep one owner account per bot token.`;
}

/**
 * What the config alone says about one account, in the same shape as a live snapshot: a
 * tokenFile that cannot be read is `configured` with its credential `configured_unavailable`
 * (upstream's read-only inspection), a token shared with an earlier account is not configured.
 */
export function configSnapshot(account: ResolvedAccount, ownerOfToken?: string): Loose {
  const unavailable = account.tokenSource === 'tokenFile' && !account.token;
  const duplicate = ownerOfToken !== undefined && ownerOfToken !== account.accountId;
  return {
    accountId: account.accountId,
    name: account.name,
    enabled: account.enabled,
    configured: (account.configured || unavailable) && !duplicate,
    ...(duplicate ? { stateReason: duplicateTokenReason(account.accountId, ownerOfToken) } : {}),
    ...(account.channel === 'telegram' ? { mode: account.webhook ? 'webhook' : 'polling' } : {}),
    tokenSource: account.tokenSource,
    ...(account.tokenSource !== 'none' ? { tokenStatus: unavailable ? 'configured_unavailable' : 'available' } : {}),
  };
}

/** `- Telegram default: enabled, configured, mode:polling, token:config`. */
export function formatConfigAccountLine(account: ResolvedAccount, ownerOfToken?: string): string {
  const a = configSnapshot(account, ownerOfToken);
  const bits: string[] = [];
  enabledConfiguredLinkedBits(bits, a);
  modeBit(bits, a);
  credentialBits(bits, a);
  baseUrlBit(bits, a);
  return `- ${formatAccountLabel(channelLabel(account.channel), account.accountId, account.name)}: ${bits.join(', ')}`;
}

/** For each account, the account id that owns its token (first in order), to spot shared tokens. */
export function tokenOwners(accounts: ResolvedAccount[]): Map<ResolvedAccount, string> {
  const owners = new Map<string, string>();
  const out = new Map<ResolvedAccount, string>();
  for (const a of accounts) {
    if (!a.token) continue;
    const key = `${a.channel}\0${a.token}`;
    if (!owners.has(key)) owners.set(key, a.accountId);
    out.set(a, owners.get(key)!);
  }
  return out;
}

/** The fallback view when `channels.status` could not be asked. */
export function formatConfigOnlyText(accounts: ResolvedAccount[], meta: ConfigOnlyMeta): string[] {
  const lines = [meta.gatewayAuthUnavailable ? GATEWAY_AUTH_UNAVAILABLE_LINE : GATEWAY_NOT_REACHABLE_LINE, `Config: ${meta.configPath}`, `Mode: ${meta.mode}`, ''];
  const start = lines.length;
  const owners = tokenOwners(accounts);
  const order = (c: string) => (CHANNEL_IDS as readonly string[]).indexOf(c);
  const sorted = [...accounts].sort((x, y) => order(x.channel) - order(y.channel));
  for (const a of sorted) lines.push(formatConfigAccountLine(a, owners.get(a)));
  const missing = (meta.unimplemented ?? []).filter((c) => c !== 'defaults');
  if (missing.length > 0) {
    lines.push('');
    lines.push('Not implemented yet in this gateway (config kept, not started):');
    for (const c of missing) lines.push(`- ${channelLabel(c)}: channels.${c} is kept but not started (supported: ${IMPLEMENTED_CHANNELS.join(', ')})`);
  }
  if (lines.length === start) lines.push(NO_CONFIGURED_CHAT_CHANNELS_LINE);
  lines.push('');
  lines.push(tipLine(meta.terminalLinks));
  return lines;
}

/** `channels status --json` when the gateway could not be asked (upstream's shape). */
export interface ConfigOnlyJson {
  gatewayReachable: false;
  error: string;
  gatewayAuthUnavailable: boolean;
  configOnly: true;
  config: { path: string; mode: 'local' | 'remote' };
  configuredChannels: string[];
}

export function configOnlyJson(meta: { error: string; gatewayAuthUnavailable: boolean; configPath: string; mode: 'local' | 'remote'; configuredChannels: string[] }): ConfigOnlyJson {
  return {
    gatewayReachable: false,
    error: meta.error,
    gatewayAuthUnavailable: meta.gatewayAuthUnavailable,
    configOnly: true,
    config: { path: meta.configPath, mode: meta.mode },
    configuredChannels: meta.configuredChannels,
  };
}

/**
 * Channel ids with a block in the config (sorted, `defaults` and `enabled:false` blocks left out),
 * plus Telegram when only TELEGRAM_BOT_TOKEN configures it.
 */
export function configuredChannelIds(channels: unknown, env: Record<string, string | undefined> = {}): string[] {
  const ids = new Set<string>();
  if (channels && typeof channels === 'object' && !Array.isArray(channels)) {
    for (const [id, block] of Object.entries(channels as Record<string, unknown>)) {
      if (id === 'defaults' || !block || typeof block !== 'object' || Array.isArray(block)) continue;
      if (Object.keys(block).length === 0 || (block as { enabled?: unknown }).enabled === false) continue;
      ids.add(id);
    }
    const telegram = (channels as Record<string, unknown>).telegram as { enabled?: unknown } | undefined;
    if (env.TELEGRAM_BOT_TOKEN?.trim() && telegram?.enabled !== false) ids.add('telegram');
  } else if (env.TELEGRAM_BOT_TOKEN?.trim()) ids.add('telegram');
  return [...ids].sort((a, b) => a.localeCompare(b));
}

// ---- health for the exit code -----------------------------------------------------------------

export interface UnhealthyAccount {
  channel: string;
  accountId: string;
  /** `health:<state>` or `probe failed`. */
  why: string;
}

/** Accounts that make `channels status` exit 1: an unhealthy health state, or a probe that failed. */
export function unhealthyAccounts(payload: ChannelsStatusPayload): UnhealthyAccount[] {
  const out: UnhealthyAccount[] = [];
  for (const [channel, accounts] of Object.entries(payload.channelAccounts ?? {})) {
    if (!Array.isArray(accounts)) continue;
    for (const a of accounts) {
      if (!isUnhealthy(a)) continue;
      if (UNHEALTHY_STATES.has(a.healthState as HealthState)) out.push({ channel, accountId: a.accountId, why: `health:${a.healthState}` });
      else out.push({ channel, accountId: a.accountId, why: 'probe failed' });
    }
  }
  return out;
}
