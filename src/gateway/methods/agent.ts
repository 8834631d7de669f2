// `agent` (upstream's one-shot agent run, used by `openclaw agent --message`): two answers on one
// request id, `status: "accepted"` at once and the final result when the run ends, on top of the
// same chat runs as chat.send (so the `chat` and `agent` events stream to every client too).
import { z } from 'zod';
import type { ModelRuntime } from '../../models/runtime.js';
import { asMethodError } from './chat.js';
import { resolveSession } from './sessions.js';
import { MethodError, type MethodDef } from './types.js';

const str = z.string().max(4096).optional();

/** Upstream's params are a closed object; the keys this gateway has no feature for are accepted and unused. */
export const AgentParams = z.looseObject({
  message: z.string().min(1).max(1_000_000),
  agentId: z.string().min(1).max(256).optional(),
  model: str,
  provider: str,
  sessionKey: z.string().max(512).optional(),
  sessionId: str,
  /** Seconds; 0 or absent: no limit beyond the model's own. */
  timeout: z.number().int().min(0).optional(),
  idempotencyKey: z.string().min(1).max(256),
  label: z.string().max(256).optional(),
});

export function agentMethods(runtime: ModelRuntime): MethodDef[] {
  return [
    {
      name: 'agent',
      scope: 'operator.write',
      sideEffect: true,
      params: AgentParams,
      handler: async ({ params, acknowledge, caller, idempotencyKey }) => {
        const { agentId, sessionKey } = resolveSession(runtime, params.sessionKey, params.agentId);
        // A blank model means "the agent's default", as upstream's CLI sends it.
        const model = params.model?.trim() ? (params.provider?.trim() ? `${params.provider.trim()}/${params.model.trim()}` : params.model.trim()) : undefined;
        const accepted = await asMethodError(() => runtime.chat.send({ sessionKey, message: params.message, agentId, model }, idempotencyKey ? { key: idempotencyKey, deviceId: caller.deviceId, method: 'agent' } : undefined));
        acknowledge({ runId: accepted.runId, status: 'accepted', acceptedAt: accepted.acceptedAt, sessionKey, agentId });
        const outcome = runtime.chat.outcome(accepted.runId);
        if (!outcome) throw new MethodError('UNAVAILABLE', 'agent run ended before it could be observed', { code: 'AGENT_RUN_LOST', fix: `openclaw gateway call chat.history --params '{"sessionKey":"${sessionKey}"}'` });
        let timer: NodeJS.Timeout | undefined;
        if (params.timeout) timer = setTimeout(() => runtime.chat.abort(sessionKey, accepted.runId), params.timeout * 1000);
        const end = await outcome.finally(() => clearTimeout(timer));
        const base = { runId: accepted.runId, sessionKey, agentId };
        if (end.state === 'error') {
          throw new MethodError('UNAVAILABLE', end.errorMessage ?? 'agent run failed', { code: 'AGENT_RUN_FAILED', ...base });
        }
        return {
          ...base,
          status: end.state === 'final' ? 'ok' : 'aborted',
          summary: end.state === 'final' ? 'completed' : 'aborted',
          result: { payloads: end.text ? [{ text: end.text }] : [], meta: { model: end.model ?? null, stopReason: end.state === 'final' ? 'stop' : 'aborted' } },
        };
      },
    },
  ];
}
