// The Config form's logic, free of Preact: what kind of field a JSON Schema node becomes, checking
// a value against its node, the merge patch between two configs, and the changes it makes.

export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  pattern?: string;
  description?: string;
}

/** The marker config.get puts where a secret is; sent back unchanged, the gateway keeps the secret. */
export const REDACTED = '__OPENCLAW_REDACTED__';
const SENSITIVE_KEY = /(token|password|passwd|secret|api[_-]?key|private[_-]?key|passphrase|credentials?)$/i;
export const isSensitiveKey = (key: string) => SENSITIVE_KEY.test(key);

export type FieldKind = 'group' | 'boolean' | 'enum' | 'string' | 'number' | 'list' | 'json' | 'skip';

const variants = (n: SchemaNode): SchemaNode[] => n.anyOf ?? n.oneOf ?? [n];
const types = (n: SchemaNode): string[] => (Array.isArray(n.type) ? n.type : n.type ? [n.type] : []);

/** How a node is edited. `{}` (an upstream key this gateway keeps but does not implement) is skipped. */
export function fieldKind(n: SchemaNode): FieldKind {
  if (n.anyOf || n.oneOf) {
    const vs = variants(n);
    return vs.every((v) => types(v).length === 1 && types(v)[0] === 'string') ? 'string' : 'json';
  }
  const t = types(n);
  if (t.length === 0) return n.enum ? 'enum' : 'skip';
  if (t.length > 1) return t.every((x) => x === 'string' || x === 'number' || x === 'integer' || x === 'boolean') ? 'string' : 'json';
  switch (t[0]) {
    case 'object':
      return n.properties && Object.keys(n.properties).length ? 'group' : 'json';
    case 'boolean':
      return 'boolean';
    case 'string':
      return n.enum ? 'enum' : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'array':
      return n.items && types(n.items).length === 1 && types(n.items)[0] === 'string' && !n.items.enum ? 'list' : 'json';
    default:
      return 'json';
  }
}

