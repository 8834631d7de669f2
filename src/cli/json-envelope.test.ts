// One --json envelope across commands (docs/cli.md): success `{ ok, version: 1, ...result }`,
// failure `{ ok: false, version: 1, error, fix?, code?, ... }`, raw values and gateway payloads as is.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { freePort, localConfig, makeStateDir, runCli } from '../testing/harness.js';

const s = makeStateDir(localConfig('envelope-token-0123456789abcdef012345'));
after(() => s.cleanup());
let env: NodeJS.ProcessEnv | undefined;

async function json(args: string[]): Promise<{ code: number | null; body: any }> {
  env ??= { ...s.env, OPENCLAW_GATEWAY_PORT: String(await freePort()) }; // no gateway listens there
  const r = await runCli([...args, '--json'], { env });
  assert.equal(r.stderr.includes('{'), false, `--json errors go to stdout only: ${r.stderr}`);
  return { code: r.code, body: JSON.parse(r.stdout) };
}

test('success: ok true and the contract version first, the command keys unchanged', async () => {
  const file = await json(['config', 'file']);
  assert.equal(file.code, 0);
  assert.deepEqual(Object.keys(file.body).slice(0, 2), ['ok', 'version']);
  assert.deepEqual(file.body, { ok: true, version: 1, configPath: s.configPath, exists: true, stateDir: s.dir });
  const devices = await json(['devices', 'list']);
  assert.equal(devices.code, 0);
  assert.equal(devices.body.ok, true);
  assert.equal(devices.body.version, 1);
  assert.ok(Array.isArray(devices.body.pending) && Array.isArray(devices.body.paired));
  const validate = await json(['config', 'validate']);
  assert.equal(validate.body.ok, true);
  assert.equal(validate.body.valid, true);
});

test('a result that is not fine says ok false with its exit code 1 (status with the gateway down)', async () => {
  const status = await json(['status']);
  assert.equal(status.code, 1);
  assert.equal(status.body.ok, false);
  assert.equal(status.body.version, 1);
  assert.equal(status.body.gateway, 'stopped');
});

test('failure: ok false, version, the one-sentence error and the fix, on stdout', async () => {
  const approve = await json(['devices', 'approve', 'no-such-request']);
  assert.equal(approve.code, 1);
  assert.equal(approve.body.ok, false);
  assert.equal(approve.body.version, 1);
  assert.equal(typeof approve.body.error, 'string');
  assert.equal(typeof approve.body.fix, 'string');
  const usage = await json(['gateway', 'call', 'health', '--params', '{nope']);
  assert.equal(usage.code, 2);
  assert.deepEqual(usage.body, { ok: false, version: 1, error: '--params is not valid JSON: {nope', fix: `openclaw gateway call health --params '{"key":"value"}'` });
  const missing = await json(['config', 'get', 'gateway.nope']);
  assert.deepEqual(missing.body, { ok: false, version: 1, error: 'Config path not found: gateway.nope' });
});

test('raw values stay raw: config get prints the stored value, config schema the JSON Schema', async () => {
  const mode = await json(['config', 'get', 'gateway.mode']);
  assert.equal(mode.body, 'local');
  const gw = await json(['config', 'get', 'gateway']);
  assert.equal(gw.body.ok, undefined);
  assert.equal(gw.body.mode, 'local');
  const schema = await json(['config', 'schema']);
  assert.equal(schema.body.ok, undefined);
  assert.equal(typeof schema.body.$schema, 'string');
});

test('a usage error with --json: the envelope on stdout too (exit 2), the text on stderr', async () => {
  const r = await runCli(['gateway', 'strat', '--json'], { env: s.env });
  assert.equal(r.code, 2);
  assert.deepEqual(JSON.parse(r.stdout), { ok: false, version: 1, error: "unknown command 'strat' for 'openclaw gateway'. Did you mean 'start'?", code: 'commander.unknownCommand' });
  assert.match(r.stderr, /Did you mean 'start'\?/);
});
