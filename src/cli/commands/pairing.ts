// `openclaw pairing list|approve`: DM pairing (unknown senders on a channel with dmPolicy
// "pairing" get a code; the owner approves it here). Works with the gateway up or down: it edits
// <state>/channels/pairing.json directly under the same lock the gateway uses, and the gateway
// reads approvals on every inbound message, so no restart is needed. Only `--notify` needs the
// running gateway (it sends the approval message through it).
import crypto from 'node:crypto';
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { eprintln, printJson, println } from '../output.js';
import { resolveConfigPath, resolveStateDir } from '../../config/paths.js';
import { CHANNEL_IDS, DEFAULT_ACCOUNT_ID, type ChannelId } from '../../channels/types.js';
import { PAIRING_ID_LABELS } from '../../channels/catalog.js';
import { PAIRING_APPROVED_TEXT } from '../../channels/pairing/codes.js';
import { ChannelPairingStore, ChannelPairingStoreError, type PairingRequest } from '../../channels/pairing/store.js';
import { formatAge, table } from '../text-table.js';
import { stdoutLayout, styleFor } from '../style.js';

const EPILOG = `
Unknown senders on a channel with dmPolicy "pairing" get an 8-character code and are not
answered until you approve it. Codes expire after 1 hour; at most 3 are pending per account.
The channel may be left out when only one channel uses pairing.
Approvals are stored in <state>/channels/pairing.json and take effect at once (gateway up or down).
The first approval also makes that sender the command owner when commands.ownerAllowFrom is empty.

Examples:
  openclaw pairing list
  openclaw pairing list telegram --json
  openclaw pairing approve telegram ABCD2345
  openclaw pairing approve ABCD2345 --notify
  openclaw pairing approve --channel telegram --account work ABCD2345
`;

interface ListOpts {
  channel?: string;
  account?: string;
  json?: boolean;
}

interface ApproveOpts extends ListOpts {
  notify?: boolean;
  timeout?: string;
}

const channelList = (ids: readonly string[]) => ids.join(', ');

function parseChannel(value: string): ChannelId {
  const c = value.trim().toLowerCase();
  if ((CHANNEL_IDS as readonly string[]).includes(c)) return c as ChannelId;
  throw new CliError(`Unknown channel "${value}" (expected one of: ${channelList(CHANNEL_IDS)})`, { exitCode: ExitCodes.USAGE, fix: 'openclaw pairing list --channel telegram' });
}

/** Positional and --channel together must agree. */
function explicitChannel(positional: string | undefined, flag: string | undefined): ChannelId | undefined {
  const a = positional !== undefined ? parseChannel(positional) : undefined;
  const b = flag !== undefined ? parseChannel(flag) : undefined;
  if (a && b && a !== b) throw new CliError(`Channel given twice: "${positional}" and --channel ${flag}`, { exitCode: ExitCodes.USAGE, fix: `openclaw pairing list --channel ${b}` });
  return a ?? b;
}

/** Channels with a pairing account in the config, plus any with requests pending in the store. */
async function pairingChannels(configPath: string, store: ChannelPairingStore): Promise<ChannelId[]> {
  const [{ loadConfig }, { resolveAllAccounts }] = await Promise.all([import('../../config/load.js'), import('../../channels/config.js')]);
  const accounts = resolveAllAccounts(loadConfig(configPath).config.channels);
  const pending = store.channelsWithRequests();
  return CHANNEL_IDS.filter((c) => pending.includes(c) || accounts.some((a) => a.channel === c && a.dmPolicy === 'pairing'));
}

async function resolveChannel(explicit: ChannelId | undefined, configPath: string, store: ChannelPairingStore, example: string): Promise<ChannelId> {
  if (explicit) return explicit;
  const candidates = await pairingChannels(configPath, store);
  if (candidates.length === 1) return candidates[0];
  const expected = candidates.length > 1 ? candidates : CHANNEL_IDS;
  throw new CliError(`Channel required (expected one of: ${channelList(expected)})`, { exitCode: ExitCodes.USAGE, fix: example.replace('<channel>', expected[0]) });
}

