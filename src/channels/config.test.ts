import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { validateConfigObject } from '../config/load.js';
import { resolveTelegramAccounts } from './config.js';

test('dmPolicy="open" without "*" is rejected with the upstream message', () => {
  const r = validateConfigObject({ channels: { telegram: { botToken: '1:x', dmPolicy: 'open', allowFrom: ['1'] } } });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.problem, 'channels.telegram.dmPolicy="open" requires channels.telegram.allowFrom to include "*"');
});

test('the access-rule issue names the key once (channels.telegram.dmPolicy) and its fix edits that key', () => {
  const r = validateConfigObject({ channels: { telegram: { dmPolicy: 'open', allowFrom: ['1'] } } });
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.issues.map((i) => i.path), ['channels.telegram.dmPolicy']);
  assert.doesNotMatch(!r.ok ? r.fix : '', /channels\.channels/);
});

test('a channel-level "open" without "*" is rejected even when accounts.default exists and inherits it', () => {
  const r = validateConfigObject({ channels: { telegram: { dmPolicy: 'open', allowFrom: ['1'], accounts: { default: { botToken: '1:x' } } } } });
  assert.equal(!r.ok && r.problem, 'channels.telegram.dmPolicy="open" requires channels.telegram.allowFrom to include "*"');
  const own = validateConfigObject({ channels: { telegram: { dmPolicy: 'open', allowFrom: ['1'], accounts: { default: { botToken: '1:x', dmPolicy: 'pairing' } } } } });
  assert.equal(own.ok, true);
});

test('dmPolicy="allowlist" with an empty allowFrom is rejected', () => {
  const r = validateConfigObject({ channels: { telegram: { dmPolicy: 'allowlist' } } });
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.problem : '', /^channels\.telegram\.dmPolicy="allowlist" but channels\.telegram\.allowFrom is empty; all DMs will be dropped\./);
});

test('account overrides inherit allowFrom from the channel root', () => {
  assert.equal(validateConfigObject({ channels: { telegram: { allowFrom: ['1'], accounts: { work: { dmPolicy: 'allowlist' } } } } }).ok, true);
  const r = validateConfigObject({ channels: { telegram: { accounts: { work: { dmPolicy: 'open', allowFrom: ['2'] } } } } });
  assert.equal(!r.ok && r.problem, 'channels.telegram.accounts.work.dmPolicy="open" requires channels.telegram.accounts.work.allowFrom to include "*"');
});

test('telegram keys are strict, but upstream keys we do not act on are accepted', () => {
  const typo = validateConfigObject({ channels: { telegram: { botTokn: 'x' } } });
  assert.equal(typo.ok, false);
  assert.match(!typo.ok ? typo.problem : '', /channels\.telegram\.botTokn: unknown key \(did you mean "botToken"\?\)/);
  assert.equal(validateConfigObject({ channels: { telegram: { streaming: { mode: 'partial' }, replyToMode: 'first', linkPreview: false } } }).ok, true);
  assert.equal(validateConfigObject({ channels: { slack: { enabled: true, botToken: 'x' } } }).ok, true); // upstream keys of a channel we lack (a key upstream's slack lacks is a typo: config/upstream-keys.test.ts)
});

test('token precedence: tokenFile > botToken > TELEGRAM_BOT_TOKEN (default account only)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-tok-'));
  const file = path.join(dir, 'token');
  fs.writeFileSync(file, '111:file\n');
  const env = { TELEGRAM_BOT_TOKEN: '333:env' };
  assert.deepEqual(pick(resolveTelegramAccounts({ tokenFile: file, botToken: '222:cfg' }, env)[0]), ['111:file', 'tokenFile']);
  assert.deepEqual(pick(resolveTelegramAccounts({ botToken: '222:cfg' }, env)[0]), ['222:cfg', 'config']);
  assert.deepEqual(pick(resolveTelegramAccounts({}, env)[0]), ['333:env', 'env']);
  const multi = resolveTelegramAccounts({ accounts: { work: {} } }, env)[0];
  assert.deepEqual(pick(multi), [undefined, 'none']);
  assert.equal(multi.configured, false);
  fs.symlinkSync(file, path.join(dir, 'link'));
  const link = resolveTelegramAccounts({ tokenFile: path.join(dir, 'link') }, env)[0];
  assert.equal(link.configured, false);
  assert.match(link.tokenError ?? '', /symlink/);
  fs.rmSync(dir, { recursive: true, force: true });
});

const pick = (a: { token?: string; tokenSource: string }) => [a.token, a.tokenSource];

test('TELEGRAM_BOT_TOKEN alone configures the default account; without it no block means no account', () => {
  const [a, ...rest] = resolveTelegramAccounts(undefined, { TELEGRAM_BOT_TOKEN: ' 1:env ' });
  assert.equal(rest.length, 0);
  assert.equal(a.accountId, 'default');
  assert.equal(a.token, '1:env');
  assert.equal(a.tokenSource, 'env');
  assert.equal(a.dmPolicy, 'pairing');
  assert.deepEqual(resolveTelegramAccounts(undefined, {}), []);
});

test('webhookUrl without webhookSecret is rejected with upstream\'s message (channel and account level)', () => {
  const r = validateConfigObject({ channels: { telegram: { botToken: '1:x', webhookUrl: 'https://h/tg' } } });
  assert.equal(!r.ok && r.problem, 'channels.telegram.webhookUrl requires channels.telegram.webhookSecret');
  const acc = validateConfigObject({ channels: { telegram: { accounts: { work: { botToken: '1:x', webhookUrl: 'https://h/tg' } } } } });
  assert.equal(!acc.ok && acc.problem, 'channels.telegram.accounts.work.webhookUrl requires channels.telegram.webhookSecret or channels.telegram.accounts.work.webhookSecret');
  assert.equal(validateConfigObject({ channels: { telegram: { webhookSecret: 's', accounts: { work: { botToken: '1:x', webhookUrl: 'https://h/tg' } } } } }).ok, true);
});

test('a botToken SecretRef that cannot resolve is a tokenError naming why, not a silent "no token"', () => {
  const [file] = resolveTelegramAccounts({ botToken: { source: 'file', provider: 'f', id: '/run/secrets/tg' } } as never, {});
  assert.equal(file.configured, false);
  assert.match(file.tokenError ?? '', /^botToken SecretRef source "file" is not supported by this gateway yet; use tokenFile/);
  const [unset] = resolveTelegramAccounts({ botToken: { source: 'env', provider: 'default', id: 'TG_MAIN' } } as never, {});
  assert.equal(unset.tokenError, 'botToken SecretRef: environment variable TG_MAIN is not set for the gateway');
  const [set] = resolveTelegramAccounts({ botToken: { source: 'env', provider: 'default', id: 'TG_MAIN' } } as never, { TG_MAIN: '1:abc' });
  assert.equal(set.token, '1:abc');
  assert.equal(set.tokenError, undefined);
});
