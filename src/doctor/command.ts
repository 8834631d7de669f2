// `openclaw doctor`: diagnose; with --fix, ask, back up, repair, and diagnose again.
import type { Env } from '../config/paths.js';
import { exitCodeFor, renderReport, type DoctorReport } from './report.js';
import { generateGatewayToken } from '../config/setup.js';
import { applyRepairs, buildContext, diagnose, storeTokenEdit, type AppliedFix } from './runner.js';
import { diagnoseUrl } from './url-probe.js';
import type { DoctorOptions } from './types.js';

export interface DoctorCommandOptions {
  fix?: boolean;
  yes?: boolean;
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
  /** Whether a person can answer a question (stdin and stdout are terminals). */
  interactive: boolean;
  ask(question: string): Promise<boolean>;
}

export function processIo(env: Env = process.env): DoctorIo {
  return {
    env,
    out: (line) => process.stdout.write(line + '\n'),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    async ask(question) {
      // Imported here, not at the top: the CLI bundle would otherwise load readline on every start.
      const readline = await import('node:readline/promises');
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
  };
}

function describeFix(f: AppliedFix): string[] {
  return [`fixed ${f.id}: ${f.summary}`, ...f.changed.map((c) => `  changed ${c.path}${c.backupPath ? ` (backup: ${c.backupPath})` : ''}`)];
}

/** Runs the command and returns its exit code (0 ok, 1 warnings, 2 errors). */
export async function runDoctorCommand(opts: DoctorCommandOptions, io: DoctorIo): Promise<number> {
  const print = (report: DoctorReport, extra: Record<string, unknown> = {}) => {
    if (opts.json) io.out(JSON.stringify({ ...report, ...extra }, null, 2));
    else io.out(renderReport(report));
    return exitCodeFor(report);
  };

  if (opts.url) {
    const report = await diagnoseUrl({ url: opts.url, token: opts.token ?? io.env.OPENCLAW_GATEWAY_TOKEN, origin: opts.origin, idleSeconds: opts.idle, timeoutMs: 5000 });
    return print(report);
  }

  const token = opts.generateGatewayToken ? generateGatewayToken() : undefined;
  if (token && !opts.fix) {
    // Print only the token so `export OPENCLAW_GATEWAY_TOKEN="$(openclaw doctor --generate-gateway-token)"` works.
    io.out(opts.json ? JSON.stringify({ version: 1, token }, null, 2) : token);
    return 0;
  }

  const options: Partial<DoctorOptions> = { deep: Boolean(opts.deep), restoreLastGood: Boolean(opts.restoreLastGood), ...(opts.idle ? { proxyIdleLimitSeconds: opts.idle } : {}) };
  const ctx = buildContext(io.env, options);
  const first = await diagnose(ctx);
  if (!opts.fix) return print(first.report);

  const planned = [...first.repairs.map((r) => `${r.check.id}: ${r.finding.message}`), ...(token ? ['generate-gateway-token: store a new token in gateway.auth.token'] : [])];
  if (planned.length === 0) return print(first.report, { fixes: [] });
  if (!opts.yes) {
    if (!io.interactive) {
      if (!opts.json) io.out([renderReport(first.report), '', 'doctor --fix would:', ...planned.map((p) => `  - ${p}`), '', 'Nothing was written (no terminal to ask). Re-run with --yes to apply: openclaw doctor --fix --yes'].join('\n'));
      else io.out(JSON.stringify({ ...first.report, fixes: [], pendingFixes: planned }, null, 2));
      return exitCodeFor(first.report);
    }
    if (!opts.json) io.out([renderReport(first.report), '', 'doctor --fix will (backing up every file first):', ...planned.map((p) => `  - ${p}`)].join('\n'));
    if (!(await io.ask('Apply these repairs?'))) {
      io.out('Nothing was changed.');
      return exitCodeFor(first.report);
    }
  }

  const applied = await applyRepairs(ctx, first.repairs, token ? storeTokenEdit(token) : undefined);
  const after = await diagnose(buildContext(io.env, options));
  if (opts.json) return print(after.report, { fixes: applied, ...(token ? { token } : {}) });
  io.out([...applied.flatMap(describeFix), ...(token ? [`gateway token: ${token}`] : []), ''].join('\n'));
  return print(after.report);
}
