// The compatibility suite (issue 14), third mode: the official OpenClaw CLI 2026.9.6 with ITS OWN
// PAIRED DEVICE IDENTITY. On a loopback URL with a shared token the official CLI connects
// device-less on purpose, so here it reaches our gateway at this machine's LAN address, the way a
// laptop reaches a home server. The official CLI refuses plaintext ws:// to a public-range address
// (this sandbox's 192.0.2.x), so a TLS terminator in this process stands in for the user's reverse
// proxy: wss://<lan ip>:<p> → ws://<lan ip>:<gateway port>; our gateway sees a non-loopback peer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startFakeOpenAi, type FakeServerBase } from '../models/testing/fake-openai.js';
import { gatewayRuns, makeStateDir, runCli, type StateDir } from '../testing/harness.js';
import { assertExited0, describeResult, ensureOfficialClient, knockUnpaired, officialEnv, officialJson, runOfficial, type OfficialClient, type OfficialResult } from './official-client.js';

const TOKEN = 'compat-device-token-0123456789abcdef012345';
const REQUEST_ID = /requestId: ([0-9a-f-]{36})/;

/** The first non-internal IPv4 of this machine (eth0 in CI and in the sandbox). */
function lanIPv4(): string | undefined {
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for `ip` (the official CLI trusts it through NODE_EXTRA_CA_CERTS). */
function selfSignedCert(dir: string, ip: string): { key: string; cert: string } {
  const key = path.join(dir, 'tls-key.pem');
  const cert = path.join(dir, 'tls-cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=openclaw-compat', '-addext', `subjectAltName=IP:${ip}`], { stdio: 'ignore' });
  return { key, cert };
}

/** TLS in front of the gateway, bytes passed through unchanged (no proxy headers). */
function startTlsTerminator(ip: string, port: number, files: { key: string; cert: string }): Promise<tls.Server> {
  const server = tls.createServer({ key: fs.readFileSync(files.key), cert: fs.readFileSync(files.cert) }, (front) => {
    const back = net.connect(port, ip);
    front.pipe(back).pipe(front);
    front.on('error', () => back.destroy());
    back.on('error', () => front.destroy());
    front.on('close', () => back.destroy());
    back.on('close', () => front.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, ip, () => resolve(server));
  });
}

const ip = lanIPv4();
const skip = !ip ? 'this machine has no non-internal IPv4 address to bind the gateway to' : !hasOpenssl() ? 'openssl is not installed (needed for the TLS certificate)' : false;

