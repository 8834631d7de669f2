// The edits behind `openclaw config set|unset|patch|apply|reset`: read the file as it is (even when
// it fails validation, so `config set` can repair it), change it, validate, write through the store,
// all under the config lock.
import fs from 'node:fs';
import JSON5 from 'json5';
import { ConfigError, isEmptyConfigText, noConfigWarning, parseConfigText, validateConfigObject, type ConfigIssue, type ParseResult } from './load.js';
import { applyMergePatch } from './merge-patch.js';
import { authSwitchProblem, ConfigAuthUnusableError } from './auth-usable.js';
import { getPath, isPlainObject, parseCliValue, parsePath, setPath, unsetPath } from './path-ops.js';
import { containsRedacted, isSensitiveKey, REDACTED, redactConfig, restoreRedacted } from './redact.js';
import { bindModeForHost, parseBindLiteral } from './bind.js';
import { firstRunConfig, generateGatewayToken } from './setup.js';
import { ConfigStore, withConfigLock } from './store.js';
import { unsupportedSentence } from './upstream-keys.js';

const UNSUPPORTED_PREFIX = unsupportedSentence([]);

export interface EditOptions {
  force?: boolean;
  dryRun?: boolean;
  /** A gateway runs on this config: refuse (unless force) an edit that leaves its auth mode without a usable credential. */
  gatewayRunning?: boolean;
}

export interface EditResult {
  configPath: string;
  /** The key path edited ('' for whole-file edits). */
  path: string;
  /** Before/after at `path`, secrets redacted. `undefined` = absent. */
  before: unknown;
  after: unknown;
  changed: boolean;
  dryRun: boolean;
  written: boolean;
  backupPath?: string;
  hash?: string;
  warnings: string[];
}

/** The file as a plain object ({} when missing). A syntax error throws ConfigError with line:col. */
export function readEditableConfig(configPath: string): { exists: boolean; value: Record<string, unknown> } {
  let raw: string;
  try {
    raw = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { exists: false, value: {} };
    throw new ConfigError({ message: `Cannot read config ${configPath} (${code ?? 'error'}).`, problem: `cannot read the file (${code ?? 'error'})`, configPath, fix: `ls -l ${configPath}  (the file must be readable by this user)` });
  }
  let value: unknown;
  try {
    if (isEmptyConfigText(raw)) return { exists: false, value: {} };
    value = JSON5.parse(raw);
  } catch {
    const result = parseConfigText(raw, configPath);
    const problem = result.ok ? 'cannot parse' : result.problem;
    throw new ConfigError({ message: `Invalid config: ${problem}`, problem, configPath, fix: 'fix that line by hand, or openclaw doctor --fix --restore-last-good' });
  }
  if (!isPlainObject(value)) throw new ConfigError({ problem: 'the top level is not an object', configPath, fix: 'openclaw config reset' });
  return { exists: true, value };
}

/** The redaction placeholder as a value to store: always a copy-paste of `config get` output. */
function refuseRedacted(path: string, value: unknown, configPath: string): void {
  if (!containsRedacted(value)) return;
  throw new ConfigError({
    message: `Not written: ${path} would hold ${REDACTED}, the placeholder \`openclaw config get\` prints instead of a secret`,
    problem: `the value is the redaction placeholder ${REDACTED}, not a secret`,
    configPath,
    fix: `openclaw config set ${path} --from gateway.auth.token  (copies a key's real value; or read it with: openclaw config get <key> --show-secrets)`,
  });
}

export function setConfigValue(configPath: string, path: string, valueText: string, opts: EditOptions & { strictJson?: boolean } = {}): EditResult {
  parsePath(path);
  const parsed = parseCliValue(valueText, opts.strictJson);
  refuseRedacted(path, parsed, configPath);
  return underEditLock(configPath, opts, () => {
    const { value: current } = readEditableConfig(configPath);
    const alias = DEPRECATED_SET_TARGETS[path];
    if (alias && (typeof parsed === 'string' || typeof parsed === 'number')) {
      const { next, target, notice } = alias(current, String(typeof parsed === 'number' ? valueText : parsed));
      const result = commit(configPath, target, current, next, opts);
      return { ...result, warnings: [notice, ...result.warnings] };
    }
    let next = withValue(current, path, parsed);
    // `config set gateway.auth.token 123456` means the string: retry a typed value as text
    // when only the text form is valid.
    if (!opts.strictJson && typeof parsed !== 'string' && !validateConfigObject(next).ok) {
      const asText = withValue(current, path, valueText);
      if (validateConfigObject(asText).ok) next = asText;
    }
    return commit(configPath, path, current, next, opts);
  });
}

