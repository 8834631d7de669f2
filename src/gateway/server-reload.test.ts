// Hot reload and in-process restarts of a real gateway process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { WebSocket } from 'ws';
import { callGateway, GatewayCallError } from '../client/call.js';
import { writeJsonAtomicSync } from '../infra/atomic-file.js';
import { eventually, freePort, localConfig, makeStateDir, gatewayRuns, GATEWAY_WAIT_MS as WAIT_MS } from '../testing/harness.js';

const OLD = 'old-token-0123456789abcdef0123456789';
const NEW = 'new-token-0123456789abcdef0123456789';

const { start: startRun } = gatewayRuns();

const ready = async (port: number) => (await fetch(`http://127.0.0.1:${port}/ready`)).status;

test('an invalid hand edit keeps the gateway serving, saves .rejected.*, logs the skip', async () => {
  const state = makeStateDir(localConfig(OLD));
  try {
    const { gw, port } = await startRun(state, ['--port', '0']);
    fs.writeFileSync(state.configPath, '{ gateway: { mode: "local", auth: { mode: "token", token: ');
    const m = await gw.waitFor(/config reload skipped \(invalid config\): (\S+): (.+)/, WAIT_MS);
    assert.equal(m[1], state.configPath);
    assert.match(m[2], /openclaw\.json:1:\d+: /);
    assert.equal(await ready(port), 200);
    const rejected = fs.readdirSync(state.dir).filter((n) => n.startsWith('openclaw.json.rejected.'));
    assert.equal(rejected.length, 1);
    // Still the old token.
    assert.ok(await callGateway({ method: 'health', url: `ws://127.0.0.1:${port}`, token: OLD, env: state.env, timeoutMs: 5000 }));
    const log = fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8');
    assert.match(log, /config reload skipped \(invalid config\)/);

    // A schema-invalid edit (valid JSON) is rejected the same way.
    fs.writeFileSync(state.configPath, JSON.stringify({ gateway: { mode: 'local', port: 'not-a-port', auth: { mode: 'token', token: OLD } } }));
    await gw.waitFor(/config reload skipped \(invalid config\): \S+: gateway\.port: /, WAIT_MS);
    gw.kill('SIGTERM');
    assert.equal((await gw.exited).code, 0);
  } finally {
    state.cleanup();
  }
});

test('a valid edit hot-applies the token: old rejected, new accepted, no restart, value never logged', async () => {
  const state = makeStateDir(localConfig(OLD));
  try {
    const { gw, port } = await startRun(state, ['--port', '0']);
    const url = `ws://127.0.0.1:${port}`;
    writeJsonAtomicSync(state.configPath, localConfig(NEW));
    await gw.waitFor(/config reloaded: auth\.token/, WAIT_MS);
    await assert.rejects(callGateway({ method: 'health', url, token: OLD, env: state.env, timeoutMs: 5000 }), (err: unknown) => err instanceof GatewayCallError && /token mismatch/.test(err.message));
    assert.ok(await callGateway({ method: 'health', url, token: NEW, env: state.env, timeoutMs: 5000 }));
    assert.equal(fs.readFileSync(`${state.configPath}.last-good`, 'utf8'), fs.readFileSync(state.configPath, 'utf8'));
    assert.doesNotMatch(gw.output(), /restarting listener/);
    gw.kill('SIGTERM');
    await gw.exited;
    const log = fs.readFileSync(path.join(state.dir, 'logs', 'gateway.log'), 'utf8');
    assert.ok(!log.includes(NEW) && !log.includes(OLD), 'tokens never reach the log');
  } finally {
    state.cleanup();
  }
});

test('a port change restarts the listener in-process: clients get 1012, the new port serves, same pid', async () => {
  const port1 = await freePort();
  const state = makeStateDir(localConfig(OLD, { gateway: { port: port1 } }));
  try {
    const { gw, port } = await startRun(state, []);
    assert.equal(port, port1);
    const ws = new WebSocket(`ws://127.0.0.1:${port1}`);
    await new Promise((r) => ws.once('message', r)); // connect.challenge
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const port2 = await freePort();
    writeJsonAtomicSync(state.configPath, localConfig(OLD, { gateway: { port: port2 } }));
    assert.equal(await closed, 1012);
    await gw.waitFor(new RegExp(`listening on ws://127\\.0\\.0\\.1:${port2} \\(pid ${gw.proc.pid}\\)`), WAIT_MS);
    assert.equal(await ready(port2), 200);
    await assert.rejects(fetch(`http://127.0.0.1:${port1}/health`));
    const record = JSON.parse(fs.readFileSync(path.join(state.dir, 'gateway.pid'), 'utf8'));
    assert.equal(record.port, port2);
    assert.equal(record.pid, gw.proc.pid);

    // SIGUSR1: another in-process restart on the same port.
    gw.proc.kill('SIGUSR1');
    await gw.waitFor(/restarting listener \(SIGUSR1\)/, WAIT_MS);
    await eventually(async () => (await ready(port2)) === 200);
    gw.kill('SIGTERM');
    assert.equal((await gw.exited).code, 0);
    assert.ok(!fs.existsSync(path.join(state.dir, 'gateway.pid')));
  } finally {
    state.cleanup();
  }
});

test('a reload onto a port that is taken keeps serving on the old port and says who holds the new one', async () => {
  const port1 = await freePort();
  const state = makeStateDir(localConfig(OLD, { gateway: { port: port1 } }));
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port2 = (blocker.address() as net.AddressInfo).port;
  try {
    const { gw } = await startRun(state, []);
    writeJsonAtomicSync(state.configPath, localConfig(OLD, { gateway: { port: port2 } }));
    await gw.waitFor(new RegExp(`restart could not listen: port ${port2} is already in use by pid ${process.pid} \\(`), WAIT_MS);
    await gw.waitFor(new RegExp(`listening on ws://127\\.0\\.0\\.1:${port1} \\(pid ${gw.proc.pid}\\)[\\s\\S]*listening on ws://127\\.0\\.0\\.1:${port1} \\(pid ${gw.proc.pid}\\)`), WAIT_MS);
    assert.equal(await ready(port1), 200);
    gw.kill('SIGTERM');
    assert.equal((await gw.exited).code, 0);
  } finally {
    blocker.close();
    state.cleanup();
  }
});
