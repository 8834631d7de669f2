// Printing helpers shared by commands: stable --json to stdout, humans to stdout, problems to stderr.
import { CliError } from './errors.js';

/**
 * `openclaw … | head`: once the reader has gone, a command ends quietly with its exit code instead
 * of dying on EPIPE. A foreground gateway keeps serving (it only loses its console).
 */
export function endQuietlyOnClosedStdout(keepRunning: boolean): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    if (!keepRunning) process.exit(process.exitCode ?? 0);
  });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function println(line = ''): void {
  process.stdout.write(line + '\n');
}

export function eprintln(line = ''): void {
  process.stderr.write(line + '\n');
}

/** Reports an error the way every command does; returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof CliError) {
    if (json) printJson({ ok: false, error: err.message, fix: err.fix, ...err.data });
    else {
      eprintln(err.message);
      if (err.fix) eprintln(`fix: ${err.fix}`);
    }
    return err.exitCode;
  }
  // Library errors that carry their own exit code and fix (ConfigError → 78) are reported the same way.
  if (err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode === 'number') {
    const { exitCode, fix } = err as Error & { exitCode: number; fix?: string };
    if (json) printJson({ ok: false, error: err.message, fix });
    else {
      eprintln(err.message);
      if (fix) eprintln(`fix: ${fix}`);
    }
    return exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) printJson({ ok: false, error: message });
  else eprintln(`error: ${message}`);
  if (process.env.OPENCLAW_DEBUG && err instanceof Error && err.stack) eprintln(err.stack);
  return 1;
}

/**
 * Colour for humans only: `NO_COLOR` turns it off, `FORCE_COLOR` (not "0") on; otherwise a
 * terminal that is not `dumb`. Piped output stays plain, so pasted and parsed text is unchanged.
 */
export function useColor(env: Record<string, string | undefined> = process.env, stream: { isTTY?: boolean } = process.stdout): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}
