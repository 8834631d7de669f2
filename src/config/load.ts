// Reading openclaw.json: JSON5 → schema → a typed config, or one precise sentence per problem
// (`<file>:<line>:<col>: …` for syntax, `<keyPath>: …` for the schema) and the command that fixes it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import JSON5 from 'json5';
import type { z } from 'zod';
import { OpenClawConfigSchema, knownKeysAt, typeName, type OpenClawConfig } from './schema.js';
import { formatPath, getSegments, isPlainObject } from './path-ops.js';
import { configDeprecations } from './deprecations.js';
import { isSensitiveKey } from './redact.js';
import { substituteConfigEnv } from './env-substitution.js';
import type { Env } from './paths.js';
import { closest } from './closest.js';
import { restoreRemoved, splitUpstreamKeys, unsupportedSentence, upstreamKeysAt, type UnknownKey } from './upstream-keys.js';

export class ConfigError extends Error {
  readonly exitCode = 78 as const;
  /** What is wrong, without the file name (`gateway.port: expected number, received string`). */
  readonly problem: string;
  readonly configPath: string;
  /** A runnable command that fixes or diagnoses it. */
  readonly fix: string;
  /** Each validation problem with its key path and fix, when the cause was validation. */
  readonly issues?: ConfigIssue[];
  constructor(opts: { message?: string; problem: string; configPath: string; fix: string; issues?: ConfigIssue[] }) {
    super(opts.message ?? `Invalid config ${opts.configPath}: ${opts.problem}`);
    this.name = 'ConfigError';
    this.problem = opts.problem;
    this.configPath = opts.configPath;
    this.fix = opts.fix;
    if (opts.issues) this.issues = opts.issues;
  }
}

export interface LoadedConfig {
  path: string;
  exists: boolean;
  raw: string | undefined;
  config: OpenClawConfig;
  /** sha256 hex of raw; '' when the file is missing. */
  hash: string;
  warnings: string[];
  /** Upstream keys this gateway accepts and keeps but does not implement (see upstream-keys.ts). */
  unsupported: string[];
}

/** One problem found in a config text, with the fix for it. */
export interface ConfigIssue {
  /** `gateway.port`, or '' for a syntax error / the root. */
  path: string;
  message: string;
  /** `<path>: <message>`, or `<file>:<line>:<col>: <message>` for syntax errors. */
  text: string;
  fix: string;
  /** For an unknown key: the known key path it is probably a typo of. */
  suggestion?: string;
}

export type ParseResult =
  | { ok: true; config: OpenClawConfig; warnings: string[]; unsupported: string[] }
  | { ok: false; problem: string; issues: ConfigIssue[]; fix: string };

export const VALIDATE_FIX = 'openclaw config validate';

/** An empty (or whitespace-only) file is no config, exactly like a missing one, for every reader. */
export function isEmptyConfigText(text: string): boolean {
  return text.trim() === '';
}

/** The warning every reader prints for a missing or empty config file. */
export function noConfigWarning(configPath: string, empty: boolean): string {
  return `${configPath} ${empty ? 'is empty' : 'does not exist'}, so there is no config; defaults apply (openclaw setup creates it).`;
}

export function hashRaw(raw: string | undefined): string {
  return raw === undefined ? '' : crypto.createHash('sha256').update(raw).digest('hex');
}

/** Files the CLI and gateway write are plain JSON, which JSON.parse reads far faster than json5. */
function parseJsonOrJson5(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON5.parse(text); // hand-edited JSON5, or a syntax error with json5's line:column
  }
}

/** Parses, substitutes `${VAR}` from `env` (see env-substitution.ts), then validates. */
export function parseConfigText(text: string, configPath: string, env: Env = process.env): ParseResult {
  let value: unknown;
  try {
    value = isEmptyConfigText(text) ? {} : parseJsonOrJson5(text);
  } catch (err) {
    const e = err as SyntaxError & { lineNumber?: number; columnNumber?: number };
    const message = e.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    const where = `${configPath}:${e.lineNumber ?? 1}:${e.columnNumber ?? 1}`;
    const issue = { path: '', message, text: `${where}: ${message}`, fix: 'openclaw doctor  (names the line), or openclaw doctor --fix --restore-last-good' };
    return { ok: false, problem: issue.text, issues: [issue], fix: issue.fix };
  }
  const substituted = text.includes('${') ? substituteConfigEnv(value, env) : { ok: true as const, value };
  if (!substituted.ok) return { ok: false, problem: substituted.issues.map((i) => i.text).join('; '), issues: substituted.issues, fix: substituted.issues[0].fix };
  return validateConfigObject(substituted.value);
}

