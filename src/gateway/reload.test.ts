import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveGatewaySettings } from '../config/resolve.js';
import { diffSettings, watchConfigFile } from './reload.js';

const env = { OPENCLAW_STATE_DIR: '/tmp/openclaw-reload-test' };
const settings = (gateway: Record<string, unknown>) => resolveGatewaySettings({ gateway: { mode: 'local', ...gateway } } as never, env);

test('diffSettings: token and logging are hot, port needs a restart, values never appear', () => {
  const a = settings({ auth: { mode: 'token', token: 'old-token-value' }, port: 1000 });
  const b = settings({ auth: { mode: 'token', token: 'new-token-value' }, port: 1001 });
  const d = diffSettings(a, b);
  assert.deepEqual(d.hot, ['auth.token']);
  assert.deepEqual(d.restart, ['port']);
  assert.ok(!JSON.stringify(d).includes('token-value'));
  assert.deepEqual(diffSettings(a, a), { hot: [], restart: [] });
});

test('watchConfigFile fires once, debounced, for a rename-based write', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-watch-'));
  const file = path.join(dir, 'openclaw.json');
  fs.writeFileSync(file, '{}');
  // The watcher does not hold the process open (the gateway's server does); this test must.
  const keepAlive = setInterval(() => {}, 1000);
  let calls = 0;
  let resolveFired!: () => void;
  const fired = new Promise<void>((r) => (resolveFired = r));
  const w = watchConfigFile(file, () => {
    calls++;
    resolveFired();
  }, 100);
  fs.writeFileSync(path.join(dir, 'other.txt'), 'x'); // unrelated file: no event for us
  fs.writeFileSync(`${file}.tmp`, '{"a":1}');
  fs.renameSync(`${file}.tmp`, file);
  fs.appendFileSync(file, ' ');
  await fired;
  await new Promise((r) => setTimeout(r, 250));
  w.close();
  clearInterval(keepAlive);
  assert.equal(calls, 1);
  fs.rmSync(dir, { recursive: true, force: true });
});
