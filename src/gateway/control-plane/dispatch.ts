// Post-hello request handling: method lookup, role, scope, idempotency key, params, handler — in
// that order — and the mapping of every failure to a table error (never a stack trace).
import type { RequestFrame } from '../../protocol/frames.js';
import { formatIssues } from '../../protocol/frames.js';
import { rejectionError, type ErrorShape } from '../../protocol/errors.js';
import { scopeSatisfies } from '../../protocol/scopes.js';
import { isDiskFull, noteDiskFull } from '../../infra/disk-full.js';
import type { Logger } from '../../logging/types.js';
import { MethodError, type CallerInfo, type GatewayServices, type MethodDef } from '../methods/types.js';
import type { IdempotencyStore, Outcome } from './idempotency.js';

export interface DispatchDeps {
  methods: ReadonlyMap<string, MethodDef>;
  services: GatewayServices;
  idempotency: IdempotencyStore;
  log: Logger;
}

export async function dispatchRequest(
  frame: RequestFrame,
  caller: CallerInfo,
  sendToCaller: (event: string, payload: unknown) => void,
  deps: DispatchDeps,
  acknowledge: (payload: unknown) => void = () => {},
): Promise<Outcome> {
  const fail = (error: ErrorShape): Outcome => ({ ok: false, error });
  const def = deps.methods.get(frame.method);
  if (!def) return fail(rejectionError('UNKNOWN_METHOD', { method: frame.method }));
  if (!(def.roles ?? ['operator']).includes(caller.role)) return fail(rejectionError('UNAUTHORIZED_ROLE', { detail: caller.role }));
  if (def.scope !== null && !scopeSatisfies(caller.scopes, def.scope)) {
    return fail(rejectionError('MISSING_SCOPE', { scope: def.scope, deviceId: caller.deviceId }, { missingScope: def.scope, requiredScopes: [def.scope] }));
  }
  const rawParams = frame.params ?? {};
  // Any request that carries a key is deduped; side-effecting methods must carry one.
  const k = typeof rawParams === 'object' && rawParams !== null ? (rawParams as { idempotencyKey?: unknown }).idempotencyKey : undefined;
  const idempotencyKey = typeof k === 'string' && k.length > 0 && k.length <= 256 ? k : undefined;
  if (def.sideEffect && idempotencyKey === undefined) return fail(rejectionError('IDEMPOTENCY_KEY_REQUIRED', { method: def.name }));
  let params: unknown = rawParams;
  if (def.params) {
    const r = def.params.safeParse(rawParams);
    if (!r.success) return fail(rejectionError('INVALID_PARAMS', { method: def.name, detail: formatIssues(r.error) }));
    params = r.data;
  }
  const run = async (): Promise<Outcome> => {
    try {
      const payload = await def.handler({ params, caller, services: deps.services, sendToCaller, acknowledge, idempotencyKey, log: deps.log });
      return { ok: true, payload: payload ?? {} };
    } catch (err) {
      if (err instanceof MethodError) {
        const error: ErrorShape = { code: err.code, message: err.message };
        if (err.details) error.details = err.details;
        if (err.retryAfterMs !== undefined) error.retryAfterMs = err.retryAfterMs;
        return { ok: false, error };
      }
      const message = err instanceof Error ? err.message : String(err);
      deps.log.error(`method ${def.name} failed: ${message}`);
      if (isDiskFull(err)) {
        noteDiskFull(def.name, err);
        return { ok: false, error: rejectionError('STATE_DISK_FULL', { stateDir: deps.services.stateDir, detail: `the result of ${def.name}` }) };
      }
      return { ok: false, error: rejectionError('INTERNAL_ERROR', { detail: message }) };
    }
  };
  if (idempotencyKey === undefined) return run();
  // Scoped per device, so one caller's key never returns another caller's result.
  const key = `${def.name}\u0000${caller.deviceId ?? '-'}\u0000${idempotencyKey}`;
  const { cached: _cached, ...outcome } = await deps.idempotency.run(key, run);
  return outcome;
}