type AliasEdit = (current: Record<string, unknown>, value: string) => { next: Record<string, unknown>; target: string; notice: string };

/**
 * Old guides say `config set gateway.token …` and `config set gateway.host 0.0.0.0`. Written as-is
 * they would conflict with the canonical keys setup wrote (a second token; a host that bind
 * overrides), so the edit lands on the canonical key and the deprecated one is removed.
 */
const DEPRECATED_SET_TARGETS: Record<string, AliasEdit> = {
  'gateway.token': (current, token) => {
    const next = structuredClone(current);
    setPath(next, 'gateway.auth.token', token);
    unsetPath(next, 'gateway.token');
    return { next, target: 'gateway.auth.token', notice: 'gateway.token is deprecated; wrote gateway.auth.token instead.' };
  },
  'gateway.host': (current, value) => {
    const next = structuredClone(current);
    const { host, port } = parseBindLiteral(value);
    const bind = bindModeForHost(host);
    setPath(next, 'gateway.bind', bind);
    if (bind === 'custom') setPath(next, 'gateway.customBindHost', host);
    if (port !== undefined) setPath(next, 'gateway.port', port);
    unsetPath(next, 'gateway.host');
    const what = [`gateway.bind "${bind}"`, bind === 'custom' ? `gateway.customBindHost "${host}"` : '', port !== undefined ? `gateway.port ${port}` : ''].filter(Boolean).join(', ');
    return { next, target: 'gateway.bind', notice: `gateway.host is deprecated; wrote ${what} instead.` };
  },
};

/** Where to look instead when someone asks for a deprecated key that is not in the file. */
export const DEPRECATED_GET_HINTS: Record<string, string> = {
  'gateway.host': 'gateway.host is deprecated; the listen address is set by: openclaw config get gateway.bind',
  'gateway.token': 'gateway.token is deprecated; the token is at: openclaw config get gateway.auth.token',
};

export function unsetConfigValue(configPath: string, path: string, opts: EditOptions = {}): EditResult {
  parsePath(path);
  return underEditLock(configPath, opts, () => {
    const { value: current } = readEditableConfig(configPath);
    const next = structuredClone(current);
    if (!unsetPath(next, path)) throw new ConfigPathNotFoundError(path);
    return commit(configPath, path, current, next, opts);
  });
}

/** `config set <path> --from <source>`: the real value at `source` (a secret too), never printed. */
export function copyConfigValue(configPath: string, path: string, source: string, opts: EditOptions = {}): EditResult {
  parsePath(path);
  parsePath(source);
  return underEditLock(configPath, opts, () => {
    const { value: current } = readEditableConfig(configPath);
    const from = getPath(current, source);
    if (!from.found) throw new ConfigPathNotFoundError(source);
    return commit(configPath, path, current, withValue(current, path, structuredClone(from.value)), opts);
  });
}

/** Applies an RFC 7386 merge patch (null deletes). */
export function patchConfig(configPath: string, patch: unknown, opts: EditOptions = {}): EditResult {
  if (!isPlainObject(patch)) throw new ConfigError({ problem: 'a merge patch must be a JSON object', configPath, fix: `openclaw config patch --merge '{gateway:{mode:"local"}}'` });
  return underEditLock(configPath, opts, () => {
    const { value: current } = readEditableConfig(configPath);
    // A patch built from `config get` output carries the placeholder where it meant "unchanged".
    const next = restoreRedacted(applyMergePatch(current, patch), current) as Record<string, unknown>;
    refuseRedacted('the patch', next, configPath);
    return commit(configPath, '', current, next, opts);
  });
}

