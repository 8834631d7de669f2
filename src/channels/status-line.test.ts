// `channels status` text: exact strings, since users paste it and tools parse it (upstream's format).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveTelegramAccounts, type TelegramChannelConfig } from './config.js';
import {
  configOnlyJson,
  configuredChannelIds,
  formatAccountLine,
  formatConfigOnlyText,
  formatStatusText,
  formatTimeAgo,
  NO_CONFIGURED_CHAT_CHANNELS_LINE,
  tipLine,
  unhealthyAccounts,
} from './status-line.js';
import type { ChannelAccountSnapshot, ChannelsStatusPayload } from './types.js';

const NOW = 1_800_000_000_000;
const TIP = 'Tip: https://docs.openclaw.ai/cli/status adds gateway health probes to status output (requires a reachable gateway).';
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1';

function healthy(extra: Partial<ChannelAccountSnapshot> = {}): ChannelAccountSnapshot {
  return {
    accountId: 'default',
    enabled: true,
    configured: true,
    running: true,
    connected: true,
    lastInboundAt: NOW - 120_000,
    lastOutboundAt: NOW - 60_000,
    lastTransportActivityAt: NOW - 5_000,
    mode: 'polling',
    bot: { username: 'my_bot' },
    dmPolicy: 'pairing',
    allowFrom: ['123456789'],
    tokenSource: 'config',
    healthState: 'healthy',
    probe: { ok: true },
    audit: { ok: true },
    ...extra,
  };
}

function payload(accounts: Record<string, ChannelAccountSnapshot[]>, extra: Partial<ChannelsStatusPayload> = {}): ChannelsStatusPayload {
  return {
    ts: NOW,
    channelOrder: Object.keys(accounts) as ChannelsStatusPayload['channelOrder'],
    channelLabels: { telegram: 'Telegram', discord: 'Discord' },
    channels: {},
    channelAccounts: accounts,
    channelDefaultAccountId: { telegram: 'default' },
    statusIssues: [],
    ...extra,
  };
}

test('formatTimeAgo: upstream buckets (rounded minutes, "just now" under 30 s)', () => {
  assert.equal(formatTimeAgo(5_000), 'just now');
  assert.equal(formatTimeAgo(29_000), 'just now');
  assert.equal(formatTimeAgo(30_000), '1m ago');
  assert.equal(formatTimeAgo(90_000), '2m ago');
  assert.equal(formatTimeAgo(59 * 60_000), '59m ago');
  assert.equal(formatTimeAgo(3 * 3_600_000), '3h ago');
  assert.equal(formatTimeAgo(47 * 3_600_000), '47h ago');
  assert.equal(formatTimeAgo(48 * 3_600_000), '2d ago');
  assert.equal(formatTimeAgo(-1), 'unknown');
  assert.equal(formatTimeAgo(Number.NaN), 'unknown');
});

test('formatAccountLine: the full healthy Telegram line in upstream bit order', () => {
  assert.equal(
    formatAccountLine('Telegram', healthy(), NOW),
    '- Telegram default: enabled, configured, running, connected, in:2m ago, out:1m ago, transport:just now, mode:polling, bot:@my_bot, dm:pairing, allow:123456789, token:config, health:healthy, works, audit ok',
  );
  assert.equal(
    formatAccountLine('Telegram', healthy({ lastTransportActivityAt: NOW - 3 * 3_600_000 }), NOW),
    '- Telegram default: enabled, configured, running, connected, in:2m ago, out:1m ago, transport:3h ago, mode:polling, bot:@my_bot, dm:pairing, allow:123456789, token:config, health:healthy, works, audit ok',
  );
});