describe('official OpenClaw CLI 2026.9.6 with its own paired device identity (LAN)', { concurrency: false, timeout: 20 * 60_000, skip }, () => {
  const runs = gatewayRuns();
  let official: OfficialClient;
  let fake: FakeServerBase;
  let state: StateDir;
  let terminator: tls.Server | undefined;
  let lanUrl: string;
  let gatewayPort: number;
  let home: string;
  let certPath: string;
  let deviceId: string | undefined;

  before(async () => {
    official = await ensureOfficialClient();
    fake = await startFakeOpenAi({ models: ['m'] });
    // bind custom <LAN IPv4>: the gateway listens there and (as upstream) on 127.0.0.1, so the
    // owner's own CLI dials loopback with local trust while the official CLI comes in over the LAN.
    state = makeStateDir({
      gateway: { mode: 'local', bind: 'custom', customBindHost: ip, auth: { mode: 'token', token: TOKEN } },
      models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
      agents: { defaults: { model: 'local/m' } },
    });
    gatewayPort = (await runs.start(state)).port;
    const files = selfSignedCert(path.join(state.dir, '..'), ip!);
    certPath = files.cert;
    terminator = await startTlsTerminator(ip!, gatewayPort, files);
    lanUrl = `wss://${ip}:${(terminator.address() as net.AddressInfo).port}`;
    home = path.join(state.dir, '..', 'official-device');
    fs.mkdirSync(path.join(home, '.openclaw'), { recursive: true });
  });
  after(async () => {
    await new Promise<void>((r) => (terminator ? terminator.close(() => r()) : r()));
    await fake?.close();
    state?.cleanup();
  });

  const env = (extra: NodeJS.ProcessEnv = {}) => officialEnv(official, home, { NODE_EXTRA_CA_CERTS: certPath, ...extra });
  const withFlags = (args: string[]) => runOfficial(official, [...args, '--url', lanUrl, '--token', TOKEN], env());
  const deviceOnly = (args: string[]) => runOfficial(official, args, env());
  const writeOfficialConfig = (remote: Record<string, unknown>) => fs.writeFileSync(path.join(home, '.openclaw', 'openclaw.json'), JSON.stringify({ gateway: { mode: 'remote', remote } }));
  const out = describeResult;
  const ok = assertExited0;
  const json = officialJson;
  const ourDevices = async (): Promise<{ pending: any[]; paired: any[] }> => {
    const r = await runCli(['devices', 'list', '--json'], { env: state.env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, `our devices list: ${r.stdout}${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  /**
   * The official command's "pairing required" / "scope upgrade pending approval": its request id
   * must be the one pending in OUR list (from this device, at the LAN address); our CLI approves it.
   */
  const approveOwnRequest = async (r: OfficialResult, what: string): Promise<void> => {
    const m = REQUEST_ID.exec(r.stdout + r.stderr);
    assert.ok(m, `${what} neither succeeded nor named a pairing request: ${out(r)}`);
    const pending = (await ourDevices()).pending.find((p) => p.requestId === m[1]);
    assert.ok(pending, `request ${m[1]} of "${what}" is not pending in our devices list`);
    assert.equal(pending.clientId, 'cli');
    assert.equal(pending.remoteIp, ip, 'the request came over the LAN, not loopback');
    if (deviceId) assert.equal(pending.deviceId, deviceId, 'the same official device asks again');
    deviceId = pending.deviceId;
    const approved = await runCli(['devices', 'approve', m[1]], { env: state.env, timeoutMs: 60_000 });
    assert.equal(approved.code, 0, `our devices approve ${m[1]}: ${approved.stdout}${approved.stderr}`);
  };
  /** Runs an official command; each pairing / scope-upgrade request it makes is approved by us, then it is retried. */
  const approvedRun = async (run: () => Promise<OfficialResult>, what: string, first?: OfficialResult, maxRequests = 3): Promise<OfficialResult> => {
    let r = first ?? (await run());
    for (let i = 0; r.code !== 0 && i < maxRequests; i++) {
      await approveOwnRequest(r, what);
      r = await run();
    }
    return r;
  };

  test('a new official CLI on the LAN gets "pairing required" with our request id; after our approve its calls succeed as that device', async () => {
    // A fresh official home has no device identity yet, and read-only commands (gateway call,
    // health, status, devices) never create one (upstream: sharedStateMode read-only). Its first
    // `agent` run creates it and knocks, with the explicit URL and token of the environment.
    const urlEnv = { OPENCLAW_GATEWAY_URL: lanUrl, OPENCLAW_GATEWAY_TOKEN: TOKEN };
    const agent = () => runOfficial(official, ['agent', '--message', 'hi'], env(urlEnv));
    const first = await agent();
    assert.notEqual(first.code, 0, `agent connected before any approval: ${out(first)}`);
    assert.match(first.stdout + first.stderr, /pairing required/);
    const reply = await approvedRun(agent, 'agent --message hi', first);
    ok(reply, 'agent --message hi after approval');
    assert.match(reply.stdout, /echo: hi/);
    assert.ok(deviceId, 'the official device was identified');

    // Now --url/--token: the official CLI sends its (paired) device identity on a non-loopback URL.
    const health = json(await withFlags(['gateway', 'call', 'health', '--json']), 'gateway call health --url --token');
    assert.equal(health.ok, true);
    // devices list asks for operator.pairing: a scope upgrade, approved by us like the pairing.
    const list = json(await approvedRun(() => withFlags(['devices', 'list', '--json']), 'devices list --url --token'), 'devices list --url --token');
    const self = list.paired.find((d: { deviceId: string }) => d.deviceId === deviceId);
    assert.ok(self, `the official device is paired: ${JSON.stringify(list.paired)}`);
    assert.deepEqual([...self.scopes].sort(), ['operator.pairing', 'operator.read', 'operator.write'], 'approve grants what the device asked for, no more');
    assert.equal(self.remoteIp, ip);
    assert.ok(self.tokens?.some((t: { role: string }) => t.role === 'operator'), 'it was issued an operator device token');
    // ...which it stored in its own state dir (upstream keeps identity and tokens in its sqlite state).
    assert.ok(fs.existsSync(path.join(home, '.openclaw', 'state', 'openclaw.sqlite')), 'the official state database exists');
  });

  test('remote-mode config with NO token: every acceptance command authenticates with the stored device token', async () => {
    assert.ok(deviceId, 'needs the paired device of the previous test');
    writeOfficialConfig({ url: lanUrl });
    const call = async (method: string, params?: unknown) => json(await deviceOnly(['gateway', 'call', method, '--json', ...(params ? ['--params', JSON.stringify(params)] : [])]), `gateway call ${method}`);
    assert.equal((await call('health')).ok, true);
    assert.ok(Array.isArray((await call('status')).sessions.byAgent));
    assert.ok((await call('system-presence')).some((p: { mode?: string }) => p.mode === 'gateway'));
    const tail = await call('logs.tail', { limit: 5 });
    assert.ok(tail.lines.length > 0);
    assert.equal((await call('config.get')).path, state.configPath);
    assert.ok((await call('models.list')).models.some((m: { id?: string }) => JSON.stringify(m).includes('m')));
    assert.equal((await call('sessions.list', { limit: 10_000 })).defaults.model, 'm');
    const history = await call('chat.history', { sessionKey: 'main' });
    assert.ok(history.messages.some((m: { role: string; content: unknown }) => m.role === 'user' && JSON.stringify(m.content).includes('hi')), 'the agent run of the first test is in the history');
    assert.equal((await call('agents.list')).defaultId, 'main');

    assert.equal(json(await deviceOnly(['health', '--json']), 'health --json').ok, true);
    const status = json(await deviceOnly(['status', '--json']), 'status --json');
    assert.equal(status.gateway.reachable, true, JSON.stringify(status.gateway));
    // The probe's default 3 s budget covers the official CLI's own start-up work (sqlite state, its
    // parallel SSH-tunnel attempt to this remote host); on a loaded 2-core CI machine that alone ran
    // past 3 s while our side answers in milliseconds, so give it room: the assertion is reachability.
    const probe = await deviceOnly(['gateway', 'probe', '--timeout', '20000']);
    ok(probe, 'gateway probe');
    assert.match(probe.stdout, /Reachable: yes/);
    // In remote mode `gateway status` describes the local service; --url (no token) points its probe at us.
    const gwStatus = await deviceOnly(['gateway', 'status', '--url', lanUrl]);
    ok(gwStatus, 'gateway status --url');
    assert.match(gwStatus.stdout, /Connectivity probe: ok/);
    const logs = await deviceOnly(['logs', '--limit', '20']);
    ok(logs, 'logs --limit 20');
    assert.match(logs.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S* info \S+ (?!\{)/m, logs.stdout);
    const agent = await deviceOnly(['agent', '--message', 'hi again']);
    ok(agent, 'agent --message "hi again"');
    assert.match(agent.stdout, /echo: hi again/);
    const channels = await deviceOnly(['channels', 'status', '--probe']);
    ok(channels, 'channels status --probe');
    assert.match(channels.stdout, /Gateway reachable/);

    // On our side these were device-token connections of THAT device.
    const self = (await ourDevices()).paired.find((d) => d.deviceId === deviceId);
    assert.ok(self?.lastSeenAtMs, 'our gateway saw the official device');
    assert.ok(self.tokens.some((t: { role: string; lastUsedAtMs?: number }) => t.role === 'operator' && t.lastUsedAtMs), `its device token was used: ${JSON.stringify(self.tokens)}`);
  });

  test('devices list | approve | reject | remove with the device token alone (upstream limits: its own scopes, its own device)', async () => {
    assert.ok(deviceId, 'needs the paired device of the first test');
    writeOfficialConfig({ url: lanUrl });
    // Two new devices knock from the LAN (never silently approved), asking only for operator.read:
    // a pairing-scoped device may approve what its own scopes cover (upstream asks for
    // operator.admin to approve anything wider, which this device was never granted).
    const knock = (name: string) => knockUnpaired(name, { url: `ws://${ip}:${gatewayPort}`, token: TOKEN, stateDir: path.join(state.dir, '..', name), scopes: ['operator.read'] });
    const a = await knock('knock-a');
    const b = await knock('knock-b');
    const list = json(await deviceOnly(['devices', 'list', '--json']), 'devices list --json');
    assert.deepEqual(list.pending.map((p: { requestId: string }) => p.requestId).sort(), [a.requestId, b.requestId].sort());
    ok(await deviceOnly(['devices', 'approve', a.requestId]), 'devices approve');
    ok(await deviceOnly(['devices', 'reject', b.requestId]), 'devices reject');
    const mid = json(await deviceOnly(['devices', 'list', '--json']), 'devices list --json');
    assert.equal(mid.pending.length, 0);
    assert.ok(mid.paired.some((d: { deviceId: string }) => d.deviceId === a.deviceId));
    // A non-admin device may not remove another device (upstream's rule); the owner's CLI may.
    const notMine = await deviceOnly(['devices', 'remove', a.deviceId]);
    assert.notEqual(notMine.code, 0, `a pairing-scoped device removed another device: ${out(notMine)}`);
    assert.match(notMine.stdout + notMine.stderr, /missing scope: operator\.admin/);
    const byOwner = await runCli(['devices', 'remove', a.deviceId], { env: state.env, timeoutMs: 60_000 });
    assert.equal(byOwner.code, 0, byOwner.stdout + byOwner.stderr);
    const final = json(await deviceOnly(['devices', 'list', '--json']), 'devices list --json');
    assert.ok(!final.paired.some((d: { deviceId: string }) => d.deviceId === a.deviceId));
  });

  test('devices remove <its own id>: the official device unpairs itself, and its stored token no longer opens the gateway', async () => {
    assert.ok(deviceId, 'needs the paired device of the first test');
    writeOfficialConfig({ url: lanUrl });
    ok(await deviceOnly(['devices', 'remove', deviceId]), 'devices remove (own device)');
    assert.ok(!(await ourDevices()).paired.some((d) => d.deviceId === deviceId), 'our list no longer has it');
    const r = await deviceOnly(['gateway', 'call', 'health', '--json']);
    assert.notEqual(r.code, 0, `the removed device still got in, so the earlier calls did not prove device-token auth: ${out(r)}`);
  });
});
