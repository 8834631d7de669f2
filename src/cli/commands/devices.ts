// `openclaw devices list|approve|reject|remove|rename|rotate|revoke|clear`: device pairing from the
// terminal. Uses the running gateway over RPC (connected UIs see device.pair.* events); when the
// gateway is down it edits <state>/devices directly under the same lock. Tokens are never printed.
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { printJson, println } from '../output.js';
import type { ConnectOptions } from '../../client/call.js';
import type { DeviceList, Outcome } from '../../client/device-admin.js';
import type { DeviceSummary, PendingRequest } from '../../auth/pairing-store.js';
import { formatAge, table } from '../text-table.js';
import { stdoutLayout, styleFor } from '../style.js';

interface CommonOpts {
  json?: boolean;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

const EPILOG = `
Device ids may be shortened to any unique prefix of 8+ characters.
With the gateway running, changes go through it (connected Control UIs update live);
with it stopped, they are written to <state>/devices directly.

Examples:
  openclaw devices list
  openclaw devices approve --latest
  openclaw devices approve 3f2a9c1e
  openclaw devices rotate --device 3f2a9c1e --role operator --scope operator.read --scope operator.write
`;

function common(cmd: Command): Command {
  return cmd
    .option('--json', 'print machine-readable JSON')
    .option('--url <url>', 'gateway WebSocket URL (disables token/password fallback from env and config)')
    .option('--token <token>', 'gateway token')
    .option('--password <password>', 'gateway password')
    .option('--timeout <ms>', 'connect + request timeout in milliseconds', '10000');
}

function connOptions(o: CommonOpts): ConnectOptions {
  const timeoutMs = Number(o.timeout ?? 10_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${o.timeout} is not a positive number of milliseconds`, { exitCode: ExitCodes.USAGE, fix: 'openclaw devices list --timeout 10000' });
  return { url: o.url, token: o.token, password: o.password, timeoutMs };
}

/** Runs a library call, turning its errors into one-sentence CLI errors with their fix. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  const [{ GatewayCallError }, { ConfigError }] = await Promise.all([import('../../client/errors.js'), import('../../config/load.js')]);
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GatewayCallError) throw new CliError(err.message, { fix: err.fix, data: { code: err.detailCode ?? err.code } });
    if (err instanceof ConfigError) throw new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: err.fix });
    if (err instanceof Error && 'fix' in err && typeof err.fix === 'string') throw new CliError(err.message, { fix: err.fix });
    throw err;
  }
}

async function run<T>(json: boolean | undefined, fn: () => Promise<Outcome<T>>, human: (value: T) => string[], verb = 'changed'): Promise<void> {
  const outcome = await call(fn);
  if (json) return printJson({ ok: true, via: outcome.via, ...(outcome.value as object) });
  for (const line of human(outcome.value)) println(line);
  if (outcome.via === 'direct') println(`(gateway not running: ${verb} ${outcome.devicesDir} directly)`);
}

const shortId = (id: string) => id.slice(0, 16);

function pendingLines(pending: PendingRequest[], now = Date.now()): string[] {
  const style = styleFor();
  if (pending.length === 0) return [`${style.heading('Pending:')} none`];
  return [
    style.heading(`Pending (${pending.length}):`),
    ...table([
      ['REQUEST', 'DEVICE', 'CLIENT', 'ROLE', 'IP', 'AGE'],
      ...pending.map((p) => [p.requestId, shortId(p.deviceId), [p.displayName, p.clientId].filter(Boolean).join(' / ') || '-', p.role, p.remoteIp ?? '-', formatAge(now - p.ts)]),
    ], { ...stdoutLayout(), wrap: [2] }),
  ];
}

function pairedLines(paired: DeviceSummary[], now = Date.now()): string[] {
  const style = styleFor();
  if (paired.length === 0) return [`${style.heading('Paired:')} none`];
  return [
    style.heading(`Paired (${paired.length}):`),
    ...table([
      ['DEVICE', 'NAME', 'ROLES', 'SCOPES', 'LAST SEEN'],
      ...paired.map((d) => [shortId(d.deviceId), d.displayName ?? '-', d.roles.join(',') || '-', d.scopes.join(',') || '-', d.lastSeenAtMs ? formatAge(now - d.lastSeenAtMs) : 'never']),
    ], { ...stdoutLayout(), wrap: [1, 2, 3] }),
  ];
}

export function register(program: Command): void {
  const devices = program
    .command('devices')
    .description('List, approve and manage paired devices (CLI, Control UI, apps, nodes).')
    .addHelpText('after', EPILOG);

  common(devices.command('list').description('Show pending pairing requests and paired devices (never tokens).')).action(async (o: CommonOpts) => {
    const { listDevices } = await import('../../client/device-admin.js');
    await run(o.json, () => listDevices(connOptions(o)), (v: DeviceList) => [...pendingLines(v.pending), '', ...pairedLines(v.paired)], 'read');
  });

  common(
    devices
      .command('approve [id]')
      .description('Approve a pending request by requestId or deviceId (or --latest); without either, list pending requests and exit 1.')
      .option('--latest', 'approve the newest pending request'),
  ).action(async (id: string | undefined, o: CommonOpts & { latest?: boolean }) => {
    const { approveDevice, listDevices } = await import('../../client/device-admin.js');
    if (!id && !o.latest) {
      const { value } = await call(() => listDevices(connOptions(o)));
      const newest = [...value.pending].sort((a, b) => b.ts - a.ts)[0];
      if (!o.json) for (const line of pendingLines(value.pending)) println(line);
      throw new CliError(newest ? 'no request given: name one by requestId or deviceId, or use --latest' : 'no pending pairing requests', {
        fix: newest ? `openclaw devices approve ${newest.requestId}` : 'reconnect the device, then: openclaw devices list',
        data: { pending: value.pending },
      });
    }
    await run(o.json, () => approveDevice(connOptions(o), id ?? { latest: true }), (v) => [
      `Approved ${v.device.displayName ?? shortId(v.device.deviceId)} (${shortId(v.device.deviceId)}) as ${v.device.roles.join(',')} [${v.device.scopes.join(', ')}]`,
    ]);
  });

  common(devices.command('reject <id>').description('Reject a pending request (requestId or deviceId).')).action(async (id: string, o: CommonOpts) => {
    const { rejectDevice } = await import('../../client/device-admin.js');
    await run(o.json, () => rejectDevice(connOptions(o), id), (v) => [`Rejected request ${v.requestId} (device ${shortId(v.deviceId)})`]);
  });

  common(devices.command('remove <deviceId>').description('Forget a paired device; it must pair again to connect.')).action(async (deviceId: string, o: CommonOpts) => {
    const { removeDevice } = await import('../../client/device-admin.js');
    await run(o.json, () => removeDevice(connOptions(o), deviceId), (v) => [`Removed device ${shortId(v.deviceId)}`]);
  });

  common(
    devices
      .command('rename')
      .description('Give a paired device a label.')
      .requiredOption('--device <id>', 'device id (or unique prefix)')
      .requiredOption('--name <label>', 'new label'),
  ).action(async (o: CommonOpts & { device: string; name: string }) => {
    const { renameDevice } = await import('../../client/device-admin.js');
    await run(o.json, () => renameDevice(connOptions(o), o.device, o.name), (v) => [`Renamed ${shortId(v.deviceId)} to "${v.name}"`]);
  });

  common(
    devices
      .command('rotate')
      .description('Issue a new device token for a role (the old one stops working); --scope sets its scopes.')
      .requiredOption('--device <id>', 'device id (or unique prefix)')
      .requiredOption('--role <role>', 'operator or node')
      .option('--scope <scope>', 'scope for the new token (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[]),
  ).action(async (o: CommonOpts & { device: string; role: string; scope: string[] }) => {
    const { rotateDeviceToken } = await import('../../client/device-admin.js');
    await run(o.json, () => rotateDeviceToken(connOptions(o), o.device, o.role, o.scope), (v) => [
      `Rotated the ${v.role} token of ${shortId(v.deviceId)}${v.scopes ? ` [${v.scopes.join(', ')}]` : ''}; the device reconnects with its gateway token to get the new one`,
    ]);
  });

  common(
    devices
      .command('revoke')
      .description('Revoke the device token for a role.')
      .requiredOption('--device <id>', 'device id (or unique prefix)')
      .requiredOption('--role <role>', 'operator or node'),
  ).action(async (o: CommonOpts & { device: string; role: string }) => {
    const { revokeDeviceToken } = await import('../../client/device-admin.js');
    await run(o.json, () => revokeDeviceToken(connOptions(o), o.device, o.role), (v) => [`Revoked the ${v.role} token of ${shortId(v.deviceId)}`]);
  });

  common(
    devices
      .command('clear')
      .description('Remove every paired device (and with --pending every pending request). Needs --yes.')
      .option('--yes', 'really remove them')
      .option('--pending', 'also reject all pending requests'),
  ).action(async (o: CommonOpts & { yes?: boolean; pending?: boolean }) => {
    if (!o.yes) throw new CliError('refusing to remove all paired devices without --yes', { exitCode: ExitCodes.USAGE, fix: `openclaw devices clear --yes${o.pending ? ' --pending' : ''}` });
    const { clearDevices } = await import('../../client/device-admin.js');
    await run(o.json, () => clearDevices(connOptions(o), Boolean(o.pending)), (v) => [`Removed ${v.removedPaired} paired device(s) and ${v.removedPending} pending request(s)`]);
  });
}
