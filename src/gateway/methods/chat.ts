// chat.send / chat.history / chat.abort, plus the sessions.* and models/agents families (one
// entry point for the lead's wiring).
import { z } from 'zod';
import { RouteError } from '../../models/errors.js';
import type { ModelRuntime } from '../../models/runtime.js';
import { sessionAgentId } from '../../models/router.js';
import { MethodError, type MethodDef } from './types.js';
import { modelsMethods } from './models.js';
import { sessionDefaults, sessionRow, sessionsMethods } from './sessions.js';
import { agentMethods } from './agent.js';

const SessionKey = z.string().min(1).max(512);

export function chatMethods(runtime: ModelRuntime): MethodDef[] {
  return [
    {
      name: 'chat.send',
      scope: 'operator.write',
      sideEffect: true,
      params: z.object({
        sessionKey: SessionKey,
        message: z.string().min(1).max(1_000_000),
        agentId: z.string().min(1).optional(),
        model: z.string().min(3).optional(),
      }),
      handler: ({ params, caller, idempotencyKey }) => asMethodError(() => runtime.chat.send(params, idempotencyKey ? { key: idempotencyKey, deviceId: caller.deviceId } : undefined)),
    },
    {
      name: 'chat.history',
      scope: 'operator.read',
      params: z.object({ sessionKey: SessionKey, limit: z.number().int().min(1).max(1000).optional(), agentId: z.string().min(1).optional() }),
      handler: ({ params, caller }) => {
        const agentId = sessionAgentId(runtime.config(), params.sessionKey, params.agentId);
        const entries = runtime.sessions.history(agentId, params.sessionKey, params.limit ?? 200);
        const inFlight = runtime.chat.inFlight(params.sessionKey);
        const info = runtime.sessions.list(agentId).find((s) => s.sessionKey === params.sessionKey);
        return {
          sessionKey: params.sessionKey,
          agentId,
          // Upstream's: the session's row (null before its first message) and the model defaults.
          sessionInfo: info ? sessionRow(runtime, info) : null,
          defaults: sessionDefaults(runtime, agentId, caller),
          messages: entries.map((e) => ({ id: e.id, ts: e.ts, runId: e.runId, ...e.message })),
          ...(inFlight ? { inFlightRun: inFlight } : {}),
        };
      },
    },
    {
      name: 'chat.abort',
      scope: 'operator.write',
      params: z.object({ sessionKey: SessionKey, runId: z.string().min(1).optional() }),
      handler: ({ params }) => {
        const runIds = runtime.chat.abort(params.sessionKey, params.runId);
        return { ok: true, aborted: runIds.length > 0, runIds };
      },
    },
    ...sessionsMethods(runtime),
    ...agentMethods(runtime),
    ...modelsMethods(runtime),
  ];
}

/** Route errors (unknown agent / model) become protocol errors with cause and fix. */
export async function asMethodError<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RouteError) {
      const shape = err.toErrorShape();
      throw new MethodError(shape.code, shape.message, shape.details);
    }
    throw err;
  }
}
