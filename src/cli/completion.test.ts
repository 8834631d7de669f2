// `openclaw completion bash|zsh|fish`: each script, loaded into the real shell, completes
// subcommands and flags at every level from the CLI's own command tree.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeStateDir, runCli } from '../testing/harness.js';

const s = makeStateDir();
after(() => s.cleanup());
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-completion-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell], { env: s.env });
  assert.equal(r.code, 0, r.stderr);
  const file = path.join(dir, `openclaw.${shell}`);
  fs.writeFileSync(file, r.stdout);
  return file;
}

/** Runs a shell that must be installed (.ci/run installs zsh and fish): a missing one fails, naming the fix. */
function shell(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...s.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir } });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') assert.fail(`${cmd} is not installed: apt-get install ${cmd}  (.ci/run installs it)`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('bash: the completion function offers subcommands and flags at each level', async () => {
  const file = await script('bash');
  const complete = (words: string[]) =>
    shell('bash', ['-c', `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _openclaw; printf '%s\\n' "\${COMPREPLY[@]}"; complete -p openclaw`]).trim().split('\n');
  assert.deepEqual(complete(['openclaw', 'gateway', 'st']).slice(0, -1), ['start', 'stop', 'status']);
  assert.match(complete(['openclaw', 'gateway', 'st']).at(-1)!, /complete .*-F _openclaw openclaw/);
  assert.deepEqual(complete(['openclaw', 'onb']).slice(0, -1), ['onboard']);
  assert.deepEqual(complete(['openclaw', 'gateway', 'run', '--po']).slice(0, -1), ['--port']);
  assert.deepEqual(complete(['openclaw', 'gateway', 'run', '--port', '80', '--no-d']).slice(0, -1), ['--no-dashboard']);
  assert.deepEqual(complete(['openclaw', 'update', '--']).slice(0, -1).sort(), ['--check', '--help', '--json', '--registry', '--tag', '--timeout']);
});

test('fish: `complete -C` lists subcommands with their descriptions, and flags', async () => {
  const file = await script('fish');
  const complete = (line: string) => shell('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`]).trim().split('\n');
  assert.deepEqual(complete('openclaw gateway st').map((l) => l.split('\t')[0]), ['start', 'status', 'stop']);
  assert.match(complete('openclaw gateway st')[0], /^start\tStart the gateway in the background/);
  assert.deepEqual(complete('openclaw completion --').map((l) => l.split('\t')[0]), ['--help']);
  assert.ok(complete('openclaw devices ').some((l) => l.startsWith('approve\t')));
  assert.deepEqual(complete('openclaw gateway run --por').map((l) => l.split('\t')[0]), ['--port']);
});

test('zsh: the script registers _openclaw with compdef and describes each level', async () => {
  const file = await script('zsh');
  const out = shell('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -D -d ${dir}/zcompdump; source ${file}; print -r -- $_comps[openclaw]; _openclaw_items "$(_openclaw_path gateway --verbose run)"; print -rl -- $reply`]).trim().split('\n');
  assert.equal(out[0], '_openclaw');
  assert.ok(out.includes('--port:port to listen on (0 = any free port)'), out.join('\n'));
  assert.ok(!out.includes('start:Start the gateway in the background and wait until /ready answers.'));
  const top = shell('zsh', ['-f', '-c', `source ${file}; _openclaw_items "$(_openclaw_path)"; print -rl -- $reply`]);
  assert.match(top, /^onboard:Set this machine up/m);
  assert.match(top, /^completion:Print a shell completion script/m);
});

test('an unknown shell is a usage error naming the choices', async () => {
  const r = await runCli(['completion', 'tcsh'], { env: s.env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bash, zsh, fish/);
});
