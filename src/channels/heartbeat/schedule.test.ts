import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACK_MAX_REMAINDER,
  classifyReply,
  DEFAULT_HEARTBEAT_PROMPT,
  DurationError,
  formatDuration,
  heartbeatConfigSchema,
  isNoNews,
  nextRunAt,
  parseDuration,
  parseTargetFlag,
  resolveCadence,
  resolvePrompt,
  resolveTarget,
  turnTimeoutMs,
} from './schedule.js';

test('durations: units, combinations, bare minutes, zero', () => {
  assert.equal(parseDuration('30m'), 30 * 60_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('1h30m'), 90 * 60_000);
  assert.equal(parseDuration('1h 30m'), 90 * 60_000);
  assert.equal(parseDuration('1.5h'), 90 * 60_000);
  assert.equal(parseDuration('2d'), 2 * 86_400_000);
  assert.equal(parseDuration('1500ms'), 1500);
  assert.equal(parseDuration(' 30M '), 30 * 60_000);
  assert.equal(parseDuration('30'), 30 * 60_000, 'a bare number is minutes (upstream default unit)');
  assert.equal(parseDuration(15), 15 * 60_000);
  assert.equal(parseDuration('0m'), 0);
  assert.equal(parseDuration('0'), 0);
});

test('durations: bad input says what is wrong and what is accepted', () => {
  for (const bad of ['', 'abc', '30x', '1h30', 'm30', '-5m', '1m1m', '200ms', 'soon']) {
    assert.throws(() => parseDuration(bad), (err: unknown) => {
      assert.ok(err instanceof DurationError, bad);
      assert.match(err.message, /^invalid duration ".*": .+; use a number with a unit: 45s, 30m, 1h, 1h30m \(0m disables\)$/);
      return true;
    });
  }
  assert.throws(() => parseDuration('30x'), /unknown unit "x"/);
  assert.throws(() => parseDuration('1h30'), /"30" has no unit/);
  assert.throws(() => parseDuration('soon'), /cannot read "soon"/);
  assert.throws(() => parseDuration('-5m'), /negative/);
  assert.throws(() => parseDuration('200ms'), /shortest heartbeat interval is 1s/);
});

test('formatDuration round-trips', () => {
  for (const s of ['30m', '1h', '45s', '1h30m', '2d', '0m', '1d2h3m4s']) assert.equal(formatDuration(parseDuration(s)), s);
});

test('cadence: unset is the 30m default, 0m is off, garbage is an error with a fix', () => {
  assert.deepEqual(resolveCadence(undefined), { enabled: true, every: '30m', everyMs: 1_800_000, source: 'default' });
  assert.deepEqual(resolveCadence({}), { enabled: true, every: '30m', everyMs: 1_800_000, source: 'default' });
  assert.deepEqual(resolveCadence({ every: '1s' }), { enabled: true, every: '1s', everyMs: 1000, source: 'config' });
  assert.deepEqual(resolveCadence({ every: '0m' }), { enabled: false, every: '0m', reason: 'disabled' });
  const bad = resolveCadence({ every: 'often' });
  assert.equal(bad.enabled, false);
  assert.equal(!bad.enabled && bad.reason, 'invalid');
  assert.match(!bad.enabled ? bad.error! : '', /agents\.defaults\.heartbeat\.every: invalid duration "often"/);
  assert.equal(!bad.enabled ? bad.fix : '', 'openclaw system heartbeat enable --every 30m');
  assert.equal(resolveCadence({ every: { x: 1 } as unknown as string }).enabled, false);
});

test('prompt, timeout and next run', () => {
  assert.equal(resolvePrompt(undefined), DEFAULT_HEARTBEAT_PROMPT);
  assert.equal(resolvePrompt({ prompt: '  ' }), DEFAULT_HEARTBEAT_PROMPT);
  assert.equal(resolvePrompt({ prompt: 'Check the build.' }), 'Check the build.');
  assert.match(DEFAULT_HEARTBEAT_PROMPT, /reply NO_REPLY\.$/);
  assert.equal(turnTimeoutMs({}, 30 * 60_000), 600_000, 'capped at 10 minutes');
  assert.equal(turnTimeoutMs({}, 1000), 60_000, 'never under a minute');
  assert.equal(turnTimeoutMs({}, 300_000), 300_000);
  assert.equal(turnTimeoutMs({ timeoutSeconds: 45 }, 1000), 45_000);
  assert.equal(nextRunAt(10_000, undefined, 1000), 11_000);
  assert.equal(nextRunAt(10_000, 9_500, 1000), 10_500, 'a restart keeps the cadence of the last run');
  assert.equal(nextRunAt(10_000, 1_000, 1000), 11_000, 'overdue: one interval from now, no burst');
  assert.equal(nextRunAt(10_000, 50_000, 1000), 11_000, 'a last run in the future (clock change) is ignored');
});

