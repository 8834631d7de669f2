// `openclaw tui` as a process: chat, a status line when the gateway dies, automatic reconnect to
// the restarted gateway, and the conversation continuing; a reply the restarted gateway re-runs
// (`replace` delta) replaces the partial text. The event folding is tested on its own first.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { CLI_MAIN, eventually, freePort, localConfig, makeStateDir, READY_LINE, spawnCli, type GatewayProcess, type StateDir } from '../testing/harness.js';
import { startFakeOpenAi, type FakeServerBase } from './testing/fake-openai.js';
import type { ChatEventPayload } from './chat-runs.js';
import { afterStreamGap, ago, applyChatEvent, describeState, EMPTY_REPLY, formatSessionList, newSessionKey, pickSession, REPLY_IN_FULL, REPLY_RESTARTED, type ReplyView } from './tui.js';

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

type Step = Omit<ChatEventPayload, 'sessionKey'> | 'status' | 'gap';

/** What the terminal shows after these events; 'status' is a connection status line, 'gap' a resume.gap event. */
function screen(steps: Step[], start: ReplyView = EMPTY_REPLY): string {
  let view = start;
  let out = '';
  for (const step of steps) {
    if (step === 'gap') {
      view = afterStreamGap(view);
      continue;
    }
    if (step === 'status') {
      out += `${view.open ? '\n' : ''}-- status\n`;
      view = { ...view, open: false };
      continue;
    }
    const r = applyChatEvent(view, { sessionKey: 's', ...step });
    view = r.view;
    out += r.write;
  }
  return out;
}
const delta = (runId: string, seq: number, deltaText: string, replace?: boolean): Step => ({ runId, seq, state: 'delta', deltaText, ...(replace ? { replace } : {}) });
const final = (runId: string, seq: number, text: string): Step => ({ runId, seq, state: 'final', message: { role: 'assistant', content: [{ type: 'text', text }], timestamp: 0 } });

test('deltas stream on one line; the final event ends it', () => {
  assert.equal(screen([delta('r', 0, 'Hel'), delta('r', 1, 'lo'), final('r', 2, 'Hello')]), 'Hello\n');
  assert.equal(screen([delta('a', 0, 'one'), final('a', 1, 'one'), delta('b', 0, 'two'), final('b', 1, 'two')]), 'one\ntwo\n');
});

test('a replace after a gateway restart drops the partial text: a notice, then the new text, then its deltas', () => {
  const out = screen([delta('r', 0, 'Hello '), delta('r', 1, 'wor'), 'status', 'status', delta('r', 0, 'Hi', true), delta('r', 1, ' there'), final('r', 2, 'Hi there')]);
  assert.equal(out, `Hello wor\n-- status\n-- status\n${REPLY_RESTARTED}\nHi there\n`);
});

test('a replace that extends the text on the open line continues it in place; one for an unseen run just starts it', () => {
  assert.equal(screen([delta('r', 0, 'Hel'), delta('r', 0, 'Hello', true), delta('r', 1, ' you'), final('r', 2, 'Hello you')]), 'Hello you\n');
  assert.equal(screen([delta('r', 0, 'Hello', true), delta('r', 1, '!'), final('r', 2, 'Hello!')]), 'Hello!\n');
  // The same text after a status line cannot continue in place: it is printed again, after the notice.
  assert.equal(screen([delta('r', 0, 'Hel'), 'status', delta('r', 0, 'Hello', true), final('r', 1, 'Hello')]), `Hel\n-- status\n${REPLY_RESTARTED}\nHello\n`);
});

test('a re-run whose replace was missed: its deltas are not appended to the dead text; the final text is shown whole', () => {
  // The dead attempt reached seq 3; after the resume gap the re-run's replace (seq 0) is lost and
  // its seq 1..4 arrive (seq 4 would look like the next one of the dead attempt).
  const dead = [delta('r', 0, 'a'), delta('r', 1, 'b'), delta('r', 2, 'c'), delta('r', 3, 'd'), 'status'] as Step[];
  const rerun = [delta('r', 1, 'X'), delta('r', 2, 'Y'), delta('r', 3, 'Z'), delta('r', 4, 'W'), final('r', 5, 'VXYZW')];
  assert.equal(screen([...dead, 'gap', ...rerun]), `abcd\n-- status\n${REPLY_IN_FULL}\nVXYZW\n`);
  // The replace did arrive after the gap: the re-run shows as it streams.
  assert.equal(screen([...dead, 'gap', delta('r', 0, 'V', true), ...rerun]), `abcd\n-- status\n${REPLY_RESTARTED}\nVXYZW\n`);
});

