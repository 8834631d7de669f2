// Starting on an existing upstream ~/.openclaw (issue 14): the real gateway process starts on each
// example of upstream's configuration-examples doc, logs the upstream keys it does not implement
// in one line instead of refusing, and `config validate` / `doctor` say the same, exit 0 / warn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { validateConfigObject } from '../config/load.js';
import { substituteConfigEnv } from '../config/env-substitution.js';
import { envFor, startable, upstreamExamples } from '../config/testing/upstream-examples.js';
import { gatewayRuns, runCli, stateDirsForFile } from '../testing/harness.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';
const state = stateDirsForFile();
const gateways = gatewayRuns();
const { source, examples } = upstreamExamples();

test(`the gateway starts on every upstream configuration example and lists what it does not implement (${source})`, async () => {
  assert.ok(examples.length >= 8, `expected the doc's examples, found ${examples.length}`);
  for (const ex of examples) {
    const config = startable(ex.config, TOKEN);
    const s = state(config);
    Object.assign(s.env, envFor(config));
    const checked = validateConfigObject((substituteConfigEnv(config, s.env) as { value: unknown }).value);
    const expected = checked.ok ? checked.unsupported : [];
    const { gw } = await gateways.start(s, ['--port', '0']);
    const lines = gw.output().split('\n').filter((l) => l.includes('not supported by this gateway'));
    if (expected.length) assert.deepEqual(lines, [`[gateway] not supported by this gateway: ${expected.join(', ')}`], ex.name);
    else assert.deepEqual(lines, [], ex.name);
    const { code } = await gateways.stop(gw);
    assert.equal(code, 0, `${ex.name}: clean stop\n${gw.output()}`);
    // Nothing was dropped from the file by starting.
    assert.deepEqual(JSON.parse(fs.readFileSync(s.configPath, 'utf8')), config, ex.name);
  }
});

test('config validate and doctor on an upstream config: valid with a warning, the doctor check lists the keys', async () => {
  const biggest = examples.reduce((a, b) => (JSON.stringify(b.config).length > JSON.stringify(a.config).length ? b : a));
  const config = startable(biggest.config, TOKEN);
  const s = state(config);
  Object.assign(s.env, envFor(config));
  const validate = await runCli(['config', 'validate'], { env: s.env });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.match(validate.stderr, /warning: not supported by this gateway: .*\btools\b.*\bhooks\b/);
  const doctor = await runCli(['doctor', '--json'], { env: s.env, timeoutMs: 60_000 });
  const report = JSON.parse(doctor.stdout) as { checks?: Array<{ id: string; level: string; message: string }> };
  const finding = (report.checks ?? []).find((c) => c.id === 'unsupported-keys');
  assert.ok(finding, doctor.stdout);
  assert.equal(finding.level, 'warn');
  assert.match(finding.message, /^not supported by this gateway: .*\bagents\.defaults\.workspace\b/);
});