test('target: owner from the first concrete ownerAllowFrom entry, never a group', () => {
  assert.deepEqual(resolveTarget({ ownerAllowFrom: ['telegram:123456789'] }), { channel: 'telegram', to: '123456789', source: 'owner' });
  assert.deepEqual(resolveTarget({ heartbeat: { target: 'owner', to: '999' }, ownerAllowFrom: ['*', 'telegram:*', 'telegram:-1001234', 123, 'nochannel', 'telegram:@name', 'telegram:42', 'telegram:43'] }), { channel: 'telegram', to: '42', source: 'owner' }, '`to` is ignored for owner');
  assert.deepEqual(resolveTarget({ heartbeat: { accountId: 'ops-bot' }, ownerAllowFrom: ['TELEGRAM:7'] }), { channel: 'telegram', to: '7', accountId: 'ops-bot', source: 'owner' });
  assert.deepEqual(resolveTarget({ ownerAllowFrom: ['discord:111'] }), { channel: 'discord', to: '111', source: 'owner' });
  for (const owners of [undefined, [], ['*'], ['telegram:-100123'], ['telegram:group:5'], [12345]]) {
    const r = resolveTarget({ ownerAllowFrom: owners as Array<string | number> | undefined });
    assert.ok('none' in r && r.none === 'no-route', JSON.stringify(owners));
    assert.match(r.message, /commands\.ownerAllowFrom/);
    assert.match(r.fix!, /openclaw system heartbeat enable --target telegram:<your user id>/);
    assert.match(r.fix!, /openclaw config set commands\.ownerAllowFrom '\["telegram:<your user id>"\]'/);
  }
});

test('target: explicit channel + to, topics, none, last and mistakes', () => {
  assert.deepEqual(resolveTarget({ heartbeat: { target: 'telegram', to: '123' } }), { channel: 'telegram', to: '123', source: 'explicit' });
  assert.deepEqual(resolveTarget({ heartbeat: { target: 'telegram', to: 123 } }), { channel: 'telegram', to: '123', source: 'explicit' }, 'a numeric to from hand-written JSON');
  assert.deepEqual(resolveTarget({ heartbeat: { target: 'telegram', to: '-100555:topic:42', accountId: 'b' } }), { channel: 'telegram', to: '-100555', threadId: '42', accountId: 'b', source: 'explicit' }, 'an explicit target may be a group');
  const noTo = resolveTarget({ heartbeat: { target: 'telegram' } });
  assert.ok('none' in noTo && noTo.none === 'no-route');
  assert.equal(noTo.fix, 'openclaw system heartbeat enable --target telegram:<chat id>');
  const none = resolveTarget({ heartbeat: { target: 'none' }, ownerAllowFrom: ['telegram:1'] });
  assert.ok('none' in none && none.none === 'target-none');
  const combined = resolveTarget({ heartbeat: { target: 'telegram:123' } });
  assert.ok('none' in combined && combined.none === 'invalid-target');
  assert.equal(combined.fix, 'openclaw system heartbeat enable --target telegram:123');
  const unknown = resolveTarget({ heartbeat: { target: 'slack', to: 'x' } });
  assert.ok('none' in unknown && unknown.none === 'invalid-target');
  const lastNone = resolveTarget({ heartbeat: { target: 'last' } });
  assert.ok('none' in lastNone && lastNone.none === 'no-route');
  assert.deepEqual(resolveTarget({ heartbeat: { target: 'last' }, lastRoute: { channel: 'telegram', to: '-100' } }), { channel: 'telegram', to: '-100', source: 'last' });
});