test('a seq gap holds the deltas; the final text completes the line in place when it extends what is shown', () => {
  assert.equal(screen([delta('r', 0, 'a'), delta('r', 2, 'c'), delta('r', 3, 'd'), final('r', 4, 'abcd')]), 'abcd\n');
  assert.equal(screen([delta('r', 0, 'a'), delta('r', 2, 'c'), final('r', 4, 'xbcd')]), `a\n${REPLY_IN_FULL}\nxbcd\n`);
  assert.deepEqual(afterStreamGap(EMPTY_REPLY), EMPTY_REPLY, 'no reply on screen: nothing to hold');
});

test('duplicate deltas are applied once; a late event of a finished run is ignored; a run first seen mid-stream shows its final text', () => {
  assert.equal(screen([delta('r', 0, 'a'), delta('r', 0, 'a'), delta('r', 1, 'b'), delta('r', 1, 'b'), final('r', 2, 'ab'), delta('r', 1, 'b'), final('r', 2, 'ab')]), 'ab\n');
  assert.equal(screen([delta('r', 4, 'tail'), delta('r', 5, ' end'), final('r', 6, 'head tail end')]), 'head tail end\n');
});

test('aborted and error end the line and say so; an error names its fix', () => {
  assert.equal(screen([delta('r', 0, 'part'), { runId: 'r', seq: 1, state: 'aborted' }]), 'part\n-- aborted\n');
  const error: Step = { runId: 'r', seq: 0, state: 'error', errorMessage: 'model down', error: { code: 'UNAVAILABLE', message: 'model down', details: { fix: 'openclaw models status' } } };
  assert.equal(screen([error]), 'error: model down\nfix: openclaw models status\n');
});

test('the session picker: newest first, numbered, the current one marked; /session takes a number or a key', () => {
  const now = 1_800_000_000_000;
  const rows = [
    { sessionKey: 'work', agentId: 'main', messageCount: 4, updatedAt: now - 5 * 60_000, active: true },
    { sessionKey: 'main', agentId: 'main', messageCount: 1, updatedAt: now - 3 * 86_400_000 },
  ];
  assert.equal(formatSessionList(rows, 'main', now), [
    '-- sessions, newest first:',
    '  1) work  4 messages, 5m ago, answering',
    '  2) main  1 message, 3d ago, current',
    '-- pick one: /session <number or key>; start one: /new [key]',
    '',
  ].join('\n'));
  assert.equal(formatSessionList([], 'main', now), '-- no sessions yet; this one (main) starts with your first message\n');
  assert.deepEqual(pickSession('2', rows), rows[1]);
  assert.deepEqual(pickSession(' work ', rows), rows[0]);
  assert.deepEqual(pickSession('brand-new', rows), { sessionKey: 'brand-new' }, 'an unknown key starts that session');
  assert.deepEqual(pickSession('7', [{ sessionKey: '7' }]), { sessionKey: '7' }, 'a listed key made of digits is that key');
  assert.deepEqual(pickSession('3', rows), { error: 'no session number 3; pick 1-2 (/sessions shows them)' });
  assert.deepEqual(pickSession('1', []), { error: 'list the sessions first: /sessions' });
  assert.deepEqual(pickSession('', rows), { error: 'which session? /sessions lists them; then /session <number or key>' });
  assert.deepEqual([ago(400), ago(42_000), ago(61_000), ago(7_200_000)], ['now', '42s ago', '1m ago', '2h ago']);
  assert.equal(newSessionKey(new Date('2026-12-01T23:10:05.123Z')), 'tui-20261201-231005');
});