/** Replaces the whole file with `text` (JSON5), after validating it. `source` names it in errors. */
export function applyConfigText(configPath: string, text: string, source: string, opts: EditOptions = {}): EditResult {
  const checked = checkStoredText(text, source);
  if (!checked.ok) throw new ConfigError({ message: `Not applied: ${checked.problem}`, problem: checked.problem, configPath, fix: `openclaw config validate  (after fixing ${source})` });
  const parsed = JSON5.parse(text) as Record<string, unknown>;
  return underEditLock(configPath, opts, () => {
    const { value: current } = readEditableConfig(configPath);
    const next = restoreRedacted(parsed, current) as Record<string, unknown>;
    refuseRedacted('the config', next, configPath); // a placeholder with no real value behind it
    return commit(configPath, '', current, next, opts);
  });
}

/** Where `config reset` found the token it kept. */
export type ResetTokenSource = 'config' | 'last-good' | 'backup' | 'new';

/**
 * Backs up, then writes the first-run config, keeping the pinned gateway token (every client holds
 * it). A file too broken to read still has its token in last-good or a backup; only `newToken`
 * (or no token anywhere) generates one.
 */
export function resetConfig(configPath: string, opts: { dryRun?: boolean; newToken?: boolean } = {}): EditResult & { tokenKept: boolean; tokenSource: ResetTokenSource } {
  return underEditLock(configPath, opts, () => {
    const current = readBestEffort(configPath);
    const found = opts.newToken ? undefined : pinnedToken(configPath, current);
    const next = firstRunConfig(found?.token ?? generateGatewayToken(), 'openclaw config reset') as Record<string, unknown>;
    // A reset is meant to shrink the file: the clobber guard does not apply.
    return { ...commit(configPath, '', current, next, { force: true, dryRun: opts.dryRun }), tokenKept: found !== undefined, tokenSource: found?.source ?? 'new' };
  });
}

function pinnedToken(configPath: string, current: Record<string, unknown>): { token: string; source: ResetTokenSource } | undefined {
  const inFile = findToken(current);
  if (inFile) return { token: inFile, source: 'config' };
  const store = new ConfigStore(configPath);
  const candidates: Array<[string | undefined, ResetTokenSource]> = [[store.readLastGood(), 'last-good'], ...store.backupPaths().map((p): [string | undefined, ResetTokenSource] => [readTextOrUndefined(p), 'backup'])];
  for (const [text, source] of candidates) {
    if (text === undefined) continue;
    try {
      const token = findToken(JSON5.parse(text) as Record<string, unknown>);
      if (token) return { token, source };
    } catch {
      // an unreadable copy holds nothing we can keep
    }
  }
  return undefined;
}

function readTextOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export interface ValidationReport {
  valid: boolean;
  configPath: string;
  exists: boolean;
  issues: ConfigIssue[];
  warnings: string[];
  /** Upstream keys accepted and kept but not implemented here (also one of the warnings). */
  unsupported: string[];
}

export function validateConfigFile(configPath: string): ValidationReport {
  let raw: string;
  try {
    raw = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { valid: true, configPath, exists: false, issues: [], warnings: [noConfigWarning(configPath, false)], unsupported: [] };
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { valid: false, configPath, exists: true, issues: [{ path: '', message: `cannot read the file (${code})`, text: `cannot read ${configPath} (${code})`, fix: `ls -l ${configPath}` }], warnings: [], unsupported: [] };
  }
  if (isEmptyConfigText(raw)) return { valid: true, configPath, exists: false, issues: [], warnings: [noConfigWarning(configPath, true)], unsupported: [] };
  const result = parseConfigText(raw, configPath);
  return result.ok
    ? { valid: true, configPath, exists: true, issues: [], warnings: result.warnings, unsupported: result.unsupported }
    : { valid: false, configPath, exists: true, issues: result.issues, warnings: [], unsupported: [] };
}

export class ConfigPathNotFoundError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(`Config path not found: ${path}`);
    this.name = 'ConfigPathNotFoundError';
    this.path = path;
  }
}

/** A redacted view of a value for "before → after" output. */
export function describeValue(path: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  const segs = path === '' ? [] : parsePath(path);
  const last = segs.at(-1);
  if (typeof last === 'string' && isSensitiveKey(last) && typeof value === 'string' && value !== '') return REDACTED;
  return redactConfig(value);
}

