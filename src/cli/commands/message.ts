// `openclaw message send`: one text through a channel of the running gateway (RPC `send`, which goes
// through the durable outbound queue). Without a gateway nothing can be sent: the CLI says so and
// how to start one, and exits 1.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { printJson, println } from '../output.js';
import { CHANNEL_IDS, type ChannelId, type DeliveryOutcome } from '../../channels/types.js';
import { IMPLEMENTED_CHANNELS } from '../../channels/catalog.js';

type Env = Record<string, string | undefined>;

export const SEND_TIMEOUT_MS = 15_000;
/** The fix printed under `send failed: gateway not connected`. */
export const START_GATEWAY_FIX = 'openclaw gateway start';

const EPILOG = `
Sends through the running gateway's outbound queue: if the channel is briefly unreachable the
message is queued and retried. Exit code 0 when sent (or queued), 1 when it failed.

Examples:
  openclaw message send --channel telegram --target 123456789 --message "Build finished"
  openclaw message send -t 123456789 -m "hi"                   (the only configured channel)
  openclaw message send --channel telegram --target -1001234567890 --thread-id 42 -m "in a topic"
  openclaw message send --channel telegram --account work -t 123456789 -m "from the work bot" --json
`;

export interface SendOpts {
  channel?: string;
  account?: string;
  target: string;
  message: string;
  threadId?: string;
  timeout?: number;
  json?: boolean;
}

function parseTimeout(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 120_000) throw new InvalidArgumentError('expected milliseconds between 1 and 120000, e.g. --timeout 15000');
  return n;
}

function sendFailed(reason: string, fix: string | undefined, data: Record<string, unknown> = {}): CliError {
  return new CliError(`send failed: ${reason}`, { fix, data });
}

/** Turns client errors into the one sentence the user sees; "gateway not connected" when no gateway answers. */
async function asSendError(err: unknown): Promise<unknown> {
  const [errors, { ConfigError }] = await Promise.all([import('../../client/errors.js'), import('../../config/load.js')]);
  if (err instanceof errors.GatewayUnreachableError || err instanceof errors.GatewayConnectError) {
    return sendFailed('gateway not connected', START_GATEWAY_FIX, { code: 'GATEWAY_NOT_CONNECTED', detail: err.message });
  }
  if (err instanceof errors.GatewayClosedError) {
    return sendFailed(`${err.message} before it answered (the message may still be delivered: sends are queued durably)`, 'openclaw channels status', { code: 'GATEWAY_CLOSED' });
  }
  if (err instanceof errors.GatewayTimeoutError) {
    return sendFailed(`${err.message} (the gateway may still deliver it: sends are queued durably)`, 'openclaw channels status', { code: 'TIMEOUT' });
  }
  if (err instanceof errors.GatewayCallError) return sendFailed(err.message, err.fix, { code: err.detailCode ?? err.code });
  if (err instanceof ConfigError) return new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: err.fix });
  return err;
}

function describeTarget(channel: string | undefined, target: string, accountId?: string): string {
  return `${channel ?? 'the channel'} ${target}${accountId ? ` (account ${accountId})` : ''}`;
}

export async function messageSend(o: SendOpts, env: Env = process.env): Promise<void> {
  const channel = o.channel?.trim().toLowerCase() || undefined;
  if (o.channel !== undefined && !channel) throw new CliError('--channel cannot be blank (omit it to use the only configured channel).', { exitCode: ExitCodes.USAGE, fix: 'openclaw message send --channel telegram --target <chat id> --message <text>' });
  if (channel && !(CHANNEL_IDS as readonly string[]).includes(channel)) {
    throw new CliError(`unknown channel "${channel}" (expected one of: ${CHANNEL_IDS.join(', ')})`, { exitCode: ExitCodes.USAGE, fix: 'openclaw channels list' });
  }
  if (channel && !(IMPLEMENTED_CHANNELS as readonly string[]).includes(channel)) {
    throw new CliError(`send failed: ${channel} is not implemented yet in this gateway (supported: ${IMPLEMENTED_CHANNELS.join(', ')})`, { exitCode: ExitCodes.USAGE, fix: 'openclaw channels list --all' });
  }
  const target = o.target.trim();
  if (!target) throw new CliError('--target cannot be blank.', { exitCode: ExitCodes.USAGE, fix: 'openclaw message send --channel telegram --target 123456789 --message <text>' });
  if (!o.message.trim()) throw new CliError('--message is empty.', { exitCode: ExitCodes.USAGE, fix: `openclaw message send${channel ? ` --channel ${channel}` : ''} --target ${target} --message "<text>"` });
  const accountId = o.account?.trim() || undefined;
  const timeoutMs = o.timeout ?? SEND_TIMEOUT_MS;
  const params = { ...(channel ? { channel: channel as ChannelId } : {}), ...(accountId ? { accountId } : {}), to: target, message: o.message, ...(o.threadId ? { threadId: o.threadId } : {}), timeoutMs };
  const { callGateway } = await import('../../client/call.js');
  let outcome: DeliveryOutcome;
  try {
    // The client budget outlasts the gateway's wait so a queued answer still arrives.
    outcome = (await callGateway({ method: 'send', params, idempotencyKey: randomUUID(), timeoutMs: timeoutMs + 5_000, env })) as DeliveryOutcome;
  } catch (err) {
    throw await asSendError(err);
  }
  const where = describeTarget(channel, target, accountId);
  if (!outcome || (outcome.ok !== true && outcome.queued !== true)) {
    throw sendFailed(outcome?.error || 'the channel refused the message', outcome?.fix ?? 'openclaw channels status --probe', { ...(channel ? { channel } : {}), to: target, queued: false });
  }
  // Queued is accepted: the gateway holds it durably and retries (exit 0, as the help says).
  if (o.json) return printJson({ ...outcome, ok: true, ...(channel ? { channel } : {}), to: target, ...(accountId ? { accountId } : {}) });
  if (outcome.queued) {
    println(`Queued for ${where}: not delivered yet; the gateway keeps it and retries (check: openclaw channels status).`);
    return;
  }
  const ids = outcome.messageIds ?? [];
  println(`Sent to ${where}${ids.length ? ` (message id${ids.length === 1 ? '' : 's'} ${ids.join(', ')})` : ''}.`);
}

export function register(program: Command): void {
  const message = program.command('message').description('Send messages through the running gateway’s chat channels.');
  message
    .command('send')
    .addHelpText('after', EPILOG)
    .description('Send one text message to a chat (Telegram chat id, group id -100…, or @username). Exit 1 when it failed.')
    .option('--channel <name>', `channel (${IMPLEMENTED_CHANNELS.join(', ')}); default: the only configured one`)
    .requiredOption('-t, --target <dest>', 'where to send it: chat or user id (Telegram: 123456789, -1001234567890, @channelname)')
    .requiredOption('-m, --message <text>', 'the text')
    .option('--account <id>', 'send from this account (default: the channel’s default account)')
    .option('--thread-id <id>', 'forum topic / thread id inside the chat')
    .option('--timeout <ms>', `how long to wait for the channel to accept it (default ${SEND_TIMEOUT_MS}; after that it stays queued)`, parseTimeout)
    .option('--json', 'print the delivery outcome as JSON')
    .action((o: SendOpts) => messageSend(o));
}
