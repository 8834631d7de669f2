// `openclaw doctor` end to end: real state dirs, a real gateway, the real CLI.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import JSON5 from 'json5';
import { CLI_MAIN, eventually, freePort, localConfig, READY_LINE, runCli, spawnCli, stateDirsForFile, type StateDir } from '../testing/harness.js';

const STRONG = 'Zq8xL2mN4pR6tV8wY0aB2cD4eF6gH8jK';
const stateDir = stateDirsForFile();

async function healthyState(): Promise<StateDir & { port: number }> {
  const port = await freePort();
  const s = stateDir(localConfig(STRONG, { gateway: { port } }));
  return { ...s, port };
}

async function withGateway<T>(s: StateDir, fn: () => Promise<T>): Promise<T> {
  const gw = spawnCli(['gateway', 'run'], { env: s.env });
  try {
    await gw.waitFor(READY_LINE, 15_000);
    await eventually(() => fs.existsSync(`${s.dir}/gateway.pid`));
    return await fn();
  } finally {
    gw.kill();
    await gw.exited;
  }
}

interface Report {
  version: number;
  ok: boolean;
  summary: Record<string, number>;
  checks: { id: string; title: string; level: string; message: string; fix: string | null }[];
  fixes?: { id: string; changed: { path: string; backupPath?: string }[] }[];
  token?: string;
}
const doctorJson = async (s: StateDir, args: string[] = []) => {
  const r = await runCli(['doctor', '--json', ...args], { env: s.env });
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
};

test('a healthy setup with its gateway running: no warnings, exit 0, and --json agrees with the human output', async () => {
  const s = await healthyState();
  await withGateway(s, async () => {
    const { code, report } = await doctorJson(s);
    const noisy = report.checks.filter((c) => c.level === 'warn' || c.level === 'error');
    assert.deepEqual(noisy, [], JSON.stringify(noisy, null, 2));
    assert.equal(code, 0);
    assert.equal(report.version, 1);
    assert.equal(report.ok, true);
    assert.equal(report.summary.ok + report.summary.skipped, report.checks.length);
    for (const c of report.checks) assert.deepEqual(Object.keys(c).sort(), ['fix', 'id', 'level', 'message', 'title']);

    const human = await runCli(['doctor'], { env: s.env });
    assert.equal(human.code, 0);
    const labels: Record<string, string> = { ok: 'ok', warn: 'WARN', error: 'ERROR', skipped: 'skip' };
    for (const c of report.checks) assert.match(human.stdout, new RegExp(`^${labels[c.level]}\\s+${c.id}\\s`, 'm'), c.id);
    assert.match(human.stdout, new RegExp(`${report.summary.ok} checks ok, 0 warnings, 0 errors, ${report.summary.skipped} skipped`));
  });
});

test('exit code 1 for warnings only (gateway stopped); skipped checks never count', async () => {
  const s = await healthyState();
  const { code, report } = await doctorJson(s);
  assert.equal(code, 1);
  assert.deepEqual(report.checks.filter((c) => c.level !== 'ok' && c.level !== 'skipped').map((c) => c.id), ['gateway-running']);
  assert.ok(report.summary.skipped > 0);
});

async function brokenState() {
  const port = await freePort();
  const s = stateDir({ gateway: { port, token: STRONG } }); // mode unset, legacy token key
  fs.chmodSync(s.configPath, 0o644);
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.on('exit', r));
  fs.writeFileSync(`${s.dir}/gateway.pid`, JSON.stringify({ pid: dead.pid, startTime: null, host: '127.0.0.1', port, configPath: s.configPath, version: '0', startedAt: 0 }));
  return s;
}

test('--fix --dry-run prints the plan and writes nothing', async () => {
  const s = await brokenState();
  const before = fs.readFileSync(s.configPath, 'utf8');
  const r = await runCli(['doctor', '--fix', '--dry-run'], { env: s.env });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /doctor --fix would \(backing up every file first\):/);
  assert.match(r.stdout, /Nothing was written \(--dry-run\)\. Apply with: openclaw doctor --fix$/m);
  assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);
  assert.equal(fs.existsSync(`${s.dir}/gateway.pid`), true);
  assert.deepEqual(fs.readdirSync(s.dir).filter((f) => f.includes('.bak')), []);
});

test('--fix without a terminal applies at once (the guides\' `openclaw doctor --fix && openclaw restart` in a script), printing each backup', async () => {
  const s = await brokenState();
  const before = fs.readFileSync(s.configPath, 'utf8');
  const r = await runCli(['doctor', '--fix'], { env: s.env, input: '' });
  assert.doesNotMatch(r.stdout, /no terminal|\[y\/N\]/);
  assert.match(r.stdout, /changed .*openclaw\.json \(backup: .*openclaw\.json\.bak\)/);
  assert.equal(fs.readFileSync(`${s.configPath}.bak`, 'utf8'), before);
  assert.equal(JSON5.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.mode, 'local');
  assert.equal(fs.existsSync(`${s.dir}/gateway.pid`), false, 'the stale pid file is gone');
});

