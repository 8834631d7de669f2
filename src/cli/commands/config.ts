// `openclaw config get|set|unset|validate|patch|apply|reset|file|schema`: thin wrappers over
// src/config/edit.ts. Edits go through the locked, validating, backing-up ConfigStore; a running
// gateway notices the file change and reloads by itself.
import fs from 'node:fs';
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { eprintln, printJson, printRawJson, println } from '../output.js';
import type { EditResult } from '../../config/edit.js';

const EPILOG = `
Paths use dots and [index]: gateway.auth.token, models.providers.local.models[0].compat.
Values are JSON5 (30, true, '["127.0.0.1"]', {a:1}); anything else is taken as a string.
The config file is $OPENCLAW_CONFIG_PATH, else $OPENCLAW_STATE_DIR/openclaw.json, else ~/.openclaw/openclaw.json.`;

export function register(program: Command): void {
  const config = program
    .command('config')
    .description('Read, edit and validate openclaw.json (validated, backed up, written atomically).')
    .addHelpText('after', EPILOG);

  config
    .command('get [path]')
    .description('Print a config value (secrets are redacted unless --show-secrets).')
    .option('--json', 'print the value as JSON')
    .option('--show-secrets', 'print tokens, passwords and API keys in clear')
    .option('--source', 'also say where the value comes from (config file, env, default)')
    .action(async (path: string | undefined, opts: { json?: boolean; showSecrets?: boolean; source?: boolean }) => {
      const [{ readEditableConfig, DEPRECATED_GET_HINTS }, { getPath }, { redactConfig, REDACTED }, { effectiveValue, describeSource }] = await Promise.all([
        import('../../config/edit.js'),
        import('../../config/path-ops.js'),
        import('../../config/redact.js'),
        import('../../config/effective.js'),
      ]);
      const configPath = await currentConfigPath();
      const { value: whole } = run(() => readEditableConfig(configPath));
      const shown = opts.showSecrets ? whole : redactConfig(whole);
      const at = path === undefined ? { found: true, value: shown } : run(() => getPath(shown, path));
      const effective = path === undefined ? undefined : effectiveValue(path, whole, process.env);
      // The file is not the whole story for keys env or defaults can set: say which value the gateway uses.
      if (effective && (!at.found || effective.source === 'env')) {
        const secret = /token|password/i.test(path ?? '');
        const value = secret && !opts.showSecrets ? REDACTED : effective.value;
        const from = describeSource(effective);
        if (opts.json) (opts.source ? printJson({ value, source: effective.source, ...(effective.source === 'env' ? { env: effective.envVar } : {}) }) : printRawJson(value));
        else {
          println(typeof value === 'string' ? value : JSON.stringify(value));
          eprintln(at.found ? `note: ${path} in ${configPath} is overridden by ${from}` : `note: ${path} is not in ${configPath}; this is the effective value (from ${from})`);
        }
        return;
      }
      if (opts.source && at.found && path !== undefined) {
        if (opts.json) printJson({ value: at.value, source: 'config' });
        else {
          println(typeof at.value === 'string' ? at.value : JSON.stringify(at.value, null, 2));
          eprintln(`note: from ${configPath}`);
        }
        return;
      }
      if (!at.found) {
        notFound(path ?? '', opts.json);
        const hint = DEPRECATED_GET_HINTS[path ?? ''];
        if (hint && !opts.json) eprintln(`hint: ${hint}`);
        return;
      }
      if (opts.json) printRawJson(at.value);
      else println(typeof at.value === 'string' ? at.value : JSON.stringify(at.value, null, 2));
    });

  config
    .command('set <path> [value]')
    .description('Set a value (JSON5, else a plain string), validate the result and write it with a backup.')
    .option('--from <key>', 'copy the real value of another key (secrets included, never printed) instead of giving one')
    .option('--strict-json', 'the value must be strict JSON (no raw-string fallback)')
    .option('--dry-run', 'validate and show the change without writing')
    .option('--force', 'write even if the clobber guard or the auth check (a running gateway would lock every client out) objects')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Examples:
  openclaw config set gateway.mode local
  openclaw config set gateway.auth.token "tok"
  openclaw config set gateway.trustedProxies '["127.0.0.1"]'
  openclaw config set gateway.websocket.keepAlive 30
  openclaw config set gateway.remote.token --from gateway.auth.token`)
    .action(async (path: string, value: string | undefined, opts: { strictJson?: boolean; dryRun?: boolean; force?: boolean; json?: boolean; from?: string }) => {
      if ((value === undefined) === (opts.from === undefined)) {
        throw new CliError(value === undefined ? `config set ${path} needs a value, or --from <key> to copy one.` : 'give either a value or --from <key>, not both.', { exitCode: ExitCodes.USAGE, fix: `openclaw config set ${path} <value>  (or: openclaw config set ${path} --from <key>)` });
      }
      const { setConfigValue, copyConfigValue, ConfigPathNotFoundError } = await import('../../config/edit.js');
      const configPath = await currentConfigPath();
      if (opts.from !== undefined) {
        try {
          const live = await withGatewayState(opts);
          return printEdit(run(() => copyConfigValue(configPath, path, opts.from!, live)), opts.json);
        } catch (err) {
          if (err instanceof ConfigPathNotFoundError) return notFound(opts.from, opts.json);
          throw err;
        }
      }
      const live = await withGatewayState(opts);
      printEdit(run(() => setConfigValue(configPath, path, value!, live)), opts.json);
    });

  config
    .command('unset <path>')
    .description('Remove a key (or an array element) and write the result with a backup.')
    .option('--dry-run', 'validate and show the change without writing')
    .option('--force', 'write even if the clobber guard or the auth check (a running gateway would lock every client out) objects')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, opts: { dryRun?: boolean; force?: boolean; json?: boolean }) => {
      const { unsetConfigValue, ConfigPathNotFoundError } = await import('../../config/edit.js');
      const configPath = await currentConfigPath();
      const live = await withGatewayState(opts);
      try {
        printEdit(run(() => unsetConfigValue(configPath, path, live)), opts.json);
      } catch (err) {
        if (err instanceof ConfigPathNotFoundError) return notFound(path, opts.json);
        throw err;
      }
    });

  config
    .command('validate')
    .description('Check the config file against the schema; lists every problem (exit 0 valid, 1 invalid).')
    .option('--json', 'print {valid, configPath, exists, issues[], warnings[]}')
    .action(async (opts: { json?: boolean }) => {
      const { validateConfigFile } = await import('../../config/edit.js');
      const report = validateConfigFile(await currentConfigPath());
      if (opts.json) printJson({ ok: report.valid, ...report });
      else if (report.valid) {
        println(`Config valid: ${report.configPath}`);
        for (const w of report.warnings) eprintln(`warning: ${w}`);
      } else {
        eprintln(`Config invalid: ${report.configPath}`);
        for (const issue of report.issues) eprintln(`  - ${issue.text}\n    fix: ${issue.fix}`);
      }
      if (!report.valid) process.exitCode = ExitCodes.FAILURE;
    });

  config
    .command('patch')
    .description('Apply an RFC 7386 merge patch (null deletes a key) from --file or --merge.')
    .option('--file <file>', 'JSON5 file holding the patch ("-" reads stdin)')
    .option('--merge <json5>', 'the patch inline, e.g. \'{gateway:{port:18790}}\'')
    .option('--dry-run', 'validate and show the change without writing')
    .option('--force', 'write even if the clobber guard or the auth check (a running gateway would lock every client out) objects')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { file?: string; merge?: string; dryRun?: boolean; force?: boolean; json?: boolean }) => {
      if ((opts.file === undefined) === (opts.merge === undefined)) {
        throw new CliError('config patch needs exactly one of --file <file> or --merge <json5>.', { exitCode: ExitCodes.USAGE, fix: `openclaw config patch --merge '{gateway:{mode:"local"}}'` });
      }
      const [{ patchConfig }, JSON5] = await Promise.all([import('../../config/edit.js'), import('json5')]);
      const text = opts.merge ?? readInput(opts.file!);
      let patch: unknown;
      try {
        patch = JSON5.default.parse(text);
      } catch (err) {
        throw new CliError(`The patch is not valid JSON5: ${(err as Error).message.replace(/^JSON5: /, '')}.`, { exitCode: ExitCodes.USAGE, fix: `openclaw config patch --merge '{gateway:{mode:"local"}}'` });
      }
      const configPath = await currentConfigPath();
      const live = await withGatewayState(opts);
      printEdit(run(() => patchConfig(configPath, patch, live)), opts.json);
    });

  config
    .command('apply')
    .description('Replace the whole config with a JSON5 file (validated first; the old file is backed up).')
    .requiredOption('--file <file>', 'the new config ("-" reads stdin)')
    .option('--dry-run', 'validate without writing')
    .option('--force', 'write even if the clobber guard or the auth check (a running gateway would lock every client out) objects')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { file: string; dryRun?: boolean; force?: boolean; json?: boolean }) => {
      const { applyConfigText } = await import('../../config/edit.js');
      const text = readInput(opts.file);
      const configPath = await currentConfigPath();
      const live = await withGatewayState(opts);
      printEdit(run(() => applyConfigText(configPath, text, opts.file === '-' ? '<stdin>' : opts.file, live)), opts.json);
    });

  config
    .command('reset')
    .description('Back up the config, then write the first-run config, keeping the pinned gateway token (from the file, or its last-good copy or a backup when the file is unreadable; --new-token to replace it).')
    .option('--yes', 'do not ask for confirmation')
    .option('--dry-run', 'show what the reset would do without writing anything')
    .option('--new-token', 'generate a new gateway token instead of keeping the pinned one (every client then needs it)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { yes?: boolean; dryRun?: boolean; newToken?: boolean; json?: boolean }) => {
      const { resetConfig } = await import('../../config/edit.js');
      const configPath = await currentConfigPath();
      if (!opts.yes && !opts.dryRun && process.stdin.isTTY && !(await confirm(`Reset ${configPath} to the first-run config (a backup is kept)? [y/N] `))) {
        throw new CliError('Reset cancelled; nothing changed.', { fix: 'openclaw config reset --yes' });
      }
      const result = run(() => resetConfig(configPath, { dryRun: opts.dryRun, newToken: opts.newToken }));
      const kept = { config: 'Kept the existing gateway token.', 'last-good': `Kept the gateway token pinned in ${configPath}.last-good (the file itself was unreadable), so clients keep working.`, backup: 'Kept the gateway token from the newest backup that has one (the file itself was unreadable), so clients keep working.' } as const;
      if (opts.json) return printJson(result);
      if (opts.dryRun) {
        println(`Dry run (nothing written): ${configPath} would be reset to the first-run config; ${result.tokenKept ? 'the existing gateway token would be kept' : 'a new gateway token would be generated'}.`);
        return;
      }
      println(`Reset ${configPath} to the first-run config (mode local, bind loopback, port 18789).`);
      println(result.tokenSource === 'new' ? 'Generated a new gateway token (clients need it): openclaw config get gateway.auth.token --show-secrets' : kept[result.tokenSource]);
      if (result.backupPath) println(`Backup: ${result.backupPath}`);
    });

  config
    .command('file')
    .description('Print the path of the config file in use.')
    .option('--json', 'print {configPath, exists, stateDir}')
    .action(async (opts: { json?: boolean }) => {
      const { statePaths } = await import('../../config/paths.js');
      const { configPath, stateDir } = statePaths(process.env);
      if (opts.json) printJson({ configPath, exists: fs.existsSync(configPath), stateDir });
      else println(configPath);
    });

  config
    .command('schema')
    .description('Print the JSON Schema of openclaw.json (for editors: set "$schema" to a saved copy).')
    .option('--json', 'same output (the schema is always JSON)')
    .action(async () => {
      const { configJsonSchema } = await import('../../config/schema.js');
      printRawJson(configJsonSchema());
    });
}

/** The edit options plus whether a gateway runs on this state dir (its pid file names a live process): edits must then keep its auth usable. */
async function withGatewayState<T extends object>(opts: T): Promise<T & { gatewayRunning: boolean }> {
  const [{ statePaths }, { inspectPidFile }] = await Promise.all([import('../../config/paths.js'), import('../../gateway/pidfile.js')]);
  return { ...opts, gatewayRunning: inspectPidFile(statePaths(process.env).pidFile).state === 'running' };
}

async function currentConfigPath(): Promise<string> {
  const { resolveConfigPath } = await import('../../config/paths.js');
  return resolveConfigPath(process.env);
}

function printEdit(result: EditResult, json: boolean | undefined): void {
  if (json) return printJson(result);
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  const what = result.path === '' ? result.configPath : result.path;
  if (!result.changed) println(`No change: ${what} already has that value.`);
  else if (result.dryRun) println(`Dry run (nothing written): ${result.path ? `${result.path}: ${show(result.before)} → ${show(result.after)}` : `${what} would be replaced`}; the result is valid.`);
  else {
    println(result.path ? `Updated ${result.path}: ${show(result.before)} → ${show(result.after)}` : `Updated ${what}`);
    if (result.backupPath) println(`Backup: ${result.backupPath}`);
  }
  for (const w of result.warnings) eprintln(`warning: ${w}`);
}

function notFound(path: string, json: boolean | undefined): void {
  const error = `Config path not found: ${path}`;
  if (json) printJson({ ok: false, error });
  else eprintln(error);
  process.exitCode = ExitCodes.FAILURE;
}

function readInput(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, { exitCode: ExitCodes.USAGE, fix: `ls -l ${file}` });
  }
}

async function confirm(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Runs a config library call, turning its typed errors into CLI errors (config errors exit 78). */
export function run<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asCliError(err);
  }
}

export function asCliError(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof CliError) return err;
  const fix = (err as { fix?: unknown }).fix;
  switch (err.name) {
    case 'ConfigError':
      return new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: String(fix) });
    case 'ConfigClobberError':
    case 'ConfigAuthUnusableError':
    case 'ConfigLockError':
    case 'ConfigConflictError':
      return new CliError(err.message, { exitCode: ExitCodes.FAILURE, fix: String(fix) });
    case 'PathSyntaxError':
      return new CliError(err.message, { exitCode: ExitCodes.USAGE, fix: 'openclaw config get gateway.auth.mode  (paths look like a.b[0].c)' });
    case 'SyntaxError':
      return new CliError(err.message, { exitCode: ExitCodes.USAGE, fix: `openclaw config set gateway.trustedProxies '["127.0.0.1"]' --strict-json` });
    default:
      return err;
  }
}
