// `openclaw doctor`: thin wrapper over src/doctor/command.ts.
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`${name} must be a positive number of seconds (got "${v}").`, { exitCode: ExitCodes.USAGE, fix: `openclaw doctor ${name} 8` });
  return n;
};

export function register(program: Command): void {
  program
    .command('doctor')
    .description('Diagnose the gateway setup: one line per check (ok / warn / error / skipped) with the exact fix. Writes nothing unless --fix.')
    .option('--fix', 'apply the safe repairs now, without asking (backs up every file it changes and prints each backup)')
    .option('--dry-run', 'with --fix: print what it would repair and write nothing')
    .option('--yes', 'accepted for older scripts (--fix does not ask)')
    .option('--json', 'print the versioned machine-readable report {version, ok, summary, checks}')
    .option('--deep', 'also probe cloud model providers over the network')
    .option('--generate-gateway-token', 'print a fresh gateway token; with --fix also store it in gateway.auth.token')
    .option('--restore-last-good', 'accepted for older scripts: --fix always restores the last-known-good copy of a config that does not load')
    .option('--url <url>', 'check a gateway as a remote browser would, e.g. through a reverse proxy (https://host/path)')
    .option('--token <token>', 'with --url: the gateway token to test (default: $OPENCLAW_GATEWAY_TOKEN; never the config file\'s, so a mistyped URL cannot collect it)')
    .option('--origin <origin>', 'with --url: the browser Origin to test (default: the URL\'s origin)')
    .option('--idle <seconds>', 'with --url: hold an idle socket this long; without: the proxy idle timeout keep-alive must beat (default 60)', positiveInt('--idle'))
    .addHelpText('after', `
Exit codes: 0 all ok (skipped checks included), 1 warnings, 2 errors.
Examples:
  openclaw doctor                           diagnose, change nothing
  openclaw doctor --fix                     repair what is safe to repair (backups printed)
  openclaw doctor --fix --dry-run           show those repairs, change nothing
  openclaw doctor --json                    stable report for scripts
  openclaw doctor --url https://gw.example.com --idle 90
  export OPENCLAW_GATEWAY_TOKEN="$(openclaw doctor --generate-gateway-token)"`)
    .action(async (opts) => {
      if (opts.url && !(URL.canParse(opts.url) && /^(https?|wss?):$/.test(new URL(opts.url).protocol))) {
        throw new CliError(`--url "${opts.url}" is not an http(s) or ws(s) URL.`, { exitCode: ExitCodes.USAGE, fix: 'openclaw doctor --url https://openclaw.example.com' });
      }
      const { runDoctorCommand, processIo } = await import('../../doctor/command.js');
      process.exitCode = await runDoctorCommand(opts, processIo());
    });
}
