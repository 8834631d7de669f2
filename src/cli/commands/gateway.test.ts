// `npm start` path (gateway run --first-run) and the bare `openclaw gateway` form.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CLI_MAIN, eventually, freePort, localConfig, makeStateDir, READY_LINE, runCli, spawnCli, type GatewayProcess } from '../../testing/harness.js';
import { startFakeOpenAi } from '../../models/testing/fake-openai.js';
import { dashboardLine } from './gateway.js';

/** Generous: on a loaded 2-core CI machine a gateway takes seconds to start or react. */
const WAIT_MS = 30_000;

const spawned: GatewayProcess[] = [];
after(() => spawned.forEach((g) => g.kill('SIGKILL')));

test('first run on a fresh machine: local config with a pinned token (0600); a piped stdout gets no token', async () => {
  const state = makeStateDir();
  try {
    fs.rmSync(state.dir, { recursive: true });
    const gw = spawnCli(['gateway', 'run', '--first-run', '--port', '0'], { env: state.env });
    spawned.push(gw);
    const m = await gw.waitFor(/Dashboard: http:\/\/127\.0\.0\.1:(\d+)\/  \(login link: openclaw dashboard\)/, WAIT_MS);
    const config = JSON.parse(fs.readFileSync(state.configPath, 'utf8'));
    assert.equal(config.gateway.mode, 'local');
    assert.match(config.gateway.auth.token, /\S{16,}/);
    assert.ok(!gw.output().includes(config.gateway.auth.token), 'a non-TTY stdout (containers, journald) never gets the token');
    assert.equal(fs.statSync(state.configPath).mode & 0o777, 0o600);
    assert.equal((await fetch(`http://127.0.0.1:${m[1]}/ready`)).status, 200);
    gw.kill('SIGTERM');
    assert.equal((await gw.exited).code, 0);
    const log = fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8');
    assert.ok(!log.includes(config.gateway.auth.token), 'token is not in the log file');

    // Second start: the config exists, nothing is regenerated.
    const again = spawnCli(['gateway', 'run', '--first-run', '--port', '0'], { env: state.env });
    spawned.push(again);
    await again.waitFor(READY_LINE, WAIT_MS);
    assert.equal(JSON.parse(fs.readFileSync(state.configPath, 'utf8')).gateway.auth.token, config.gateway.auth.token);
    again.kill('SIGTERM');
    await again.exited;
  } finally {
    state.cleanup();
  }
});

test('first run with Ollama answering: the config names it as the primary model and the first chat works', async () => {
  const ollama = await startFakeOpenAi({ ollama: true, models: ['llama3.2:3b'] });
  const state = makeStateDir();
  try {
    fs.rmSync(state.dir, { recursive: true });
    const gw = spawnCli(['gateway', 'run', '--first-run', '--port', '0'], { env: { ...state.env, OLLAMA_HOST: `127.0.0.1:${ollama.port}` } });
    spawned.push(gw);
    const m = await gw.waitFor(/Dashboard: http:\/\/127\.0\.0\.1:(\d+)\//, WAIT_MS);
    // (an LM Studio on this machine's 127.0.0.1:1234 would be listed too; Ollama comes first)
    assert.match(gw.output(), new RegExp(`^Models: added ollama \\(http://127\\.0\\.0\\.1:${ollama.port}, 1 model\\).*; primary model ollama/llama3\\.2:3b; check with: openclaw models status$`, 'm'));
    const config = JSON.parse(fs.readFileSync(state.configPath, 'utf8'));
    assert.equal(config.agents.defaults.model.primary, 'ollama/llama3.2:3b');
    const res = await fetch(`http://127.0.0.1:${m[1]}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${config.gateway.auth.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'first words' }] }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as any).choices[0].message.content, 'echo: first words');
    assert.ok(ollama.requests.some((q) => q.path === '/v1/chat/completions' && q.body.model === 'llama3.2:3b'), 'the turn ran on the Ollama found at first run');
    gw.kill('SIGTERM');
    assert.equal((await gw.exited).code, 0);
  } finally {
    await ollama.close();
    state.cleanup();
  }
});

test('bare `openclaw gateway` runs the gateway and takes run flags; --help explains the group', async () => {
  const state = makeStateDir(localConfig());
  try {
    const gw = spawnCli(['gateway', '--port', '0'], { env: state.env });
    spawned.push(gw);
    await gw.waitFor(READY_LINE, WAIT_MS);
    gw.kill('SIGINT');
    assert.equal((await gw.exited).code, 0);
    const help = await runCli(['gateway', '--help'], { env: state.env });
    assert.equal(help.code, 0);
    for (const sub of ['run', 'start', 'stop', 'restart', 'status', 'call']) assert.match(help.stdout, new RegExp(`^  ${sub}\\b`, 'm'));
    const bad = await runCli(['gateway', 'run', '--port', 'abc'], { env: state.env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected a port number/);
  } finally {
    state.cleanup();
  }
});

test('on a real terminal (a pty from script(1)) the dashboard line carries #token=; the log file never does', async () => {
  const token = 'tty-token-0123456789abcdef0123456789';
  const state = makeStateDir(localConfig(token));
  try {
    const command = [process.execPath, CLI_MAIN, 'gateway', 'run', '--port', '0'].map((a) => JSON.stringify(a)).join(' ');
    const proc = spawn('script', ['-qfec', command, '/dev/null'], { env: state.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => (out += d));
    const exited = new Promise<void>((r) => proc.on('close', () => r()));
    try {
      await eventually(() => /Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=(\S+)/.exec(out), WAIT_MS);
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
    assert.match(out, new RegExp(`#token=${token}`));
    assert.ok(!fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8').includes(token), 'the token never reaches gateway.log');
  } finally {
    state.cleanup();
  }
});

test('the dashboard line carries #token= only for an interactive terminal', () => {
  assert.equal(dashboardLine('127.0.0.1', 18789, 'tok en', true), 'Dashboard: http://127.0.0.1:18789/#token=tok%20en');
  assert.equal(dashboardLine('0.0.0.0', 18789, 'secret', false), 'Dashboard: http://127.0.0.1:18789/  (login link: openclaw dashboard)');
  assert.equal(dashboardLine('::', 1, undefined, false), 'Dashboard: http://[::1]:1/');
});

test('--port wins over a busy default port for `gateway run`, bare `gateway` and `--bind lan`', async () => {
  // The default (config and OPENCLAW_GATEWAY_PORT) is held by someone else, like a busy 18789.
  const busy = net.createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as net.AddressInfo).port;
  const state = makeStateDir(localConfig(undefined, { gateway: { port: busyPort } }));
  const env = { ...state.env, OPENCLAW_GATEWAY_PORT: String(busyPort) };
  try {
    const forms: Array<[string[], string]> = [
      [['gateway', 'run'], '127\\.0\\.0\\.1'],
      [['gateway'], '127\\.0\\.0\\.1'],
      [['gateway', 'run', '--bind', 'lan', '--token', 'lan-token-0123456789abcdef0123456789'], '0\\.0\\.0\\.0'],
    ];
    for (const [args, host] of forms) {
      const port = await freePort();
      const gw = spawnCli([...args, '--port', String(port)], { env });
      spawned.push(gw);
      await gw.waitFor(new RegExp(`\\[gateway\\] listening on ws://${host}:${port} \\(pid \\d+\\)`), WAIT_MS);
      assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200, `${args.join(' ')} --port ${port}`);
      gw.kill('SIGTERM');
      assert.equal((await gw.exited).code, 0);
    }
  } finally {
    busy.close();
    state.cleanup();
  }
});
