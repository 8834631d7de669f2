// Recovery from an unusable openclaw.json, the same at gateway start and in `doctor --fix`: the
// broken file is moved aside as `.rejected.<ts>` and the last-known-good copy put back atomically.
import fs from 'node:fs';
import { isEmptyConfigText, parseConfigText } from './load.js';
import type { Env } from './paths.js';
import type { OpenClawConfig } from './schema.js';
import type { ConfigStore } from './store.js';

/** The line printed and logged after a restore (the seeds' text, so people find it). */
export const AUTO_RESTORED_MESSAGE = 'Config auto-restored from last-known-good';

export const autoRestoredFix = (rejectedPath: string) => `inspect ${rejectedPath}, then re-apply the edit you meant with openclaw config set <key> <value>  (openclaw config validate checks the result)`;

export interface LastGoodCopy {
  raw: string;
  config: OpenClawConfig;
  unsupported: string[];
}

/** The last-known-good copy when it exists and loads; undefined otherwise. */
export function usableLastGood(store: ConfigStore, env: Env = process.env): LastGoodCopy | undefined {
  const raw = store.readLastGood();
  if (raw === undefined || isEmptyConfigText(raw)) return undefined;
  const parsed = parseConfigText(raw, store.configPath, env);
  return parsed.ok ? { raw, config: parsed.config, unsupported: parsed.unsupported } : undefined;
}

/** The file exists and does not parse or validate (what the gateway restores last-good for). */
export function isUnusableConfigFile(configPath: string, env: Env = process.env): boolean {
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch {
    return false; // missing is no config; unreadable is a permission problem, not a broken file
  }
  return isUnusableConfigText(text, configPath, env);
}

function isUnusableConfigText(text: string, configPath: string, env: Env): boolean {
  return !isEmptyConfigText(text) && !parseConfigText(text, configPath, env).ok;
}

/**
 * Replaces the unusable config with `copy`. Returns the `.rejected.<ts>` path holding the broken text,
 * or undefined when the file is missing, empty or valid by now (someone fixed it; nothing written).
 * Throws when the disk refuses the write.
 */
export function restoreLastGood(store: ConfigStore, copy: LastGoodCopy, env: Env = process.env): string | undefined {
  let broken: string;
  try {
    broken = fs.readFileSync(store.configPath, 'utf8');
  } catch {
    return undefined;
  }
  if (!isUnusableConfigText(broken, store.configPath, env)) return undefined;
  // restoreFrom writes only if the file still holds exactly these (broken) bytes under the lock.
  return store.restoreFrom(copy.raw, broken);
}