/** The enum values a string field suggests (anyOf [enum, pattern] unions included). */
export function suggestions(n: SchemaNode): string[] {
  return variants(n).flatMap((v) => (v.enum ?? []).map(String));
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** The first thing wrong with `value` under `n`, phrased like the gateway's issues, or undefined. `path` prefixes nested problems. */
export function validate(n: SchemaNode, value: unknown, path = ''): string | undefined {
  const at = (p: string, msg: string) => (p ? `${p}: ${msg}` : msg);
  if (n.anyOf || n.oneOf) {
    const errs = variants(n).map((v) => validate(v, value, path));
    if (errs.some((e) => e === undefined)) return undefined;
    const enums = suggestions(n);
    return errs.find((e) => e && !/^expected one of/.test(e.replace(/^[^:]*: /, ''))) ?? at(path, enums.length ? `expected one of ${enums.join('|')}` : errs[0]!);
  }
  if (value === REDACTED) return undefined;
  const t = types(n);
  const actual = typeOf(value);
  if (t.length && !t.some((x) => x === actual || (x === 'number' && actual === 'integer'))) {
    return at(path, `expected ${t.map((x) => (x === 'integer' ? 'a whole number' : x)).join(' or ')}, got ${actual}`);
  }
  if (n.enum && !n.enum.includes(value)) return at(path, `expected one of ${n.enum.join('|')}`);
  if (typeof value === 'number') {
    if (n.minimum !== undefined && value < n.minimum) return at(path, `must be at least ${n.minimum}`);
    if (n.maximum !== undefined && value > n.maximum) return at(path, `must be at most ${n.maximum}`);
    if (n.exclusiveMinimum !== undefined && value <= n.exclusiveMinimum) return at(path, `must be more than ${n.exclusiveMinimum}`);
    if (n.exclusiveMaximum !== undefined && value >= n.exclusiveMaximum) return at(path, `must be less than ${n.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    if (n.minLength !== undefined && value.length < n.minLength) return at(path, n.minLength === 1 ? 'must not be empty' : `needs at least ${n.minLength} characters`);
    if (n.pattern && !new RegExp(n.pattern, 'u').test(value)) return at(path, 'has the wrong format');
  }
  if (Array.isArray(value) && n.items) {
    for (let i = 0; i < value.length; i++) {
      const e = validate(n.items, value[i], `${path}[${i}]`);
      if (e) return e;
    }
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    for (const req of n.required ?? []) if (!(req in obj)) return at(path ? `${path}.${req}` : req, 'is required');
    for (const [k, v] of Object.entries(obj)) {
      const sub = n.properties?.[k] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
      const p = path ? `${path}.${k}` : k;
      if (!sub) {
        if (n.additionalProperties === false) return at(p, `unknown key${n.properties ? ` (known: ${Object.keys(n.properties).join(', ')})` : ''}`);
        continue;
      }
      const e = validate(sub, v, p);
      if (e) return e;
    }
  }
  return undefined;
}

/** A human hint of what a node accepts (`a whole number from 1 to 65535`). */
export function expected(n: SchemaNode): string {
  const s = suggestions(n);
  if (!s.length && (n.anyOf || n.oneOf)) return [...new Set(variants(n).map(expected))].join(' or ');
  if (s.length) return `one of ${s.join(', ')}${variants(n).some((v) => v.pattern) ? ', or a literal host[:port]' : ''}`;
  const t = types(n);
  if (t[0] === 'integer' || t[0] === 'number') {
    const what = t[0] === 'integer' ? 'a whole number' : 'a number';
    // integers: an exclusive bound is the next whole number; other numbers say "more than"
    if (t[0] === 'number' && n.exclusiveMinimum !== undefined && n.minimum === undefined) return `${what} more than ${n.exclusiveMinimum}`;
    const lo = n.minimum ?? (n.exclusiveMinimum !== undefined ? n.exclusiveMinimum + 1 : undefined);
    const hi = n.maximum !== undefined && n.maximum < 9e15 ? n.maximum : undefined;
    return lo !== undefined && hi !== undefined ? `${what} from ${lo} to ${hi}` : lo !== undefined ? `${what}, at least ${lo}` : what;
  }
  if (t[0] === 'array') return 'a list';
  if (t[0] === 'boolean') return 'true or false';
  if (t[0] === 'object') return 'an object';
  return t.join(' or ') || 'any value';
}

/** The schema node at a dotted path (`gateway.port`); map keys go through additionalProperties. */
export function nodeAt(root: SchemaNode, path: string): SchemaNode | undefined {
  let cur: SchemaNode | undefined = root;
  for (const seg of path.split('.').filter(Boolean)) {
    if (!cur) return undefined;
    const vs: SchemaNode[] = variants(cur);
    cur = vs.map((v) => v.properties?.[seg] ?? (typeof v.additionalProperties === 'object' ? v.additionalProperties : undefined)).find(Boolean);
  }
  return cur;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function getAt(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

/** A copy of `obj` with `path` set to `value` (undefined deletes it; emptied parents are dropped). */
export function setAt(obj: unknown, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  const base = isObj(obj) ? { ...obj } : {};
  if (rest.length === 0) {
    if (value === undefined) delete base[head];
    else base[head] = value;
    return base;
  }
  const child = setAt(base[head], rest.join('.'), value);
  if (Object.keys(child).length === 0 && !isObj(getAt(obj, head))) delete base[head];
  else base[head] = child;
  return base;
}

/** The RFC 7396 merge patch that turns `from` into `to` (null deletes; arrays are replaced whole). */
export function mergeDiff(from: unknown, to: unknown): unknown {
  if (!isObj(from) || !isObj(to)) return to;
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) patch[k] = v;
    else if (JSON.stringify(from[k]) !== JSON.stringify(v)) patch[k] = isObj(from[k]) && isObj(v) ? mergeDiff(from[k], v) : v;
  }
  return patch;
}

/** RFC 7396: what the gateway does with a config.patch. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Record<string, unknown> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

export interface Change {
  path: string;
  kind: 'added' | 'changed' | 'removed';
  before?: string;
  after?: string;
}

function leaves(v: unknown, prefix: string, out: Map<string, string>): Map<string, string> {
  if (isObj(v) && Object.keys(v).length) for (const [k, x] of Object.entries(v)) leaves(x, prefix ? `${prefix}.${k}` : k, out);
  else if (prefix) out.set(prefix, v === REDACTED ? '(secret, unchanged)' : JSON.stringify(v));
  return out;
}

/** Every leaf that differs between two configs, in path order: the diff preview. */
export function changes(before: unknown, after: unknown): Change[] {
  const a = leaves(before, '', new Map());
  const b = leaves(after, '', new Map());
  const out: Change[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(path);
    const y = b.get(path);
    if (x === y) continue;
    out.push(x === undefined ? { path, kind: 'added', after: y } : y === undefined ? { path, kind: 'removed', before: x } : { path, kind: 'changed', before: x, after: y });
  }
  return out;
}

/** The value a text input means for a node (numbers for number fields, one list item per line…). */
export function parseInput(n: SchemaNode, kind: FieldKind, text: string): { value?: unknown; error?: string } {
  if (text.trim() === '') return { value: undefined };
  switch (kind) {
    case 'number': {
      const num = Number(text);
      return Number.isFinite(num) ? { value: num } : { error: 'expected a number' };
    }
    case 'boolean':
      return { value: text === 'true' };
    case 'list':
      return { value: text.split('\n').map((s) => s.trim()).filter(Boolean) };
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch (err) {
        return { error: `not JSON: ${(err as Error).message}` };
      }
    case 'string': {
      // string|number|boolean unions: a bare number or boolean is that type when the schema allows it
      const t = variants(n).flatMap(types);
      if (t.includes('number') && text.trim() !== '' && Number.isFinite(Number(text))) return { value: Number(text) };
      if (t.includes('boolean') && (text === 'true' || text === 'false')) return { value: text === 'true' };
      return { value: text };
    }
    default:
      return { value: text };
  }
}

/** The text an input shows for a value. */
export function formatInput(kind: FieldKind, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (kind === 'list' && Array.isArray(value)) return value.join('\n');
  if (kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}
