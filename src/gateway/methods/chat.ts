// chat.send / chat.history / chat.abort, plus the sessions.* and models/agents families (one
// entry point for the lead's wiring).
import { z } from 'zod';
import { RouteError } from '../../models/errors.js';
import type { ModelRuntime } from '../../models/runtime.js';
import type { TranscriptEntry } from '../../sessions/transcript.js';
import { MethodError, type MethodDef } from './types.js';
import { modelsMethods } from './models.js';
import { resolveSession, sessionDefaults, sessionRow, sessionsMethods } from './sessions.js';
import { agentMethods } from './agent.js';

const SessionKey = z.string().min(1).max(512);

/** The note on a reply a gateway restart cut off (and did not resume). */
export const INTERRUPTED_REPLY = 'interrupted: the gateway stopped before this reply finished';

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
      handler: async ({ params, caller, idempotencyKey }) => {
        const { sessionKey } = resolveSession(runtime, params.sessionKey, params.agentId);
        const keyed = idempotencyKey ? { key: idempotencyKey, deviceId: caller.deviceId } : undefined;
        return { ...(await asMethodError(() => runtime.chat.send({ ...params, sessionKey }, keyed))), sessionKey };
      },
    },
    {
      name: 'chat.history',
      scope: 'operator.read',
      params: z.object({ sessionKey: SessionKey, limit: z.number().int().min(1).max(1000).optional(), agentId: z.string().min(1).optional() }),
      handler: ({ params, caller }) => {
        const { agentId, sessionKey } = resolveSession(runtime, params.sessionKey, params.agentId);
        const entries = runtime.sessions.history(agentId, sessionKey, params.limit ?? 200);
        const inFlight = runtime.chat.inFlight(sessionKey);
        const info = runtime.sessions.info(agentId, sessionKey);
        return {
          sessionKey,
          agentId,
          // Upstream's: the session's row (null before its first message) and the model defaults.
          sessionInfo: info ? sessionRow(runtime, info) : null,
          defaults: sessionDefaults(runtime, agentId, caller),
          messages: withInterrupted(entries, runtime.chat.liveRunIds(sessionKey), runtime.chat.startedAt).map((e) => ({ id: e.id, ts: e.ts, runId: e.runId, ...e.message })),
          ...(inFlight ? { inFlightRun: inFlight } : {}),
        };
      },
    },
    {
      name: 'chat.abort',
      scope: 'operator.write',
      params: z.object({ sessionKey: SessionKey, runId: z.string().min(1).optional() }),
      handler: ({ params }) => {
        const runIds = runtime.chat.abort(resolveSession(runtime, params.sessionKey).sessionKey, params.runId);
        return { ok: true, aborted: runIds.length > 0, runIds };
      },
    },
    ...sessionsMethods(runtime),
    ...agentMethods(runtime),
    ...modelsMethods(runtime),
  ];
}

/**
 * The transcript as clients see it: a turn accepted before this gateway started whose reply never
 * reached the transcript, and that is not running now (the restart did not resume it), gets an
 * assistant message with stopReason "interrupted" right after its user message, so it reads as
 * cut off, not as unanswered, on every reload.
 */
export function withInterrupted(entries: TranscriptEntry[], live: Set<string>, startedAt: number): TranscriptEntry[] {
  const answered = new Set(entries.filter((e) => e.message.role === 'assistant' && e.runId).map((e) => e.runId));
  return entries.flatMap((e) => {
    if (e.message.role !== 'user' || !e.runId || answered.has(e.runId) || live.has(e.runId) || e.ts >= startedAt) return [e];
    return [e, { type: 'message' as const, id: `${e.id}-interrupted`, ts: e.ts, runId: e.runId, message: { role: 'assistant' as const, content: '', stopReason: 'interrupted', errorMessage: INTERRUPTED_REPLY } }];
  });
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
