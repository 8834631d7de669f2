// chat.send / chat.history (and chat.startup) / chat.abort, plus the sessions.* and models/agents families (one
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

const HistoryParams = z.object({
  sessionKey: SessionKey,
  limit: z.number().int().min(1).max(1000).optional(),
  agentId: z.string().min(1).optional(),
  /** Upstream's: runs whose input the caller wants a receipt for (the official Control UI's own sends). */
  inputRunIds: z.array(z.string().min(1).max(256)).min(1).max(50).optional(),
});

/**
 * Upstream's input receipts: a run whose user message is in the transcript was "consumed" by
 * that entry (ours are written at accept time); a live run whose message is not yet read back is
 * "pending"; an unknown run gets no receipt.
 */
function inputReceipts(entries: TranscriptEntry[], runIds: string[], live: Set<string>): Array<Record<string, string>> {
  return runIds.flatMap((runId) => {
    const user = entries.find((e) => e.message.role === 'user' && e.runId === runId);
    if (user) return [{ runId, state: 'consumed', consumedByEventId: user.id }];
    return live.has(runId) ? [{ runId, state: 'pending' }] : [];
  });
}

export function chatMethods(runtime: ModelRuntime): MethodDef[] {
  const history: MethodDef<z.infer<typeof HistoryParams>>['handler'] = ({ params, caller }) => {
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
      // `timestamp` and `__openclaw` {id, runId} are upstream's names: the official Control UI
      // matches a history entry to the reply it streamed by them (else it shows the reply twice).
      messages: withInterrupted(entries, runtime.chat.liveRunIds(sessionKey), runtime.chat.startedAt).map((e) => ({
        id: e.id, ts: e.ts, runId: e.runId, ...e.message, timestamp: e.ts, __openclaw: { id: e.id, ...(e.runId ? { runId: e.runId } : {}) },
      })),
      ...(inFlight ? { inFlightRun: inFlight } : {}),
      ...(params.inputRunIds ? { inputReceipts: inputReceipts(entries, params.inputRunIds, runtime.chat.liveRunIds(sessionKey)) } : {}),
    };
  };
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
    { name: 'chat.history', scope: 'operator.read', params: HistoryParams, handler: history },
    // The official Control UI's first page of a chat: chat.history's answer (its short-link form,
    // `shortId` without a sessionKey, is not supported here and fails as invalid params).
    { name: 'chat.startup', scope: 'operator.read', params: HistoryParams, handler: history },
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
