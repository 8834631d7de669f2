// `openclaw onboard --mode local|remote`: non-interactive setup. Creates the config like `setup`
// when there is none, then sets what the mode needs (gateway.mode, bind, a token when none is
// pinned), so an existing config missing gateway.mode ("gateway start blocked") starts afterwards.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { OnboardChange } from '../../config/onboard.js';
import { printJson, println } from '../output.js';
import { asCliError } from './config.js';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a port number 1-65535');
  return n;
}

interface OnboardCliOptions {
  mode: 'local' | 'remote';
  port?: number;
  bind?: string;
  remoteUrl?: string;
  remoteToken?: string;
  /** false with --no-scan. */
  scan: boolean;
  json?: boolean;
}

export function describeChanges(changes: OnboardChange[]): string {
  return changes.map((c) => `${c.key} ${c.after} (was ${c.before})`).join('; ');
}

export function register(program: Command): void {
  program
    .command('onboard')
    .description('Set this machine up without questions: create the config if missing, then set gateway.mode (and bind, and a token if none is pinned) for the mode.')
    .addOption(new Option('--mode <mode>', 'local: loopback only; remote: all interfaces, token auth').choices(['local', 'remote']).default('local'))
    .option('--port <port>', 'gateway.port', parsePort)
    .option('--bind <bind>', 'gateway.bind (default: loopback for local, lan for remote)')
    .option('--remote-url <url>', 'a gateway elsewhere for this CLI (gateway.remote.url)')
    .option('--remote-token <token>', 'its token (gateway.remote.token)')
    .option('--non-interactive', 'never prompt (onboard asks nothing; accepted for scripts)')
    .option('--no-scan', 'do not look for model backends when creating the config')
    .option('--json', 'print {ok, created, configPath, changes, tokenGenerated}')
    .action(async (opts: OnboardCliOptions) => {
      const { runFirstRunWithModels } = await import('../../models/first-run.js');
      const { onboardConfig } = await import('../../config/onboard.js');
      const result = await (async () => {
        const first = await runFirstRunWithModels(process.env, { scan: opts.scan });
        const onboarded = onboardConfig(first.configPath, { mode: opts.mode, port: opts.port, bind: opts.bind, remoteUrl: opts.remoteUrl, remoteToken: opts.remoteToken });
        return { created: first.created, configPath: first.configPath, changes: onboarded.changes, tokenGenerated: first.token !== undefined || onboarded.tokenGenerated, backupPath: onboarded.backupPath };
      })().catch((err: unknown) => {
        throw asCliError(err);
      });
      if (opts.json) return printJson({ ok: true, ...result });
      if (result.created) println(`Created ${result.configPath}.`);
      if (result.changes.length) println(`Set ${describeChanges(result.changes)}.`);
      else if (!result.created) println(`Already onboarded for mode ${opts.mode}: ${result.configPath} (nothing to change).`);
      if (result.backupPath) println(`Backup of the previous file: ${result.backupPath}`);
      if (result.tokenGenerated) println('The gateway token is pinned in the config; show it with: openclaw config get gateway.auth.token --show-secrets');
      println('Next: openclaw gateway start  (or, if it runs: openclaw gateway restart)');
    });
}
