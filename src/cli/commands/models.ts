// `openclaw models list|status|scan`, `openclaw infer model run`, `openclaw agent`: thin wrappers
// over src/models (provider layer, no gateway needed) and the gateway client (agent turns).
import type { Command } from 'commander';
import { CliError, ExitCodes } from '../errors.js';
import { JSON_VERSION, printJson, println } from '../output.js';


export function register(program: Command): void {
  const models = program
    .command('models')
    .description('List, probe and discover model providers (models.providers in openclaw.json).')
    .addHelpText('after', `
Model refs are <provider>/<model>, e.g. ollama/llama3.1:8b. The agent's primary and fallbacks are
agents.defaults.model.primary and agents.defaults.model.fallbacks.
`);

  models
    .command('list')
    .description('Show the configured models, their compat flags and which one is the default.')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const [{ listAgents, listConfiguredModels }, cfg] = await Promise.all([import('../../models/router.js'), loadModelsConfig()]);
      const primary = listAgents(cfg).find((a) => a.default)?.model;
      const rows = listConfiguredModels(cfg).map((m) => ({ id: m.id, api: m.api, contextWindow: m.contextWindow ?? null, compat: m.compat ?? {}, params: m.params ?? {}, default: m.id === primary }));
      if (opts.json) return printJson({ version: JSON_VERSION, models: rows });
      if (rows.length === 0) {
        println('No models configured.');
        println('fix: openclaw models scan --apply  (finds Ollama, LM Studio and API keys in the env)');
        return;
      }
      for (const r of rows) {
        const flags = Object.entries(r.compat).map(([k, v]) => `${k}=${String(v)}`).join(' ');
        println(`${r.default ? '*' : ' '} ${r.id}  (${r.api}${r.contextWindow ? `, ${r.contextWindow} ctx` : ''})${flags ? `  compat: ${flags}` : ''}`);
      }
    });

  models
    .command('status')
    .description('Probe every provider: reachable, API key accepted, models served, latency, and the fix when not.')
    .option('--json', 'machine-readable output')
    .option('--timeout <ms>', 'per-provider probe timeout', '5000')
    .action(async (opts: { json?: boolean; timeout: string }) => {
      const [{ probeProviders }, cfg] = await Promise.all([import('../../models/status.js'), loadModelsConfig()]);
      const providers = await probeProviders(cfg, { env: process.env, timeoutMs: positive(opts.timeout, '--timeout') });
      const ok = providers.every((p) => p.reachable && p.authOk);
      if (opts.json) printJson({ version: JSON_VERSION, ok, providers });
      else if (providers.length === 0) {
        println('No providers configured.');
        println('fix: openclaw models scan --apply');
      } else {
        for (const p of providers) {
          const state = p.reachable && p.authOk ? 'ok' : !p.reachable ? 'unreachable' : 'auth failed';
          println(`${p.provider}  ${state}  ${p.baseUrl}  ${p.latencyMs}ms  models: ${p.models.join(', ') || '-'}`);
          if (p.missingModels.length && p.reachable && p.authOk) println(`  configured but not served: ${p.missingModels.join(', ')}`);
          if (p.error) println(`  error: ${p.error}`);
          if (p.fix) println(`  fix: ${p.fix}`);
        }
      }
      if (!ok) process.exitCode = ExitCodes.FAILURE;
    });

  models
    .command('scan')
    .description('Detect Ollama (127.0.0.1:11434), LM Studio (127.0.0.1:1234) and OPENAI_API_KEY / ANTHROPIC_API_KEY.')
    .option('--json', 'machine-readable output')
    .option('--apply', 'add what was found to models.providers (and set a primary model if none is set)')
    .option('--ollama-url <url>', 'where Ollama listens (default: OLLAMA_HOST, else http://127.0.0.1:11434)')
    .option('--lmstudio-url <url>', 'where LM Studio listens', 'http://127.0.0.1:1234')
    .option('--timeout <ms>', 'probe timeout per backend', '800')
    .action(async (opts: { json?: boolean; apply?: boolean; ollamaUrl?: string; lmstudioUrl: string; timeout: string }) => {
      const { scanProviders, scanPatch } = await import('../../models/scan.js');
      const scan = await scanProviders({ env: process.env, targets: { ollamaUrl: opts.ollamaUrl, lmStudioUrl: opts.lmstudioUrl }, timeoutMs: positive(opts.timeout, '--timeout') });
      let applied: { configPath: string; written: boolean } | undefined;
      if (opts.apply) {
        const cfg = await loadModelsConfig();
        const { listAgents } = await import('../../models/router.js');
        const patch = scanPatch(scan, Boolean(listAgents(cfg).find((a) => a.default)?.model));
        if (patch) {
          const [{ patchConfig }, configPath] = await Promise.all([import('../../config/edit.js'), currentConfigPath()]);
          const r = await configErrors(() => patchConfig(configPath, patch));
          applied = { configPath: r.configPath, written: r.written };
        }
      }
      if (opts.json) return printJson({ version: JSON_VERSION, found: scan.found, missing: scan.missing, ...(opts.apply ? { applied: applied ?? null } : {}) });
      for (const f of scan.found) println(`found ${f.id} (${f.source})  models: ${f.models.join(', ') || '-'}`);
      for (const m of scan.missing) println(`no ${m.id} at ${m.url} (${m.reason})`);
      if (scan.found.length === 0) println('Nothing found. Start Ollama or LM Studio, or export OPENAI_API_KEY / ANTHROPIC_API_KEY, then run this again.');
      else if (applied) println(`added to ${applied.configPath}; check with: openclaw models status`);
      else if (!opts.apply) println('add them with: openclaw models scan --apply');
    });

  const infer = program.command('infer').description('Run models directly through the provider layer (no gateway).');
  infer
    .command('model')
    .description('Direct model calls.')
    .command('run')
    .description('Send one prompt to <provider>/<model> with the model\'s compat flags applied; no fallbacks.')
    .requiredOption('--model <ref>', 'model ref, <provider>/<model>')
    .requiredOption('--prompt <text>', 'the user message')
    .option('--system <text>', 'a system prompt')
    .option('--max-tokens <n>', 'cap the answer length')
    .option('--json', 'machine-readable output')
    .addHelpText('after', `
Example:
  openclaw infer model run --model ollama/llama3.1:8b --prompt "hi" --json`)
    .action(async (opts: { model: string; prompt: string; system?: string; maxTokens?: string; json?: boolean }) => {
      const [{ inferOnce }, configPath] = await Promise.all([import('../../models/infer.js'), currentConfigPath()]);
      const result = await modelErrors(() => inferOnce({ configPath, env: process.env, model: opts.model, prompt: opts.prompt, system: opts.system, maxTokens: opts.maxTokens ? positive(opts.maxTokens, '--max-tokens') : undefined }));
      if (opts.json) printJson({ version: JSON_VERSION, ...result });
      else println(result.text);
    });

  program
    .command('agent')
    .description('Run one agent turn through the running gateway and print the answer as it streams.')
    .requiredOption('--message <text>', 'what to say')
    .option('--agent <id>', 'agent id (default: the default agent)')
    .option('--session <key>', 'session key (the transcript to continue)', 'main')
    .option('--model <ref>', 'use <provider>/<model> for this turn')
    .option('--timeout <ms>', 'give up after this long', '600000')
    .option('--url <url>', 'gateway WebSocket URL')
    .option('--token <token>', 'gateway token')
    .option('--json', 'print one JSON object when the turn ends')
    .action(async (opts: { message: string; agent?: string; session: string; model?: string; timeout: string; url?: string; token?: string; json?: boolean }) => {
      const { runAgentViaGateway } = await import('../../models/agent-cli.js');
      const result = await gatewayErrors(() => runAgentViaGateway({
        url: opts.url, token: opts.token, timeoutMs: positive(opts.timeout, '--timeout'),
        sessionKey: opts.session, message: opts.message, agentId: opts.agent, model: opts.model,
        onDelta: opts.json ? undefined : (t) => process.stdout.write(t),
      }));
      if (opts.json) printJson({ version: JSON_VERSION, ...result });
      else process.stdout.write('\n');
    });

  program
    .command('tui')
    .description('Terminal chat with an agent through the gateway; reconnects and resumes by itself.')
    .option('--session <key>', 'session key', 'main')
    .option('--agent <id>', 'agent id (default: the default agent)')
    .option('--url <url>', 'gateway WebSocket URL')
    .option('--token <token>', 'gateway token')
    .addHelpText('after', `
Lines you type are sent as messages. /sessions lists the sessions, newest first and numbered;
/session <number or key> switches to one (and shows its last turns); /new [key] starts one.
/abort stops the running answer, /history shows the last turns, /quit leaves. A
"-- disconnected (4008 closed idle); reconnecting" line means the connection dropped; the answer
continues where it left off once it is back.
`)
    .action(async (opts: { session: string; agent?: string; url?: string; token?: string }) => {
      const { runTui } = await import('../../models/tui.js');
      await gatewayErrors(() => runTui({ sessionKey: opts.session, agentId: opts.agent, url: opts.url, token: opts.token, env: process.env, input: process.stdin, output: process.stdout }));
    });
}

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a positive number (got ${text})`, { exitCode: ExitCodes.USAGE });
  return n;
}

async function currentConfigPath(): Promise<string> {
  const { resolveConfigPath } = await import('../../config/paths.js');
  return resolveConfigPath(process.env);
}

async function loadModelsConfig() {
  const [{ loadConfig }, { parseModelsConfig }, configPath] = await Promise.all([import('../../config/load.js'), import('../../models/config.js'), currentConfigPath()]);
  return configErrors(() => parseModelsConfig(loadConfig(configPath).config, configPath));
}

/** Config problems exit 78 with the fix. */
async function configErrors<T>(fn: () => T | Promise<T>): Promise<T> {
  const [{ ConfigError }, { ModelsConfigError }] = await Promise.all([import('../../config/load.js'), import('../../models/config.js')]);
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: err.fix });
    if (err instanceof ModelsConfigError) throw new CliError(err.message, { exitCode: ExitCodes.CONFIG, fix: `openclaw config get models  (then fix the key named above with openclaw config set)` });
    throw err;
  }
}

/** Provider failures print the provider's message and the exact fix. */
async function modelErrors<T>(fn: () => Promise<T>): Promise<T> {
  const { ModelError, RouteError } = await import('../../models/errors.js');
  return configErrors(async () => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ModelError || err instanceof RouteError) {
        const shape = err.toErrorShape();
        throw new CliError(err.message, { fix: err.fix, data: { code: shape.details?.code, ...(err instanceof ModelError ? { kind: err.kind, status: err.status ?? null } : {}) } });
      }
      throw err;
    }
  });
}

async function gatewayErrors<T>(fn: () => Promise<T>): Promise<T> {
  const { GatewayCallError, GatewayClosedError, GatewayUnreachableError } = await import('../../client/errors.js');
  return configErrors(async () => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GatewayCallError) throw new CliError(err.message, { fix: err.fix, data: { code: err.detailCode ?? err.code } });
      if (err instanceof GatewayUnreachableError) throw new CliError(err.message, { fix: err.fix });
      if (err instanceof GatewayClosedError) throw new CliError(err.message, { fix: 'openclaw gateway status  (the turn is kept in the transcript; rerun to continue the session)' });
      throw err;
    }
  });
}