test('formatAccountLine: optional bits appear only when set, failures are named', () => {
  const minimal: ChannelAccountSnapshot = { accountId: 'default', enabled: true, configured: false, running: false, connected: false, healthState: 'not-configured' };
  assert.equal(formatAccountLine('Telegram', minimal, NOW), '- Telegram default: enabled, not configured, stopped, disconnected, health:not-configured');

  const broken = healthy({
    accountId: 'work',
    name: 'Work bot',
    stateReason: 'terminal',
    lastError: 'getMe returned 401 Unauthorized',
    running: false,
    connected: false,
    lastInboundAt: null,
    lastOutboundAt: 0,
    lastTransportActivityAt: undefined,
    bot: undefined,
    probe: { ok: false, status: 401, bot: { username: '@from_probe' } },
    audit: { ok: false },
    allowFrom: ['111', '222', '333'],
    allowUnmentionedGroups: true,
    healthState: 'terminal-disconnect',
  });
  assert.equal(
    formatAccountLine('Telegram', broken, NOW),
    '- Telegram work (Work bot): enabled, configured, reason:terminal, error:getMe returned 401 Unauthorized, stopped, disconnected, mode:polling, bot:@from_probe, dm:pairing, allow:111,222, token:config, groups:unmentioned, health:terminal-disconnect, probe failed, audit failed',
  );
});

test('formatAccountLine: a reason repeating the state is dropped; unavailable credentials are marked', () => {
  const disabled: ChannelAccountSnapshot = { accountId: 'default', enabled: false, configured: true, stateReason: 'disabled', running: false, connected: false, tokenSource: 'tokenFile', healthState: 'disabled' };
  assert.equal(formatAccountLine('Telegram', disabled, NOW), '- Telegram default: disabled, configured, stopped, disconnected, token:tokenFile, health:disabled');
  const unavailable = { ...disabled, enabled: true, stateReason: undefined, tokenStatus: 'configured_unavailable' } as ChannelAccountSnapshot;
  assert.equal(
    formatAccountLine('Telegram', unavailable, NOW),
    '- Telegram default: enabled, configured, secret unavailable in this command path, stopped, disconnected, token:tokenFile (unavailable), health:disabled',
  );
  assert.equal(formatAccountLine('Telegram', { ...disabled, tokenSource: 'none' }, NOW), '- Telegram default: disabled, configured, stopped, disconnected, health:disabled');
});

test('formatAccountLine: control characters in names cannot break the line', () => {
  const line = formatAccountLine('Telegram', healthy({ name: 'evil\nname\u001b[31m', probe: undefined, audit: undefined }), NOW);
  assert.match(line, /^- Telegram default \(evil\\nname\): enabled/);
  assert.ok(!line.includes('\n'));
});

test('formatStatusText: reachable with warnings, exactly as upstream prints it', () => {
  const p = payload(
    { telegram: [healthy()] },
    { statusIssues: [{ channel: 'telegram', accountId: 'default', kind: 'config', message: 'Config allows unmentioned group messages (requireMention=false). Telegram Bot API privacy mode will block most group messages unless disabled.', fix: 'In BotFather run /setprivacy → Disable for this bot (then restart the gateway).' }] },
  );
  assert.deepEqual(formatStatusText(p, { gatewayReachable: true, now: NOW }), [
    'Gateway reachable.',
    '- Telegram default: enabled, configured, running, connected, in:2m ago, out:1m ago, transport:just now, mode:polling, bot:@my_bot, dm:pairing, allow:123456789, token:config, health:healthy, works, audit ok',
    '',
    'Warnings:',
    '- telegram default: Config allows unmentioned group messages (requireMention=false). Telegram Bot API privacy mode will block most group messages unless disabled. (In BotFather run /setprivacy → Disable for this bot (then restart the gateway).)',
    '- Run: openclaw doctor',
    '',
    TIP,
  ]);
});

test('formatStatusText: no warnings block when there are none; nothing configured has its own line', () => {
  assert.deepEqual(formatStatusText(payload({ telegram: [healthy({ probe: undefined, audit: undefined })] }), { gatewayReachable: true, now: NOW }), [
    'Gateway reachable.',
    '- Telegram default: enabled, configured, running, connected, in:2m ago, out:1m ago, transport:just now, mode:polling, bot:@my_bot, dm:pairing, allow:123456789, token:config, health:healthy',
    '',
    TIP,
  ]);
  assert.deepEqual(formatStatusText(payload({}), { gatewayReachable: true, now: NOW }), ['Gateway reachable.', NO_CONFIGURED_CHAT_CHANNELS_LINE, '', TIP]);
  assert.equal(NO_CONFIGURED_CHAT_CHANNELS_LINE, '- no configured chat channels (run `openclaw channels list --all` to see installable channels)');
  assert.deepEqual(formatStatusText(payload({ telegram: [] }), { gatewayReachable: true, now: NOW }), ['Gateway reachable.', NO_CONFIGURED_CHAT_CHANNELS_LINE, '', TIP]);
});

