// `openclaw infer model run` as a real process against the fake upstream in this process.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startModelsCliFixture, type ModelsCliFixture } from '../../models/testing/fixtures.js';
import type { FakeServerBase } from '../../models/testing/fake-openai.js';
import { makeStateDir, runCli, type StateDir } from '../../testing/harness.js';

let an: FakeServerBase;
let state: StateDir;
let fixture: ModelsCliFixture;

before(async () => {
  fixture = await startModelsCliFixture();
  ({ an, state } = fixture);
});
after(() => fixture.close());

describe('openclaw infer model run', () => {
  it('prints the answer; --json gives model, text and usage', async () => {
    const plain = await runCli(['infer', 'model', 'run', '--model', 'local/llama', '--prompt', 'hi'], { env: state.env });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'echo: hi\n');
    const json = await runCli(['infer', 'model', 'run', '--model', 'local/llama', '--prompt', 'hi', '--json'], { env: state.env });
    const out = JSON.parse(json.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.model, 'local/llama');
    assert.equal(out.text, 'echo: hi');
    assert.ok(out.usage.totalTokens > 0);
  });

  it('a string-only backend fails with the backend message and the exact compat fix; the flag fixes it', async () => {
    const r = await runCli(['infer', 'model', 'run', '--model', 'local/strict', '--prompt', 'hi'], { env: state.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /messages\[0\]\.content: invalid type: sequence, expected a string/);
    assert.match(r.stderr, /^fix: openclaw config set models\.providers\.local\.models\[0\]\.compat\.requiresStringContent true$/m);
    const fixed = await runCli(['infer', 'model', 'run', '--model', 'fixed/strict', '--prompt', 'hi'], { env: state.env });
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.equal(fixed.stdout, 'echo: hi\n');
  });

  it('an unknown model names the fix; a broken config exits 78', async () => {
    const r = await runCli(['infer', 'model', 'run', '--model', 'nope/x', '--prompt', 'hi'], { env: state.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown model nope\/x/);
    assert.match(r.stderr, /fix: openclaw models scan --apply/);
    const broken = makeStateDir('{ models: { providers: { x: { api: "nope" } } } }');
    try {
      const b = await runCli(['infer', 'model', 'run', '--model', 'x/m', '--prompt', 'hi'], { env: broken.env });
      assert.equal(b.code, 78, b.stderr);
    } finally {
      broken.cleanup();
    }
  });
});

