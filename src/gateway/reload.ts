// Hot reload: watch the config file, and decide what a new version changes. The watcher watches the
// directory because editors and our own atomic writes replace the file by rename.
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedGatewaySettings } from '../config/types.js';

/** Settings that need a new listening socket; everything else is applied in place. */
const RESTART_KEYS = new Set(['host', 'port', 'bind']);
/** Bookkeeping that says where a value came from or warns; not a setting of its own. */
const IGNORED_KEYS = new Set(['warnings', 'modeSource', 'portSource', 'auth.tokenSource', 'auth.passwordSource']);

export interface SettingsDiff {
  /** Changed keys applied without a restart (`auth.token`, `logging.level`, …). */
  hot: string[];
  /** Changed keys that need the listener restarted (`port`, `host`, `bind`). */
  restart: string[];
}

/** Which setting paths differ. Only names are returned, never values (they may be secrets). */
export function diffSettings(prev: ResolvedGatewaySettings, next: ResolvedGatewaySettings): SettingsDiff {
  const changed: string[] = [];
  collectChanges(prev, next, '', changed);
  const relevant = changed.filter((k) => !IGNORED_KEYS.has(k));
  return { hot: relevant.filter((k) => !RESTART_KEYS.has(k)), restart: relevant.filter((k) => RESTART_KEYS.has(k)) };
}

function collectChanges(a: unknown, b: unknown, prefix: string, out: string[]): void {
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) collectChanges(a[key], b[key], prefix ? `${prefix}.${key}` : key, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(prefix);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ConfigWatcher {
  close(): void;
}

/**
 * Calls `onChange` (debounced) when the config file is written, renamed into place or removed.
 * The caller re-reads the file and compares hashes, so spurious events cost one read.
 */
export function watchConfigFile(configPath: string, onChange: () => void, debounceMs = 300): ConfigWatcher {
  const dir = path.dirname(configPath);
  const base = path.basename(configPath);
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const watcher = fs.watch(dir, { persistent: false }, (_event, filename) => {
    // Some platforms omit the name; then any change in the directory may be ours.
    if (!filename || filename.toString() === base) fire();
  });
  watcher.on('error', () => {
    // The directory went away (state dir removed): nothing left to watch.
    watcher.close();
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
