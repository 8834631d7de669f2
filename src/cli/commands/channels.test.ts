// `openclaw channels …` in-process: register() on a fresh commander program, real state dirs, and
// for the live paths an in-process control plane whose channels.status is a stub.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import JSON5 from 'json5';
import { freePort, localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { startTestGateway, TEST_TOKEN, type TestGateway } from '../../gateway/control-plane/test-support.js';
import type { OpenClawConfig } from '../../config/schema.js';
import type { ChannelAccountSnapshot, ChannelsStatusPayload } from '../../channels/types.js';
import { checkTelegramToken, planOtherAdd, planRemove, planTelegramAdd, register, statusTimeoutMs } from './channels.js';
import { runRegistered } from '../testing-in-process.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';
const TOKEN2 = '987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2';
const TIP = 'Tip: https://docs.openclaw.ai/cli/status adds gateway health probes to status output (requires a reachable gateway).';
const CHECKING = process.stderr.isTTY ? [] : ['Checking channel status…'];
const state = stateDirsForFile();

const cli = (args: string[], env: NodeJS.ProcessEnv) => runRegistered(register, args, env);

const readConfig = (s: StateDir) => JSON5.parse(fs.readFileSync(s.configPath, 'utf8'));
const lines = (text: string) => text.replace(/\n$/, '').split('\n');

// ---- pure planning ---------------------------------------------------------------------------

test('planTelegramAdd: a first token goes to channels.telegram with dmPolicy "pairing"', () => {
  const plan = planTelegramAdd({}, { channel: 'telegram', token: ` ${TOKEN} ` });
  assert.equal(plan.accountId, 'default');
  assert.deepEqual(plan.patch, { channels: { telegram: { botToken: TOKEN, dmPolicy: 'pairing' } } });
  assert.deepEqual(plan.changes, [
    { op: 'set', path: 'channels.telegram.botToken', value: '(redacted)' },
    { op: 'set', path: 'channels.telegram.dmPolicy', value: 'pairing' },
  ]);
});

test('planTelegramAdd: a second account moves the existing bot into accounts.default first', () => {
  const current = { channels: { telegram: { botToken: TOKEN, name: 'Main', dmPolicy: 'allowlist', allowFrom: ['1'] } } };
  const plan = planTelegramAdd(current, { channel: 'telegram', account: 'work', token: TOKEN2 });
  assert.deepEqual(plan.patch, {
    channels: { telegram: { botToken: null, name: null, accounts: { default: { botToken: TOKEN, name: 'Main' }, work: { botToken: TOKEN2 } } } },
  });
  // dmPolicy is inherited from the block, so none is added for the new account.
  assert.ok(!plan.changes.some((c) => c.path.endsWith('dmPolicy')));
  assert.match(plan.notes[0], /stays as account "default"/);
  assert.ok(plan.changes.some((c) => c.op === 'move' && c.from === 'channels.telegram.botToken' && c.value === '(redacted)'));
});

test('planTelegramAdd: switching credential kinds removes the one that would win', () => {
  const toToken = planTelegramAdd({ channels: { telegram: { tokenFile: '/run/tg.token', dmPolicy: 'pairing' } } }, { channel: 'telegram', token: TOKEN });
  assert.deepEqual(toToken.patch, { channels: { telegram: { botToken: TOKEN, tokenFile: null } } });
  const toFile = planTelegramAdd({ channels: { telegram: { botToken: TOKEN, enabled: false } } }, { channel: 'telegram', tokenFile: '/run/tg.token' });
  assert.deepEqual(toFile.patch, { channels: { telegram: { tokenFile: '/run/tg.token', botToken: null, enabled: null, dmPolicy: 'pairing' } } });
  assert.match(toFile.notes.join(' '), /enabled again/);
  const toEnv = planTelegramAdd({ channels: { telegram: { botToken: TOKEN } } }, { channel: 'telegram', useEnv: true });
  assert.deepEqual(toEnv.patch, { channels: { telegram: { botToken: null, dmPolicy: 'pairing' } } });
  assert.throws(() => planTelegramAdd({}, { channel: 'telegram', account: 'work', useEnv: true }), /TELEGRAM_BOT_TOKEN can only be used for the default account\./);
});

test('planTelegramAdd: an existing accounts map gets the new account; open/allowlist contradictions are refused', () => {
  const plan = planTelegramAdd({ channels: { telegram: { accounts: { a: { botToken: TOKEN } } } } }, { channel: 'telegram', account: 'b', token: TOKEN2, name: 'B', dmPolicy: 'allowlist', allowFrom: ['42'] });
  assert.deepEqual(plan.patch, { channels: { telegram: { accounts: { b: { botToken: TOKEN2, name: 'B', dmPolicy: 'allowlist', allowFrom: ['42'] } } } } });
  assert.throws(() => planTelegramAdd({}, { channel: 'telegram', token: TOKEN, dmPolicy: 'open' }), (e: Error & { fix?: string }) => /requires allowFrom to include "\*"/.test(e.message) && /--allow-from '\*'/.test(e.fix!));
  assert.throws(() => planTelegramAdd({}, { channel: 'telegram', token: TOKEN, dmPolicy: 'allowlist' }), /would drop every DM/);
  assert.doesNotThrow(() => planTelegramAdd({}, { channel: 'telegram', token: TOKEN, dmPolicy: 'open', allowFrom: ['*'] }));
});

test('planOtherAdd: Discord token (redacted in the change list), WhatsApp auth dir with the login hint, iMessage cli path, accounts', () => {
  const d = planOtherAdd({}, { channel: 'discord', token: 'MTA.secret.x' });
  assert.deepEqual(d.patch, { channels: { discord: { token: 'MTA.secret.x', dmPolicy: 'pairing' } } });
  assert.ok(!JSON.stringify(d.changes).includes('secret'));
  assert.throws(() => planOtherAdd({}, { channel: 'discord' }), /Discord requires --token/);
  const w = planOtherAdd({}, { channel: 'whatsapp', account: 'work' });
  assert.deepEqual(w.patch, { channels: { whatsapp: { accounts: { work: { dmPolicy: 'pairing' } } } } });
  assert.match(w.notes.join('\n'), /openclaw channels login --channel whatsapp --account work/);
  const i = planOtherAdd({ channels: { imessage: { dmPolicy: 'allowlist', allowFrom: ['+1555'] } } }, { channel: 'imessage', cliPath: '/opt/imsg' });
  assert.deepEqual(i.patch, { channels: { imessage: { cliPath: '/opt/imsg' } } }, 'an existing dmPolicy is kept');
  assert.throws(() => planOtherAdd({}, { channel: 'imessage', dmPolicy: 'open', allowFrom: ['+1'] }), /dmPolicy="open" requires allowFrom to include "\*"/);
});

test('checkTelegramToken: the token shape, with the likely mistake named and the token never echoed', () => {
  assert.equal(checkTelegramToken(`'${TOKEN}'`, 'x'), TOKEN);
  for (const [bad, hint] of [[`bot${TOKEN}`, /drop the leading "bot"/], ['AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1', /no ":" in it/], ['123:short', /expected <bot id digits>/]] as const) {
    assert.throws(() => checkTelegramToken(bad, 'The --token value'), (e: Error & { fix?: string; exitCode?: number }) => hint.test(e.message) && !e.message.includes(bad) && e.exitCode === 2 && /openclaw channels add --channel telegram --token/.test(e.fix!));
  }
});

test('planRemove: the block, one account, the last account, and names what exists', () => {
  assert.deepEqual(planRemove({ channels: { telegram: { botToken: TOKEN } } }, 'telegram', undefined, false).patch, { channels: null });
  assert.deepEqual(planRemove({ channels: { telegram: { botToken: TOKEN }, discord: {} } }, 'telegram', 'default', false).patch, { channels: { telegram: null } });
  const two = { channels: { telegram: { defaultAccount: 'b', accounts: { a: { botToken: TOKEN }, b: { botToken: TOKEN2 } } } } };
  assert.deepEqual(planRemove(two, 'telegram', 'b', false).patch, { channels: { telegram: { accounts: { b: null }, defaultAccount: null } } });
  assert.deepEqual(planRemove({ channels: { telegram: { accounts: { a: {} } } } }, 'telegram', 'a', false).patch, { channels: { telegram: { accounts: null } } });
  assert.deepEqual(planRemove(two, 'telegram', 'a', true).patch, { channels: { telegram: { accounts: { a: { enabled: false } } } } });
  assert.throws(() => planRemove(two, 'telegram', 'c', false), /has no account "c" \(accounts: a, b\)/);
  const typo = { channels: { telegram: { accounts: { work: { botToken: TOKEN }, home: { botToken: TOKEN2 } } } } };
  assert.throws(() => planRemove(typo, 'telegram', 'wrok', false), (e: Error & { fix?: string }) => /did you mean "work"\?$/.test(e.message) && e.fix === 'openclaw channels list  (shows the account ids of channels.telegram)');
  // Without an accounts map the only account is the block itself: the fix must not remove it.
  assert.throws(() => planRemove({ channels: { telegram: { botToken: TOKEN } } }, 'telegram', 'wrok', false), (e: Error & { fix?: string }) => !/remove/.test(e.fix ?? ''));
  assert.throws(() => planRemove({}, 'telegram', undefined, false), /channels\.telegram is not in the config/);
});

test('statusTimeoutMs: 10 s by default, 30 s with --probe, clamped to 1-30 s', () => {
  assert.equal(statusTimeoutMs(false), 10_000);
  assert.equal(statusTimeoutMs(true), 30_000);
  assert.equal(statusTimeoutMs(false, 50), 1_000);
  assert.equal(statusTimeoutMs(true, 120_000), 30_000);
  assert.equal(statusTimeoutMs(false, 4_000), 4_000);
});

// ---- add / remove / list against a real config file ------------------------------------------

test('channels add: writes the token (never printed), dmPolicy pairing, and says what is next', async () => {
  const s = state(localConfig(TEST_TOKEN));
  const r = await cli(['channels', 'add', '--channel', 'telegram', '--token', TOKEN], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
  const out = lines(r.stdout);
  assert.equal(out[0], 'Added Telegram account "default".');
  assert.ok(out.includes('  set channels.telegram.botToken = (redacted)'));
  assert.ok(out.includes('  set channels.telegram.dmPolicy = "pairing"'));
  assert.match(r.stdout, /Next: openclaw channels status --probe/);
  assert.deepEqual(readConfig(s).channels, { telegram: { botToken: TOKEN, dmPolicy: 'pairing' } });
  assert.equal(readConfig(s).gateway.mode, 'local');

  const again = await cli(['channels', 'add', 'telegram', '--token', TOKEN], s.env);
  assert.equal(again.code, 0);
  assert.match(again.stdout, /already set up that way; nothing was written/);

  const second = await cli(['channels', 'add', '--channel', 'telegram', '--account', 'work', '--token', TOKEN2, '--json'], s.env);
  assert.equal(second.code, 0, second.stdout);
  const json = JSON.parse(second.stdout);
  assert.equal(json.ok, true);
  assert.equal(json.accountId, 'work');
  assert.ok(fs.existsSync(json.backupPath));
  assert.ok(!second.stdout.includes(TOKEN2));
  assert.deepEqual(readConfig(s).channels.telegram, { dmPolicy: 'pairing', accounts: { default: { botToken: TOKEN }, work: { botToken: TOKEN2 } } });
});

test('channels add --allow-from: comma-separated and repeated ids both land in allowFrom', async () => {
  const s = state(localConfig(TEST_TOKEN));
  const r = await cli(['channels', 'add', '--channel', 'telegram', '--token', TOKEN, '--dm-policy', 'allowlist', '--allow-from', '111,222', '--allow-from', '333'], s.env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readConfig(s).channels.telegram.allowFrom, ['111', '222', '333']);
  assert.equal(readConfig(s).channels.telegram.dmPolicy, 'allowlist');
});

test('channels add: clear usage errors for a bad token, a missing credential, other channels, a symlinked token file', async () => {
  const s = state(localConfig(TEST_TOKEN));
  const bad = await cli(['channels', 'add', '--channel', 'telegram', '--token', 'bot' + TOKEN], s.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /does not look like a Telegram bot token \(drop the leading "bot"/);
  assert.match(bad.stderr, /^fix: openclaw channels add --channel telegram --token/m);

  const none = await cli(['channels', 'add', '--channel', 'telegram'], s.env);
  assert.equal(none.code, 2);
  assert.equal(lines(none.stderr)[0], 'Telegram requires token or --token-file (or --use-env).');

  const discord = await cli(['channels', 'add', '--channel', 'discord', '--token', 'x'], s.env);
  assert.equal(discord.code, 2);
  assert.match(lines(discord.stderr)[0], /^The --token value does not look like a Discord bot token/);

  const real = path.join(s.dir, 'tg.token');
  fs.writeFileSync(real, TOKEN + '\n', { mode: 0o600 });
  const link = path.join(s.dir, 'tg.link');
  fs.symlinkSync(real, link);
  const sym = await cli(['channels', 'add', '--channel', 'telegram', '--token-file', link], s.env);
  assert.equal(sym.code, 2);
  assert.match(sym.stderr, /is a symlink/);
  assert.match(sym.stderr, /fix: openclaw channels add --channel telegram --token-file "\$\(readlink -f /);

  const useEnv = await cli(['channels', 'add', '--channel', 'telegram', '--use-env'], s.env);
  assert.equal(useEnv.code, 2);
  assert.match(useEnv.stderr, /TELEGRAM_BOT_TOKEN is not set/);

  const ok = await cli(['channels', 'add', '--channel', 'telegram', '--token-file', real], s.env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(readConfig(s).channels.telegram, { tokenFile: real, dmPolicy: 'pairing' });
  assert.ok(!ok.stdout.includes(TOKEN));
});

test('channels remove: refuses without --yes (naming the command), deletes with it, keeps a backup', async () => {
  const s = state(localConfig(TEST_TOKEN, { channels: { telegram: { accounts: { a: { botToken: TOKEN }, b: { botToken: TOKEN2 } } } } }));
  const refused = await cli(['channels', 'remove', '--channel', 'telegram', '--account', 'b'], s.env);
  assert.equal(refused.code, 2);
  assert.deepEqual(lines(refused.stderr), [
    'refusing to delete channels.telegram account "b" without --yes (a backup is kept; --disable keeps the config instead)',
    'fix: openclaw channels remove --channel telegram --account b --yes',
  ]);
  const gone = await cli(['channels', 'remove', '--channel', 'telegram', '--account', 'b', '--yes'], s.env);
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(lines(gone.stdout)[0], 'Deleted Telegram account "b".');
  assert.deepEqual(Object.keys(readConfig(s).channels.telegram.accounts), ['a']);
  assert.ok(fs.existsSync(`${s.configPath}.bak`));

  const disabled = await cli(['channels', 'remove', '--channel', 'telegram', '--disable'], s.env);
  assert.equal(disabled.code, 0, disabled.stderr);
  assert.equal(lines(disabled.stdout)[0], 'Disabled Telegram account "a".');
  assert.equal(readConfig(s).channels.telegram.enabled, false);

  const all = await cli(['channels', 'remove', '--channel', 'telegram', '--delete'], s.env);
  assert.equal(all.code, 0, all.stderr);
  assert.equal(readConfig(s).channels, undefined);
  const again = await cli(['channels', 'remove', '--channel', 'telegram', '--yes'], s.env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /channels\.telegram is not in the config; nothing to remove\./);
});

test('channels list: configured accounts, --all with what is coming, --json', async () => {
  const empty = await cli(['channels', 'list'], state(localConfig(TEST_TOKEN)).env);
  assert.equal(empty.code, 0);
  assert.deepEqual(lines(empty.stdout), ['Chat channels:', '- no configured chat channels (run `openclaw channels list --all` to see installable channels)', '', 'Add one: openclaw channels add --channel telegram --token <token>']);

  const s = state(localConfig(TEST_TOKEN, { channels: { telegram: { botToken: TOKEN }, whatsapp: { dmPolicy: 'pairing' } } }));
  const r = await cli(['channels', 'list'], s.env);
  assert.deepEqual(lines(r.stdout), [
    'Chat channels:',
    '- Telegram default: installed, configured, enabled, token=config',
    '- WhatsApp default: installed, not configured, enabled, not linked',
    '',
    'Live status: openclaw channels status --probe',
  ]);
  const all = await cli(['channels', 'list', '--all'], s.env);
  assert.ok(lines(all.stdout).includes('- Discord: installed, not configured (add: openclaw channels add --channel discord --token <bot token from the Developer Portal>)'), all.stdout);
  assert.ok(lines(all.stdout).includes('- iMessage: installed, not configured (add: openclaw channels add --channel imessage --cli-path <path to imsg>)'), all.stdout);
  const json = JSON.parse((await cli(['channels', 'list', '--all', '--json'], s.env)).stdout);
  assert.deepEqual(json.chat.telegram, { accounts: ['default'], label: 'Telegram', installed: true, origin: 'configured', implemented: true });
  assert.equal(json.chat.discord.origin, 'available');
  assert.equal(json.chat.whatsapp.origin, 'configured');
  assert.equal(json.chat.imessage.origin, 'available');
});

// ---- status ----------------------------------------------------------------------------------

test('channels status: gateway down prints the config-only status and exits 1', async () => {
  const port = await freePort();
  const s = state(localConfig(TEST_TOKEN, { gateway: { port }, channels: { telegram: { botToken: TOKEN } } }));
  const r = await cli(['channels', 'status'], s.env);
  assert.equal(r.code, 1);
  assert.match(lines(r.stderr)[0], /^Gateway not reachable: gateway connect failed: connection refused at ws:\/\/127\.0\.0\.1:\d+/);
  assert.deepEqual(lines(r.stdout), [
    ...CHECKING,
    'Gateway not reachable; showing config-only status.',
    `Config: ${s.configPath}`,
    'Mode: local',
    '',
    '- Telegram default: enabled, configured, mode:polling, token:config',
    '',
    TIP,
  ]);
  const json = await cli(['channels', 'status', '--json', '--channel', 'telegram'], s.env);
  assert.equal(json.code, 1);
  assert.deepEqual(JSON.parse(json.stdout), {
    ok: false,
    version: 1,
    gatewayReachable: false,
    error: JSON.parse(json.stdout).error,
    gatewayAuthUnavailable: false,
    configOnly: true,
    config: { path: s.configPath, mode: 'local' },
    configuredChannels: ['telegram'],
  });
  assert.match(JSON.parse(json.stdout).error, /connection refused/);
  const bad = await cli(['channels', 'status', '--channel', 'slack'], s.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown channel "slack" \(expected one of: telegram, discord, whatsapp, imessage, all\)/);
});

function snapshot(extra: Partial<ChannelAccountSnapshot> = {}): ChannelAccountSnapshot {
  return { accountId: 'default', enabled: true, configured: true, running: true, connected: true, mode: 'polling', dmPolicy: 'pairing', tokenSource: 'config', healthState: 'healthy', ...extra };
}

async function gatewayWith(s: StateDir, answer: (params: Record<string, unknown>) => ChannelsStatusPayload, seen: Array<Record<string, unknown>>): Promise<TestGateway> {
  return startTestGateway({
    state: s,
    config: readConfig(s) as OpenClawConfig,
    extraMethods: [{ name: 'channels.status', scope: 'operator.read', handler: ({ params }) => (seen.push(params as Record<string, unknown>), answer(params as Record<string, unknown>)) }],
  });
}

function payloadOf(accounts: ChannelAccountSnapshot[], extra: Partial<ChannelsStatusPayload> = {}): ChannelsStatusPayload {
  return { ts: Date.now(), channelOrder: ['telegram'], channelLabels: { telegram: 'Telegram' }, channels: {}, channelAccounts: { telegram: accounts }, channelDefaultAccountId: { telegram: 'default' }, statusIssues: [], ...extra };
}

test('channels status: a reachable gateway prints upstream lines; exit 0 healthy, 1 when a probe failed', async (t) => {
  const s = state(localConfig(TEST_TOKEN, { channels: { telegram: { botToken: TOKEN } } }));
  const seen: Array<Record<string, unknown>> = [];
  let accounts = [snapshot()];
  const gw = await gatewayWith(s, () => payloadOf(accounts), seen);
  t.after(() => gw.close());
  const env = { ...s.env, OPENCLAW_GATEWAY_URL: gw.url };

  const r = await cli(['channels', 'status'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(lines(r.stdout), [...CHECKING, 'Gateway reachable.', '- Telegram default: enabled, configured, running, connected, mode:polling, dm:pairing, token:config, health:healthy', '', TIP]);
  assert.deepEqual(seen.at(-1), { probe: false, timeoutMs: 10_000 });

  accounts = [snapshot({ probe: { ok: false, status: 401, error: 'Unauthorized' }, healthState: 'probe-failed', lastError: 'getMe returned 401' })];
  const probed = await cli(['channels', 'status', '--probe', '--channel', 'telegram', '--timeout', '99999'], env);
  assert.equal(probed.code, 1);
  assert.match(probed.stdout, /- Telegram default: enabled, configured, error:getMe returned 401, running, connected, mode:polling, dm:pairing, token:config, health:probe-failed, probe failed\n/);
  assert.deepEqual(seen.at(-1), { probe: true, timeoutMs: 30_000, channel: 'telegram' });

  const json = await cli(['channels', 'status', '--json'], env);
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.stdout).channelAccounts.telegram[0].healthState, 'probe-failed');
});

test('channels status: credentials the gateway refuses give the "auth unavailable" config-only view', async (t) => {
  const s = state(localConfig(TEST_TOKEN, { channels: { telegram: { botToken: TOKEN } } }));
  const gw = await gatewayWith(s, () => payloadOf([snapshot()]), []);
  t.after(() => gw.close());
  const r = await cli(['channels', 'status'], { ...s.env, OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: 'wrong-token-0123456789abcdef0123456789' });
  assert.equal(r.code, 1);
  assert.match(lines(r.stderr)[0], /^Gateway auth unavailable: /);
  assert.equal(lines(r.stdout)[CHECKING.length], 'Gateway auth unavailable; showing config-only status.');
  const json = JSON.parse((await cli(['channels', 'status', '--json'], { ...s.env, OPENCLAW_GATEWAY_URL: gw.url, OPENCLAW_GATEWAY_TOKEN: 'wrong-token-0123456789abcdef0123456789' })).stdout);
  assert.equal(json.gatewayAuthUnavailable, true);
});

test('channels --help documents the exit codes', async () => {
  const r = await cli(['channels', 'status', '--help'], state().env);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /0 {2}every account is healthy/);
  assert.match(r.stdout, /1 {2}an account is unhealthy/);
});
