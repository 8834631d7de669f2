// Read-only and dry-run config commands leave no trace: on a machine without ~/.openclaw (or with
// OPENCLAW_STATE_DIR pointing at a missing dir) they must not create it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanEnv, runCli } from '../../testing/harness.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-readonly-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const COMMANDS: Array<{ args: string[]; code: number }> = [
  { args: ['config', 'set', 'gateway.port', '18790', '--dry-run'], code: 0 },
  { args: ['config', 'set', 'gateway.port', '18790', '--dry-run', '--json'], code: 0 },
  { args: ['config', 'unset', 'gateway.port', '--dry-run'], code: 1 }, // not found: nothing to unset
  { args: ['config', 'patch', '--merge', '{gateway:{port:18790}}', '--dry-run'], code: 0 },
  { args: ['config', 'reset', '--dry-run'], code: 0 },
  { args: ['config', 'reset', '--dry-run', '--json'], code: 0 },
  { args: ['config', 'get'], code: 0 },
  { args: ['config', 'get', 'gateway.port', '--json'], code: 0 }, // the effective default, with a note
  { args: ['config', 'validate'], code: 0 },
  { args: ['config', 'file', '--json'], code: 0 },
];

/**
 * A fresh home per case, so one command's leftovers cannot hide another's. `absent` is the
 * topmost missing dir: ~/.openclaw, or the missing parent of OPENCLAW_STATE_DIR.
 */
function freshHome(name: string, viaStateDir: boolean): { env: NodeJS.ProcessEnv; stateDir: string; absent: string } {
  const home = path.join(root, name.replace(/[^a-z0-9]+/gi, '-'));
  fs.mkdirSync(home);
  const absent = path.join(home, viaStateDir ? 'missing' : '.openclaw');
  const stateDir = viaStateDir ? path.join(absent, 'state') : absent;
  return { env: { ...cleanEnv(), HOME: home, ...(viaStateDir ? { OPENCLAW_STATE_DIR: stateDir } : {}) }, stateDir, absent };
}

for (const viaStateDir of [false, true]) {
  const where = viaStateDir ? 'OPENCLAW_STATE_DIR' : '~/.openclaw';
  test(`read-only and dry-run config commands do not create ${where}`, async () => {
    for (const { args, code } of COMMANDS) {
      const { env, absent } = freshHome(`${viaStateDir ? 'sd' : 'home'}-${args.join(' ')}`, viaStateDir);
      const r = await runCli(args, { env });
      assert.equal(r.code, code, `openclaw ${args.join(' ')}: ${r.stderr}`);
      assert.equal(fs.existsSync(absent), false, `openclaw ${args.join(' ')} created ${absent}`);
    }
  });
}

test('the dry run reports the change it would make; the real edit then creates the dir (0700) and the file', async () => {
  const { env, stateDir } = freshHome('real-edit', false);
  const dry = await runCli(['config', 'set', 'gateway.port', '18790', '--dry-run', '--json'], { env });
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout), { ok: true, version: 1, configPath: path.join(stateDir, 'openclaw.json'), path: 'gateway.port', after: 18790, changed: true, dryRun: true, warnings: [], written: false });
  const reset = await runCli(['config', 'reset', '--dry-run'], { env });
  assert.match(reset.stdout, /^Dry run \(nothing written\): .* would be reset to the first-run config; a new gateway token would be generated\.\n$/);

  const real = await runCli(['config', 'set', 'gateway.port', '18790'], { env });
  assert.equal(real.code, 0, real.stderr);
  assert.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
  assert.equal(JSON.parse(fs.readFileSync(path.join(stateDir, 'openclaw.json'), 'utf8')).gateway.port, 18790);
  assert.equal(fs.existsSync(path.join(stateDir, 'openclaw.json.lock')), false, 'the lock is released');
});