test('formatStatusText: partial status and its warnings come first; channels print in id order, issue lines without fix', () => {
  const p = payload(
    { telegram: [healthy({ probe: undefined, audit: undefined, lastInboundAt: null, lastOutboundAt: null, lastTransportActivityAt: null })], discord: [{ accountId: 'default', enabled: true, configured: true, running: true, connected: true, healthState: 'healthy' }] },
    { partial: true, warnings: ['telegram: plugin runtime is paused for reload', '  '], statusIssues: [{ channel: 'discord', accountId: 'default', kind: 'runtime', message: 'Channel reports running, but the runtime is disconnected.' }] },
  );
  assert.deepEqual(formatStatusText(p, { gatewayReachable: true, now: NOW }), [
    'Gateway reachable.',
    'Channel status is partial:',
    '- telegram: plugin runtime is paused for reload',
    '',
    '- Discord default: enabled, configured, running, connected, health:healthy',
    '- Telegram default: enabled, configured, running, connected, mode:polling, bot:@my_bot, dm:pairing, allow:123456789, token:config, health:healthy',
    '',
    'Warnings:',
    '- discord default: Channel reports running, but the runtime is disconnected.',
    '- Run: openclaw doctor',
    '',
    TIP,
  ]);
});

test('tipLine: a terminal gets an OSC 8 link labelled "status --deep"', () => {
  assert.equal(tipLine(false), TIP);
  assert.equal(tipLine(true), 'Tip: \u001b]8;;https://docs.openclaw.ai/cli/status\u0007status --deep\u001b]8;;\u0007 adds gateway health probes to status output (requires a reachable gateway).');
});

