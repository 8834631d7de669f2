// The only writer of openclaw.json: validates, refuses clobbers, keeps rotating backups and writes
// atomically with mode 0600. Also the safety files: `.rejected.<ts>` and `.last-good`.
import fs from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { fileHasMode, writeFileAtomicSync } from '../infra/atomic-file.js';
import { ConfigError, hashRaw, loadConfig, validateConfigObject, type LoadedConfig } from './load.js';
import { isPlainObject } from './path-ops.js';
import { withConfigLock } from './lock.js';
import type { OpenClawConfig } from './schema.js';

export { withConfigLock, ConfigLockError, configLockPath } from './lock.js';

/** `.bak` (newest) plus `.bak.1` … `.bak.4`. */
export const CONFIG_BACKUP_COUNT = 5;

export class ConfigClobberError extends Error {
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(message);
    this.name = 'ConfigClobberError';
    this.fix = fix;
  }
}

/** The file changed since the caller read it (its hash is not the one the edit was based on). */
export class ConfigConflictError extends Error {
  readonly fix = 'openclaw config get --json  (re-read the config, then apply the edit again)';
  constructor(configPath: string) {
    super(`${configPath} changed since it was read; the edit was not written.`);
    this.name = 'ConfigConflictError';
  }
}

export interface WriteOptions {
  /** Write even if the clobber guard objects. */
  force?: boolean;
  /** Refuse unless the file's current hash is this ('' = the file must not exist). */
  expectedHash?: string;
}

export class ConfigStore {
  readonly configPath: string;

  constructor(configPath: string) {
    this.configPath = configPath;
  }

  read(): LoadedConfig {
    return loadConfig(this.configPath);
  }

  /** Validates, refuses clobbers unless force, backs up (.bak … .bak.4), writes atomically 0600. */
  write(next: OpenClawConfig | Record<string, unknown>, opts: WriteOptions = {}): { backupPath?: string; hash: string } {
    const checked = validateConfigObject(next);
    if (!checked.ok) throw new ConfigError({ message: `Refusing to write an invalid config to ${this.configPath}: ${checked.problem}`, problem: checked.problem, configPath: this.configPath, fix: checked.fix, issues: checked.issues });
    const text = JSON.stringify(next, null, 2) + '\n';
    return withConfigLock(this.configPath, () => {
      const current = readRaw(this.configPath);
      if (opts.expectedHash !== undefined && hashRaw(current) !== opts.expectedHash) throw new ConfigConflictError(this.configPath);
      if (current !== undefined && !opts.force) this.guardClobber(current, next, text);
      const backupPath = current !== undefined ? this.backup(current) : undefined;
      writeFileAtomicSync(this.configPath, text, { mode: 0o600 });
      return { backupPath, hash: hashRaw(text) };
    });
  }

  /** Keeps text the gateway refused as `<configPath>.rejected.<timestamp>` (0600); returns its path. */
  saveRejected(text: string): string {
    const newest = this.listRejected().at(-1);
    if (newest && readRaw(newest) === text) return newest; // the same bad edit seen again
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    let file = `${this.configPath}.rejected.${stamp}`;
    for (let n = 1; fs.existsSync(file); n++) file = `${this.configPath}.rejected.${stamp}-${n}`;
    writeFileAtomicSync(file, text, { mode: 0o600 });
    return file;
  }

  /**
   * Puts `replacement` (the last-known-good text) in place of an unusable config: the broken text is
   * moved aside as `.rejected.<ts>` first, then the config is replaced atomically, so at every instant
   * openclaw.json holds either the broken text or the restored one. Returns the rejected path, or
   * undefined (nothing written) when the file no longer holds `expectedRaw` (someone just fixed it).
   */
  restoreFrom(replacement: string, expectedRaw: string | undefined): string | undefined {
    return withConfigLock(this.configPath, () => {
      const current = readRaw(this.configPath);
      if (current !== expectedRaw) return undefined;
      const rejectedPath = this.saveRejected(current ?? '');
      writeFileAtomicSync(this.configPath, replacement, { mode: 0o600 });
      return rejectedPath;
    });
  }

  /** Paths of rejected texts, oldest first. */
  listRejected(): string[] {
    const dir = path.dirname(this.configPath);
    const prefix = `${path.basename(this.configPath)}.rejected.`;
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return [];
    }
    return names.filter((n) => n.startsWith(prefix)).sort().map((n) => path.join(dir, n));
  }

  get lastGoodPath(): string {
    return `${this.configPath}.last-good`;
  }

  /** Skipped when the copy already holds `raw` (every start of an unchanged config). */
  writeLastGood(raw: string): void {
    if (fileHasMode(this.lastGoodPath, 0o600) && readRawOrUndefined(this.lastGoodPath) === raw) return;
    writeFileAtomicSync(this.lastGoodPath, raw, { mode: 0o600 });
  }

  readLastGood(): string | undefined {
    return readRaw(this.lastGoodPath);
  }

  backupPaths(): string[] {
    return Array.from({ length: CONFIG_BACKUP_COUNT }, (_, i) => backupName(this.configPath, i));
  }

  private guardClobber(currentRaw: string, next: Record<string, unknown>, nextText: string): void {
    let current: unknown;
    try {
      current = JSON5.parse(currentRaw);
    } catch {
      return; // the file on disk is broken; replacing it is a repair, not a clobber
    }
    if (!isPlainObject(current)) return;
    const force = 'rerun the same command with --force to write it anyway';
    const mode = isPlainObject(current.gateway) ? current.gateway.mode : undefined;
    const nextMode = isPlainObject(next.gateway) ? next.gateway.mode : undefined;
    if (typeof mode === 'string' && nextMode === undefined) {
      throw new ConfigClobberError(`Refusing to write ${this.configPath}: the new config drops gateway.mode (currently "${mode}"), which would block gateway start.`, force);
    }
    // Compare canonical forms so comments and formatting in a hand-edited JSON5 file do not count.
    const before = JSON.stringify(current, null, 2).length + 1;
    if (nextText.length * 2 < before) {
      throw new ConfigClobberError(`Refusing to write ${this.configPath}: the new config is less than half the size of the current one (${nextText.length} < ${before} / 2 bytes), which looks like a clobber.`, force);
    }
  }

  private backup(raw: string): string {
    for (let i = CONFIG_BACKUP_COUNT - 1; i > 0; i--) {
      const from = backupName(this.configPath, i - 1);
      if (fs.existsSync(from)) fs.renameSync(from, backupName(this.configPath, i));
    }
    const newest = backupName(this.configPath, 0);
    writeFileAtomicSync(newest, raw, { mode: 0o600 });
    return newest;
  }
}

function backupName(configPath: string, index: number): string {
  return index === 0 ? `${configPath}.bak` : `${configPath}.bak.${index}`;
}

function readRawOrUndefined(file: string): string | undefined {
  try {
    return readRaw(file);
  } catch {
    return undefined; // unreadable: rewrite it
  }
}

function readRaw(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
