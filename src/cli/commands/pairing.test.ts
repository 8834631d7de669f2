// `openclaw pairing list|approve` as a user runs it: real CLI processes on a real state dir.
// Until program.ts registers the command, the processes run buildProgram() with this command
// group only (same parsing, output and exit codes as bin/openclaw).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Command } from 'commander';
import { freePort, localConfig, stateDirsForFile, type CliResult, type StateDir } from '../../testing/harness.js';
import { ChannelPairingStore } from '../../channels/pairing/store.js';
import { register } from './pairing.js';
import { configWith, startTestGateway, TEST_TOKEN } from '../../gateway/control-plane/test-support.js';
import type { MethodDef } from '../../gateway/methods/types.js';

const newState = stateDirsForFile();
const MIN = 60_000;

const ENTRY = `
const { buildProgram } = await import(${JSON.stringify(new URL('../program.js', import.meta.url).href)});
const { reportError } = await import(${JSON.stringify(new URL('../output.js', import.meta.url).href)});
const argv = JSON.parse(process.env.PAIRING_TEST_ARGV);
try {
  const program = await buildProgram([() => import(${JSON.stringify(new URL('./pairing.js', import.meta.url).href)})]);
  await program.parseAsync(['node', 'openclaw', ...argv]);
} catch (err) {
  if (typeof err?.code === 'string' && err.code.startsWith('commander.')) process.exitCode = err.exitCode === 0 ? 0 : 2;
  else process.exitCode = reportError(err, argv.includes('--json'));
}
`;

/** `openclaw <args>` in its own process, with only the pairing command group loaded. */
function openclaw(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', ENTRY], { env: { ...env, PAIRING_TEST_ARGV: JSON.stringify(args) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const TELEGRAM = { telegram: { dmPolicy: 'pairing', accounts: { default: {}, work: {} } } };

async function telegramState(extra: Record<string, unknown> = {}): Promise<{ sd: StateDir; env: NodeJS.ProcessEnv; store: ChannelPairingStore }> {
  const sd = newState(localConfig(undefined, { channels: TELEGRAM, ...extra }));
  // Nothing listens on this port: --notify finds no gateway, and no real gateway is touched.
  return { sd, env: { ...sd.env, OPENCLAW_GATEWAY_PORT: String(await freePort()) }, store: new ChannelPairingStore(sd.dir) };
}

test('list: channel inferred, table and --json byte-exact, account filter, none pending', async () => {
  const { env, store } = await telegramState();
  const t0 = Date.now();
  const a = store.upsertRequest({ channel: 'telegram', senderId: '111', meta: { username: 'alice', firstName: 'Alice' } }, t0 - 5 * MIN - 10_000);
  const b = store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '222222' }, t0 - 3 * MIN - 10_000);

  const text = await openclaw(['pairing', 'list'], env);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    [
      'Pairing requests (2)',
      '  Code      telegramUserId  Meta                             Requested',
      `  ${a.code}  111             username=alice, firstName=Alice  5m ago`,
      `  ${b.code}  222222          accountId=work                   3m ago`,
      '',
    ].join('\n'),
  );
  assert.equal(text.stderr, '');

  const [ra, rb] = store.listRequests();
  const json = await openclaw(['pairing', 'list', 'telegram', '--json'], env);
  assert.equal(json.code, 0, json.stderr);
  const row = (r: typeof ra) => ({ id: r.id, code: r.code, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt, meta: r.meta });
  assert.equal(json.stdout, JSON.stringify({ ok: true, version: 1, channel: 'telegram', requests: [row(ra), row(rb)] }, null, 2) + '\n');
  assert.deepEqual(ra.meta, { username: 'alice', firstName: 'Alice', accountId: 'default' });

  const work = await openclaw(['pairing', 'list', '--channel', 'telegram', '--account', 'work', '--json'], env);
  assert.deepEqual(JSON.parse(work.stdout).requests.map((r: { id: string }) => r.id), ['222222']);

  const none = await openclaw(['pairing', 'list', '--account', 'nobody'], env);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, 'No pending telegram pairing requests.\n');
});