/** Store and config errors as one-sentence CLI errors with their fix. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ChannelPairingStoreError) throw new CliError(err.problem, { fix: err.fix });
    if (err instanceof Error && err.name === 'FileLockTimeoutError') throw new CliError(err.message, { fix: 'retry in a moment' });
    throw err;
  }
}

/** `username=alice, firstName=Al`; the account only when it is not the default one. */
function metaText(r: PairingRequest): string {
  const parts = Object.entries(r.meta)
    .filter(([k, v]) => !(k === 'accountId' && v === DEFAULT_ACCOUNT_ID))
    .map(([k, v]) => `${k}=${v}`);
  return parts.join(', ') || '-';
}

export function listLines(channel: ChannelId, requests: PairingRequest[], now = Date.now()): string[] {
  if (requests.length === 0) return [`No pending ${channel} pairing requests.`];
  return [
    styleFor().heading(`Pairing requests (${requests.length})`),
    ...table([['Code', PAIRING_ID_LABELS[channel], 'Meta', 'Requested'], ...requests.map((r) => [r.code, r.id, metaText(r), formatAge(now - Date.parse(r.createdAt))])], { ...stdoutLayout(), wrap: [2] }),
  ];
}

export function register(program: Command): void {
  const pairing = program
    .command('pairing')
    .description('List and approve DM pairing requests from unknown chat senders (Telegram, Discord, WhatsApp, iMessage).')
    .addHelpText('after', EPILOG);

  pairing
    .command('list [channel]')
    .description('Show pending pairing requests with their codes (run it on the gateway host).')
    .option('--channel <channel>', `channel (${channelList(CHANNEL_IDS)})`)
    .option('--account <accountId>', 'only this channel account')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  openclaw pairing list\n  openclaw pairing list telegram\n  openclaw pairing list --channel telegram --account work --json\n')
    .action((positional: string | undefined, o: ListOpts) =>
      guard(async () => {
        const explicit = explicitChannel(positional, o.channel);
        const store = new ChannelPairingStore(resolveStateDir());
        const channel = await resolveChannel(explicit, resolveConfigPath(), store, 'openclaw pairing list <channel>');
        const requests = store.listRequests({ channel, accountId: o.account });
        if (o.json) return printJson({ channel, requests: requests.map(({ id, code, createdAt, lastSeenAt, meta }) => ({ id, code, createdAt, lastSeenAt, meta })) });
        for (const line of listLines(channel, requests)) println(line);
      }),
    );

  pairing
    .command('approve [channel] [code]')
    .description('Approve a pairing code: the sender may DM the bot from now on (the channel may be left out when only one channel uses pairing).')
    .option('--channel <channel>', `channel (${channelList(CHANNEL_IDS)})`)
    .option('--account <accountId>', 'only match a code of this channel account')
    .option('--notify', 'tell the sender they were approved (needs the running gateway)')
    .option('--timeout <ms>', 'how long --notify waits for the gateway, in milliseconds', '10000')
    .option('--json', 'print machine-readable JSON')
    .addHelpText('after', '\nExamples:\n  openclaw pairing approve telegram ABCD2345\n  openclaw pairing approve ABCD2345 --notify\n  openclaw pairing approve --channel telegram --account work ABCD2345 --json\n')
    .action((first: string | undefined, second: string | undefined, o: ApproveOpts) => guard(() => approve(first, second, o)));
}

/** `<channel> <code>`, `--channel <c> <code>`, or `<code>` alone (channel inferred later). */
function parseApproveArgs(first: string | undefined, second: string | undefined, flag: string | undefined): { channel?: ChannelId; code: string } {
  const usage = (message: string, fix: string) => new CliError(message, { exitCode: ExitCodes.USAGE, fix });
  if (second !== undefined) return { channel: explicitChannel(first, flag), code: second.trim() };
  const channel = flag !== undefined ? parseChannel(flag) : undefined;
  if (first === undefined || first.trim() === '') throw usage('Pairing code required', `openclaw pairing list${channel ? ` ${channel}` : ''}  (then: openclaw pairing approve ${channel ?? '<channel>'} <CODE>)`);
  if (!channel && (CHANNEL_IDS as readonly string[]).includes(first.trim())) throw usage('Pairing code required', `openclaw pairing list ${first.trim()}  (then: openclaw pairing approve ${first.trim()} <CODE>)`);
  return { channel, code: first.trim() };
}

