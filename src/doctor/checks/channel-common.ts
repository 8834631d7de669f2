// Shared by the channel-* checks: the Telegram and Discord accounts the raw config defines (works
// even when the config fails validation), and one `channels.status {probe:true}` call to this state
// dir's gateway per doctor run (the checks that need live facts share it; a stopped gateway is a
// value, not an error).
import { resolveTelegramAccounts, type ResolvedAccount, type TelegramChannelConfig } from '../../channels/config.js';
import { resolveDiscordAccounts, type DiscordChannelConfig } from '../../channels/discord/config.js';
import type { ChannelAccountSnapshot, ChannelId, ChannelsStatusPayload, ChannelStatusIssue, GroupPolicy } from '../../channels/types.js';
import { isPlainObject } from '../../config/path-ops.js';
import { locateGateway } from '../locate.js';
import type { DoctorContext } from '../types.js';

/** How long the gateway may spend probing (Telegram getMe retries within it). */
export const DOCTOR_CHANNEL_PROBE_MS = 10_000;

export function channelsBlock(ctx: DoctorContext): Record<string, unknown> {
  const c = ctx.config.value.channels;
  return isPlainObject(c) ? c : {};
}

export function channelBlock(ctx: DoctorContext, channel: ChannelId): Record<string, unknown> | undefined {
  const b = channelsBlock(ctx)[channel];
  return isPlainObject(b) ? b : undefined;
}

export const telegramBlock = (ctx: DoctorContext) => channelBlock(ctx, 'telegram');

/** The accounts of one channel block, resolved with ctx.env; [] when absent or too broken to resolve. */
function accountsOf<B>(ctx: DoctorContext, channel: ChannelId, resolve: (block: B, env: DoctorContext['env'], defaults?: { groupPolicy?: GroupPolicy }) => ResolvedAccount[]): ResolvedAccount[] {
  const block = channelBlock(ctx, channel);
  if (!block) return [];
  const defaults = channelsBlock(ctx).defaults;
  try {
    return resolve(block as B, ctx.env, isPlainObject(defaults) ? (defaults as { groupPolicy?: GroupPolicy }) : undefined);
  } catch {
    return []; // a block too broken to resolve is config-file's finding
  }
}

/** Every Telegram account of the raw config (tokenFile read, env fallback). */
export const telegramAccounts = (ctx: DoctorContext) => accountsOf<TelegramChannelConfig>(ctx, 'telegram', resolveTelegramAccounts);
/** Every Discord account of the raw config (SecretRef resolved, DISCORD_BOT_TOKEN fallback). */
export const discordAccounts = (ctx: DoctorContext) => accountsOf<DiscordChannelConfig>(ctx, 'discord', resolveDiscordAccounts);

/** Where an account's keys live: `channels.<channel>` (single-account block) or `channels.<channel>.accounts.<id>`. */
export function accountKeyPath(ctx: DoctorContext, accountId: string, key: string, channel: ChannelId = 'telegram'): string {
  const block = channelBlock(ctx, channel);
  const accounts = block && isPlainObject(block.accounts) ? block.accounts : undefined;
  const own = accounts && isPlainObject(accounts[accountId]) ? (accounts[accountId] as Record<string, unknown>) : undefined;
  if (own && own[key] !== undefined) return `channels.${channel}.accounts.${accountId}.${key}`;
  if (block && block[key] !== undefined) return `channels.${channel}.${key}`;
  return accounts && Object.keys(accounts).length > 0 ? `channels.${channel}.accounts.${accountId}.${key}` : `channels.${channel}.${key}`;
}

/** `openclaw channels add --channel telegram [--account id] <rest>`. */
export function channelsAddCommand(accountId: string, rest: string): string {
  return `openclaw channels add --channel telegram${accountId !== 'default' ? ` --account ${accountId}` : ''} ${rest}`;
}

export type GatewayChannelStatus =
  | { kind: 'down'; reason: string }
  | { kind: 'error'; message: string }
  | { kind: 'ok'; payload: ChannelsStatusPayload };

const runs = new WeakMap<DoctorContext, Promise<GatewayChannelStatus>>();

