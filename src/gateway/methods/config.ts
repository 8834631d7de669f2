// config.get (redacted), config.set|patch|apply ({raw, baseHash}) and config.schema. Writes go
// through ConfigStore (validated, backed up, atomic); the gateway's file watcher then reloads.
import fs from 'node:fs';
import JSON5 from 'json5';
import { z } from 'zod';
import { ConfigStore, ConfigClobberError, ConfigConflictError } from '../../config/store.js';
import { ConfigError, hashRaw, parseConfigText } from '../../config/load.js';
import { applyMergePatch } from '../../config/merge-patch.js';
import { authSwitchProblem, authUnusableFix } from '../../config/auth-usable.js';
import { redactConfig, restoreRedacted } from '../../config/redact.js';

export { restoreRedacted };
import { configJsonSchema } from '../../config/schema.js';
import { SCHEMA_DESCRIPTIONS } from '../../config/schema-descriptions.js';
import { rejectionError, type RejectionContext, type RejectionId } from '../../protocol/errors.js';
import { MethodError, type MethodDef } from './types.js';
import type { ControlPlaneRuntime } from './runtime.js';

function fail(id: RejectionId, ctx: RejectionContext = {}, extra: Record<string, unknown> = {}): never {
  const e = rejectionError(id, ctx, extra);
  throw new MethodError(e.code, e.message, e.details);
}

function readRaw(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseJson5(raw: string, what: string): unknown {
  try {
    return JSON5.parse(raw);
  } catch (err) {
    return fail('CONFIG_WRITE_INVALID', { detail: `${what} is not JSON5: ${(err as Error).message.replace(/^JSON5: /, '')}` });
  }
}


const writeParams = z.object({
  raw: z.string().max(5_000_000),
  baseHash: z.string().max(128).optional(),
  force: z.boolean().optional(),
});

export function configMethods(rt: ControlPlaneRuntime): MethodDef[] {
  const configPath = rt.services.configPath;
  const store = new ConfigStore(configPath);

  /** Current file as a value, checked against the caller's baseHash (required once the file exists). */
  const current = (baseHash: string | undefined): unknown => {
    const raw = readRaw(configPath);
    if (raw !== undefined && baseHash !== hashRaw(raw)) fail('CONFIG_BASE_HASH_MISMATCH');
    if (raw === undefined || raw.trim() === '') return {};
    try {
      return JSON5.parse(raw);
    } catch {
      return {}; // a broken file is being replaced: nothing to merge with or restore from
    }
  };

  const write = (next: unknown, baseHash: string | undefined, force: boolean | undefined, prev: unknown) => {
    // A remote client would lock itself (and everyone) out; `force` is for the clobber guard only,
    // the owner on the gateway host can still write it with the CLI's --force.
    const auth = authSwitchProblem(prev as Record<string, unknown>, next as Record<string, unknown>, process.env);
    if (auth) fail('CONFIG_WRITE_AUTH_UNUSABLE', { detail: auth.problem, hint: authUnusableFix(auth.fix, false) });
    try {
      const r = store.write(next as Record<string, unknown>, { expectedHash: baseHash ?? '', force });
      return { ok: true, path: configPath, hash: r.hash, ...(r.backupPath ? { backupPath: r.backupPath } : {}) };
    } catch (err) {
      if (err instanceof ConfigConflictError) fail('CONFIG_BASE_HASH_MISMATCH');
      if (err instanceof ConfigClobberError) fail('CONFIG_WRITE_REFUSED', { detail: err.message });
      // The issues (key path, message, the fix for that key) let a client point at the field.
      if (err instanceof ConfigError) fail('CONFIG_WRITE_INVALID', { detail: err.problem }, err.issues?.length ? { fix: err.fix, issues: err.issues.map((i) => ({ path: i.path, message: i.message, fix: i.fix })) } : {});
      throw err;
    }
  };

  const replace = ({ params }: { params: z.infer<typeof writeParams> }) => {
    const prev = current(params.baseHash);
    const next = restoreRedacted(parseJson5(params.raw, 'raw'), prev);
    return write(next, params.baseHash, params.force, prev);
  };

  return [
    {
      name: 'config.get',
      scope: 'operator.read',
      handler: () => {
        const raw = readRaw(configPath);
        const parsed = raw === undefined ? null : parseConfigText(raw, configPath);
        // The document as stored, `${VAR}` references included: a client that edits it and writes
        // it back must not turn them into the values they had in the gateway's environment.
        let config: unknown = {};
        if (raw !== undefined) {
          try {
            config = raw.trim() === '' ? {} : JSON5.parse(raw);
          } catch {
            config = {};
          }
        }
        return {
          path: configPath,
          exists: raw !== undefined,
          config: redactConfig(config),
          hash: hashRaw(raw),
          valid: parsed === null || parsed.ok,
          issues: parsed && !parsed.ok ? parsed.issues.map((i) => ({ path: i.path, message: i.message, fix: i.fix })) : [],
        };
      },
    },
    { name: 'config.set', scope: 'operator.admin', params: writeParams, handler: replace },
    // apply = set; whether it reloads or restarts is the watcher's call (gateway.reload.mode).
    { name: 'config.apply', scope: 'operator.admin', params: writeParams, handler: replace },
    {
      name: 'config.patch',
      scope: 'operator.admin',
      params: writeParams,
      handler: ({ params }) => {
        const prev = current(params.baseHash);
        const patch = parseJson5(params.raw, 'raw (a JSON merge patch)');
        const next = restoreRedacted(applyMergePatch(prev, patch), prev);
        return write(next, params.baseHash, params.force, prev);
      },
    },
    {
      name: 'config.schema',
      scope: 'operator.admin',
      // uiHints: upstream's per-path help, from the same descriptions the schema carries.
      handler: () => ({ schema: configJsonSchema(), uiHints: Object.fromEntries(Object.entries(SCHEMA_DESCRIPTIONS).map(([path, help]) => [path, { help }])) }),
    },
  ];
}