async function approve(first: string | undefined, second: string | undefined, o: ApproveOpts): Promise<void> {
  const timeoutMs = Number(o.timeout ?? 10_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${o.timeout} is not a positive number of milliseconds`, { exitCode: ExitCodes.USAGE, fix: 'openclaw pairing approve <channel> <CODE> --notify --timeout 10000' });
  const args = parseApproveArgs(first, second, o.channel);
  const configPath = resolveConfigPath();
  const store = new ChannelPairingStore(resolveStateDir());
  const { loadConfig } = await import('../../config/load.js');
  loadConfig(configPath); // an invalid config fails here (exit 78), before anything changes
  const channel = await resolveChannel(args.channel, configPath, store, `openclaw pairing approve <channel> ${args.code}`);
  const approved = store.approve(channel, args.code, o.account);
  if (!approved) throw new CliError(`No pending pairing request found for code "${args.code}". Run openclaw pairing list --channel ${channel} to see pending codes.`);
  const { senderId, accountId } = approved;
  const lines = [`Approved ${channel} sender ${senderId}.`];
  const problems: Array<{ message: string; fix?: string }> = [];

  let ownerBootstrapped = false;
  try {
    const { bootstrapCommandOwner } = await import('../../channels/pairing/owner.js');
    const owner = bootstrapCommandOwner(configPath, channel, senderId);
    if (owner.status === 'configured') {
      ownerBootstrapped = true;
      lines.push(`Command owner configured ${owner.entry} (commands.ownerAllowFrom was empty).`);
    }
  } catch (err) {
    const maybeFix = (err as { fix?: unknown } | undefined)?.fix;
    const fix = typeof maybeFix === 'string' ? maybeFix : undefined;
    problems.push({ message: `Could not configure the command owner (the approval stands): ${(err as Error).message}`, fix: fix ?? `openclaw config set commands.ownerAllowFrom '["${channel}:${senderId}"]'` });
  }

  let notification: 'sent' | 'failed' | 'not-requested' = 'not-requested';
  if (o.notify) {
    const outcome = await notify(channel, accountId, senderId, timeoutMs);
    notification = outcome.ok ? 'sent' : 'failed';
    if (outcome.ok) lines.push(`Notified ${channel} sender ${senderId}.`);
    else problems.push({ message: `Could not notify ${channel} sender ${senderId}: ${outcome.reason}` });
  }

  if (o.json) printJson({ ok: true, channel, accountId, senderId, ownerBootstrapped, notification });
  else for (const line of lines) println(line);
  // Warnings go to stderr in both modes: the approval stands, stdout stays parseable.
  for (const p of problems) {
    eprintln(p.message);
    if (p.fix) eprintln(`fix: ${p.fix}`);
  }
}

/** Sends PAIRING_APPROVED_TEXT through the running gateway's `send` method. Never throws. */
async function notify(channel: ChannelId, accountId: string, senderId: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const { callGateway, GatewayUnreachableError } = await import('../../client/call.js');
  const idempotencyKey = crypto.randomUUID();
  try {
    const res = (await callGateway({ method: 'send', params: { channel, accountId, to: senderId, message: PAIRING_APPROVED_TEXT }, idempotencyKey, timeoutMs })) as { ok?: boolean; queued?: boolean; error?: string } | undefined;
    // Queued counts as sent: the gateway holds the notice durably and retries it.
    if (res && res.ok === false && res.queued !== true) return { ok: false, reason: res.error ?? 'the channel did not accept the message' };
    return { ok: true };
  } catch (err) {
    if (err instanceof GatewayUnreachableError) return { ok: false, reason: 'gateway not connected (start it with: openclaw gateway start)' };
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
