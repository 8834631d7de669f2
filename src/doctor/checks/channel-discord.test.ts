// The channel-discord-* doctor checks: config fixtures for the offline causes (no token, an
// unresolvable SecretRef), and a stub control plane (testing/channel-status.ts) reporting what the
// Discord adapter reports: its 4004 / 4014 close texts, probe results, READY's intent snapshot, and
// the outbound warning naming a 50007 refusal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DM_BLOCKED_FIX, INTENT_DISABLED_MESSAGE, INTENT_FIX, INTENT_LIMITED_FIX, terminalClose } from '../../channels/discord/errors.js';
import type { ChannelAccountSnapshot, ChannelStatusIssue } from '../../channels/types.js';
import { TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import { localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { buildContext } from '../runner.js';
import { stubChannelGateway } from '../testing/channel-status.js';
import type { Check, Finding } from '../types.js';
import { channelDiscordDm } from './channel-discord-dm.js';
import { channelDiscordIntents } from './channel-discord-intents.js';
import { channelDiscordToken } from './channel-discord-token.js';
import { channelProbe } from './channel-probe.js';

const BOT_TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB';
const state = stateDirsForFile();
/** DISCORD_BOT_TOKEN of the developer's shell must not count. */
const run = (check: Check, s: StateDir, env: NodeJS.ProcessEnv = {}): Promise<Finding> => check.run(buildContext({ ...s.env, DISCORD_BOT_TOKEN: undefined, ...env }, { probeTimeoutMs: 2000 }));
const withDiscord = (discord: unknown, gateway: Record<string, unknown> = {}) => state(localConfig(TEST_TOKEN, { gateway, channels: { discord } }));
const ALL = [channelDiscordToken, channelDiscordIntents, channelDiscordDm];

// ---- offline -----------------------------------------------------------------------------------

test('no (enabled) Discord account: every Discord check skips', async () => {
  for (const s of [state(localConfig(TEST_TOKEN)), withDiscord({ enabled: false, token: BOT_TOKEN })]) {
    for (const check of ALL) assert.equal((await run(check, s)).level, 'skipped', check.id);
  }
});

test('channel-discord-token: no token → error with channels add (per account); DISCORD_BOT_TOKEN counts for the default account', async () => {
  const s = withDiscord({ dmPolicy: 'pairing' }, { port: 1 });
  const f = await run(channelDiscordToken, s);
  assert.equal(f.level, 'error');
  assert.equal(f.message, 'channels.discord.token is not set (nor DISCORD_BOT_TOKEN), so Discord account "default" cannot connect.');
  assert.equal(f.fix, 'openclaw channels add --channel discord --token <token>  (token: Developer Portal → Bot → Reset Token)');
  const fromEnv = await run(channelDiscordToken, s, { DISCORD_BOT_TOKEN: BOT_TOKEN });
  assert.equal(fromEnv.level, 'skipped', 'offline causes fixed; the rejection part needs the gateway');
  assert.match(fromEnv.message, /the gateway is not running .*whether Discord accepts the bot token was not checked/);

  const multi = await run(channelDiscordToken, withDiscord({ accounts: { main: { token: BOT_TOKEN }, work: {} } }));
  assert.equal(multi.message, 'channels.discord.accounts.work.token is not set, so Discord account "work" cannot connect.');
  assert.equal(multi.fix, 'openclaw channels add --channel discord --account work --token <token>  (token: Developer Portal → Bot → Reset Token)');
});

test('channel-discord-token: a SecretRef the gateway cannot resolve is named with its own fix', async () => {
  const unset = await run(channelDiscordToken, withDiscord({ token: { source: 'env', provider: 'default', id: 'DC_TOKEN_UNSET_FOR_TEST' } }));
  assert.equal(unset.level, 'error');
  assert.equal(unset.message, 'channels.discord.token: SecretRef: environment variable DC_TOKEN_UNSET_FOR_TEST is not set for the gateway, so Discord account "default" cannot connect.');
  assert.equal(unset.fix, "export DC_TOKEN_UNSET_FOR_TEST='<bot token>' in the gateway's environment, then: openclaw gateway restart  (or store the token in the config: openclaw channels add --channel discord --token <token>)");

  const file = await run(channelDiscordToken, withDiscord({ accounts: { work: { token: { source: 'file', provider: 'default', id: '/run/secrets/discord' } } } }));
  assert.equal(file.level, 'error');
  assert.match(file.message, /^channels\.discord\.accounts\.work\.token: SecretRef source "file" is not supported by this gateway yet/);
  assert.equal(file.fix, 'openclaw channels add --channel discord --account work --token <token>  (stores the token in place of the SecretRef)');
});

test('channel-discord-intents: an account with intents.messageContent=false is not asked about (no gateway needed)', async () => {
  const f = await run(channelDiscordIntents, withDiscord({ token: BOT_TOKEN, intents: { messageContent: false } }, { port: 1 }));
  assert.equal(f.level, 'ok');
  assert.match(f.message, /intents\.messageContent=false: DMs and explicit mentions only/);
  const down = await run(channelDiscordIntents, withDiscord({ token: BOT_TOKEN }, { port: 1 }));
  assert.equal(down.level, 'skipped');
  assert.match(down.message, /the Message Content intent was not checked/);
  assert.equal((await run(channelDiscordDm, withDiscord({ token: BOT_TOKEN }, { port: 1 }))).level, 'skipped');
});

// ---- live (stub gateway) ------------------------------------------------------------------------

function snap(extra: Partial<ChannelAccountSnapshot> & Record<string, unknown> = {}): ChannelAccountSnapshot {
  return {
    accountId: 'default', enabled: true, configured: true, running: true, connected: true, mode: 'gateway', healthState: 'healthy', tokenSource: 'config',
    application: { intents: { messageContent: 'limited' } },
    probe: { ok: true, status: 200, bot: { id: '1', username: 'claw_bot' }, application: { id: '1', flags: 1 << 19, intents: { messageContent: 'limited' } } },
    ...extra,
  } as ChannelAccountSnapshot;
}
const terminal = (code: number): Partial<ChannelAccountSnapshot> => ({ connected: false, running: false, healthState: 'terminal-disconnect', lastError: terminalClose(code)!.reason, probe: undefined });

test('live: a healthy bot; a 4004 close, a 401 probe (config and env tokens) → the token error', async (t) => {
  const s = withDiscord({ token: BOT_TOKEN });
  let accounts = [snap()];
  const gw = await stubChannelGateway(s, 'discord', () => accounts);
  t.after(() => gw.close());
  assert.deepEqual(await run(channelDiscordToken, s), { level: 'ok', message: 'Discord accepts the bot token (@claw_bot).' });

  accounts = [snap(terminal(4004))];
  const closed = await run(channelDiscordToken, s);
  assert.equal(closed.level, 'error');
  assert.equal(closed.message, 'Discord rejects the bot token of account "default" (Discord gateway closed with 4004 (authentication failed): the bot token was rejected), so that bot cannot connect.');
  assert.equal(closed.fix, 'openclaw channels add --channel discord --token <token>  (new token: Developer Portal → Bot → Reset Token)');

  const unauthorized = 'GET /users/@me returned 401 (Unauthorized): the bot token was rejected';
  accounts = [snap({ healthState: 'probe-failed', probe: { ok: false, status: 401, error: unauthorized } })];
  const probe = await run(channelDiscordToken, s);
  assert.equal(probe.message, `Discord rejects the bot token of account "default" (${unauthorized}), so that bot cannot connect.`);

  const env = withDiscord({ dmPolicy: 'pairing' });
  const gwEnv = await stubChannelGateway(env, 'discord', () => [snap({ tokenSource: 'env', probe: { ok: false, status: 401, error: unauthorized } })]);
  t.after(() => gwEnv.close());
  const fromEnv = await run(channelDiscordToken, env, { DISCORD_BOT_TOKEN: BOT_TOKEN });
  assert.equal(fromEnv.level, 'error');
  assert.equal(fromEnv.fix, "export DISCORD_BOT_TOKEN='<new token: Developer Portal → Bot → Reset Token>' in the gateway's environment, then: openclaw gateway restart");

  accounts = [snap({ healthState: 'probe-failed', probe: { ok: false, status: null, error: 'GET /users/@me failed: getaddrinfo ENOTFOUND discord.com' } })];
  const unreachable = await run(channelDiscordToken, s);
  assert.equal(unreachable.level, 'skipped', 'a network failure says nothing about the token');
  assert.match(unreachable.message, /failed before Discord judged the token \(GET \/users\/@me failed: getaddrinfo ENOTFOUND discord\.com\)/);
});

test('live: a second account\'s rejected token names that account in the fix', async (t) => {
  const s = withDiscord({ accounts: { main: { token: BOT_TOKEN }, work: { token: `${BOT_TOKEN}x` } } });
  const gw = await stubChannelGateway(s, 'discord', () => [snap({ accountId: 'main' }), snap({ accountId: 'work', ...terminal(4004) })]);
  t.after(() => gw.close());
  const f = await run(channelDiscordToken, s);
  assert.match(f.message, /^Discord rejects the bot token of account "work" /);
  assert.equal(f.fix, 'openclaw channels add --channel discord --account work --token <token>  (new token: Developer Portal → Bot → Reset Token)');
});

test('live: Message Content: 4014, disabled (probe or READY snapshot), limited near 100 servers, limited below, unknown', async (t) => {
  const s = withDiscord({ token: BOT_TOKEN, intents: { guildMembers: true } });
  let accounts = [snap()];
  const gw = await stubChannelGateway(s, 'discord', () => accounts);
  t.after(() => gw.close());
  assert.deepEqual(await run(channelDiscordIntents, s), { level: 'ok', message: 'Discord grants the Message Content intent ("default": limited (the Developer Portal toggle; enough below 100 servers)).' });

  accounts = [snap({ ...terminal(4014), probe: { ok: true, application: { intents: { messageContent: 'limited' } } } })];
  const closed = await run(channelDiscordIntents, s);
  assert.equal(closed.level, 'error');
  assert.equal(closed.message, `Discord account "default": ${terminalClose(4014)!.reason}; the gateway does not reconnect it. This account also asks for the Server Members intent, which must be enabled there too.`);
  assert.equal(closed.fix, INTENT_FIX);
  assert.match(INTENT_FIX, /Developer Portal → Bot → Privileged Gateway Intents.*then: openclaw gateway restart$/);

  accounts = [snap({ probe: { ok: true, application: { intents: { messageContent: 'disabled' } } } })];
  const disabled = await run(channelDiscordIntents, s);
  assert.equal(disabled.level, 'error');
  assert.equal(disabled.message, `Discord account "default" (intents:content=disabled): ${INTENT_DISABLED_MESSAGE}`);
  assert.equal(disabled.fix, INTENT_FIX);

  accounts = [snap({ probe: undefined, application: { intents: { messageContent: 'disabled' } } })];
  assert.equal((await run(channelDiscordIntents, s)).level, 'error', 'READY\'s snapshot counts when no probe ran');

  accounts = [snap({ probe: { ok: true, application: { id: '1', flags: 1 << 19, intents: { messageContent: 'limited' }, approximateGuildCount: 95 } } })];
  const near = await run(channelDiscordIntents, s);
  assert.equal(near.level, 'warn');
  assert.equal(near.message, 'Discord account "default" has the Message Content intent only as the Developer Portal toggle (intents:content=limited), which Discord honours for bots in fewer than 100 servers; this bot is in 95.');
  assert.equal(near.fix, INTENT_LIMITED_FIX);

  accounts = [snap({ probe: { ok: true, application: { id: '1', flags: 1 << 19, intents: { messageContent: 'limited' }, approximateGuildCount: 12 } } })];
  assert.equal((await run(channelDiscordIntents, s)).level, 'ok');
  accounts = [snap({ probe: { ok: true, application: { intents: { messageContent: 'enabled' } } }, application: { intents: { messageContent: 'limited' } } })];
  assert.equal((await run(channelDiscordIntents, s)).message, 'Discord grants the Message Content intent ("default": enabled).', 'the probe is fresher than READY');
  accounts = [snap({ probe: undefined, application: undefined })];
  assert.equal((await run(channelDiscordIntents, s)).level, 'skipped');
});

test('live: a DM refused with 50007 (the outbound warning) → warn with the share-a-server fix; other failures are not this check\'s', async (t) => {
  const s = withDiscord({ token: BOT_TOKEN });
  const outbound = (message: string): ChannelStatusIssue => ({ channel: 'discord', accountId: 'default', kind: 'outbound', message, fix: 'openclaw logs | grep "send failed"' });
  let issues: ChannelStatusIssue[] = [];
  const gw = await stubChannelGateway(s, 'discord', () => ({ accounts: [snap()], issues }));
  t.after(() => gw.close());
  assert.equal((await run(channelDiscordDm, s)).level, 'ok');

  const refused = '1 outbound message(s) failed for good in the last 24 h (last, to user:42: 403: Cannot send messages to this user (50007))';
  issues = [outbound(refused)];
  const f = await run(channelDiscordDm, s);
  assert.equal(f.level, 'warn');
  assert.equal(f.message, `Discord account "default": ${refused}; the recipient does not accept DMs from this bot.`);
  assert.equal(f.fix, DM_BLOCKED_FIX);
  assert.match(DM_BLOCKED_FIX, /share a server with the bot and allow DMs from server members/);

  issues = [outbound('1 outbound message(s) failed for good in the last 24 h (last, to 4001: 403: Missing Permissions (50013))'), { ...outbound(refused), channel: 'telegram' }];
  assert.equal((await run(channelDiscordDm, s)).level, 'ok');
});

test('channel-probe: a Discord probe that failed for a network reason is an error with the adapter\'s fix; a 401 or 4014 is left to the token / intents checks', async (t) => {
  const s = withDiscord({ token: BOT_TOKEN });
  let accounts: ChannelAccountSnapshot[] = [{ accountId: 'default', enabled: true, configured: true, running: true, connected: true, healthState: 'healthy', probe: { ok: true } }];
  const gw = await stubChannelGateway(s, 'discord', () => accounts);
  t.after(() => gw.close());
  assert.deepEqual(await run(channelProbe, s), { level: 'ok', message: 'Every Discord probe reached Discord (1 account).' });
  const fix = 'check network access to https://discord.com/api/v10 (proxy, DNS, firewall), then openclaw channels status --probe';
  accounts = [{ ...accounts[0], healthState: 'probe-failed', probe: { ok: false, error: 'GET /users/@me failed: connect ECONNREFUSED', fix } }];
  const down = await run(channelProbe, s);
  assert.equal(down.level, 'error');
  assert.equal(down.message, 'The Discord probe of account "default" failed (GET /users/@me failed: connect ECONNREFUSED), so the bot cannot reach Discord from the gateway host.');
  assert.equal(down.fix, fix);
  accounts = [{ ...accounts[0], probe: { ok: false, status: 401, error: 'GET /users/@me returned 401 (Unauthorized): the bot token was rejected' } }];
  assert.equal((await run(channelProbe, s)).level, 'ok');
  accounts = [{ ...accounts[0], probe: { ok: false, error: 'Discord closed the gateway connection with 4014 (disallowed intents)' } }];
  assert.equal((await run(channelProbe, s)).level, 'ok');
});
