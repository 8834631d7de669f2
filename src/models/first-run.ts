// First-run setup with model backends: before the first config is written, look for Ollama,
// LM Studio and provider API keys in the env (scan.ts), and write what answers into it, with a
// primary model, so the first `npm start` can chat. An existing config is never scanned for or touched.
import fs from 'node:fs';
import { resolveConfigPath, type Env } from '../config/paths.js';
import { runFirstRunSetup } from '../config/setup.js';
import { scanPatch, scanPrimary, scanProviders, type ScanResult, type ScanTargets } from './scan.js';

export interface FirstRunOptions {
  /** false: write the plain first-run config without looking for backends. */
  scan?: boolean;
  targets?: Partial<ScanTargets>;
  timeoutMs?: number;
}

export interface FirstRunResult {
  created: boolean;
  configPath: string;
  token?: string;
  /** What the scan found and missed; only when this run created the config with a scan. */
  scan?: ScanResult;
  /** The primary model written, `<provider>/<model>`. */
  primary?: string;
}

export async function runFirstRunWithModels(env: Env, o: FirstRunOptions = {}): Promise<FirstRunResult> {
  // The scan takes a few ms (or the timeout): only a run that will create the config pays it.
  if (o.scan === false || fs.existsSync(resolveConfigPath(env))) return runFirstRunSetup(env);
  const scan = await scanProviders({ env, targets: o.targets, timeoutMs: o.timeoutMs });
  const result = runFirstRunSetup(env, scanPatch(scan, false));
  if (!result.created) return result; // another process created it meanwhile: theirs stands
  return { ...result, scan, primary: scanPrimary(scan) };
}

const BACKEND_NAMES: Record<string, string> = { ollama: 'Ollama', lmstudio: 'LM Studio' };

/** One line for the first-run output: what was found and written, or how to add a backend later. */
export function describeFirstRunModels(r: FirstRunResult): string | undefined {
  if (!r.scan) return undefined;
  if (r.scan.found.length === 0) {
    const missed = r.scan.missing.map((m) => `${BACKEND_NAMES[m.id] ?? m.id} (${m.url})`).join(' or ');
    return `Models: none found: no answer from ${missed}, and neither OPENAI_API_KEY nor ANTHROPIC_API_KEY is set. Add one later with: openclaw models scan --apply`;
  }
  const found = r.scan.found.map((f) => `${f.id} (${f.kind === 'env' ? f.source : `${f.source}, ${f.models.length} model${f.models.length === 1 ? '' : 's'}`})`).join(', ');
  return `Models: added ${found}${r.primary ? `; primary model ${r.primary}` : ''}; check with: openclaw models status`;
}
