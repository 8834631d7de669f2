// What a gateway without channels loads: the CLI bundle and its native addon, and no library the
// bundle keeps external. An external `import` anywhere in the bundle is hoisted to its first lines
// and would run on every start (@discordjs/ws and discord-api-types did: ~30 ms per start).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { gatewayRuns, localConfig, stateDirsForFile } from '../testing/harness.js';

const stateDir = stateDirsForFile();
const gateways = gatewayRuns();

test('a gateway without channels loads no node_modules package at start or shutdown', async () => {
  const state = stateDir(localConfig());
  const preload = path.join(state.dir, 'record-modules.cjs');
  const out = path.join(state.dir, 'modules.txt');
  fs.writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.RECORD_MODULES_OUT, Object.keys(require.cache).join('\\n')));\n");
  state.env.NODE_OPTIONS = `--require ${JSON.stringify(preload)}`;
  state.env.RECORD_MODULES_OUT = out;
  const { gw } = await gateways.start(state);
  assert.equal((await gateways.stop(gw)).code, 0);
  const loaded = fs.readFileSync(out, 'utf8').split('\n');
  assert.ok(loaded.some((f) => f.endsWith(path.join('cli', 'main.cjs'))), `the recorder saw the CLI entry: ${loaded.join(', ')}`);
  assert.deepEqual(loaded.filter((f) => f.includes(`${path.sep}node_modules${path.sep}`)), []);
});