test('--target flag → config keys', () => {
  assert.deepEqual(parseTargetFlag('telegram:123'), { target: 'telegram', to: '123' });
  assert.deepEqual(parseTargetFlag('Telegram:123:topic:4'), { target: 'telegram', to: '123:topic:4' });
  assert.deepEqual(parseTargetFlag('telegram'), { target: 'telegram' });
  assert.deepEqual(parseTargetFlag('OWNER'), { target: 'owner' });
  assert.deepEqual(parseTargetFlag('last'), { target: 'last' });
  assert.deepEqual(parseTargetFlag('none'), { target: 'none' });
  assert.throws(() => parseTargetFlag('slack:1'), /not owner, last, none or <channel>:<recipient>/);
  assert.throws(() => parseTargetFlag('telegram:'), /names no recipient/);
});

test('no news: NO_REPLY exactly, empty, HEARTBEAT_OK at start or end within 300 chars', () => {
  assert.deepEqual(classifyReply('NO_REPLY'), { silent: true, why: 'no-reply' });
  assert.deepEqual(classifyReply('  NO_REPLY\n'), { silent: true, why: 'no-reply' });
  assert.deepEqual(classifyReply(''), { silent: true, why: 'empty' });
  assert.deepEqual(classifyReply('   \n'), { silent: true, why: 'empty' });
  assert.deepEqual(classifyReply('NO_REPLY, but the disk is full'), { silent: false, text: 'NO_REPLY, but the disk is full' }, 'NO_REPLY must be the whole reply');
  assert.deepEqual(classifyReply('no_reply'), { silent: false, text: 'no_reply' });
  assert.deepEqual(classifyReply('HEARTBEAT_OK'), { silent: true, why: 'heartbeat-ok' });
  assert.deepEqual(classifyReply('HEARTBEAT_OK all quiet here.'), { silent: true, why: 'heartbeat-ok' });
  assert.deepEqual(classifyReply('All quiet. HEARTBEAT_OK'), { silent: true, why: 'heartbeat-ok' });
  assert.deepEqual(classifyReply('**HEARTBEAT_OK**'), { silent: true, why: 'heartbeat-ok' });
  assert.deepEqual(classifyReply('`HEARTBEAT_OK`.'), { silent: true, why: 'heartbeat-ok' });
  const mid = 'Your build broke. HEARTBEAT_OK is not the point here: fix it.';
  assert.deepEqual(classifyReply(mid), { silent: false, text: mid }, 'in the middle it is not special');
  assert.equal(isNoNews('HEARTBEAT_OKAY then'), false, 'a longer word is not the token');
  assert.equal(isNoNews('The disk is 95% full.'), false);
});

test('no news: the 300-character remainder budget', () => {
  const exactly = 'x'.repeat(ACK_MAX_REMAINDER);
  const over = 'y'.repeat(ACK_MAX_REMAINDER + 1);
  assert.equal(ACK_MAX_REMAINDER, 300);
  assert.deepEqual(classifyReply(`HEARTBEAT_OK ${exactly}`), { silent: true, why: 'heartbeat-ok' });
  assert.deepEqual(classifyReply(`${exactly}\nHEARTBEAT_OK`), { silent: true, why: 'heartbeat-ok' });
  assert.deepEqual(classifyReply(`HEARTBEAT_OK ${over}`), { silent: false, text: over }, 'delivered without the token');
  assert.deepEqual(classifyReply(`${over} HEARTBEAT_OK`), { silent: false, text: over });
  assert.deepEqual(classifyReply(`HEARTBEAT_OK ${exactly} HEARTBEAT_OK`), { silent: true, why: 'heartbeat-ok' });
});

test('config schema: typed keys checked, upstream extras accepted', () => {
  assert.equal(heartbeatConfigSchema.safeParse({ every: '30m', target: 'owner', model: 'a/b', activeHours: { start: '08:00', end: '22:00' } }).success, true);
  assert.equal(heartbeatConfigSchema.safeParse({ every: '0m' }).success, true);
  const bad = heartbeatConfigSchema.safeParse({ every: 'often' });
  assert.equal(bad.success, false);
  assert.match(JSON.stringify(bad.error?.issues), /invalid duration/);
});
