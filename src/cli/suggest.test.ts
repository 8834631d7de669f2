// Mistyped subcommands at every level name the group and the nearest command, exit 2 (a usage error).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { makeStateDir, runCli } from '../testing/harness.js';

const s = makeStateDir();
after(() => s.cleanup());

test('gateway strat: suggests start instead of handing the word to the default `run`', async () => {
  const r = await runCli(['gateway', 'strat'], { env: s.env });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), "error: unknown command 'strat' for 'openclaw gateway'. Did you mean 'start'?");
  assert.equal(r.stdout, '');
});

test('deeper and other groups: devices lsit, system heartbeat stat, an unknown top-level word', async () => {
  const devices = await runCli(['devices', 'lsit'], { env: s.env });
  assert.equal(devices.code, 2);
  assert.match(devices.stderr, /unknown command 'lsit' for 'openclaw devices'\. Did you mean 'list'\?/);
  const hb = await runCli(['system', 'heartbeat', 'stat'], { env: s.env });
  assert.equal(hb.code, 2);
  assert.match(hb.stderr, /unknown command 'stat' for 'openclaw system heartbeat'\. Did you mean 'status'\?/);
  const top = await runCli(['frobnicate'], { env: s.env });
  assert.equal(top.code, 2);
  assert.match(top.stderr, /unknown command 'frobnicate' for 'openclaw'\. Run: openclaw --help/);
});

test('gateway run with a stray word still says what run expects', async () => {
  const r = await runCli(['gateway', 'run', 'strat'], { env: s.env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /too many arguments for 'run'/);
});
