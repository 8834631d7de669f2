// The doctor's vocabulary: a check diagnoses one cause and may know one safe repair.
import type { Env, StatePaths } from '../config/paths.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import type { ConfigView, JsonObject } from './config-view.js';

export type Level = 'ok' | 'warn' | 'error' | 'skipped';

export interface Finding {
  level: Level;
  /** One sentence a tired person can act on. */
  message: string;
  /** The exact command that fixes it (only for warn/error). */
  fix?: string;
  /** True when `doctor --fix` can repair this finding itself. */
  repairable?: boolean;
}

export interface FixResult {
  /** What was done, one sentence. */
  summary: string;
  /** Every file changed, with the backup taken before writing (none for a chmod). */
  changed: { path: string; backupPath?: string }[];
}

export interface DoctorOptions {
  deep: boolean;
  restoreLastGood: boolean;
  /** Seconds: the idle timeout of a proxy in front of the gateway that keep-alive must beat. */
  proxyIdleLimitSeconds: number;
  /** Below this much available memory the memory check warns (256 MB). */
  minFreeMemoryBytes: number;
  /** Probe timeout for sockets and HTTP. */
  probeTimeoutMs: number;
}

export interface DoctorContext {
  env: Env;
  paths: StatePaths;
  /** The config as read when the run started. */
  config: ConfigView;
  options: DoctorOptions;
}

export interface Check {
  id: string;
  title: string;
  run(ctx: DoctorContext): Promise<Finding>;
  /** A safe config repair: a pure edit; the runner combines all edits into one backed-up write. */
  repairConfig?(config: JsonObject, ctx: DoctorContext): JsonObject;
  /** What repairConfig does, for the --fix output ("set gateway.mode to local"). */
  repairSummary?: string;
  /** A safe repair of other files (pid file, permissions), applied after the config edit. */
  fix?(ctx: DoctorContext): Promise<FixResult>;
}

export const ok = (message: string): Finding => ({ level: 'ok', message });
export const skipped = (message: string): Finding => ({ level: 'skipped', message });
export const warn = (message: string, fix: string, repairable = false): Finding => ({ level: 'warn', message, fix, repairable });
export const error = (message: string, fix: string, repairable = false): Finding => ({ level: 'error', message, fix, repairable });

/** The effective settings, or the skipped finding to return when the config is invalid. */
export function settingsOf(ctx: DoctorContext): ResolvedGatewaySettings | Finding {
  return ctx.config.settings ?? skipped('Skipped: the config is invalid (see config-file).');
}

export function isFinding(v: unknown): v is Finding {
  return typeof v === 'object' && v !== null && 'level' in v && 'message' in v;
}
