// Every JSON5 example of upstream's configuration-examples doc validates here: upstream keys we do
// not implement are listed, nothing is refused. (The gateway itself starts on each: e2e/upstream-config.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigObject } from './load.js';
import { substituteConfigEnv } from './env-substitution.js';
import { envFor, startable, upstreamExamples } from './testing/upstream-examples.js';

const { source, examples } = upstreamExamples();

test(`upstream configuration examples validate, with their upstream-only keys listed (${source})`, () => {
  assert.ok(examples.length >= 8, `expected the doc's examples, found ${examples.length}`);
  const listed = new Set<string>();
  for (const ex of examples) {
    const cfg = startable(ex.config, 'test-token-0123456789abcdef0123456789');
    const substituted = substituteConfigEnv(cfg, envFor(cfg));
    assert.ok(substituted.ok, ex.name);
    const r = validateConfigObject(substituted.value);
    assert.ok(r.ok, `${ex.name}: ${r.ok ? '' : r.problem}`);
    for (const p of r.unsupported) listed.add(p);
  }
  // The sections the examples use and this gateway does not implement are among them.
  for (const key of ['agents.defaults.workspace', 'agents.entries', 'tools', 'skills', 'hooks', 'memory', 'cron', 'auth', 'channels.slack']) assert.ok(listed.has(key), `${key} listed (got ${[...listed].join(', ')})`);
});
