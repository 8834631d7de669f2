// The compatibility suite (issue 14): the official OpenClaw CLI 2026.9.6 (npm `openclaw` on Node
// 24, installed once into a cache outside the clone) against a real `gateway run` of ours, with a
// local fake OpenAI provider for the model. Each command must exit 0 with what its user expects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { gatewayRuns, makeStateDir, runCli, type StateDir } from '../testing/harness.js';
import { assertExited0, ensureOfficialClient, knockUnpaired, officialEnv, officialJson, runOfficial, type OfficialClient } from './official-client.js';

const TOKEN = 'compat-token-0123456789abcdef0123456789';

describe('official OpenClaw CLI 2026.9.6 against our gateway', { concurrency: false, timeout: 20 * 60_000 }, () => {
  const runs = gatewayRuns();
  let official: OfficialClient;
  let fake: FakeServerBase;
  let state: StateDir;
  let url: string;
  let flagsHome: string;
  let remoteHome: string;

  before(async () => {
    // First run on a machine: a few minutes of npm install. Failing to install fails the suite.
    official = await ensureOfficialClient();
    fake = await startFakeOpenAi({ models: ['m'] });
    state = makeStateDir({
      gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
      models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
    });
    const { port } = await runs.start(state);
    url = `ws://127.0.0.1:${port}`;
    flagsHome = path.join(state.dir, '..', 'official-flags');
    remoteHome = path.join(state.dir, '..', 'official-remote');
    fs.mkdirSync(path.join(remoteHome, '.openclaw'), { recursive: true });
    fs.writeFileSync(path.join(remoteHome, '.openclaw', 'openclaw.json'), JSON.stringify({ gateway: { mode: 'remote', remote: { url, token: TOKEN } } }));
  });
  after(async () => {
    await fake?.close();
    state?.cleanup();
  });

  const withFlags = (args: string[]) => runOfficial(official, [...args, '--url', url, '--token', TOKEN], officialEnv(official, flagsHome));
  const remote = (args: string[]) => runOfficial(official, args, officialEnv(official, remoteHome));
  const ok = assertExited0;
  const json = officialJson;

  test('gateway call with --url/--token: every read method answers (device-less cli keeps its scopes)', async () => {
    const call = async (method: string, params?: unknown) => json(await withFlags(['gateway', 'call', method, '--json', ...(params ? ['--params', JSON.stringify(params)] : [])]), `gateway call ${method}`);
    assert.equal((await call('health')).ok, true);
    const status = await call('status');
    assert.ok(Array.isArray(status.sessions.byAgent), 'status.sessions.byAgent (the official status command reads it)');
    const presence = await call('system-presence');
    assert.ok(presence.some((p: { mode?: string }) => p.mode === 'gateway'), "the gateway's own presence row");
    const logs = await call('logs.tail', { limit: 5 });
    assert.ok(logs.lines.length > 0);
    assert.ok(logs.lines.every((l: string) => typeof JSON.parse(l).time === 'string' && typeof JSON.parse(l).message === 'string'), 'log lines carry time and message');
    assert.equal((await call('config.get')).path, state.configPath);
    assert.ok((await call('models.list')).models.some((m: { id?: string }) => JSON.stringify(m).includes('m')));
    const sessions = await call('sessions.list', { limit: 10_000 });
    assert.equal(typeof sessions.defaults, 'object');
    assert.equal(sessions.defaults.model, 'm');
    const history = await call('chat.history', { sessionKey: 'agent:main:main' });
    assert.ok(Array.isArray(history.messages));
    assert.equal((await call('agents.list')).defaultId, 'main');
    // The other commands that take --url/--token (health, status, agent and channels status take
    // neither: they read the config or OPENCLAW_GATEWAY_URL/TOKEN, as in the remote-mode test).
    // --timeout: the probe's 3 s default budget also covers the official CLI's own start-up work,
    // which a loaded CI machine can push past 3 s; the assertion is reachability, not its budget.
    const probe = await withFlags(['gateway', 'probe', '--timeout', '20000']);
    ok(probe, 'gateway probe --url --token');
    assert.match(probe.stdout, /Reachable: yes/);
    const logLines = await withFlags(['logs', '--limit', '20']);
    ok(logLines, 'logs --limit 20 --url --token');
    assert.match(logLines.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* info \S+ (?!\{)/m, logLines.stdout);
  });

  test('gateway call and devices list with the remote-mode config', async () => {
    for (const method of ['health', 'status', 'system-presence', 'logs.tail', 'config.get', 'models.list', 'sessions.list', 'chat.history', 'agents.list']) {
      const params = method === 'chat.history' ? { sessionKey: 'agent:main:main' } : method === 'logs.tail' ? { limit: 5 } : undefined;
      const r = json(await remote(['gateway', 'call', method, '--json', ...(params ? ['--params', JSON.stringify(params)] : [])]), `gateway call ${method} (remote config)`);
      assert.ok(r && typeof r === 'object', `${method}: ${JSON.stringify(r)}`);
    }
    const devices = json(await remote(['devices', 'list', '--json']), 'devices list --json (remote config)');
    assert.ok(Array.isArray(devices.pending) && Array.isArray(devices.paired), JSON.stringify(devices));
  });

  test("agent --message hi prints the fake model's reply", async () => {
    const r = await remote(['agent', '--message', 'hi']);
    ok(r, 'agent --message hi');
    assert.match(r.stdout, /echo: hi/);
    // It talks in the canonical main session, the one the Control UI and our CLI use too.
    const history = json(await withFlags(['gateway', 'call', 'chat.history', '--json', '--params', JSON.stringify({ sessionKey: 'main' })]), 'chat.history main');
    assert.equal(history.sessionKey, 'agent:main:main');
    assert.ok(history.messages.some((m: { role: string; content: unknown }) => m.role === 'user' && JSON.stringify(m.content).includes('hi')), JSON.stringify(history.messages));
  });

  test('health --json, status --json, gateway probe, logs, channels status --probe (remote-mode config)', async () => {
    assert.equal(json(await remote(['health', '--json']), 'health --json').ok, true);
    const status = json(await remote(['status', '--json']), 'status --json');
    assert.equal(status.gateway.reachable, true, JSON.stringify(status.gateway));
    const probe = await remote(['gateway', 'probe', '--timeout', '20000']);
    ok(probe, 'gateway probe');
    assert.match(probe.stdout, /Reachable: yes/);
    const gwStatus = await withFlags(['gateway', 'status']);
    ok(gwStatus, 'gateway status');
    assert.match(gwStatus.stdout, /Connectivity probe: ok/);
    const logs = await remote(['logs', '--limit', '20']);
    ok(logs, 'logs --limit 20');
    // "<time> info <subsystem> <message>", not "info ws {raw json}"
    assert.match(logs.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* info \S+ (?!\{)/m, logs.stdout);
    const channels = await remote(['channels', 'status', '--probe']);
    ok(channels, 'channels status --probe');
    assert.match(channels.stdout, /Gateway reachable/);
  });

  test('devices list | approve | reject | remove with the shared token, auto-approval off', async () => {
    const set = await runCli(['config', 'set', 'gateway.nodes.pairing.autoApproveLocal', 'false'], { env: state.env });
    assert.equal(set.code, 0);
    // Two new devices knock: each gets a pending request.
    const knock = (name: string) => knockUnpaired(name, { url, token: TOKEN, stateDir: path.join(state.dir, '..', name) });
    let a: { requestId: string; deviceId: string } | undefined;
    for (let i = 0; i < 50 && !a; i++) {
      // The config reload is asynchronous: until it lands the device is approved silently.
      const probe = await knock(`knock-${i}`).catch(() => undefined);
      if (probe) a = probe;
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(a, 'a pending request after autoApproveLocal=false');
    const b = await knock('knock-b');
    const list = json(await withFlags(['devices', 'list', '--json']), 'devices list --json');
    assert.deepEqual(list.pending.map((p: { requestId: string }) => p.requestId).sort(), [a.requestId, b.requestId].sort());
    ok(await withFlags(['devices', 'approve', a.requestId]), 'devices approve');
    ok(await withFlags(['devices', 'reject', b.requestId]), 'devices reject');
    const after = json(await withFlags(['devices', 'list', '--json']), 'devices list --json');
    assert.equal(after.pending.length, 0);
    assert.ok(after.paired.some((d: { deviceId: string }) => d.deviceId === a!.deviceId));
    ok(await withFlags(['devices', 'remove', a.deviceId]), 'devices remove');
    const final = json(await withFlags(['devices', 'list', '--json']), 'devices list --json');
    assert.ok(!final.paired.some((d: { deviceId: string }) => d.deviceId === a!.deviceId));
  });
});

describe('official TUI against our gateway (in tmux)', { timeout: 5 * 60_000 }, () => {
  const runs = gatewayRuns();
  test('send a message: the reply streams on screen', async () => {
    const { execFileSync } = await import('node:child_process');
    const official = await ensureOfficialClient();
    const fake = await startFakeOpenAi({ models: ['m'] });
    const state = makeStateDir({
      gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN } },
      models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
    });
    const session = `oc-tui-${process.pid}`;
    try {
      const { port } = await runs.start(state);
      const home = path.join(state.dir, '..', 'official-tui');
      fs.mkdirSync(path.join(home, '.openclaw'), { recursive: true });
      fs.writeFileSync(path.join(home, '.openclaw', 'openclaw.json'), JSON.stringify({ gateway: { mode: 'remote', remote: { url: `ws://127.0.0.1:${port}`, token: TOKEN } } }));
      const env = officialEnv(official, home);
      const envArgs = Object.entries({ HOME: env.HOME, OPENCLAW_STATE_DIR: env.OPENCLAW_STATE_DIR, PATH: env.PATH, NO_COLOR: '1' }).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '35', `env ${envArgs} ${JSON.stringify(path.join(official.nodeBin, 'node'))} ${JSON.stringify(official.cli)} tui`]);
      const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session]).toString();
      const waitScreen = async (re: RegExp, ms: number) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          if (re.test(screen())) return;
          await new Promise((r) => setTimeout(r, 250));
        }
        assert.fail(`screen never matched ${re}:\n${screen()}`);
      };
      await waitScreen(/connected/, 60_000);
      execFileSync('tmux', ['send-keys', '-t', session, 'hello from tmux', 'Enter']);
      await waitScreen(/echo: hello from tmux/, 60_000);
    } finally {
      try {
        execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
      await fake.close();
      state.cleanup();
    }
  });
});
