import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigLockError, configLockPath, withConfigLock } from './lock.js';

function tempConfigPath(): { file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-lock-'));
  return { file: path.join(dir, 'openclaw.json'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('the lock file holds our pid while held, is re-entrant, and is removed after', () => {
  const t = tempConfigPath();
  try {
    const lock = configLockPath(t.file);
    const inner = withConfigLock(t.file, () => {
      assert.equal(fs.readFileSync(lock, 'utf8').trim(), String(process.pid));
      return withConfigLock(t.file, () => 'nested');
    });
    assert.equal(inner, 'nested');
    assert.equal(fs.existsSync(lock), false);
    assert.throws(() => withConfigLock(t.file, () => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(fs.existsSync(lock), false, 'released on throw');
  } finally {
    t.cleanup();
  }
});

test('a lock left by a dead process is reclaimed', () => {
  const t = tempConfigPath();
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(configLockPath(t.file), `${dead.stdout}\n`);
    assert.equal(withConfigLock(t.file, () => 'ran'), 'ran');
    assert.equal(fs.existsSync(configLockPath(t.file)), false);
  } finally {
    t.cleanup();
  }
});

test('a lock held by a live process is waited for, then reported with the fix', async () => {
  const t = tempConfigPath();
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  try {
    fs.writeFileSync(configLockPath(t.file), `${holder.pid}\n`);
    assert.throws(() => withConfigLock(t.file, () => 'never'), (err: unknown) => err instanceof ConfigLockError && err.message.includes(`process ${holder.pid}`) && err.fix.includes(String(holder.pid)));
    assert.equal(fs.readFileSync(configLockPath(t.file), 'utf8').trim(), String(holder.pid), 'a live lock is left alone');
  } finally {
    holder.kill('SIGKILL');
    t.cleanup();
  }
});

test('concurrent processes never lose an update made under the lock', async () => {
  const t = tempConfigPath();
  try {
    fs.writeFileSync(t.file, '0');
    const lockModule = fileURLToPath(new URL('./lock.js', import.meta.url));
    const script = `
      import fs from 'node:fs';
      const { withConfigLock } = await import(${JSON.stringify(lockModule)});
      for (let i = 0; i < 20; i++) withConfigLock(${JSON.stringify(t.file)}, () => {
        const n = Number(fs.readFileSync(${JSON.stringify(t.file)}, 'utf8'));
        fs.writeFileSync(${JSON.stringify(t.file)}, String(n + 1));
      });`;
    const workers = Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' }).on('exit', resolve)));
    assert.deepEqual(await Promise.all(workers), [0, 0, 0, 0]);
    assert.equal(fs.readFileSync(t.file, 'utf8'), '80');
  } finally {
    t.cleanup();
  }
});