test('list: "Channel required (expected one of: …)" when zero or several channels use pairing', async () => {
  const sd = newState(localConfig());
  const zero = await openclaw(['pairing', 'list'], sd.env);
  assert.equal(zero.code, 2);
  assert.equal(zero.stdout, '');
  assert.equal(zero.stderr, 'Channel required (expected one of: telegram, discord, whatsapp, imessage)\nfix: openclaw pairing list telegram\n');

  const { env, store } = await telegramState();
  store.upsertRequest({ channel: 'discord', senderId: '42' }); // a channel with pending requests counts too
  const two = await openclaw(['pairing', 'list', '--json'], env);
  assert.equal(two.code, 2);
  assert.deepEqual(JSON.parse(two.stdout), { ok: false, version: 1, error: 'Channel required (expected one of: telegram, discord)', fix: 'openclaw pairing list telegram' });
  const named = await openclaw(['pairing', 'list', 'discord'], env);
  assert.equal(named.code, 0, named.stderr);
  assert.match(named.stdout, /^Pairing requests \(1\)\n {2}Code {6}discordUserId {2}Meta {2}Requested\n/);

  const bad = await openclaw(['pairing', 'list', 'irc'], env);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, 'Unknown channel "irc" (expected one of: telegram, discord, whatsapp, imessage)\nfix: openclaw pairing list --channel telegram\n');
});

test('approve: <channel> <code> (any case), the first approval bootstraps the owner once, <code> alone, --channel form', async () => {
  const { sd, env, store } = await telegramState();
  const first = store.upsertRequest({ channel: 'telegram', senderId: '111' });
  const second = store.upsertRequest({ channel: 'telegram', senderId: '222' });
  const third = store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '333' });

  const r1 = await openclaw(['pairing', 'approve', 'telegram', first.code.toLowerCase()], env);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(r1.stdout, 'Approved telegram sender 111.\nCommand owner configured telegram:111 (commands.ownerAllowFrom was empty).\n');
  assert.equal(r1.stderr, '');
  assert.deepEqual(JSON.parse(fs.readFileSync(sd.configPath, 'utf8')).commands, { ownerAllowFrom: ['telegram:111'] });
  assert.ok(fs.existsSync(`${sd.configPath}.bak`), 'the config edit kept a backup');
  assert.deepEqual(store.allowEntries('telegram'), ['111']);

  const r2 = await openclaw(['pairing', 'approve', second.code], env);
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(r2.stdout, 'Approved telegram sender 222.\n', 'owner already set: not touched again');
  assert.deepEqual(JSON.parse(fs.readFileSync(sd.configPath, 'utf8')).commands.ownerAllowFrom, ['telegram:111']);

  const wrongAccount = await openclaw(['pairing', 'approve', '--channel', 'telegram', '--account', 'default', third.code], env);
  assert.equal(wrongAccount.code, 1);
  const r3 = await openclaw(['pairing', 'approve', '--channel', 'telegram', '--account', 'work', third.code, '--json'], env);
  assert.equal(r3.code, 0, r3.stderr);
  assert.equal(r3.stdout, JSON.stringify({ ok: true, version: 1, channel: 'telegram', accountId: 'work', senderId: '333', ownerBootstrapped: false, notification: 'not-requested' }, null, 2) + '\n');
  assert.deepEqual(store.allowEntries('telegram', 'work'), ['333']);
  assert.deepEqual(store.listRequests(), []);
});

test('approve: unknown code exits 1 naming it and the list command; usage errors exit 2', async () => {
  const { env, store } = await telegramState();
  store.upsertRequest({ channel: 'telegram', senderId: '111' });
  const r = await openclaw(['pairing', 'approve', 'telegram', 'ZZZZ2345'], env);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'No pending pairing request found for code "ZZZZ2345". Run openclaw pairing list --channel telegram to see pending codes.\n');
  const j = await openclaw(['pairing', 'approve', 'ZZZZ2345', '--json'], env);
  assert.equal(j.code, 1);
  assert.equal(JSON.parse(j.stdout).error, 'No pending pairing request found for code "ZZZZ2345". Run openclaw pairing list --channel telegram to see pending codes.');

  const missing = await openclaw(['pairing', 'approve', 'telegram'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^Pairing code required\nfix: openclaw pairing list telegram/);
  const twice = await openclaw(['pairing', 'approve', 'telegram', 'ABCD2345', '--channel', 'discord'], env);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /^Channel given twice/);
  assert.equal(store.listRequests().length, 1, 'nothing changed');
});