/** What a writer validates: the document as it will be stored, `${VAR}` references unexpanded. */
function checkStoredText(text: string, source: string): ParseResult {
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON5.parse(text);
  } catch {
    return parseConfigText(text, source); // the syntax error, with line and column
  }
  return validateConfigObject(value);
}

/**
 * Edits read, change and write under the config lock. A dry run writes nothing, so it takes no
 * lock either: the lock file would create the state dir, and a dry run must leave no trace.
 */
function underEditLock<T>(configPath: string, opts: EditOptions, fn: () => T): T {
  return opts.dryRun ? fn() : withConfigLock(configPath, fn);
}

function withValue(current: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const next = structuredClone(current);
  setPath(next, path, value);
  return next;
}

function commit(configPath: string, path: string, current: Record<string, unknown>, next: Record<string, unknown>, opts: EditOptions): EditResult {
  const checked = validateConfigObject(next);
  const previous = validateConfigObject(current);
  if (!checked.ok) {
    if (!previous.ok) {
      // Fixing one problem of an already broken file one key at a time would loop; say how to do it at once.
      throw new ConfigError({
        message: `Not written: the config was already invalid and would still be: ${checked.problem}`,
        problem: checked.problem,
        configPath,
        fix: `openclaw config patch --merge '<JSON5 fixing every key listed>'  (one step; openclaw config validate lists them)`,
      });
    }
    throw new ConfigError({ message: `Not written: the result would be invalid: ${checked.problem}`, problem: checked.problem, configPath, fix: fixForEdit(path, checked.issues) });
  }
  const before = path === '' ? undefined : getPath(current, path).value;
  const after = path === '' ? undefined : getPath(next, path).value;
  const changed = JSON.stringify(current) !== JSON.stringify(next);
  // Only warnings this edit introduces: an unrelated `set` should not repeat every old deprecation.
  const old = new Set(previous.ok ? previous.warnings : []);
  const warnings = checked.warnings.filter((w) => !old.has(w) && !w.startsWith(UNSUPPORTED_PREFIX));
  // …and of the upstream keys we do not implement, only the ones it adds.
  const wasUnsupported = new Set(previous.ok ? previous.unsupported : []);
  const added = checked.unsupported.filter((p) => !wasUnsupported.has(p));
  if (added.length) warnings.push(`${unsupportedSentence(added)} (kept as written, ignored here).`);
  if (opts.gatewayRunning && !opts.force && changed) {
    const problem = authSwitchProblem(current, next, process.env);
    if (problem) throw new ConfigAuthUnusableError(problem, { cli: true });
  }
  const base = { configPath, path, before: describeValue(path, before), after: describeValue(path, after), changed, dryRun: Boolean(opts.dryRun), warnings };
  if (opts.dryRun || !changed) return { ...base, written: false };
  const { backupPath, hash } = new ConfigStore(configPath).write(next, { force: opts.force });
  return { ...base, written: true, backupPath, hash };
}

/** The fix for an edit the schema refused: about the key being edited, not the file. */
function fixForEdit(path: string, issues: ConfigIssue[]): string {
  const first = issues[0];
  if (!first) return 'openclaw config validate';
  const underIssue = path === first.path || path.startsWith(`${first.path}.`) || path.startsWith(`${first.path}[`);
  if (path !== '' && underIssue && first.message.startsWith('unknown key')) {
    return first.suggestion ? `openclaw config set ${first.suggestion} <value>` : 'openclaw config schema  (lists every key)';
  }
  return first.fix;
}

function readBestEffort(configPath: string): Record<string, unknown> {
  try {
    return readEditableConfig(configPath).value;
  } catch {
    return {}; // a broken file is exactly what reset is for
  }
}

function findToken(config: Record<string, unknown>): string | undefined {
  const auth = getPath(config, 'gateway.auth.token');
  if (auth.found && typeof auth.value === 'string' && auth.value !== '') return auth.value;
  const legacy = getPath(config, 'gateway.token');
  return legacy.found && typeof legacy.value === 'string' && legacy.value !== '' ? legacy.value : undefined;
}
