// `openclaw tui` as a process: chat, a status line when the gateway dies, automatic reconnect to
// the restarted gateway, and the conversation continuing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { CLI_MAIN, eventually, freePort, localConfig, makeStateDir, READY_LINE, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';
import { describeState } from './tui.js';

const TOKEN = 'tui-token-0123456789abcdef0123456789';
let fake: FakeServerBase;
let state: StateDir;
const spawned: GatewayProcess[] = [];

before(async () => {
  fake = await startFakeOpenAi({ models: ['m'] });
  state = makeStateDir(localConfig(TOKEN, { models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } }, agents: { defaults: { model: 'local/m' } } }));
});
after(async () => {
  spawned.forEach((g) => g.kill('SIGKILL'));
  await fake.close();
  state.cleanup();
});

async function startGateway(port: number): Promise<GatewayProcess> {
  const gw = spawnCli(['gateway', 'run', '--port', String(port)], { env: state.env });
  spawned.push(gw);
  await gw.waitFor(READY_LINE, 15_000);
  return gw;
}

test('status lines name the close reason', () => {
  assert.equal(describeState({ state: 'reconnecting', code: 4008, reason: 'closed idle', retryInMs: 1500 }), '-- disconnected (4008 closed idle); reconnecting in 2s');
  assert.equal(describeState({ state: 'connected' }), '-- connected');
});

test('chat, gateway killed, status line, reconnect, chat again', async () => {
  const port = await freePort();
  let gw = await startGateway(port);
  const tui = spawn(process.execPath, [CLI_MAIN, 'tui', '--session', 'tui'], { env: state.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  tui.stdout.on('data', (d) => (out += d));
  tui.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => tui.on('exit', (code) => resolve(code)));
  // Name the step and show the screen when a wait fails (these run under CI load).
  const until = (what: string, cond: () => boolean, ms = 20_000) => eventually(cond, ms).catch((err: Error) => {
    throw new Error(`${what}: ${err.message}\n--- tui output ---\n${out}`);
  });
  try {
    await until('prompt', () => out.includes('Type a message'));
    tui.stdin.write('hello\n');
    await until('first reply', () => out.includes('echo: hello\n'));

    gw.kill('SIGKILL');
    await gw.exited;
    await until('disconnect notice', () => out.includes('-- disconnected'));
    gw = await startGateway(port);
    await until('reconnect', () => out.lastIndexOf('-- connected') > out.indexOf('-- disconnected'), 45_000);

    tui.stdin.write('again\n');
    // The newline comes with the final event, after the reply is in the transcript.
    await until('reply after reconnect', () => out.includes('echo: again\n'));
    tui.stdin.write('/history\n');
    await until('history', () => out.includes('assistant: echo: again'));
    tui.stdin.write('/quit\n');
    assert.equal(await exited, 0, out);
  } finally {
    tui.kill('SIGKILL');
    gw.kill('SIGTERM');
  }
});
