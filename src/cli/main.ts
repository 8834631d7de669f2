// The openclaw CLI: parse, dispatch to one command module, print. Commands stay thin and import
// heavy modules lazily inside their actions so `openclaw --help` and `status` start fast.
import { Command, CommanderError } from 'commander';
import { reportError } from './output.js';
import { readPackageVersion } from './version.js';
import * as gateway from './commands/gateway.js';
import * as status from './commands/status.js';
import * as logs from './commands/logs.js';
import * as config from './commands/config.js';
import * as setup from './commands/setup.js';
import * as devices from './commands/devices.js';
import * as models from './commands/models.js';
import * as doctor from './commands/doctor.js';
import * as dashboard from './commands/dashboard.js';
import * as service from './commands/service.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('openclaw')
    .description('Run, inspect, configure and repair the OpenClaw gateway.')
    .version(readPackageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const mod of [gateway, status, logs, config, setup, devices, models, doctor, dashboard, service]) mod.register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help/version exit 0; usage errors already printed by commander.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.exitCode = reportError(err, json);
  }
}

await main(process.argv);
