// unsupported-keys: upstream keys the gateway accepts but does not implement are listed; doctor
// --fix (which rewrites the file for other checks) keeps them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import JSON5 from 'json5';
import { stateDirsForFile } from '../../testing/harness.js';
import { fixAll, runOne } from '../testing/checks.js';

const STRONG = 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK';
const state = stateDirsForFile();
const upstreamOnly = { tools: { exec: { timeoutSeconds: 60 } }, skills: { entries: { peekaboo: { enabled: true } } }, agents: { defaults: { workspace: '~/w' } } };

test('unsupported-keys: lists upstream-only keys as a warning; ok without them; skipped when the config is invalid', async () => {
  const s = state({ gateway: { mode: 'local', auth: { token: STRONG } }, ...upstreamOnly });
  const f = await runOne('unsupported-keys', s.env);
  assert.equal(f.level, 'warn');
  assert.match(f.message, /^not supported by this gateway: tools, skills, agents\.defaults\.workspace \(/);
  assert.match(f.fix!, /openclaw config unset tools$/);
  assert.equal((await runOne('unsupported-keys', state({ gateway: { mode: 'local', auth: { token: STRONG } } }).env)).level, 'ok');
  assert.equal((await runOne('unsupported-keys', state({ gateway: { mode: 'local' }, tools: { exex: 1 } }).env)).level, 'skipped');
});

test('doctor --fix rewriting the config (a legacy key) keeps the upstream-only keys', async () => {
  const s = state({ gateway: { mode: 'local', token: STRONG }, ...upstreamOnly });
  await fixAll(s.env, {}, ['legacy-keys']);
  const after = JSON5.parse(fs.readFileSync(s.configPath, 'utf8'));
  assert.equal(after.gateway.auth.token, STRONG, 'the fix was applied');
  assert.equal(after.gateway.token, undefined);
  for (const [k, v] of Object.entries(upstreamOnly)) assert.deepEqual(after[k], v, k);
});
