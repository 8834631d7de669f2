// Errors a command reports to the user: one sentence, the fix, and an exit code. No stack traces.

export const ExitCodes = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  /** EX_CONFIG: configuration errors (systemd's RestartPreventExitStatus=78). */
  CONFIG: 78,
} as const;

export class CliError extends Error {
  readonly exitCode: number;
  readonly fix?: string;
  /** Extra machine-readable fields for --json output. */
  readonly data?: Record<string, unknown>;
  constructor(message: string, opts: { exitCode?: number; fix?: string; data?: Record<string, unknown> } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = opts.exitCode ?? ExitCodes.FAILURE;
    this.fix = opts.fix;
    this.data = opts.data;
  }
}
