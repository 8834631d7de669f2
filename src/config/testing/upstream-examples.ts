// The JSON5 examples of upstream OpenClaw's docs/gateway/configuration-examples.md, for tests:
// read from the installed upstream package when it is there (so a new upstream release is
// tested as it is), else the committed key-structure copy in upstream-examples.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSON5 from 'json5';
import fixture from './upstream-examples.json' with { type: 'json' };

export interface UpstreamExample {
  name: string;
  config: Record<string, unknown>;
}

export const UPSTREAM_DIR = process.env.OPENCLAW_UPSTREAM_DIR ?? path.join(os.homedir(), '.cache', 'openclaw-compat', 'cli', 'node_modules', 'openclaw');
const DOC = path.join(UPSTREAM_DIR, 'docs', 'gateway', 'configuration-examples.md');

export function upstreamExamples(): { source: string; examples: UpstreamExample[] } {
  if (fs.existsSync(DOC)) {
    const text = fs.readFileSync(DOC, 'utf8');
    const examples: UpstreamExample[] = [];
    let heading = 'example';
    const re = /^(#{2,4} .+)$|^```json5\n([\s\S]*?)^```/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[1]) heading = m[1].replace(/^#+ /, '');
      else examples.push({ name: `${heading} (#${examples.length + 1})`, config: JSON5.parse(m[2]) as Record<string, unknown> });
    }
    return { source: DOC, examples };
  }
  return { source: 'src/config/testing/upstream-examples.json', examples: (fixture.examples as Record<string, unknown>[]).map((config, i) => ({ name: `example #${i + 1}`, config })) };
}

/** The example as a config our gateway starts on: `gateway.mode: "local"` and a token where missing. */
export function startable(config: Record<string, unknown>, token: string): Record<string, unknown> {
  const next = structuredClone(config);
  const gateway = (next.gateway ?? {}) as Record<string, unknown>;
  gateway.mode ??= 'local';
  const auth = (gateway.auth ?? {}) as Record<string, unknown>;
  auth.token ??= token;
  gateway.auth = auth;
  next.gateway = gateway;
  return next;
}

/** Every `${VAR}` the example references, set to a placeholder (upstream fails on unset ones too). */
export function envFor(config: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of JSON.stringify(config).matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) out[m[1]] = `placeholder-${m[1].toLowerCase()}`;
  return out;
}
