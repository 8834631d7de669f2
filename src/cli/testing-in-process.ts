// Test support: runs `openclaw <args>` through one command group's register() in this process, the
// way program.ts does, capturing stdout / stderr and the exit code the real binary would give.
import { Command, CommanderError } from 'commander';
import { reportError } from './output.js';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runRegistered(register: (program: Command) => void, args: string[], env: NodeJS.ProcessEnv): Promise<InProcessRun> {
  const program = new Command().name('openclaw').exitOverride();
  register(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const savedEnv = process.env;
  process.env = { ...env };
  process.exitCode = undefined;
  // Only strings: the test runner's own reports to the parent are Buffers and must pass through.
  (process.stdout as { write: unknown }).write = (chunk: string | Uint8Array, ...rest: never[]) => (typeof chunk === 'string' ? ((stdout += chunk), true) : out(chunk, ...rest));
  (process.stderr as { write: unknown }).write = (chunk: string | Uint8Array, ...rest: never[]) => (typeof chunk === 'string' ? ((stderr += chunk), true) : err(chunk, ...rest));
  let code: number;
  try {
    await program.parseAsync(['node', 'openclaw', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    code = e instanceof CommanderError ? (e.exitCode === 0 ? 0 : 2) : reportError(e, args.includes('--json'));
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.env = savedEnv;
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}
