// A full disk under the state dir (a 2 MB tmpfs), for real: during a streaming reply, outside a
// stream, after space comes back, and at a restart with the disk still full. The gateway must keep
// running throughout, so nothing here waits for it to exit; every wait has a timeout and the
// finally block kills the gateway and unmounts the tmpfs whatever happened.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cleanEnv, eventually, localConfig, mountSmallTmpfs, runCli, spawnCli, type GatewayProcess } from '../testing/harness.js';
import { startFakeOpenAi } from '../models/testing/fake-openai.js';

const TOKEN = 'disk-full-token-0123456789abcdef0123';
const WAIT_MS = 30_000;

/** Writes zeros into `<dir>/filler` until the disk says ENOSPC. */
function fillDisk(dir: string): void {
  const fd = fs.openSync(path.join(dir, 'filler'), 'a');
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(16 * 1024));
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
}

/** Resolves with the process's exit, or rejects after `ms` (never hangs the test). */
function exitWithin(p: GatewayProcess, ms: number): Promise<{ code: number | null }> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.exited.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no exit within ${ms} ms; output:\n${p.output()}`)), ms))),
  ]);
}

async function readyBody(port: number): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, body: await res.json() };
}

test('a full disk fails the turn with a free-space fix, the gateway keeps serving, /ready degrades and recovers, a restart on a full disk serves', async (t) => {
  const disk = mountSmallTmpfs('2m');
  if (!disk) return t.skip('needs root to mount a tmpfs');
  const dir = disk.dir;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-diskfull-home-'));
  const fake = await startFakeOpenAi({ models: ['m'] });
  const env = { ...cleanEnv(), HOME: root, OPENCLAW_STATE_DIR: dir };
  fs.writeFileSync(path.join(dir, 'openclaw.json'), JSON.stringify(localConfig(TOKEN, {
    models: { providers: { local: { baseUrl: fake.baseUrl, models: [{ id: 'm' }] } } },
    agents: { defaults: { model: 'local/m' } },
  })), { mode: 0o600 });
  const procs: GatewayProcess[] = [];
  const startGateway = async () => {
    const gw = spawnCli(['gateway', 'run', '--port', '0'], { env });
    procs.push(gw);
    const m = await gw.waitFor(/\[gateway\] listening on ws:\/\/127\.0\.0\.1:(\d+)/, WAIT_MS);
    return { gw, port: Number(m[1]) };
  };
  const freeSpace = `free space in ${dir}`;
  try {
    let { gw, port } = await startGateway();

    // 1. The disk fills while a reply streams: that turn ends with the disk-full error and its fix.
    fake.chunkDelayMs = 20;
    fake.reply = () => Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const agent = spawnCli(['agent', '--message', 'stream please', '--session', 'full'], { env });
    procs.push(agent);
    await agent.waitFor(/w5 /, WAIT_MS);
    fillDisk(dir);
    const agentExit = await exitWithin(agent, WAIT_MS);
    assert.notEqual(agentExit.code, 0, agent.output());
    assert.ok(agent.output().includes(`no space left on the disk of ${dir}`), agent.output());
    assert.ok(agent.output().includes(freeSpace), agent.output());

    // 2. The gateway is still there: live, and /ready names what could not write.
    assert.equal(gw.proc.exitCode, null, gw.output());
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    const degraded = await readyBody(port);
    assert.equal(degraded.status, 503);
    assert.equal(degraded.body.status, 'degraded');
    assert.ok(degraded.body.degraded.some((d: { subsystem: string }) => d.subsystem === 'replay log'), JSON.stringify(degraded.body));
    assert.ok(degraded.body.fix.includes(freeSpace));

    // 3. Outside a stream (chat.send writes the user message first): the same clear error, no raw ENOSPC.
    fake.chunkDelayMs = 0;
    fake.reply = () => 'short';
    const again = await runCli(['agent', '--message', 'again', '--session', 'second'], { env, timeoutMs: WAIT_MS });
    assert.notEqual(again.code, 0);
    assert.ok(again.stderr.includes(freeSpace), again.stderr);
    assert.doesNotMatch(again.stderr, /ENOSPC|openclaw logs/);
    const v1 = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openclaw', messages: [{ role: 'user', content: 'over http' }] }),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const v1Body = (await v1.json()) as { error: { code: string; fix: string } };
    assert.equal(v1.status, 503, JSON.stringify(v1Body));
    assert.equal(v1Body.error.code, 'STATE_DISK_FULL');
    assert.ok(v1Body.error.fix.includes(freeSpace));
    assert.equal(gw.proc.exitCode, null, gw.output());

    // 4. Space is back: /ready recovers and turns work again.
    fs.rmSync(path.join(dir, 'filler'));
    await eventually(async () => (await readyBody(port)).status === 200, WAIT_MS, 200);
    const ok = await runCli(['agent', '--message', 'after', '--session', 'other', '--json'], { env, timeoutMs: WAIT_MS });
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.equal(JSON.parse(ok.stdout).text, 'short');

    // 5. A restart with the disk full again: it starts and serves (no crash loop), turns fail cleanly.
    gw.kill('SIGKILL');
    await exitWithin(gw, WAIT_MS);
    fillDisk(dir);
    ({ gw, port } = await startGateway());
    // If the turn that failed in step 1 could not even record its failure, the restart resumes it
    // (resumption is decided before the listening line). Appends to files that exist may still fit
    // in their last page (tmpfs hands out whole pages), so which case happens varies; a resumed turn
    // either completes or fails the same clean way, and the process goes on.
    const resumed = /resuming interrupted run (\S+)/.exec(gw.output())?.[1];
    if (resumed) await gw.waitFor(new RegExp(`chat run ${resumed} failed: no space left on the disk|chat turn ${resumed} done`), WAIT_MS);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    // A new session needs a new page for its transcript: that one cannot fit.
    const onFull = await runCli(['agent', '--message', 'still full', '--session', 'brand-new'], { env, timeoutMs: WAIT_MS });
    assert.ok(onFull.stderr.includes(freeSpace), onFull.stderr);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    assert.equal(gw.proc.exitCode, null, gw.output());
    assert.doesNotMatch(gw.output(), /uncaught exception/);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 5000))])));
    await fake.close();
    disk.unmount();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