test('formatConfigOnlyText: config bits only (enabled, configured, mode, token source)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'status-line-'));
  try {
    const block: TelegramChannelConfig = {
      dmPolicy: 'pairing',
      accounts: {
        main: { botToken: TOKEN },
        copy: { botToken: TOKEN, name: 'Copy' },
        hook: { botToken: '987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2', webhookUrl: 'https://example.com/tg' },
        file: { tokenFile: path.join(dir, 'missing.txt') },
        off: { enabled: false },
      },
    };
    const accounts = resolveTelegramAccounts(block, {});
    assert.deepEqual(formatConfigOnlyText(accounts, { configPath: '/home/u/.openclaw/openclaw.json', mode: 'local', unimplemented: ['slack'] }), [
      'Gateway not reachable; showing config-only status.',
      'Config: /home/u/.openclaw/openclaw.json',
      'Mode: local',
      '',
      '- Telegram main: enabled, configured, mode:polling, token:config',
      '- Telegram copy (Copy): enabled, not configured, reason:Duplicate Telegram bot token: account "copy" shares a token with account "main". Keep one owner account per bot token., mode:polling, token:config',
      '- Telegram hook: enabled, configured, mode:webhook, token:config',
      '- Telegram file: enabled, configured, secret unavailable in this command path, mode:polling, token:tokenFile (unavailable)',
      '- Telegram off: disabled, not configured, mode:polling',
      '',
      'Not implemented yet in this gateway (config kept, not started):',
      '- slack: channels.slack is kept but not started (supported: telegram, discord, whatsapp, imessage)',
      '',
      TIP,
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('formatConfigOnlyText: the env token, the auth-unavailable variant, and nothing configured', () => {
  const env = resolveTelegramAccounts({}, { TELEGRAM_BOT_TOKEN: TOKEN });
  assert.deepEqual(formatConfigOnlyText(env, { configPath: '/c.json', mode: 'remote', gatewayAuthUnavailable: true }), [
    'Gateway auth unavailable; showing config-only status.',
    'Config: /c.json',
    'Mode: remote',
    '',
    '- Telegram default: enabled, configured, mode:polling, token:env',
    '',
    TIP,
  ]);
  assert.deepEqual(formatConfigOnlyText([], { configPath: '/c.json', mode: 'local' }), [
    'Gateway not reachable; showing config-only status.',
    'Config: /c.json',
    'Mode: local',
    '',
    NO_CONFIGURED_CHAT_CHANNELS_LINE,
    '',
    TIP,
  ]);
});

test('configOnlyJson and configuredChannelIds: upstream fallback shape', () => {
  const channels = { telegram: { botToken: TOKEN }, discord: { enabled: false }, whatsapp: {}, imessage: { dmPolicy: 'pairing' }, defaults: { groupPolicy: 'allowlist' } };
  assert.deepEqual(configuredChannelIds(channels), ['imessage', 'telegram']);
  assert.deepEqual(configuredChannelIds(undefined, { TELEGRAM_BOT_TOKEN: TOKEN }), ['telegram']);
  assert.deepEqual(configuredChannelIds({ telegram: { enabled: false } }, { TELEGRAM_BOT_TOKEN: TOKEN }), []);
  assert.deepEqual(configOnlyJson({ error: 'gateway connect failed: connection refused', gatewayAuthUnavailable: false, configPath: '/c.json', mode: 'local', configuredChannels: ['telegram'] }), {
    gatewayReachable: false,
    error: 'gateway connect failed: connection refused',
    gatewayAuthUnavailable: false,
    configOnly: true,
    config: { path: '/c.json', mode: 'local' },
    configuredChannels: ['telegram'],
  });
});

test('unhealthyAccounts: unhealthy states and failed probes turn the exit code red; grace states do not', () => {
  const p = payload({
    telegram: [
      healthy(),
      healthy({ accountId: 'a', healthState: 'terminal-disconnect', probe: undefined }),
      healthy({ accountId: 'b', healthState: 'healthy', probe: { ok: false, error: 'timeout' } }),
      healthy({ accountId: 'c', healthState: 'startup-connect-grace', probe: undefined }),
      healthy({ accountId: 'd', healthState: 'outbound-stuck', probe: undefined }),
      healthy({ accountId: 'e', healthState: 'disabled', enabled: false, probe: undefined }),
    ],
  });
  assert.deepEqual(unhealthyAccounts(p), [
    { channel: 'telegram', accountId: 'a', why: 'health:terminal-disconnect' },
    { channel: 'telegram', accountId: 'b', why: 'probe failed' },
    { channel: 'telegram', accountId: 'd', why: 'health:outbound-stuck' },
  ]);
  assert.deepEqual(unhealthyAccounts(payload({ telegram: [healthy()] })), []);
});

test('colour: only with opts.color, an unhealthy or probe-failed account line is red and the Warnings heading yellow; healthy lines stay plain', () => {
  const payload = {
    ts: NOW,
    channelOrder: ['telegram'],
    channelLabels: { telegram: 'Telegram' },
    channels: {},
    channelAccounts: { telegram: [healthy({ accountId: 'a', probe: undefined, audit: undefined }), healthy({ accountId: 'b', probe: { ok: false, error: 'down' }, audit: undefined }), healthy({ accountId: 'c', healthState: 'terminal-disconnect', probe: undefined, audit: undefined })] },
    channelDefaultAccountId: { telegram: 'a' },
    statusIssues: [{ channel: 'telegram', accountId: 'b', kind: 'probe', message: 'probe failed: down' }],
  } as unknown as ChannelsStatusPayload;
  const plain = formatStatusText(payload, { gatewayReachable: true, now: NOW });
  assert.ok(plain.every((l) => !l.includes('\u001b[')), 'no colour unless asked');
  const colored = formatStatusText(payload, { gatewayReachable: true, now: NOW, color: true });
  const line = (id: string) => colored.find((l) => l.includes(`Telegram ${id}:`))!;
  assert.ok(!line('a').startsWith('\u001b['), 'healthy stays plain');
  assert.ok(line('b').startsWith('\u001b[31m- Telegram b:') && line('b').endsWith('\u001b[39m'));
  assert.ok(line('c').startsWith('\u001b[31m- Telegram c:'));
  assert.ok(colored.includes('\u001b[33mWarnings:\u001b[39m'));
  // the same bytes once the colour is taken off
  assert.deepEqual(colored.map((l) => l.replace(/\u001b\[\d+m/g, '')), plain);
});
