// Printing helpers shared by commands: stable --json to stdout, humans to stdout, problems to stderr.
import { CliError } from './errors.js';
import { styleFor } from './style.js';

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

/** The version of the `--json` contract (docs/cli.md); bumped only when a key changes meaning. */
export const JSON_VERSION = 1;

/**
 * A command's `--json` result in the one envelope every command shares: `ok` (true unless the
 * result says otherwise), `version` (the contract's), then the command's own keys. Keys a result
 * already has win, so no existing key changes. See docs/cli.md.
 */
export function jsonEnvelope(value: Record<string, unknown>): Record<string, unknown> {
  return { ok: typeof value.ok === 'boolean' ? value.ok : true, version: JSON_VERSION, ...value };
}

/** Prints a command result as `--json` (in the envelope when it is an object). */
export function printJson(value: unknown): void {
  printRawJson(value !== null && typeof value === 'object' && !Array.isArray(value) ? jsonEnvelope(value as Record<string, unknown>) : value);
}

/** Prints JSON as it is: a stored value (`config get`) or a gateway's payload passed through. */
export function printRawJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** The failure envelope: `{ ok: false, version, error: <one sentence>, code?, fix?, ...details }`. */
export function printJsonError(message: string, extra: { fix?: string; data?: Record<string, unknown> } = {}): void {
  printRawJson({ ok: false, version: JSON_VERSION, error: message, ...(extra.fix !== undefined ? { fix: extra.fix } : {}), ...extra.data });
}

export function println(line = ''): void {
  process.stdout.write(line + '\n');
}

export function eprintln(line = ''): void {
  process.stderr.write(line + '\n');
}

/** The problem in red and its fix on stderr (colour only on a terminal). */
function printProblem(message: string, fix: string | undefined): void {
  const style = styleFor(process.stderr);
  eprintln(style.error(message));
  if (fix) eprintln(`${style.heading('fix:')} ${fix}`);
}

/** Reports an error the way every command does; returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof CliError) {
    if (json) printJsonError(err.message, { fix: err.fix, data: err.data });
    else printProblem(err.message, err.fix);
    return err.exitCode;
  }
  // Library errors that carry their own exit code and fix (ConfigError → 78) are reported the same way.
  if (err instanceof Error && typeof (err as { exitCode?: unknown }).exitCode === 'number') {
    const { exitCode, fix } = err as Error & { exitCode: number; fix?: string };
    if (json) printJsonError(err.message, { fix });
    else printProblem(err.message, fix);
    return exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (json) printJsonError(message);
  else eprintln(`${styleFor(process.stderr).error('error:')} ${message}`);
  if (process.env.OPENCLAW_DEBUG && err instanceof Error && err.stack) eprintln(err.stack);
  return 1;
}

export { useColor } from './style.js';
