// `openclaw gateway install|uninstall`: the systemd user unit (src/service/systemd.ts).
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { printJson, println } from '../output.js';

async function report(result: import('../../service/systemd.js').ServiceResult, json: boolean): Promise<void> {
  if (json) return printJson({ ok: result.ran.every((r) => r.ok), ...result });
  println(`${result.action} ${result.unitPath}${result.backupPath ? ` (previous unit kept at ${result.backupPath})` : ''}`);
  for (const r of result.ran) println(`${r.ok ? 'ran' : 'FAILED'}: ${r.command}${r.ok || !r.output ? '' : ` (${r.output})`}`);
  if (result.todo.length) println(`systemd --user is not reachable from here; run:\n${result.todo.map((c) => `  ${c}`).join('\n')}`);
  if (result.linger?.fix) println(`Lingering is off for ${result.linger.user}, so the gateway stops at logout and does not start at boot; run:\n  ${result.linger.fix}`);
  if (result.ran.some((r) => !r.ok)) process.exitCode = 1;
}

export function register(program: Command): void {
  let gateway = program.commands.find((c) => c.name() === 'gateway');
  if (!gateway) gateway = program.command('gateway').description('Run and manage the gateway process.');
  gateway
    .command('install')
    .description('Install a systemd user unit (~/.config/systemd/user/openclaw-gateway.service) that keeps the gateway running; no secrets go into the unit.')
    .option('--json', 'machine-readable result')
    .option('--force', 'replace an existing unit with different contents (the old one is kept as .bak)')
    .action(async (opts: { json?: boolean; force?: boolean }) => {
      const { installService, UnitConflictError, TransientInstallError } = await import('../../service/systemd.js');
      try {
        await report(installService(process.env, { force: opts.force }), Boolean(opts.json));
      } catch (err) {
        if (err instanceof UnitConflictError) throw new CliError(err.message, { fix: 'openclaw gateway install --force' });
        if (err instanceof TransientInstallError) throw new CliError(err.message, { fix: err.fix, data: { path: err.file, location: err.location } });
        throw err;
      }
    });
  gateway
    .command('uninstall')
    .description('Stop, disable and remove the systemd user unit.')
    .option('--json', 'machine-readable result')
    .action(async (opts: { json?: boolean }) => {
      const { uninstallService } = await import('../../service/systemd.js');
      await report(uninstallService(process.env), Boolean(opts.json));
    });
}
