// One agent turn: resolve the agent and its models, persist the user message (fsync) before the
// call, stream through the router, persist the assistant message when final. Used by chat.send
// and by /v1/chat/completions with an `openclaw/<agentId>` model.
import type { TranscriptEntry, TranscriptMessage } from '../sessions/transcript.js';
import { ModelError, toErrorShape } from './errors.js';
import { findAgent, resolveCandidates, runWithFallback, type AgentSummary, type Candidate, type TurnCallbacks, type TurnResult } from './router.js';
import type { TurnServices } from './runtime.js';
import { formatRef, type ChatMessage } from './types.js';

export interface PreparedTurn {
  agent: AgentSummary;
  candidates: Candidate[];
}

/** Validates agent and model up front so callers can reject before acknowledging. Throws RouteError. */
export function prepareTurn(rt: TurnServices, o: { agentId?: string; model?: string }): PreparedTurn {
  const cfg = rt.config();
  const agent = findAgent(cfg, o.agentId);
  return { agent, candidates: resolveCandidates(cfg, { agent, model: o.model }) };
}

export interface TurnOptions extends TurnCallbacks {
  prepared: PreparedTurn;
  sessionKey: string;
  runId: string;
  message: TranscriptMessage['content'];
  signal?: AbortSignal;
  /** Extra system text for this turn only (e.g. system messages of a /v1 request). */
  system?: string;
  /** Earlier messages supplied by the caller (a stateless /v1 request); used when the session is new. */
  priorMessages?: ChatMessage[];
  /** The user message was already persisted under `runId` (chat.send does it before acking). */
  userPersisted?: boolean;
  /** The turn is re-run after a restart cut its first attempt (recorded on the reply). */
  resumed?: boolean;
}

export async function runAgentTurn(rt: TurnServices, o: TurnOptions): Promise<TurnResult> {
  const agentId = o.prepared.agent.id;
  const history = turnsBefore(rt.sessions.history(agentId, o.sessionKey, 400), o.runId);
  if (!o.userPersisted) await rt.sessions.append(agentId, o.sessionKey, { role: 'user', content: o.message }, o.runId);
  const messages: ChatMessage[] = [];
  const system = [o.prepared.agent.systemPrompt, o.system].filter(Boolean).join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  if (history.length === 0 && o.priorMessages) messages.push(...o.priorMessages);
  messages.push(...toChatMessages(history), { role: 'user', content: o.message as ChatMessage['content'] });

  let partial = '';
  try {
    const result = await runWithFallback({
      candidates: o.prepared.candidates,
      request: { messages },
      providers: rt.providers,
      signal: o.signal,
      log: rt.log,
      onDelta: (t) => {
        partial += t;
        o.onDelta?.(t);
      },
      onToolCall: o.onToolCall,
      onFallback: o.onFallback,
    });
    await rt.sessions.append(agentId, o.sessionKey, { role: 'assistant', content: result.text, model: formatRef(result.model), stopReason: result.stopReason, usage: result.usage, ...(o.resumed ? { resumed: true } : {}) }, o.runId);
    return result;
  } catch (err) {
    const aborted = err instanceof ModelError && err.kind === 'aborted';
    const note: TranscriptMessage = aborted
      ? { role: 'assistant', content: partial, stopReason: 'aborted' }
      : failedReply(partial, err);
    await rt.sessions.append(agentId, o.sessionKey, note, o.runId);
    throw err;
  }
}

/**
 * The conversation before this run's own entries: later turns already queued (or, for a resumed
 * run, accepted after it) are not context for it.
 */
function turnsBefore(entries: TranscriptEntry[], runId: string): TranscriptEntry[] {
  const own = entries.findIndex((e) => e.runId === runId);
  return own < 0 ? entries : entries.slice(0, own);
}

/** Transcript → model messages; failed turns (errorMessage, no text) are left out. */
function toChatMessages(entries: TranscriptEntry[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const e of entries) {
    const m = e.message;
    if (m.role === 'assistant' && !m.content) continue;
    out.push({ role: m.role, content: m.content as ChatMessage['content'] });
  }
  return out;
}

/** The transcript entry of a failed reply: its text so far, the error and the fix the error names. */
export function failedReply(partial: string, err: unknown): TranscriptMessage {
  const shape = toErrorShape(err);
  const fix = shape.details?.fix;
  return { role: 'assistant', content: partial, stopReason: 'error', errorMessage: shape.message, ...(typeof fix === 'string' && fix ? { fix } : {}) };
}
