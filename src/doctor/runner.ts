// Runs checks, and (only when asked) their safe repairs. Diagnosis never writes anything.
import { statePaths, type Env } from '../config/paths.js';
import { setPath } from '../config/path-ops.js';
import { ConfigStore } from '../config/store.js';
import { readConfigView, type JsonObject } from './config-view.js';
import { buildReport, type DoctorReport } from './report.js';
import { CHECKS } from './registry.js';
import { MIN_FREE_MEMORY_BYTES } from './checks/memory.js';
import type { Check, DoctorContext, DoctorOptions, Finding, FixResult } from './types.js';

export const DEFAULT_OPTIONS: DoctorOptions = {
  deep: false,
  restoreLastGood: false,
  proxyIdleLimitSeconds: 60,
  minFreeMemoryBytes: MIN_FREE_MEMORY_BYTES,
  probeTimeoutMs: 3000,
};

export function buildContext(env: Env, options: Partial<DoctorOptions> = {}): DoctorContext {
  const paths = statePaths(env);
  return { env, paths, config: readConfigView(paths.configPath, env), options: { ...DEFAULT_OPTIONS, ...options } };
}

export interface Diagnosis {
  report: DoctorReport;
  /** Checks whose finding `--fix` can repair. */
  repairs: { check: Check; finding: Finding }[];
}

/** Runs one check; a check that throws is reported as an error, never as a crash. */
export async function runCheck(check: Check, ctx: DoctorContext): Promise<Finding> {
  try {
    return await check.run(ctx);
  } catch (err) {
    return { level: 'error', message: `The ${check.id} check itself failed: ${(err as Error).message}.`, fix: 'OPENCLAW_DEBUG=1 openclaw doctor' };
  }
}

export async function diagnose(ctx: DoctorContext, checks: readonly Check[] = CHECKS): Promise<Diagnosis> {
  const results: { id: string; title: string; finding: Finding; check: Check }[] = [];
  for (const check of checks) results.push({ id: check.id, title: check.title, finding: await runCheck(check, ctx), check });
  const repairs = results.filter((r) => r.finding.repairable && (r.check.fix || r.check.repairConfig)).map(({ check, finding }) => ({ check, finding }));
  return { report: buildReport(results), repairs };
}

export type AppliedFix = FixResult & { id: string };

/**
 * Applies the repairs: the file repairs (pid file, permissions), then every config edit composed into
 * ONE write through ConfigStore (one backup, one reload). `extraConfigEdit` is the
 * --generate-gateway-token edit.
 */
export async function applyRepairs(ctx: DoctorContext, repairs: { check: Check }[], extraConfigEdit?: { id: string; summary: string; edit: (c: JsonObject) => JsonObject }): Promise<AppliedFix[]> {
  // Restoring last-good replaces the whole file: edits planned against the broken one no longer apply.
  const restoring = repairs.some((r) => r.check.id === 'last-good');
  const edits = restoring ? [] : repairs.filter((r) => r.check.repairConfig).map((r) => ({ id: r.check.id, summary: r.check.repairSummary ?? r.check.title, edit: (c: JsonObject) => r.check.repairConfig!(c, ctx) }));
  if (extraConfigEdit) edits.push(extraConfigEdit);
  // Never rebuild a file we could not parse from nothing: what the user wrote would be lost.
  if (edits.length && ctx.config.problem?.syntax && !restoring) {
    throw new Error(`${ctx.config.path} does not parse, so doctor will not rewrite it; fix the line openclaw doctor names (openclaw config validate), then run openclaw doctor --fix again`);
  }
  const applied: AppliedFix[] = [];
  // File repairs first: a config rewrite would otherwise mask a permission problem it also fixes.
  for (const { check } of repairs) if (check.fix) applied.push({ id: check.id, ...(await check.fix(ctx)) });
  if (edits.length) {
    const base = restoring ? readConfigView(ctx.config.path, ctx.env) : ctx.config;
    const next = edits.reduce((c, e) => e.edit(c), base.value);
    // expectedHash: refuse to overwrite an edit made while the user read the plan.
    const { backupPath } = new ConfigStore(ctx.config.path).write(next, { expectedHash: base.hash });
    const ids = edits.map((e) => e.id).join(', ');
    applied.push({ id: ids, summary: `Rewrote the config (${edits.map((e) => e.summary).join('; ')}).`, changed: [{ path: ctx.config.path, backupPath }] });
  }
  return applied;
}

/** The `--fix --generate-gateway-token` config edit. */
export function storeTokenEdit(token: string): { id: string; summary: string; edit: (c: JsonObject) => JsonObject } {
  return {
    id: 'generate-gateway-token',
    summary: 'stored a new token in gateway.auth.token',
    edit: (c) => {
      const next = structuredClone(c);
      setPath(next, 'gateway.auth.token', token);
      return next;
    },
  };
}
