// `openclaw setup`: first-run setup. Creates the state dir and a local, loopback, token-auth config
// with a generated token; an existing config is left exactly as it is.
import type { Command } from 'commander';
import { printJson, println } from '../output.js';
import { run } from './config.js';

export function register(program: Command): void {
  program
    .command('setup')
    .description('Create ~/.openclaw/openclaw.json (local mode, loopback, generated token) if it does not exist.')
    .option('--non-interactive', 'never prompt (setup asks nothing today; accepted for scripts)')
    .option('--json', 'print {created, configPath, tokenGenerated}')
    .action(async (opts: { json?: boolean }) => {
      const { runFirstRunSetup } = await import('../../config/setup.js');
      const result = run(() => runFirstRunSetup(process.env));
      if (opts.json) return printJson({ created: result.created, configPath: result.configPath, tokenGenerated: result.token !== undefined });
      if (!result.created) {
        println(`Config already exists: ${result.configPath} (nothing changed; see it with: openclaw config get gateway)`);
        return;
      }
      println(`Created ${result.configPath} (gateway.mode local, bind loopback, port 18789, token auth).`);
      println(result.token !== undefined
        ? 'Generated a gateway token and pinned it in the config; show it with: openclaw config get gateway.auth.token --show-secrets'
        : 'The gateway token comes from OPENCLAW_GATEWAY_TOKEN in the environment; none was written to the file.');
      println('Next: openclaw gateway run');
    });
}
