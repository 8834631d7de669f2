// Key paths into a config object: `gateway.auth.token`, `models.providers.x.models[0].compat`,
// `agents.defaults.models["gpt-5.1"].params`. Parsing, formatting, get/set/unset, CLI values.
import JSON5 from 'json5';

export type PathSegment = string | number;

export class PathSyntaxError extends Error {
  constructor(path: string, why: string) {
    super(`Invalid config path "${path}": ${why}`);
    this.name = 'PathSyntaxError';
  }
}

/** Splits a key path into segments; numbers in brackets are array indexes. */
export function parsePath(path: string): PathSegment[] {
  const segs: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new PathSyntaxError(path, why);
  };
  if (path.trim() === '') fail('the path is empty');
  while (i < path.length) {
    if (path[i] === '[') {
      const quote = path[i + 1];
      let close: number;
      if (quote === '"' || quote === "'") {
        // A quoted key, JSON escapes allowed: ["gpt-5.1"], ['a.b'], ["say \"hi\""].
        let j = i + 2;
        while (j < path.length && path[j] !== quote) j += path[j] === '\\' ? 2 : 1;
        if (path[j + 1] !== ']') fail(`unclosed quoted key at ${i + 1}`);
        const body = path.slice(i + 2, j);
        try {
          segs.push(JSON.parse(`"${quote === '"' ? body : body.replace(/"/g, '\\"')}"`) as string);
        } catch {
          fail(`bad escape in the quoted key at ${i + 1}`);
        }
        close = j + 1;
      } else {
        close = path.indexOf(']', i);
        if (close < 0) fail(`unclosed "[" at ${i + 1}`);
        const inner = path.slice(i + 1, close);
        if (!/^\d+$/.test(inner)) fail(`expected an index or a quoted key inside [] at ${i + 1}`);
        segs.push(Number(inner));
      }
      i = close + 1;
      if (i < path.length && path[i] === '.') {
        i++;
        if (i === path.length) fail('the path ends with "."');
      }
      continue;
    }
    let j = i;
    while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
    const key = path.slice(i, j);
    if (key === '') fail(`empty key at ${i + 1}`);
    segs.push(key);
    i = j;
    if (path[i] === '.') {
      i++;
      if (i === path.length) fail('the path ends with "."');
    }
  }
  return segs;
}

/** The inverse of parsePath: `a.b[0]["x.y"]`. */
export function formatPath(segs: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segs) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z0-9_$\-/:@]+$/.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

export function getPath(obj: unknown, path: string): { found: boolean; value?: unknown } {
  return getSegments(obj, parsePath(path));
}

export function getSegments(obj: unknown, segs: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let cur: unknown = obj;
  for (const seg of segs) {
    if (Array.isArray(cur) && typeof seg === 'number') {
      if (seg >= cur.length) return { found: false };
      cur = cur[seg];
    } else if (isPlainObject(cur) && typeof seg === 'string' && Object.hasOwn(cur, seg)) {
      cur = cur[seg];
    } else return { found: false };
  }
  return { found: true, value: cur };
}

/** Sets `path`, creating missing parents (an array when the next segment is an index). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = parsePath(path);
  if (typeof segs[0] === 'number') throw new PathSyntaxError(path, 'the config root is an object, not an array');
  let cur: Record<string, unknown> | unknown[] = obj;
  for (let k = 0; k < segs.length - 1; k++) {
    const seg = segs[k];
    const nextIsIndex = typeof segs[k + 1] === 'number';
    const existing = readChild(cur, seg);
    const fits = nextIsIndex ? Array.isArray(existing) : isPlainObject(existing);
    const child = fits ? (existing as Record<string, unknown> | unknown[]) : nextIsIndex ? [] : {};
    if (!fits) writeChild(cur, seg, child, path);
    cur = child;
  }
  writeChild(cur, segs[segs.length - 1], value, path);
}

/** Removes `path` (array elements are spliced out). Returns whether something was removed. */
export function unsetPath(obj: Record<string, unknown>, path: string): boolean {
  const segs = parsePath(path);
  const parent = getSegments(obj, segs.slice(0, -1));
  if (!parent.found) return false;
  const last = segs[segs.length - 1];
  if (Array.isArray(parent.value) && typeof last === 'number') {
    if (last >= parent.value.length) return false;
    parent.value.splice(last, 1);
    return true;
  }
  if (isPlainObject(parent.value) && typeof last === 'string' && Object.hasOwn(parent.value, last)) {
    delete parent.value[last];
    return true;
  }
  return false;
}

/**
 * A value typed on the command line: JSON5 (`30`, `true`, `'["a"]'`, `{a:1}`), else the raw text
 * (`tok`, `0.0.0.0:18790`). With strictJson only JSON is accepted and a parse error is thrown.
 */
export function parseCliValue(text: string, strictJson = false): unknown {
  if (strictJson) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SyntaxError(`--strict-json: ${(err as Error).message}`);
    }
  }
  try {
    return JSON5.parse(text);
  } catch {
    return text;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readChild(container: Record<string, unknown> | unknown[], seg: PathSegment): unknown {
  if (Array.isArray(container)) return typeof seg === 'number' ? container[seg] : undefined;
  return typeof seg === 'string' && Object.hasOwn(container, seg) ? container[seg] : undefined;
}

function writeChild(container: Record<string, unknown> | unknown[], seg: PathSegment, value: unknown, path: string): void {
  if (Array.isArray(container)) {
    if (typeof seg !== 'number') throw new PathSyntaxError(path, `"${seg}" is a key, but the value there is an array`);
    if (seg > container.length) throw new PathSyntaxError(path, `index ${seg} is past the end of an array of ${container.length}`);
    container[seg] = value;
    return;
  }
  if (typeof seg === 'number') throw new PathSyntaxError(path, `[${seg}] is an index, but the value there is an object`);
  if (seg === '__proto__' || seg === 'constructor' || seg === 'prototype') throw new PathSyntaxError(path, `"${seg}" is not allowed as a key`);
  container[seg] = value;
}
