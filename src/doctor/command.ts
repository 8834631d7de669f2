// `openclaw doctor`: diagnose; with --fix, back up, repair, and diagnose again. --fix is the
// consent (the guides run `openclaw doctor --fix && openclaw restart` in scripts and docker exec,
// where nobody could answer a prompt); --dry-run shows the plan instead.
import type { Env } from '../config/paths.js';
import { exitCodeFor, renderReport, type DoctorReport } from './report.js';
import { useColor } from '../cli/style.js';
import { generateGatewayToken } from '../config/setup.js';
import { applyRepairs, buildContext, diagnose, storeTokenEdit, type AppliedFix } from './runner.js';
import { diagnoseUrl } from './url-probe.js';
import type { DoctorOptions } from './types.js';

export interface DoctorCommandOptions {
  fix?: boolean;
  /** Accepted for older scripts; --fix no longer asks. */
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
  deep?: boolean;
  generateGatewayToken?: boolean;
  restoreLastGood?: boolean;
  url?: string;
  idle?: number;
  token?: string;
  origin?: string;
}

export interface DoctorIo {
  env: Env;
  out(line: string): void;
  /** Colour the level words (a terminal; see src/cli/style.ts). */
  color?: boolean;
}

export function processIo(env: Env = process.env): DoctorIo {
  return { env, out: (line) => process.stdout.write(line + '\n'), color: useColor(env, process.stdout) };
}

function describeFix(f: AppliedFix): string[] {
  return [`fixed ${f.id}: ${f.summary}`, ...f.changed.map((c) => `  changed ${c.path}${c.backupPath ? ` (backup: ${c.backupPath})` : ''}`)];
}

/** Runs the command and returns its exit code (0 ok, 1 warnings, 2 errors). */
export async function runDoctorCommand(opts: DoctorCommandOptions, io: DoctorIo): Promise<number> {
  const print = (report: DoctorReport, extra: Record<string, unknown> = {}) => {
    if (opts.json) io.out(JSON.stringify({ ...report, ...extra }, null, 2));
    else io.out(renderReport(report, io.color));
    return exitCodeFor(report);
  };

  if (opts.url) {
    const report = await diagnoseUrl({ url: opts.url, token: opts.token ?? io.env.OPENCLAW_GATEWAY_TOKEN, origin: opts.origin, idleSeconds: opts.idle, timeoutMs: 5000 });
    return print(report);
  }

  const token = opts.generateGatewayToken ? generateGatewayToken() : undefined;
  if (token && !opts.fix) {
    // Print only the token so `export OPENCLAW_GATEWAY_TOKEN="$(openclaw doctor --generate-gateway-token)"` works.
    io.out(opts.json ? JSON.stringify({ ok: true, version: 1, token }, null, 2) : token);
    return 0;
  }

  const options: Partial<DoctorOptions> = { deep: Boolean(opts.deep), restoreLastGood: Boolean(opts.restoreLastGood), ...(opts.idle ? { proxyIdleLimitSeconds: opts.idle } : {}) };
  const ctx = buildContext(io.env, options);
  const first = await diagnose(ctx);
  if (!opts.fix) return print(first.report);

  const planned = [...first.repairs.map((r) => `${r.check.id}: ${r.finding.message}`), ...(token ? ['generate-gateway-token: store a new token in gateway.auth.token'] : [])];
  if (planned.length === 0) return print(first.report, { fixes: [] });
  if (opts.dryRun) {
    if (opts.json) io.out(JSON.stringify({ ...first.report, fixes: [], pendingFixes: planned }, null, 2));
    else io.out([renderReport(first.report, io.color), '', 'doctor --fix would (backing up every file first):', ...planned.map((p) => `  - ${p}`), '', 'Nothing was written (--dry-run). Apply with: openclaw doctor --fix'].join('\n'));
    return exitCodeFor(first.report);
  }

  const applied = await applyRepairs(ctx, first.repairs, token ? storeTokenEdit(token) : undefined);
  const after = await diagnose(buildContext(io.env, options));
  if (opts.json) return print(after.report, { fixes: applied, ...(token ? { token } : {}) });
  io.out([...applied.flatMap(describeFix), ...(token ? [`gateway token: ${token}`] : []), ''].join('\n'));
  return print(after.report);
}
