// The channel-* doctor checks: config fixtures for the offline causes, and an in-process control
// plane (testing/channel-status.ts) whose channels.status is a stub.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import JSON5 from 'json5';
import { localConfig, stateDirsForFile, type StateDir } from '../../testing/harness.js';
import { TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import type { ChannelAccountSnapshot } from '../../channels/types.js';
import { stubChannelGateway } from '../testing/channel-status.js';
import { applyRepairs, buildContext } from '../runner.js';
import type { Check, Finding } from '../types.js';
import { channels } from './channels.js';
import { channelDmPolicy } from './channel-dm-policy.js';
import { channelPairing } from './channel-pairing.js';
import { channelPrivacyMode, PRIVACY_MODE_FIX, PRIVACY_MODE_MESSAGE } from './channel-privacy-mode.js';
import { channelProbe } from './channel-probe.js';
import { channelTelegramConflict } from './channel-telegram-conflict.js';
import { channelTelegramToken } from './channel-telegram-token.js';
import { channelTokenFile } from './channel-token-file.js';

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';
const TOKEN2 = '987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2';
const state = stateDirsForFile();
const run = (check: Check, s: StateDir, env: NodeJS.ProcessEnv = s.env): Promise<Finding> => check.run(buildContext(env, { probeTimeoutMs: 2000 }));
const withChannels = (c: unknown, extra: Record<string, unknown> = {}) => state(localConfig(TEST_TOKEN, { ...extra, channels: c }));

// ---- offline -----------------------------------------------------------------------------------

test('channels: Telegram tokens are resolved per account (env counts); the fix is channels add', async () => {
  const s = withChannels({ telegram: { enabled: true } });
  const f = await run(channels, s);
  assert.equal(f.level, 'warn');
  assert.equal(f.message, 'channels.telegram.botToken is not set (nor tokenFile or TELEGRAM_BOT_TOKEN), so Telegram account "default" cannot connect.');
  assert.equal(f.fix, 'openclaw channels add --channel telegram --token <token>  (writes channels.telegram.botToken)');
  assert.equal((await run(channels, s, { ...s.env, TELEGRAM_BOT_TOKEN: TOKEN })).level, 'ok');

  const multi = withChannels({ telegram: { accounts: { a: { botToken: TOKEN }, b: { name: 'B' } } } });
  const m = await run(channels, multi);
  assert.equal(m.level, 'warn');
  assert.match(m.message, /^channels\.telegram\.accounts\.b\.botToken is not set \(nor tokenFile\)/);
  assert.equal(m.fix, 'openclaw channels add --channel telegram --account b --token <token>  (writes channels.telegram.accounts.b.botToken)');
  assert.equal((await run(channels, withChannels({ telegram: { botToken: TOKEN } }))).level, 'ok');
  const ref = await run(channels, withChannels({ telegram: { botToken: { source: 'env', provider: 'default', id: 'TG_UNSET_FOR_TEST' } } } as never));
  assert.equal(ref.level, 'warn');
  assert.equal(ref.message, 'channels.telegram.botToken: SecretRef: environment variable TG_UNSET_FOR_TEST is not set for the gateway, so Telegram account "default" cannot connect.');
});

test('channel-dm-policy: "open" without "*" is explained on the invalid file; --fix says "allowlist" when it lists senders', async () => {
  assert.equal((await run(channelDmPolicy, state(localConfig(TEST_TOKEN)))).level, 'skipped');
  const s = withChannels({ telegram: { botToken: TOKEN, dmPolicy: 'open', allowFrom: ['111'] } });
  const f = await run(channelDmPolicy, s);
  assert.equal(f.level, 'error');
  assert.equal(f.repairable, true);
  assert.match(f.message, /^channels\.telegram\.dmPolicy="open" requires channels\.telegram\.allowFrom to include "\*"; the gateway refuses this config\./);
  assert.equal(f.fix, `openclaw config set channels.telegram.dmPolicy allowlist  (or, to let anyone DM the bot: openclaw config set channels.telegram.allowFrom '["*"]')`);
  const ctx = buildContext(s.env, { probeTimeoutMs: 2000 });
  const [applied] = await applyRepairs(ctx, [{ check: channelDmPolicy }]);
  assert.ok(applied.changed[0].backupPath);
  assert.equal(JSON5.parse(fs.readFileSync(s.configPath, 'utf8')).channels.telegram.dmPolicy, 'allowlist');
  assert.equal((await run(channelDmPolicy, s)).level, 'ok');

  const noEntries = await run(channelDmPolicy, withChannels({ telegram: { botToken: TOKEN, accounts: { work: { dmPolicy: 'open' } } } }));
  assert.equal(noEntries.level, 'error');
  assert.ok(!noEntries.repairable);
  assert.match(noEntries.fix!, /^openclaw config set channels\.telegram\.accounts\.work\.dmPolicy pairing/);

  const empty = await run(channelDmPolicy, withChannels({ telegram: { botToken: TOKEN, dmPolicy: 'allowlist' } }));
  assert.equal(empty.level, 'error');
  assert.match(empty.message, /all DMs will be dropped/);
  assert.match(empty.fix!, /^openclaw config set channels\.telegram\.dmPolicy pairing/);
});

test('channel-privacy-mode: requireMention=false groups get upstream\'s warning and fix', async () => {
  assert.equal((await run(channelPrivacyMode, withChannels({ telegram: { botToken: TOKEN } }))).level, 'skipped');
  const s = withChannels({ telegram: { botToken: TOKEN, groups: { '-1001': { requireMention: false }, '-1002': { topics: { '7': { requireMention: false } } } } } }, { gateway: { port: 1 } });
  const f = await run(channelPrivacyMode, s);
  assert.equal(f.level, 'warn');
  assert.equal(f.message, `Telegram account "default" (groups -1001, -1002:topic:7): ${PRIVACY_MODE_MESSAGE} (Not confirmed live: the gateway did not answer.)`);
  assert.equal(f.fix, `${PRIVACY_MODE_FIX} Then remove the bot from the group and add it again.`);
  assert.equal(PRIVACY_MODE_FIX, 'In BotFather run /setprivacy → Disable for this bot (then restart the gateway).');
});

function writePairing(s: StateDir, requests: unknown[]): string {
  const file = path.join(s.dir, 'channels', 'pairing.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ version: 1, requests, allow: {} }));
  return file;
}

test('channel-pairing: waiting senders are named (never their codes); expired ones do not count', async () => {
  const s = state(localConfig(TEST_TOKEN));
  assert.deepEqual(await run(channelPairing, s), { level: 'ok', message: 'No pending DM pairing requests.' });
  const now = Date.now();
  const iso = (ago: number) => new Date(now - ago).toISOString();
  writePairing(s, [
    { channel: 'telegram', accountId: 'default', id: '111', code: 'ABCD2345', createdAt: iso(10 * 60_000), lastSeenAt: iso(60_000), meta: { username: 'alice' } },
    { channel: 'telegram', accountId: 'work', id: '222', code: 'EFGH6789', createdAt: iso(5 * 60_000), lastSeenAt: iso(5 * 60_000), meta: { firstName: 'Bob' } },
    { channel: 'telegram', accountId: 'default', id: '333', code: 'JKLM2345', createdAt: iso(2 * 3_600_000), lastSeenAt: iso(3_600_000), meta: {} },
  ]);
  const f = await run(channelPairing, s);
  assert.equal(f.level, 'warn');
  assert.equal(f.message, '2 DM senders are waiting for pairing approval and get no answer until approved (codes expire 1 h after the request): @alice (111) on Telegram, Bob (222) on Telegram work.');
  assert.equal(f.fix, 'openclaw pairing list telegram  (then: openclaw pairing approve telegram <CODE>)');
  assert.ok(!f.message.includes('ABCD2345') && !f.fix!.includes('ABCD2345'));

  writePairing(s, [{ channel: 'telegram', accountId: 'default', id: '333', code: 'JKLM2345', createdAt: iso(2 * 3_600_000), lastSeenAt: iso(3_600_000), meta: {} }]);
  assert.equal((await run(channelPairing, s)).message, 'No pending DM pairing requests (1 expired, dropped on the next change).');

  fs.writeFileSync(path.join(s.dir, 'channels', 'pairing.json'), '{"version":1,"requests":{}}');
  const broken = await run(channelPairing, s);
  assert.equal(broken.level, 'warn');
  assert.match(broken.message, /cannot be parsed \("requests" is not an array\)/);
});

test('channel-token-file: missing, symlinked, empty and world-readable token files', async () => {
  assert.equal((await run(channelTokenFile, withChannels({ telegram: { botToken: TOKEN } }))).level, 'skipped');
  const s = state(localConfig(TEST_TOKEN));
  const file = path.join(s.dir, 'tg.token');
  s.writeConfig(localConfig(TEST_TOKEN, { channels: { telegram: { tokenFile: file } } }));
  const missing = await run(channelTokenFile, s);
  assert.equal(missing.level, 'error');
  assert.equal(missing.message, `channels.telegram.tokenFile: cannot read tokenFile ${file} (ENOENT), so Telegram account "default" cannot connect.`);
  assert.equal(missing.fix, 'openclaw channels add --channel telegram --token-file <path of the file holding the token>');

  const real = path.join(s.dir, 'real.token');
  fs.writeFileSync(real, TOKEN + '\n', { mode: 0o600 });
  fs.symlinkSync(real, file);
  const sym = await run(channelTokenFile, s);
  assert.equal(sym.level, 'error');
  assert.match(sym.message, /is a symlink/);
  assert.equal(sym.fix, `openclaw config set channels.telegram.tokenFile "$(readlink -f ${file})"`);

  fs.rmSync(file);
  fs.writeFileSync(file, '\n', { mode: 0o600 });
  assert.equal((await run(channelTokenFile, s)).fix, `printf '%s\\n' '<token from @BotFather>' > ${file} && chmod 600 ${file}`);

  fs.writeFileSync(file, TOKEN);
  fs.chmodSync(file, 0o644);
  const open = await run(channelTokenFile, s);
  assert.equal(open.level, 'warn');
  assert.equal(open.fix, `chmod 600 ${file}`);
  fs.chmodSync(file, 0o600);
  assert.equal((await run(channelTokenFile, s)).level, 'ok');
});

test('channel-telegram-conflict: two accounts with one token are caught offline', async () => {
  const f = await run(channelTelegramConflict, withChannels({ telegram: { accounts: { a: { botToken: TOKEN }, b: { botToken: TOKEN } } } }));
  assert.equal(f.level, 'warn');
  assert.match(f.message, /^Telegram accounts "a" and "b" use the same bot token; only one poller per token works/);
  assert.match(f.fix!, /^openclaw channels remove --channel telegram --account b --yes/);
});

test('live checks skip, saying why, when the gateway is down', async () => {
  const s = withChannels({ telegram: { botToken: TOKEN } }, { gateway: { port: 1 } });
  const f = await run(channelTelegramToken, s);
  assert.equal(f.level, 'skipped');
  assert.equal(f.message, 'Skipped: the gateway is not running (nothing answers on ws://127.0.0.1:1), so the Telegram token was not checked; once it runs: openclaw channels status --probe.');
  assert.equal((await run(channelProbe, s)).level, 'skipped');
  assert.equal((await run(channelTelegramConflict, s)).level, 'skipped');
});

// ---- live (stub gateway) ------------------------------------------------------------------------

function snap(extra: Partial<ChannelAccountSnapshot> = {}): ChannelAccountSnapshot {
  return { accountId: 'default', enabled: true, configured: true, running: true, connected: true, mode: 'polling', healthState: 'healthy', probe: { ok: true, bot: { username: 'my_bot', canReadAllGroupMessages: false } }, ...extra };
}

test('live: a 401 token, an unreachable Bot API, a 409 poller, a stray webhook, privacy mode confirmed', async (t) => {
  const s = withChannels({ telegram: { botToken: TOKEN, groups: { '-1001': { requireMention: false } } } });
  let accounts: ChannelAccountSnapshot[] = [snap()];
  const gw = await stubChannelGateway(s, 'telegram', () => accounts);
  t.after(() => gw.close());

  const healthy = await run(channelTelegramToken, s);
  assert.deepEqual(healthy, { level: 'ok', message: 'Telegram accepts the bot token (@my_bot).' });
  assert.equal((await run(channelProbe, s)).level, 'ok');
  assert.equal((await run(channelTelegramConflict, s)).level, 'ok');
  const privacy = await run(channelPrivacyMode, s);
  assert.equal(privacy.level, 'warn');
  assert.match(privacy.message, /getMe confirms privacy mode is on for this bot\.$/);

  accounts = [snap({ probe: { ok: true, bot: { username: 'my_bot', canReadAllGroupMessages: true } } })];
  assert.equal((await run(channelPrivacyMode, s)).level, 'ok');

  accounts = [snap({ probe: { ok: false, status: 401, error: 'Unauthorized' }, healthState: 'probe-failed' })];
  const bad = await run(channelTelegramToken, s);
  assert.equal(bad.level, 'error');
  assert.equal(bad.message, 'Telegram rejects the bot token of account "default" (getMe returned 401 Unauthorized: revoked or mistyped), so that bot cannot connect.');
  assert.equal(bad.fix, 'openclaw channels add --channel telegram --token <new token from @BotFather: /mybots → API Token>');
  assert.equal((await run(channelProbe, s)).level, 'ok', 'a 401 is the token check\'s finding, not the probe\'s');

  accounts = [snap({ probe: { ok: false, error: 'fetch failed: ETIMEDOUT' }, healthState: 'probe-failed' })];
  const down = await run(channelProbe, s);
  assert.equal(down.level, 'error');
  assert.equal(down.message, 'The Telegram probe of account "default" failed (fetch failed: ETIMEDOUT): https://api.telegram.org is not reachable from the gateway host, so the bot cannot connect.');
  assert.match(down.fix!, /^curl -sS -m 10 -o \/dev\/null -w '%\{http_code\}\\n' https:\/\/api\.telegram\.org /);

  accounts = [snap({ lastError: '409: Conflict: terminated by other getUpdates request; make sure that only one bot instance is running', healthState: 'terminal-disconnect', connected: false })];
  const conflict = await run(channelTelegramConflict, s);
  assert.equal(conflict.level, 'error');
  assert.match(conflict.message, /another process polls with the same bot token \(409: Conflict: terminated by other getUpdates request\)/);
  assert.equal(conflict.fix, 'stop the other bot instance using this token (another gateway, a dev copy, a bot script), then: openclaw gateway restart');

  accounts = [snap({ probe: { ok: true, bot: { username: 'my_bot' }, webhook: { url: 'https://old.example.com/hook' } } })];
  const hook = await run(channelTelegramConflict, s);
  assert.equal(hook.level, 'error');
  assert.match(hook.message, /a webhook is registered for its bot \(https:\/\/old\.example\.com\/hook;/);
  assert.equal(hook.fix, 'stop the deployment that registers that webhook, then: curl -sS "https://api.telegram.org/bot<token>/deleteWebhook"  (with this account\'s token) and openclaw gateway restart');

  accounts = [snap({ probe: { ok: false, status: 404, error: 'Not Found' }, healthState: 'probe-failed' })];
  assert.match((await run(channelTelegramToken, s)).message, /getMe returned 404 Not Found: malformed/);
  assert.equal((await run(channelProbe, s)).level, 'ok');
});
