// `${VAR}` in config string values: replaced by the variable's value in the config the gateway and
// CLI use (after parsing, before the schema), never in what config writers store. Names are
// uppercase ([A-Z_][A-Z0-9_]*); `$${VAR}` is the literal text `${VAR}`; anything else (`${lower}`,
// `$VAR`, an unclosed `${`) stays as written. A reference to a variable that is unset or empty is
// a config error naming the key path and the variable, never its value.
import type { Env } from './paths.js';
import { formatPath, isPlainObject } from './path-ops.js';
import type { ConfigIssue } from './load.js';

export type EnvSubstitutionResult = { ok: true; value: unknown } | { ok: false; issues: ConfigIssue[] };

/** `$${NAME}` (escaped, group 1 set) or `${NAME}`. */
const REFERENCE = /\$(\$)?\{([A-Z_][A-Z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` in every string value of a parsed config document (keys are left alone).
 * Variables come from `env`, then from the document's own `env.vars` (which never override a
 * value already set, as elsewhere in the config). Returns a new value; the input is not changed.
 */
export function substituteConfigEnv(document: unknown, env: Env): EnvSubstitutionResult {
  const lookup = withConfigVars(document, env);
  const issues: ConfigIssue[] = [];
  const walk = (value: unknown, at: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const { text, missing } = substituteString(value, lookup);
      for (const name of missing) issues.push(missingVarIssue(formatPath(at), name));
      return text;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...at, i]));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...at, k])]));
    return value;
  };
  const value = walk(document, []);
  return issues.length ? { ok: false, issues } : { ok: true, value };
}

/** One string: its substituted text and the names it references that have no value. */
export function substituteString(text: string, env: Env): { text: string; missing: string[] } {
  if (!text.includes('${')) return { text, missing: [] };
  const missing: string[] = [];
  const out = text.replace(REFERENCE, (_match, escaped: string | undefined, name: string) => {
    if (escaped) return `\${${name}}`;
    const value = env[name];
    if (value === undefined || value === '') {
      if (!missing.includes(name)) missing.push(name);
      return '';
    }
    return value;
  });
  return { text: out, missing };
}

function missingVarIssue(path: string, name: string): ConfigIssue {
  const where = path || '(root)';
  const message = `references \${${name}}, but ${name} is not set`;
  return {
    path,
    message,
    text: `${where}: ${message}`,
    fix: `export ${name}=<value>  (in the environment that runs openclaw), or write the value itself: openclaw config set ${path || '<path>'} <value>`,
  };
}

/** The process env over the document's `env.vars` (empty values count as unset). */
function withConfigVars(document: unknown, env: Env): Env {
  const vars = isPlainObject(document) && isPlainObject(document.env) && isPlainObject(document.env.vars) ? document.env.vars : {};
  const merged: Env = {};
  for (const [k, v] of Object.entries(vars)) if (typeof v === 'string' && v !== '') merged[k] = v;
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') merged[k] = v;
  return merged;
}
