// `openclaw health [--json]`: the gateway's health snapshot (RPC `health`). Exit 0 when healthy,
// 1 when anything is not (a chat channel whose probe failed, that is disconnected, or whose
// outbound queue is stuck counts): monitors can run it as is.
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { printRawJson, println } from '../output.js';
import { styleFor } from '../style.js';
import type { HealthSnapshot } from '../../gateway/methods/runtime.js';

interface Opts {
  json?: boolean;
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
}

export function register(program: Command): void {
  program
    .command('health')
    .description('Show gateway health (channels included); exits 1 when anything is unhealthy.')
    .option('--json', 'print the raw health snapshot')
    .option('--url <url>', 'gateway WebSocket URL')
    .option('--token <token>', 'gateway token')
    .option('--password <password>', 'gateway password')
    .option('--timeout <ms>', 'connect + request timeout in milliseconds', '10000')
    .addHelpText('after', '\nExamples:\n  openclaw health\n  openclaw health --json | jq .channelAccounts\n')
    .action(async (o: Opts) => {
      const { callGateway, GatewayUnreachableError } = await import('../../client/call.js');
      let h: HealthSnapshot;
      try {
        h = (await callGateway({ method: 'health', url: o.url, token: o.token, password: o.password, timeoutMs: Number(o.timeout ?? 10_000) })) as HealthSnapshot;
      } catch (err) {
        if (err instanceof GatewayUnreachableError) throw new CliError('gateway not reachable', { fix: 'openclaw gateway start  (or openclaw gateway status to see why it is down)' });
        throw err;
      }
      if (o.json) printRawJson(h); // the gateway's snapshot as is: its `ok` is health, its `version` the gateway's
      else {
        const style = styleFor();
        println(`${style.heading('Gateway:')} ${h.ok ? style.ok('healthy') : style.error('unhealthy')} (version ${h.version}, up ${Math.round(h.uptimeMs / 1000)}s, ${h.connections.authenticated} client(s))`);
        for (const a of h.channelAccounts ?? []) println(`- ${a.channel} ${a.accountId}: ${a.healthState}${a.lastError ? ` (${a.lastError})` : ''}`);
        if (!h.ok) println('Run: openclaw channels status --probe');
      }
      if (!h.ok) process.exitCode = ExitCodes.FAILURE;
    });
}