/** `channels.status {probe:true}` from this state dir's gateway, asked once per doctor run. */
export function gatewayChannelStatus(ctx: DoctorContext): Promise<GatewayChannelStatus> {
  let run = runs.get(ctx);
  if (!run) {
    run = ask(ctx);
    runs.set(ctx, run);
  }
  return run;
}

async function ask(ctx: DoctorContext): Promise<GatewayChannelStatus> {
  const s = ctx.config.settings;
  if (!s) return { kind: 'error', message: 'the config is invalid (see config-file)' };
  const where = locateGateway(ctx, s);
  if (where.foreign) return { kind: 'down', reason: `port ${s.port} belongs to pid ${where.foreign.pid}, not to this state dir's gateway` };
  const [{ callGateway }, errors] = await Promise.all([import('../../client/call.js'), import('../../client/errors.js')]);
  try {
    const payload = await callGateway({
      url: where.url,
      token: s.auth.token,
      password: s.auth.password,
      env: ctx.env,
      method: 'channels.status',
      params: { probe: true, timeoutMs: DOCTOR_CHANNEL_PROBE_MS },
      timeoutMs: DOCTOR_CHANNEL_PROBE_MS + Math.max(2_000, ctx.options.probeTimeoutMs),
    });
    return { kind: 'ok', payload: payload as ChannelsStatusPayload };
  } catch (err) {
    if (err instanceof errors.GatewayUnreachableError) return { kind: 'down', reason: `nothing answers on ${where.url}` };
    return { kind: 'error', message: (err as Error).message };
  }
}

/** One channel's account snapshots of a live answer. */
export function channelSnapshots(status: GatewayChannelStatus, channel: ChannelId): ChannelAccountSnapshot[] {
  if (status.kind !== 'ok') return [];
  const list = status.payload.channelAccounts?.[channel];
  return Array.isArray(list) ? list : [];
}

export const telegramSnapshots = (status: GatewayChannelStatus) => channelSnapshots(status, 'telegram');

/** One channel's status issues of a live answer (the `Warnings:` of `channels status`). */
export function channelIssues(status: GatewayChannelStatus, channel: ChannelId): ChannelStatusIssue[] {
  if (status.kind !== 'ok' || !Array.isArray(status.payload.statusIssues)) return [];
  return status.payload.statusIssues.filter((i) => i.channel === channel);
}

/** The sentence a check skips with when the live facts are missing. */
export function skippedBecause(status: Exclude<GatewayChannelStatus, { kind: 'ok' }>, what: string): string {
  return status.kind === 'down'
    ? `Skipped: the gateway is not running (${status.reason}), so ${what} was not checked; once it runs: openclaw channels status --probe.`
    : `Skipped: the gateway did not answer channels.status (${status.message}), so ${what} was not checked.`;
}

/** Probe / runtime error text of a snapshot (probe first: it is the fresher one). */
export function errorTexts(s: ChannelAccountSnapshot): string[] {
  const probe = s.probe && typeof s.probe.error === 'string' ? s.probe.error : '';
  return [probe, typeof s.lastError === 'string' ? s.lastError : ''].filter(Boolean);
}

export function isTokenRejected(s: ChannelAccountSnapshot): boolean {
  if (s.probe?.status === 401) return true;
  return errorTexts(s).some((t) => /\b401\b|unauthorized/i.test(t));
}

export function isPollerConflict(s: ChannelAccountSnapshot): boolean {
  if (s.probe?.status === 409) return true;
  return errorTexts(s).some((t) => /\b409\b|terminated by other getUpdates|can't use getUpdates method while webhook is active/i.test(t));
}

/** A webhook registered at Telegram while this account polls: getUpdates then fails with 409. */
export function strayWebhookUrl(s: ChannelAccountSnapshot): string | undefined {
  const url = (s.probe as { webhook?: { url?: unknown } } | undefined)?.webhook?.url;
  return s.mode !== 'webhook' && typeof url === 'string' && url !== '' ? url : undefined;
}

export const quoteIds = (ids: string[]): string => ids.map((id) => `"${id}"`).join(', ');
