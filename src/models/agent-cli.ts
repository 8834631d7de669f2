// `openclaw agent`: one chat.send through the running gateway, streaming the run's `chat` events
// until it is final. The idempotency key makes a retried send after a reconnect safe.
import crypto from 'node:crypto';
import { withGateway, type ConnectOptions } from '../client/call.js';
import { GatewayCallError, GatewayClosedError, GatewayTimeoutError } from '../client/errors.js';
import type { ConnectionState } from '../client/gateway-client.js';
import { rejectionError } from '../protocol/errors.js';
import type { ChatEventPayload } from './chat-runs.js';
import type { Usage } from './types.js';

export interface AgentRunResult {
  ok: true;
  runId: string;
  sessionKey: string;
  text: string;
  model: string | null;
  usage: Usage | null;
  stopReason: string | null;
}

export interface AgentRunOptions extends ConnectOptions {
  sessionKey: string;
  message: string;
  agentId?: string;
  model?: string;
  onDelta?(text: string): void;
}

export function runAgentViaGateway(o: AgentRunOptions): Promise<AgentRunResult> {
  return withGateway(o, async (client, remainingMs) => {
    // Events can arrive before the ack: keep them all until the run id is known.
    const seen: ChatEventPayload[] = [];
    let runId: string | undefined;
    let settle: ((p: ChatEventPayload) => void) | undefined;
    const onEvent = (name: string, payload: unknown) => {
      if (name !== 'chat') return;
      const p = payload as ChatEventPayload;
      if (runId === undefined) seen.push(p);
      else handle(p);
    };
    let text = '';
    const handle = (p: ChatEventPayload) => {
      if (p.runId !== runId) return;
      if (p.state === 'delta' && p.deltaText) {
        text += p.deltaText;
        o.onDelta?.(p.deltaText);
      } else if (p.state !== 'delta') settle?.(p);
    };
    const terminal = new Promise<ChatEventPayload>((resolve) => (settle = resolve));
    client.on('event', onEvent);
    const ack = (await client.request(
      'chat.send',
      { sessionKey: o.sessionKey, message: o.message, ...(o.agentId ? { agentId: o.agentId } : {}), ...(o.model ? { model: o.model } : {}) },
      { timeoutMs: remainingMs(), idempotencyKey: crypto.randomUUID() },
    )) as { runId: string; sessionKey?: string };
    runId = ack.runId;
    for (const p of seen.splice(0)) handle(p);
    let timer: NodeJS.Timeout | undefined;
    let onState: ((s: ConnectionState) => void) | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(GatewayTimeoutError.request('chat.send')), remainingMs());
      // The run goes on in the gateway, but this one-shot client will not see its end.
      onState = (s) => {
        if (s.state === 'closed' || s.state === 'reconnecting') reject(new GatewayClosedError(s.code ?? 1006, s.reason ?? ''));
      };
      client.on('state', onState);
    });
    try {
      const end = await Promise.race([terminal, failed]);
      if (end.state === 'error') throw new GatewayCallError(end.error ?? rejectionError('INTERNAL_ERROR', { detail: end.errorMessage }));
      const finalText = end.message?.content?.map((c) => c.text).join('') ?? text;
      return { ok: true, runId: ack.runId, sessionKey: ack.sessionKey ?? o.sessionKey, text: finalText, model: end.message?.model ?? null, usage: end.usage ?? null, stopReason: end.stopReason ?? null };
    } finally {
      clearTimeout(timer);
      client.off('event', onEvent);
      if (onState) client.off('state', onState);
    }
  });
}