test('--fix --yes repairs mode, legacy token, permissions and the stale pid file, backs up each file, and leaves a working gateway', async () => {
  const s = await brokenState();
  const originalConfig = fs.readFileSync(s.configPath, 'utf8');
  const { report } = await doctorJson(s, ['--fix', '--yes']);
  const changed = report.fixes!.flatMap((f) => f.changed);
  const configChange = changed.find((c) => c.path === s.configPath && c.backupPath)!;
  assert.equal(fs.readFileSync(configChange.backupPath!, 'utf8'), originalConfig);
  const pidChange = changed.find((c) => c.path === `${s.dir}/gateway.pid`)!;
  assert.ok(fs.existsSync(pidChange.backupPath!));
  const config = JSON5.parse(fs.readFileSync(s.configPath, 'utf8'));
  assert.deepEqual({ mode: config.gateway.mode, token: config.gateway.auth.token, legacy: config.gateway.token }, { mode: 'local', token: STRONG, legacy: undefined });
  assert.equal(fs.statSync(s.configPath).mode & 0o777, 0o600);

  await withGateway(s, async () => {
    const second = await doctorJson(s);
    assert.deepEqual(second.report.checks.filter((c) => c.level === 'warn' || c.level === 'error'), []);
    assert.equal(second.code, 0);
  });
});

test('--generate-gateway-token prints a fresh token and writes nothing; with --fix --yes it is stored after a backup', async () => {
  const s = await healthyState();
  const before = fs.readFileSync(s.configPath, 'utf8');
  const printed = await runCli(['doctor', '--generate-gateway-token'], { env: s.env });
  assert.equal(printed.code, 0);
  assert.match(printed.stdout.trim(), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(fs.readFileSync(s.configPath, 'utf8'), before);

  const { report } = await doctorJson(s, ['--fix', '--yes', '--generate-gateway-token']);
  assert.match(report.token!, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(JSON5.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.auth.token, report.token);
  const backup = report.fixes!.flatMap((f) => f.changed).find((c) => c.path === s.configPath && c.backupPath)!.backupPath!;
  assert.equal(fs.readFileSync(backup, 'utf8'), before);
});

test('a config that does not parse is one error with its line, never a crash; other checks skip', async () => {
  const s = stateDir();
  s.writeConfig('{ gateway: { mode: "local" } ]');
  const { code, report } = await doctorJson(s);
  assert.equal(code, 2);
  const errors = report.checks.filter((c) => c.level === 'error');
  assert.deepEqual(errors.map((c) => c.id), ['config-file']);
  assert.match(errors[0].message, /openclaw\.json:1:\d+/);
  assert.equal(report.checks.find((c) => c.id === 'gateway-mode')!.level, 'skipped');
});

/** Runs the CLI under a pseudo-terminal (util-linux `script`) and returns what it printed. */
function runInTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const command = [process.execPath, CLI_MAIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

test('in a terminal --fix applies without a prompt, with a backup', async () => {
  const port = await freePort();
  const s = stateDir({ gateway: { port, auth: { token: STRONG } } });
  const before = fs.readFileSync(s.configPath, 'utf8');
  const out = await runInTerminal(['doctor', '--fix'], s.env);
  assert.doesNotMatch(out, /\[y\/N\]/);
  assert.match(out, /changed .*openclaw\.json \(backup: .*openclaw\.json\.bak\)/);
  assert.equal(JSON5.parse(fs.readFileSync(s.configPath, 'utf8')).gateway.mode, 'local');
  assert.equal(fs.readFileSync(`${s.configPath}.bak`, 'utf8'), before);
});

test('doctor --fix on a config that does not parse: the broken file becomes .rejected.*, last-good is restored, config get works', async () => {
  const s = stateDir('{ gateway: { mode: "local", ');
  fs.writeFileSync(`${s.configPath}.last-good`, JSON.stringify(localConfig(STRONG)), { mode: 0o600 });
  assert.equal((await runCli(['config', 'get', 'gateway.mode'], { env: s.env })).code, 78);
  const r = await runCli(['doctor', '--fix'], { env: s.env });
  assert.match(r.stdout, /fixed last-good: Config auto-restored from last-known-good .*openclaw\.json\.last-good; the broken file is now .*openclaw\.json\.rejected\./);
  const rejected = fs.readdirSync(s.dir).filter((n) => n.startsWith('openclaw.json.rejected.'));
  assert.equal(rejected.length, 1);
  assert.equal(fs.readFileSync(`${s.dir}/${rejected[0]}`, 'utf8'), '{ gateway: { mode: "local", ');
  const get = await runCli(['config', 'get', 'gateway.mode'], { env: s.env });
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /local/);
});
