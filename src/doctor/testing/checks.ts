// Test helpers: run one registered check (or --fix) against a real state dir.
import type { Env } from '../../config/paths.js';
import { CHECKS } from '../registry.js';
import { applyRepairs, buildContext, diagnose } from '../runner.js';
import type { DoctorOptions, Finding } from '../types.js';

export async function runOne(id: string, env: Env, options: Partial<DoctorOptions> = {}): Promise<Finding> {
  const check = CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check.run(buildContext(env, { probeTimeoutMs: 2000, ...options }));
}

/** Diagnoses, applies the repairs of the checks in `ids` (all when omitted), returns what changed. */
export async function fixAll(env: Env, options: Partial<DoctorOptions> = {}, ids?: string[]) {
  const ctx = buildContext(env, { probeTimeoutMs: 2000, ...options });
  const { repairs } = await diagnose(ctx);
  return applyRepairs(ctx, ids ? repairs.filter((r) => ids.includes(r.check.id)) : repairs);
}
