// The openclaw CLI: parse, dispatch to one command module, print. Only the invoked command group's
// module is initialised (each pulls in its own libraries), so `openclaw gateway run` does not
// evaluate the doctor, config editor or TUI; `--help` and unknown commands load every group.
import { Command, CommanderError } from 'commander';
import { endQuietlyOnClosedStdout, printJsonError, reportError } from './output.js';
import { isGatewayCmdline } from '../infra/proc.js';
import { readPackageVersion } from './version.js';
import { startupMark } from '../logging/startup-trace.js';
import { closest } from '../config/closest.js';

startupMark('cli program evaluated');

interface CommandModule {
  register(program: Command): void;
}
type Loader = () => Promise<CommandModule>;

const gateway: Loader = () => import('./commands/gateway.js');
const service: Loader = () => import('./commands/service.js');
const status: Loader = () => import('./commands/status.js');
const logs: Loader = () => import('./commands/logs.js');
const config: Loader = () => import('./commands/config.js');
const setup: Loader = () => import('./commands/setup.js');
const devices: Loader = () => import('./commands/devices.js');
const models: Loader = () => import('./commands/models.js');
const doctor: Loader = () => import('./commands/doctor.js');
const dashboard: Loader = () => import('./commands/dashboard.js');
const pairing: Loader = () => import('./commands/pairing.js');
const system: Loader = () => import('./commands/system.js');
const health: Loader = () => import('./commands/health.js');
const channels: Loader = () => import('./commands/channels.js');
const message: Loader = () => import('./commands/message.js');
const onboard: Loader = () => import('./commands/onboard.js');
const update: Loader = () => import('./commands/update.js');
const completion: Loader = () => import('./commands/completion.js');

/** Registration order = order in `openclaw --help`. */
const ALL_GROUPS: Loader[] = [gateway, status, health, logs, config, setup, onboard, devices, channels, pairing, message, system, models, doctor, dashboard, service, update, completion];

/** Top-level command name → the modules that register it (`gateway install` lives in service.ts). */
const GROUPS_BY_COMMAND: Record<string, Loader[]> = {
  gateway: [gateway, service],
  restart: [gateway],
  status: [status],
  logs: [logs],
  config: [config],
  setup: [setup],
  onboard: [onboard],
  update: [update],
  completion: [completion],
  devices: [devices],
  models: [models],
  infer: [models],
  agent: [models],
  tui: [models],
  doctor: [doctor],
  dashboard: [dashboard],
  pairing: [pairing],
  system: [system],
  health: [health],
  channels: [channels],
  message: [message],
};

/** The command groups `argv` needs: its command's, none for a bare --version, all otherwise. */
function groupsFor(args: string[]): Loader[] {
  const command = args.find((a) => !a.startsWith('-'));
  if (command === undefined) return args.some((a) => a === '-V' || a === '--version') ? [] : ALL_GROUPS;
  return GROUPS_BY_COMMAND[command] ?? ALL_GROUPS;
}

export async function buildProgram(groups: Loader[] = ALL_GROUPS): Promise<Command> {
  const program = new Command();
  program
    .name('openclaw')
    .description('Run, inspect, configure and repair the OpenClaw gateway.')
    .version(readPackageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride();
  const mods = await Promise.all(groups.map((load) => load()));
  for (const mod of mods) mod.register(program);
  suggestSubcommands(program);
  return program;
}

/** 'openclaw gateway' for the gateway command: the words a user types to reach `cmd`. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Every group answers a mistyped subcommand with its path and the nearest name:
 * `unknown command 'strat' for 'openclaw gateway'. Did you mean 'start'?` (exit 2). A group with a
 * default subcommand (`gateway` → `run`) would otherwise hand the typo to `run` as an argument.
 */
export function suggestSubcommands(cmd: Command): void {
  if (cmd.commands.length > 0) {
    const unknown = (name: string): never => {
      const names = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).flatMap((c) => [c.name(), ...c.aliases()]);
      const near = closest(name, names) ?? names.find((n) => n.startsWith(name));
      const hint = near ? ` Did you mean '${near}'?` : ` Run: ${commandPath(cmd)} --help`;
      cmd.error(`error: unknown command '${name}' for '${commandPath(cmd)}'.${hint}`, { exitCode: 2, code: 'commander.unknownCommand' });
    };
    (cmd as unknown as { unknownCommand: () => void }).unknownCommand = () => unknown(String(cmd.args[0]));
    const defaultName = (cmd as unknown as { _defaultCommandName?: string | null })._defaultCommandName;
    if (defaultName) {
      cmd.hook('preSubcommand', (self, sub) => {
        const first = self.args[0];
        if (sub.name() === defaultName && first !== undefined && !first.startsWith('-') && first !== defaultName) unknown(first);
      });
    }
  }
  for (const sub of cmd.commands) suggestSubcommands(sub);
}

/** Runs the CLI on `argv` (process.argv shape); the outcome goes to stdout/stderr and process.exitCode. */
export async function runCli(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  endQuietlyOnClosedStdout(isGatewayCmdline(argv));
  try {
    const program = await buildProgram(groupsFor(argv.slice(2)));
    startupMark('cli command loaded');
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help/version exit 0; usage errors already printed by commander (stderr), and with --json
      // also as the failure envelope on stdout, so a script always gets its one JSON document.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      if (json && err.exitCode !== 0) printJsonError(err.code === 'commander.help' ? 'A subcommand is missing (the list is on stderr).' : err.message.replace(/^error: /, ''), { data: { code: err.code } });
      return;
    }
    process.exitCode = reportError(err, json);
  }
}
