// `openclaw setup`: first-run setup. Creates the state dir and a local, loopback, token-auth config
// with a generated token; an existing config only gets what it lacks to start (gateway.mode local
// when unset, a token when token auth has none), nothing else changes.
import type { Command } from 'commander';
import { printJson, println } from '../output.js';
import { parsePositive } from '../parse.js';
import { asCliError, run } from './config.js';
import { describeChanges } from './onboard.js';

export function register(program: Command): void {
  program
    .command('setup')
    .description('Create ~/.openclaw/openclaw.json (local mode, loopback, generated token) if it does not exist, with the model backends found (Ollama, LM Studio, OPENAI_API_KEY / ANTHROPIC_API_KEY).')
    .option('--non-interactive', 'never prompt (setup asks nothing today; accepted for scripts)')
    .option('--no-scan', 'do not look for model backends')
    .option('--ollama-url <url>', 'where Ollama listens (default: OLLAMA_HOST, else http://127.0.0.1:11434)')
    .option('--lmstudio-url <url>', 'where LM Studio listens', 'http://127.0.0.1:1234')
    .option('--timeout <ms>', 'probe timeout per backend', parsePositive, 800)
    .option('--json', 'print {created, configPath, tokenGenerated, models?}')
    .action(async (opts: SetupOptions) => {
      const { describeFirstRunModels, runFirstRunWithModels } = await import('../../models/first-run.js');
      const targets = { ollamaUrl: opts.ollamaUrl, lmStudioUrl: opts.lmstudioUrl };
      const { onboardConfig } = await import('../../config/onboard.js');
      const result = await runFirstRunWithModels(process.env, { scan: opts.scan, targets, timeoutMs: opts.timeout }).catch((err: unknown) => {
        throw asCliError(err);
      });
      const repaired = result.created ? undefined : run(() => onboardConfig(result.configPath, { mode: 'local', onlyIfUnset: true }));
      const changes = repaired?.changes.length ? { changes: repaired.changes } : {};
      if (opts.json) {
        const models = result.scan && { found: result.scan.found.map((f) => ({ id: f.id, source: f.source, models: f.models })), missing: result.scan.missing, primary: result.primary ?? null };
        return printJson({ created: result.created, configPath: result.configPath, tokenGenerated: result.token !== undefined || repaired?.tokenGenerated === true, ...changes, ...(models ? { models } : {}) });
      }
      if (repaired?.changes.length) {
        println(`Config already exists: ${result.configPath}; set what it lacked to start: ${describeChanges(repaired.changes)}.`);
        if (repaired.backupPath) println(`Backup of the previous file: ${repaired.backupPath}`);
        println('Next: openclaw gateway start  (or, if it runs: openclaw gateway restart)');
        return;
      }
      if (!result.created) {
        println(`Config already exists: ${result.configPath} (nothing changed: it has gateway.mode and auth; see it with: openclaw config get gateway)`);
        return;
      }
      println(`Created ${result.configPath} (gateway.mode local, bind loopback, port 18789, token auth).`);
      println(result.token !== undefined
        ? 'Generated a gateway token and pinned it in the config; show it with: openclaw config get gateway.auth.token --show-secrets'
        : 'The gateway token comes from OPENCLAW_GATEWAY_TOKEN in the environment; none was written to the file.');
      const models = describeFirstRunModels(result);
      if (models) println(models);
      println('Next: openclaw gateway run');
    });
}

interface SetupOptions {
  json?: boolean;
  /** false with --no-scan. */
  scan: boolean;
  ollamaUrl?: string;
  lmstudioUrl: string;
  timeout: number;
}