test('approve --notify with no gateway: the approval stands, says why it could not notify, exit 0', async () => {
  const { env, store } = await telegramState({ commands: { ownerAllowFrom: ['telegram:1'] } });
  const a = store.upsertRequest({ channel: 'telegram', senderId: '111' });
  const b = store.upsertRequest({ channel: 'telegram', senderId: '222' });
  const r = await openclaw(['pairing', 'approve', 'telegram', a.code, '--notify', '--timeout', '3000'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Approved telegram sender 111.\n');
  assert.equal(r.stderr, 'Could not notify telegram sender 111: gateway not connected (start it with: openclaw gateway start)\n');
  const j = await openclaw(['pairing', 'approve', b.code, '--notify', '--json', '--timeout', '3000'], env);
  assert.equal(j.code, 0, j.stderr);
  assert.equal(j.stdout, JSON.stringify({ ok: true, version: 1, channel: 'telegram', accountId: 'default', senderId: '222', ownerBootstrapped: false, notification: 'failed' }, null, 2) + '\n');
  assert.equal(j.stderr, 'Could not notify telegram sender 222: gateway not connected (start it with: openclaw gateway start)\n');
  assert.deepEqual(store.allowEntries('telegram'), ['111', '222']);
});

test('approve --notify with a gateway: RPC send {channel, accountId, to, message, idempotencyKey}; a refused send still exits 0', async (t) => {
  const sd = newState(localConfig(TEST_TOKEN, { channels: TELEGRAM, commands: { ownerAllowFrom: ['telegram:1'] } }));
  const calls: any[] = [];
  let answer: unknown = { ok: true, messageIds: ['77'] };
  const send: MethodDef = { name: 'send', scope: 'operator.write', sideEffect: true, handler: ({ params }) => (calls.push(params), answer) };
  const gw = await startTestGateway({ config: configWith({}, TEST_TOKEN), state: sd, extraMethods: [send] });
  t.after(() => gw.close());
  const env = { ...sd.env, OPENCLAW_GATEWAY_URL: gw.url };
  const store = new ChannelPairingStore(sd.dir);
  const a = store.upsertRequest({ channel: 'telegram', accountId: 'work', senderId: '111' });
  const b = store.upsertRequest({ channel: 'telegram', senderId: '222' });

  const r = await openclaw(['pairing', 'approve', 'telegram', a.code, '--notify'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Approved telegram sender 111.\nNotified telegram sender 111.\n');
  assert.equal(calls.length, 1);
  const { idempotencyKey, ...params } = calls[0];
  assert.deepEqual(params, { channel: 'telegram', accountId: 'work', to: '111', message: '✅ OpenClaw access approved. Send a message to start chatting.' });
  assert.match(idempotencyKey, /^[0-9a-f-]{36}$/);

  answer = { ok: false, error: 'telegram default is not running' };
  const j = await openclaw(['pairing', 'approve', b.code, '--notify', '--json'], env);
  assert.equal(j.code, 0, j.stderr);
  assert.equal(JSON.parse(j.stdout).notification, 'failed');
  assert.equal(j.stderr, 'Could not notify telegram sender 222: telegram default is not running\n');
  assert.deepEqual(store.allowEntries('telegram'), ['222']);
});

test('a corrupt store is reported with the file, the backup and the fix', async () => {
  const { env, store } = await telegramState();
  store.addAllowEntry('telegram', 'default', '1');
  fs.writeFileSync(store.file, '{oops');
  const r = await openclaw(['pairing', 'list', 'telegram'], env);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`^${store.file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid pairing state \\(invalid JSON: .*\\); kept it as .*pairing\\.json\\.corrupt-.* and started an empty pairing store.*\nfix: re-approve senders`));
  const again = await openclaw(['pairing', 'list', 'telegram'], env);
  assert.equal(again.stdout, 'No pending telegram pairing requests.\n');
});

test('register(): the command tree and its help (in-process)', () => {
  const program = new Command().name('openclaw').exitOverride();
  register(program);
  const pairing = program.commands.find((c) => c.name() === 'pairing')!;
  assert.deepEqual(pairing.commands.map((c) => c.name()), ['list', 'approve']);
  const approve = pairing.commands.find((c) => c.name() === 'approve')!;
  assert.deepEqual(approve.options.map((o) => o.long), ['--channel', '--account', '--notify', '--timeout', '--json']);
  const list = pairing.commands.find((c) => c.name() === 'list')!;
  assert.deepEqual(list.options.map((o) => o.long), ['--channel', '--account', '--json']);
  let help = '';
  pairing.configureOutput({ writeOut: (s) => (help += s) });
  pairing.outputHelp();
  assert.match(help, /openclaw pairing approve telegram ABCD2345/);
  assert.match(help, /openclaw pairing approve ABCD2345 --notify/);
  assert.match(help, /Codes expire after 1 hour; at most 3 are pending per account/);
});
