// Colour and terminal width: on for a terminal (or FORCE_COLOR), off for pipes and NO_COLOR; tables
// fit the terminal without breaking ids; piped output keeps its bytes. The terminal cases run the
// real CLI under a pseudo-terminal (`script` from util-linux) sized to 80 columns.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { paint, styleFor, useColor } from './style.js';
import { table } from './text-table.js';
import { CLI_MAIN, freePort, localConfig, makeStateDir, runCli } from '../testing/harness.js';
import { PairingStore } from '../auth/pairing-store.js';

const ESC = '\u001b[';
const ANSI = /\u001b\[[0-9;]*m/g;

test('useColor and styleFor: FORCE_COLOR forces, NO_COLOR (any value) and a pipe turn it off', () => {
  assert.equal(useColor({ FORCE_COLOR: '1' }, { isTTY: false }), true);
  assert.equal(useColor({ FORCE_COLOR: '1', NO_COLOR: 'yes' }, { isTTY: true }), false);
  assert.equal(useColor({}, { isTTY: false }), false);
  assert.equal(styleFor({ isTTY: true }, { FORCE_COLOR: '1' }).error('boom'), `${ESC}31mboom${ESC}39m`);
  assert.equal(styleFor({ isTTY: true }, { NO_COLOR: '1' }).error('boom'), 'boom');
  assert.equal(styleFor({ isTTY: false }, {}).heading('Paired'), 'Paired');
  assert.equal(paint(true, 'bold', 'x'), `${ESC}1mx${ESC}22m`, 'styleText paints once told to, whatever the stream (Node 22+ checks it otherwise)');
});

test('table: without a width the layout is the old one; with one, free text wraps and ids stay whole', () => {
  const rows = [['ID', 'SCOPES'], ['0123456789abcdef', 'operator.read,operator.write,operator.admin']];
  assert.deepEqual(table(rows), ['  ID                SCOPES', '  0123456789abcdef  operator.read,operator.write,operator.admin']);
  const fitted = table(rows, { width: 40, wrap: [1] });
  assert.ok(fitted.every((l) => l.length <= 40), fitted.join('\n'));
  assert.ok(fitted.some((l) => l.includes('0123456789abcdef')));
  assert.equal(fitted.join('').replace(/\s+/g, '').includes('operator.read,operator.write,operator.admin'), true, 'nothing lost');
  // Too wide even wrapped: one block per row, the id whole on its own line.
  const stacked = table([['REQUEST', 'NOTE'], ['a'.repeat(36), 'short']], { width: 30, wrap: [1] });
  assert.deepEqual(stacked, [`  REQUEST  ${'a'.repeat(36)}`, '  NOTE     short']);
});

/** Runs the CLI under a pseudo-terminal of `cols` columns; the terminal's bytes (CRLF as LF). */
function inTerminal(args: string[], env: NodeJS.ProcessEnv, cols = 80): string {
  const quoted = [process.execPath, CLI_MAIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', `stty cols ${cols} rows 40; ${quoted}`, '/dev/null'], { env, encoding: 'utf8', timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') assert.fail('script (util-linux) is not installed: apt-get install util-linux');
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  return r.stdout.replace(/\r\n/g, '\n');
}

test('devices list in an 80-column terminal: coloured headings, fits 80 columns, ids whole; piped and NO_COLOR plain', async (t) => {
  const sd = makeStateDir(localConfig('style-token-0123456789abcdef0123456789'));
  t.after(sd.cleanup);
  const env: NodeJS.ProcessEnv = { ...sd.env, OPENCLAW_GATEWAY_PORT: String(await freePort()), TERM: 'xterm' }; // no gateway: the store is read directly
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const store = new PairingStore(sd.dir);
  const device = (n: number) => {
    const publicKey = crypto.createHash('sha256').update(`style-${n}`).digest('base64url');
    return { deviceId: crypto.createHash('sha256').update(publicKey).digest('hex'), publicKey };
  };
  const scopes = ['operator.read', 'operator.write', 'operator.admin', 'operator.approvals', 'operator.pairing'];
  const paired = store.requestPairing({ ...device(1), role: 'operator', scopes, displayName: 'a rather long laptop name for the test', clientId: 'openclaw-control-ui', remoteIp: '192.168.100.200' }).request;
  store.approve(paired.requestId);
  const pending = store.requestPairing({ ...device(2), role: 'operator', scopes, displayName: 'kitchen tablet', clientId: 'openclaw-control-ui', remoteIp: '192.168.100.201' }).request;

  const piped = await runCli(['devices', 'list'], { env });
  assert.equal(piped.code, 0, piped.stderr);
  assert.ok(!piped.stdout.includes(ESC), 'a pipe gets no escape codes');
  assert.ok(piped.stdout.split('\n').some((l) => l.length > 80), 'piped output keeps its one-line-per-row layout');

  const tty = inTerminal(['devices', 'list'], env);
  assert.ok(tty.includes(`${ESC}1mPending (1):${ESC}22m`), tty);
  assert.ok(tty.includes(`${ESC}1mPaired (1):${ESC}22m`), tty);
  const plain = tty.replace(ANSI, '');
  for (const line of plain.split('\n')) assert.ok(line.length <= 80, `wider than 80: ${JSON.stringify(line)}`);
  assert.ok(plain.includes(pending.requestId), 'the request id users copy stays whole');
  assert.ok(plain.includes(paired.deviceId.slice(0, 16)), 'the device id stays whole');
  assert.match(plain, /operator\.approvals/);

  const noColor = inTerminal(['devices', 'list'], { ...env, NO_COLOR: '1' });
  assert.ok(!noColor.includes(ESC), 'NO_COLOR in a terminal: no colour');
  const ages = (text: string) => text.replace(/\d+[smhd] ago/g, 'N ago');
  assert.equal(ages(noColor), ages(plain), 'same layout, just plain');
});

test('errors in a terminal are red on stderr; FORCE_COLOR colours a pipe; --json never has colour', async (t) => {
  const sd = makeStateDir(localConfig('style-token-0123456789abcdef0123456789'));
  t.after(sd.cleanup);
  const env: NodeJS.ProcessEnv = { ...sd.env, OPENCLAW_GATEWAY_PORT: String(await freePort()) };
  delete env.NO_COLOR;
  const forced = await runCli(['devices', 'approve', 'no-such-request'], { env: { ...env, FORCE_COLOR: '1' } });
  assert.notEqual(forced.code, 0);
  assert.ok(forced.stderr.startsWith(`${ESC}31m`), JSON.stringify(forced.stderr));
  const plain = await runCli(['devices', 'approve', 'no-such-request'], { env: { ...env, FORCE_COLOR: '' } });
  assert.ok(!plain.stderr.includes(ESC), JSON.stringify(plain.stderr));
  const json = await runCli(['devices', 'list', '--json'], { env: { ...env, FORCE_COLOR: '1' } });
  assert.ok(!json.stdout.includes(ESC));
});

test('doctor report: level words coloured only when asked, the plain layout unchanged', async () => {
  const { renderReport } = await import('../doctor/report.js');
  const report = { version: 1, ok: false, summary: { ok: 1, warn: 0, error: 1, skipped: 0 }, checks: [{ id: 'a', level: 'ok', message: 'fine' }, { id: 'b', level: 'error', message: 'broken', fix: 'openclaw doctor --fix' }] } as never;
  const plain = renderReport(report);
  assert.ok(!plain.includes(ESC));
  const coloured = renderReport(report, true);
  assert.ok(coloured.includes(`${ESC}31mERROR${ESC}39m`) && coloured.includes(`${ESC}32mok${ESC}39m`), coloured);
  assert.equal(coloured.replace(ANSI, ''), plain);
});