/** Validates an already-parsed value (what `config set/patch/apply` are about to write). */
export function validateConfigObject(value: unknown): ParseResult {
  if (!isPlainObject(value)) {
    const issue = { path: '', message: `expected an object at the top level, received ${typeName(value)}`, text: '', fix: 'openclaw config reset' };
    issue.text = issue.message;
    return { ok: false, problem: issue.text, issues: [issue], fix: issue.fix };
  }
  // Upstream keys we do not implement are set aside (and put back after), typos stay errors.
  const split = splitUpstreamKeys(value, OpenClawConfigSchema);
  // jitless: zod would otherwise compile a fast path for every object schema, worth it only for
  // schemas parsed many times; a config is validated once per start or edit (~10 ms saved).
  const parsed = OpenClawConfigSchema.safeParse(split.value, { jitless: true });
  if (parsed.success && split.unknown.length === 0) {
    const warnings = configDeprecations(parsed.data);
    if (split.unsupported.length) warnings.push(`${unsupportedSentence(split.unsupported)} (kept as written, ignored here).`);
    return { ok: true, config: restoreRemoved(parsed.data, split.removed), warnings, unsupported: split.unsupported };
  }
  const issues = [...(parsed.success ? [] : parsed.error.issues.flatMap((iss) => describeIssue(iss, value))), ...split.unknown.map(unknownKeyIssue)];
  return { ok: false, problem: issues.map((i) => i.text).join('; '), issues, fix: issues[0]?.fix ?? VALIDATE_FIX };
}

/** Reads and validates the config file; a missing or empty file is no config ({}). Throws ConfigError. */
export function loadConfig(configPath: string, env: Env = process.env): LoadedConfig {
  let raw: string;
  try {
    raw = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path: configPath, exists: false, raw: undefined, config: {}, hash: '', warnings: [], unsupported: [] };
    throw new ConfigError({
      message: `Cannot read config ${configPath} (${code ?? (err as Error).message}).`,
      problem: `cannot read the file (${code ?? 'error'})`,
      configPath,
      fix: `ls -l ${configPath}  (the file must be readable by this user; openclaw doctor checks permissions)`,
    });
  }
  // raw stays undefined so nothing treats the empty text as a config worth keeping (last-good).
  if (isEmptyConfigText(raw)) return { path: configPath, exists: false, raw: undefined, config: {}, hash: hashRaw(raw), warnings: [noConfigWarning(configPath, true)], unsupported: [] };
  const result = parseConfigText(raw, configPath, env);
  if (!result.ok) {
    const syntax = result.issues[0]?.path === '' && result.problem.startsWith(configPath);
    throw new ConfigError({
      message: syntax ? `Invalid config: ${result.problem}` : undefined,
      problem: result.problem,
      configPath,
      fix: result.fix,
    });
  }
  return { path: configPath, exists: true, raw, config: result.config, hash: hashRaw(raw), warnings: result.warnings, unsupported: result.unsupported };
}

function describeIssue(iss: z.core.$ZodIssue, input: unknown): ConfigIssue[] {
  if (iss.code === 'unrecognized_keys') {
    const known = [...new Set([...knownKeysAt(iss.path), ...upstreamKeysAt(iss.path)])];
    return iss.keys.map((key) => unknownKeyIssue({ segments: [...iss.path, key] as (string | number)[], path: formatPath([...iss.path, key]), guess: closest(key, known) }));
  }
  const path = formatPath(iss.path);
  // Custom rules (channel access policy) write whole sentences that already name their key.
  if (iss.code === 'custom' && iss.message.startsWith('channels.')) return [{ path, message: iss.message, text: iss.message, fix: `openclaw config set ${path} <value>` }];
  const last = iss.path.at(-1);
  // Never echo a secret back in an error text.
  const at = typeof last === 'string' && isSensitiveKey(last) ? { found: false } : getSegments(input, iss.path);
  const message = issueMessage(iss, at, typeName(getSegments(input, iss.path).value));
  const fix = path === '' ? VALIDATE_FIX : `openclaw config set ${path} <value>`;
  return [{ path, message, text: path ? `${path}: ${message}` : message, fix }];
}

/** `<path>: unknown key (did you mean "<guess>"?)`, and the fix. */
function unknownKeyIssue(k: UnknownKey): ConfigIssue {
  const parent = k.segments.slice(0, -1);
  const message = k.guess ? `unknown key (did you mean "${k.guess}"?)` : 'unknown key';
  const suggestion = k.guess ? formatPath([...parent, k.guess]) : undefined;
  return { path: k.path, message, text: `${k.path}: ${message}`, fix: `openclaw config unset ${k.path}`, suggestion };
}

function issueMessage(iss: z.core.$ZodIssue, at: { found: boolean; value?: unknown }, receivedType: string): string {
  switch (iss.code) {
    case 'invalid_type':
      return receivedType !== 'undefined' ? `expected ${iss.expected}, received ${receivedType}` : `required (expected ${iss.expected})`;
    case 'invalid_value':
      return withReceived(`expected one of ${iss.values.map((v) => JSON.stringify(v)).join('|')}`, at);
    case 'invalid_union':
      // Our unions carry their own message; zod's generic one says nothing useful.
      return iss.message === 'Invalid input' ? withReceived('unexpected value', at) : withReceived(iss.message, at);
    case 'too_small':
    case 'too_big':
    case 'invalid_format':
    case 'not_multiple_of':
      return withReceived(iss.message, at);
    default:
      return iss.message;
  }
}

function withReceived(message: string, at: { found: boolean; value?: unknown }): string {
  const shown = JSON.stringify(at.value);
  return at.found && shown !== undefined && shown.length <= 60 ? `${message}, received ${shown}` : message;
}