/** `openclaw tui` as a process; `until` names the step and shows the screen when a wait fails (CI load). */
function spawnTui(session: string) {
  const tui = spawn(process.execPath, [CLI_MAIN, 'tui', '--session', session], { env: state.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  tui.stdout.on('data', (d) => (out += d));
  tui.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => tui.on('exit', (code) => resolve(code)));
  const until = (what: string, cond: () => boolean, ms = 20_000) => eventually(cond, ms).catch((err: Error) => {
    throw new Error(`${what}: ${err.message}\n--- tui output ---\n${out}`);
  });
  return { tui, exited, until, screen: () => out };
}

test('chat, gateway killed, status line, reconnect, chat again', async () => {
  const port = await freePort();
  let gw = await startGateway(port);
  const { tui, exited, until, screen: output } = spawnTui('tui');
  try {
    await until('prompt', () => output().includes('Type a message'));
    tui.stdin.write('hello\n');
    await until('first reply', () => output().includes('echo: hello\n'));

    gw.kill('SIGKILL');
    await gw.exited;
    await until('disconnect notice', () => output().includes('-- disconnected'));
    gw = await startGateway(port);
    await until('reconnect', () => output().lastIndexOf('-- connected') > output().indexOf('-- disconnected'), 45_000);

    tui.stdin.write('again\n');
    // The newline comes with the final event, after the reply is in the transcript.
    await until('reply after reconnect', () => output().includes('echo: again\n'));
    tui.stdin.write('/history\n');
    await until('history', () => output().includes('assistant: echo: again'));
    tui.stdin.write('/quit\n');
    assert.equal(await exited, 0, output());
  } finally {
    tui.kill('SIGKILL');
    gw.kill('SIGTERM');
  }
});

test('gateway killed mid-reply: the restarted gateway re-runs it and the TUI ends with the whole reply once, not appended', async () => {
  const reply = Array.from({ length: 120 }, (_, i) => `w${i}`).join(' ');
  fake.chunkDelayMs = 20;
  fake.reply = () => reply;
  const port = await freePort();
  let gw = await startGateway(port);
  const { tui, exited, until, screen: output } = spawnTui('tui-resume');
  try {
    await until('prompt', () => output().includes('Type a message'));
    tui.stdin.write('long one\n');
    await until('partial reply', () => output().includes('w5 '));
    gw.kill('SIGKILL');
    await gw.exited;
    const partial = output().slice(output().indexOf('w0 '), output().indexOf('\n', output().indexOf('w0 ')));
    assert.ok(partial.length < reply.length && reply.startsWith(partial), `partial text before the kill: ${partial}`);
    gw = await startGateway(port);
    await until('resumed reply', () => output().includes(`${reply}\n`), 45_000);

    // After the disconnect, the reply shows up whole, after a notice saying the partial text is void.
    const after = output().slice(output().indexOf('-- disconnected'));
    const lines = after.split('\n');
    const at = lines.indexOf(reply);
    assert.ok(at > 0 && [REPLY_RESTARTED, REPLY_IN_FULL].includes(lines[at - 1]), after);
    assert.equal(after.split(reply).length, 2, 'the whole reply once');

    fake.chunkDelayMs = 0;
    fake.reply = (body) => `echo: ${body.messages.at(-1).content}`;
    tui.stdin.write('next\n');
    await until('next reply', () => output().includes('echo: next\n'));
    tui.stdin.write('/quit\n');
    assert.equal(await exited, 0, output());
  } finally {
    tui.kill('SIGKILL');
    gw.kill('SIGTERM');
  }
});

test('the session picker as a process: /new, /sessions, /session <n> switches and shows that session\'s turns', async () => {
  const port = await freePort();
  const gw = await startGateway(port);
  const { tui, exited, until, screen: output } = spawnTui('picker-a');
  try {
    await until('prompt', () => output().includes('Type a message'));
    tui.stdin.write('first in a\n');
    await until('reply in a', () => output().includes('echo: first in a\n'));
    tui.stdin.write('/new picker-b\n');
    await until('switched to b', () => output().includes('-- session picker-b\n'));
    tui.stdin.write('first in b\n');
    await until('reply in b', () => output().includes('echo: first in b\n'));
    tui.stdin.write('/sessions\n');
    await until('list', () => output().includes('-- pick one'));
    const list = output().slice(output().lastIndexOf('-- sessions, newest first:'));
    const b = /^ +(\d+)\) picker-b +2 messages, .*current$/m.exec(list);
    const a = /^ +(\d+)\) picker-a +2 messages, /m.exec(list);
    assert.ok(a && b && Number(b[1]) < Number(a[1]), `b (newest, current) listed before a:\n${list}`);
    tui.stdin.write(`/session ${a![1]}\n`);
    await until('switched back to a, with its turns', () => output().includes('-- session picker-a\nuser: first in a\nassistant: echo: first in a\n'));
    tui.stdin.write('second in a\n');
    await until('reply in a again', () => output().includes('echo: second in a\n'));
    tui.stdin.write('/session 99\n');
    await until('bad pick named', () => output().includes('-- no session number 99; pick 1-'));
    tui.stdin.write('/quit\n');
    assert.equal(await exited, 0, output());
    // the model saw session a's earlier turn with the new message, and nothing of b
    const sent = fake.requests.filter((q) => q.path.endsWith('/chat/completions')).at(-1)!.body.messages.map((m: any) => m.content);
    assert.deepEqual(sent.filter((c: string) => /in [ab]$/.test(c)), ['first in a', 'echo: first in a', 'second in a']);
  } finally {
    tui.kill('SIGKILL');
    gw.kill('SIGTERM');
  }
});
