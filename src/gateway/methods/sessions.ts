// sessions.list / sessions.reset / sessions.delete over the transcript store.
import { z } from 'zod';
import type { ModelRuntime } from '../../models/runtime.js';
import { sessionAgentId } from '../../models/router.js';
import type { MethodDef } from './types.js';

const Target = z.object({ sessionKey: z.string().min(1).max(512), agentId: z.string().min(1).optional() });

export function sessionsMethods(runtime: ModelRuntime): MethodDef[] {
  return [
    {
      name: 'sessions.list',
      scope: 'operator.read',
      params: z.object({ agentId: z.string().min(1).optional(), limit: z.number().int().min(1).max(5000).optional() }),
      handler: ({ params }) => {
        const sessions = runtime.sessions.list(params.agentId).slice(0, params.limit ?? 500);
        return { count: sessions.length, sessions: sessions.map((s) => ({ ...s, active: runtime.chat.inFlight(s.sessionKey) !== undefined })) };
      },
    },
    {
      name: 'sessions.reset',
      scope: 'operator.admin',
      params: Target,
      handler: async ({ params }) => {
        await runtime.chat.abortAndSettle(params.sessionKey);
        const existed = runtime.sessions.reset(sessionAgentId(runtime.config(), params.sessionKey, params.agentId), params.sessionKey);
        return { ok: true, sessionKey: params.sessionKey, reset: existed };
      },
    },
    {
      name: 'sessions.delete',
      scope: 'operator.admin',
      params: Target,
      handler: async ({ params }) => {
        await runtime.chat.abortAndSettle(params.sessionKey);
        const existed = runtime.sessions.delete(sessionAgentId(runtime.config(), params.sessionKey, params.agentId), params.sessionKey);
        return { ok: true, sessionKey: params.sessionKey, deleted: existed };
      },
    },
  ];
}
