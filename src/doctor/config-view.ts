// The config as doctor sees it: the raw object (so legacy keys and broken files can still be
// explained), the strict loader's verdict, and the gateway's effective settings when it validates.
import fs from 'node:fs';
import JSON5 from 'json5';
import { ConfigError, hashRaw, isEmptyConfigText, parseConfigText } from '../config/load.js';
import { getPath, isPlainObject } from '../config/path-ops.js';
import type { Env } from '../config/paths.js';
import { resolveGatewaySettings } from '../config/resolve.js';
import type { ResolvedGatewaySettings } from '../config/types.js';

export type JsonObject = Record<string, unknown>;

export interface ConfigProblem {
  /** One sentence (`<file>:<line>:<col>: …` for syntax errors, `<key>: …` for schema errors). */
  text: string;
  fix: string;
  /** The file does not even parse as JSON5. */
  syntax: boolean;
}

export interface ConfigView {
  path: string;
  exists: boolean;
  /** sha256 of the bytes read ('' when missing): repairs refuse to write if the file changed since. */
  hash: string;
  /** The parsed object ({} when missing or unparseable). */
  value: JsonObject;
  /** Why the gateway would refuse this config (parse, schema or resolve error). */
  problem?: ConfigProblem;
  /** The effective settings, when the config is valid. */
  settings?: ResolvedGatewaySettings;
}

export function readConfigView(configPath: string, env: Env): ConfigView {
  let raw: string;
  try {
    raw = fs.readFileSync(configPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return { path: configPath, exists: true, hash: '', value: {}, problem: { text: `${configPath} cannot be read (${code})`, fix: `ls -l ${configPath}`, syntax: true } };
    return { path: configPath, exists: false, hash: '', value: {}, ...resolved({}, env) };
  }
  if (isEmptyConfigText(raw)) return { path: configPath, exists: false, hash: hashRaw(raw), value: {}, ...resolved({}, env) };
  const result = parseConfigText(raw, configPath);
  let value: JsonObject = {};
  try {
    const parsed: unknown = JSON5.parse(raw);
    if (isPlainObject(parsed)) value = parsed;
  } catch {
    // reported through result below
  }
  if (!result.ok) {
    const syntax = result.issues[0]?.path === '' && result.problem.startsWith(configPath);
    const more = result.issues.length > 1 ? ` (and ${result.issues.length - 1} more)` : '';
    return { path: configPath, exists: true, hash: hashRaw(raw), value, problem: { text: `${result.issues[0]?.text ?? result.problem}${more}`, fix: result.issues[0]?.fix ?? result.fix, syntax } };
  }
  return { path: configPath, exists: true, hash: hashRaw(raw), value, ...resolved(result.config, env) };
}

function resolved(config: Parameters<typeof resolveGatewaySettings>[0], env: Env): Pick<ConfigView, 'settings' | 'problem'> {
  try {
    return { settings: resolveGatewaySettings(config, env) };
  } catch (err) {
    if (err instanceof ConfigError) return { problem: { text: err.problem, fix: err.fix, syntax: false } };
    throw err;
  }
}

export function valueAt(obj: JsonObject, dotted: string): unknown {
  return getPath(obj, dotted).value;
}
