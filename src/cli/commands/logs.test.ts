// `openclaw logs` reads the JSONL file whether the gateway is up or down.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { localConfig, makeStateDir, READY_LINE, runCli, spawnCli, type GatewayProcess } from '../../testing/harness.js';

/** Generous: on a loaded 2-core CI machine a gateway takes seconds to start or react. */
const WAIT_MS = 30_000;

const TOKEN = 'test-token-0123456789abcdef0123456789';
const spawned: GatewayProcess[] = [];
after(() => spawned.forEach((g) => g.kill('SIGKILL')));

test('logs --tail / --level / --json after the gateway stopped; --follow prints new lines', async () => {
  const state = makeStateDir(localConfig(TOKEN));
  try {
    const gw = spawnCli(['gateway', 'run', '--port', '0'], { env: state.env });
    spawned.push(gw);
    await gw.waitFor(READY_LINE, WAIT_MS);
    gw.kill('SIGTERM');
    await gw.exited;
    const file = path.join(state.dir, 'logs', 'gateway.log');
    fs.appendFileSync(file, JSON.stringify({ ts: '2026-01-01T00:00:00.000Z', level: 'warn', subsystem: 'reload', msg: 'config reload skipped (invalid config): x: y' }) + '\n');

    let r = await runCli(['logs', '--tail', '2'], { env: state.env });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\S+ info  \[gateway\] gateway stopped$/);
    assert.equal(lines[1], '2026-01-01T00:00:00.000Z warn  [reload] config reload skipped (invalid config): x: y');

    r = await runCli(['logs', '--level', 'warn'], { env: state.env });
    assert.deepEqual(r.stdout.trim().split('\n'), ['2026-01-01T00:00:00.000Z warn  [reload] config reload skipped (invalid config): x: y']);

    r = await runCli(['logs', '--json', '--tail', '200'], { env: state.env });
    const records = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(records.some((rec) => rec.subsystem === 'gateway' && /^listening on ws:/.test(rec.msg)));
    assert.ok(records.every((rec) => typeof rec.ts === 'string' && typeof rec.level === 'string'));

    const follow = spawnCli(['logs', '--follow', '--tail', '1'], { env: state.env });
    spawned.push(follow);
    await follow.waitFor(/\[reload\] config reload skipped/, WAIT_MS); // the initial read is done
    fs.appendFileSync(file, JSON.stringify({ ts: '2026-01-01T00:00:01.000Z', level: 'info', subsystem: 'test', msg: 'followed line' }) + '\n');
    await follow.waitFor(/\[test\] followed line/, WAIT_MS);
    follow.kill('SIGTERM');
  } finally {
    state.cleanup();
  }
});

test('logs on a fresh state dir says there is nothing yet and exits 0', async () => {
  const state = makeStateDir();
  try {
    const r = await runCli(['logs'], { env: state.env });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /no log lines yet in .*gateway\.log \(start the gateway: openclaw gateway start\)/);
  } finally {
    state.cleanup();
  }
});
