// `openclaw status`: one screen about the local gateway, its config and state.
import type { Command } from 'commander';
import { ExitCodes } from '../errors.js';
import { printJson, println } from '../output.js';
import { styleFor } from '../style.js';
import { parsePositive } from '../parse.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('Summarize the gateway (running or not), its URL, mode, auth, config, state dir and log. Exits 1 unless the gateway runs and /ready answers (usable as a container HEALTHCHECK).')
    .option('--json', 'machine-readable summary')
    .option('--timeout <ms>', 'how long to wait for the gateway to answer', parsePositive, 5000)
    .action(async (opts: { json?: boolean; timeout: number }) => {
      const { overallStatus } = await import('../../gateway/status.js');
      const s = await overallStatus({ env: process.env, timeoutMs: opts.timeout });
      if (!s.ready) process.exitCode = ExitCodes.FAILURE;
      if (opts.json) return printJson({ ok: s.ready, ...s });
      const style = styleFor();
      println(`${style.heading('gateway:')} ${s.gateway === 'running' && s.ready ? style.ok(s.gateway) : s.gateway === 'running' ? style.warn(s.gateway) : style.error(s.gateway)}${s.pid ? ` (pid ${s.pid})` : ''}${s.gateway === 'running' && !s.ready ? ' (not ready: /ready does not answer 200)' : ''}`);
      if (s.foundByPort) println('pid file: missing (found the gateway by its port)');
      println(`url: ${s.url}`);
      println(`mode: ${s.mode}`);
      println(`auth mode: ${s.authMode}`);
      const validity = !s.config.exists ? 'missing (run openclaw setup)' : s.config.valid ? 'valid' : `invalid: ${s.config.problem} (fix: ${s.config.fix})`;
      println(`config: ${s.config.path} (${validity})`);
      println(`state dir: ${s.stateDir}`);
      println(`log: ${s.logFile}`);
      if (s.pendingPairings !== undefined) println(`pending pairings: ${s.pendingPairings}${s.pendingPairings ? ' (openclaw devices list)' : ''}`);
      if (s.gateway === 'stopped') println('start it: openclaw gateway start');
      else if (s.error) println(`gateway answered with an error: ${s.error}`);
    });
}
