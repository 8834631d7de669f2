// Chat runs behind chat.send: acknowledged at once, executed one at a time per session, streamed
// as `chat` events (delta → final | aborted | error) with fallbacks announced as `agent`
// lifecycle events. Runs belong to the gateway, not to the connection that started them.
import crypto from 'node:crypto';
import { rejectionError, type ErrorShape } from '../protocol/errors.js';
import { isDiskFull, noteDiskFull } from '../infra/disk-full.js';
import type { InterruptedTurn } from '../sessions/store.js';
import { failedReply, prepareTurn, runAgentTurn, type PreparedTurn } from './agent-turn.js';
import { ModelError, toErrorShape } from './errors.js';
import type { TurnServices } from './runtime.js';
import { sessionAgentId } from './router.js';
import { formatRef, type Usage } from './types.js';
import { IDEMPOTENCY_TTL_MS } from '../protocol/constants.js';

export type ChatState = 'delta' | 'final' | 'aborted' | 'error';

export interface ChatEventPayload {
  runId: string;
  sessionKey: string;
  seq: number;
  state: ChatState;
  deltaText?: string;
  /** `deltaText` is the whole text so far, not a continuation (a resumed run's first delta). */
  replace?: boolean;
  message?: { role: 'assistant'; content: Array<{ type: 'text'; text: string }>; timestamp: number; model?: string };
  errorMessage?: string;
  error?: ErrorShape;
  usage?: Usage;
  stopReason?: string;
}

export interface AgentEventPayload {
  runId: string;
  seq: number;
  stream: 'lifecycle';
  ts: number;
  sessionKey: string;
  data: Record<string, unknown>;
}

export type Emit = (event: 'chat' | 'agent', payload: ChatEventPayload | AgentEventPayload) => void;

export interface ChatSendInput {
  sessionKey: string;
  message: string;
  agentId?: string;
  model?: string;
}

/**
 * Chat deltas are sent at most this often: the first at once, later ones coalesced. Every delta
 * carries the cumulative `message` (v4, and what v3 clients read), so per-token events would cost
 * O(n²) bytes per reply on every connection and in the replay log; upstream throttles at 150 ms.
 */
export const CHAT_DELTA_INTERVAL_MS = 100;

/** How far back a restarted gateway looks for turns to resume. */
const RESUME_WINDOW_MS = 10 * 60_000;

interface RunSpec {
  runId: string;
  sessionKey: string;
  message: InterruptedTurn['message'];
  prepared: PreparedTurn;
  /** A re-run of a turn whose first attempt died with the gateway. */
  resumed: boolean;
  /** Extra system text for this turn (a channel group's systemPrompt). */
  system?: string;
}

/** How a run ended, for callers that deliver the reply themselves (channels). */
export interface RunOutcome {
  state: 'final' | 'aborted' | 'error';
  text: string;
  model?: string;
  errorMessage?: string;
}

export interface ChannelTurnInput {
  /** Chosen by the caller and stable across restarts (derived from the inbound message id). */
  runId: string;
  sessionKey: string;
  message: string;
  agentId?: string;
  system?: string;
  /** Who wrote it, where: recorded on the user message in the transcript. */
  origin?: Record<string, unknown>;
}

interface ActiveRun {
  runId: string;
  sessionKey: string;
  agentId: string;
  controller: AbortController;
  startedAt: number;
  text: string;
  done: Promise<void>;
  outcome: Promise<RunOutcome>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who sent a keyed chat.send: keys are scoped per device, as the idempotency store scopes them. */
export interface SendIdempotency {
  key: string;
  deviceId?: string;
  /** The method the key came with (`chat.send` by default, or `agent`): keys are scoped per method too. */
  method?: string;
}

/** What the transcript stores for a key: a hash, so a key is never written in the clear. */
export function idempotencyKeyHash(i: SendIdempotency): string {
  return crypto.createHash('sha256').update(`${i.method ?? 'chat.send'}\u0000${i.deviceId ?? '-'}\u0000${i.key}`).digest('hex').slice(0, 32);
}

export class ChatRuns {
  private readonly runs = new Map<string, ActiveRun>();
  /** When this gateway process began taking turns: a turn accepted earlier and not answered was cut by a restart. */
  readonly startedAt = Date.now();
  /** Per agent+session: the chat.send key hashes its transcript held when first read (acceptedEarlier). */
  private readonly keysOnDisk = new Map<string, Set<string>>();
  /** Tail of each session's run queue (turns of one session never interleave). */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly rt: TurnServices,
    private readonly emit: Emit,
  ) {}

  /**
   * Validates, persists the user message (fsync), queues the turn and acknowledges it: an
   * acknowledged message survives kill -9. Throws RouteError for an unknown agent or model.
   */
  async send(input: ChatSendInput, idempotency?: SendIdempotency): Promise<{ runId: string; status: 'accepted'; acceptedAt: number }> {
    const agentId = sessionAgentId(this.rt.config(), input.sessionKey, input.agentId);
    const prepared = prepareTurn(this.rt, { agentId, model: input.model });
    const keyHash = idempotency ? idempotencyKeyHash(idempotency) : undefined;
    const earlier = keyHash ? this.acceptedEarlier(prepared.agent.id, input.sessionKey, keyHash) : undefined;
    if (earlier) return earlier;
    const runId = this.runIdFor(idempotency);
    // The key goes into the same fsynced line as the message: there is no moment at which the
    // message is durable and the key is not (the idempotency record is written only after the ack).
    const resumable = { ...(input.model ? { model: input.model } : {}), ...(keyHash ? { idempotencyKey: keyHash } : {}) };
    await this.rt.sessions.append(prepared.agent.id, input.sessionKey, { role: 'user', content: input.message }, runId, resumable);
    const run = this.start({ runId, sessionKey: input.sessionKey, message: input.message, prepared, resumed: false });
    return { runId, status: 'accepted', acceptedAt: run.startedAt };
  }

  /**
   * Upstream's run id is the request's idempotency key, and the official Control UI follows its
   * own send by that id (its chat events must carry it). A UUID key becomes the run id, unless a
   * run of that id is live; any other key (free-form, possibly long) gets a fresh UUID.
   */
  private runIdFor(idempotency: SendIdempotency | undefined): string {
    const key = idempotency?.key;
    return key && UUID.test(key) && !this.runs.has(key) ? key : crypto.randomUUID();
  }

  /**
   * A keyed chat.send whose user message is already in the transcript (a previous gateway process
   * accepted it and died before the idempotency record was written): the same turn's answer, and no
   * second run. A turn still without a reply is resumed here unless it already runs. The session's
   * transcript is read for keys once per process (not per send); a hit reads it again (rare).
   */
  private acceptedEarlier(agentId: string, sessionKey: string, keyHash: string): { runId: string; status: 'accepted'; acceptedAt: number } | undefined {
    const id = `${agentId}\u0000${sessionKey}`;
    let keys = this.keysOnDisk.get(id);
    if (!keys) {
      const since = Date.now() - IDEMPOTENCY_TTL_MS;
      keys = new Set(this.rt.sessions.history(agentId, sessionKey, 400).filter((e) => e.message.role === 'user' && e.ts >= since && e.resumable?.idempotencyKey).map((e) => e.resumable!.idempotencyKey!));
      this.keysOnDisk.set(id, keys);
    }
    if (!keys.has(keyHash)) return undefined;
    const entries = this.rt.sessions.history(agentId, sessionKey, 400);
    const user = entries.find((e) => e.message.role === 'user' && e.resumable?.idempotencyKey === keyHash && Date.now() - e.ts < IDEMPOTENCY_TTL_MS);
    if (!user?.runId) return undefined;
    const answered = entries.some((e) => e.runId === user.runId && e.message.role === 'assistant');
    if (!answered && !this.runs.has(user.runId)) {
      this.resumeTurn({ agentId, sessionKey, runId: user.runId, message: user.message.content, ...(user.resumable?.model ? { model: user.resumable.model } : {}), ts: user.ts });
    }
    return { runId: user.runId, status: 'accepted', acceptedAt: user.ts };
  }

  /**
   * A turn that a channel message started. The channel layer owns its durability (its inbound
   * queue re-dispatches after a crash), so it is not marked resumable here. Idempotent per
   * runId: a user message already on disk is not written again, and a reply already on disk is
   * returned without calling the model (the gateway died between the reply and its delivery).
   */
  async runChannelTurn(input: ChannelTurnInput): Promise<RunOutcome> {
    const agentId = sessionAgentId(this.rt.config(), input.sessionKey, input.agentId);
    const prepared = prepareTurn(this.rt, { agentId });
    const own = this.rt.sessions.history(prepared.agent.id, input.sessionKey, 400).filter((e) => e.runId === input.runId);
    const reply = own.find((e) => e.message.role === 'assistant');
    if (reply && reply.message.stopReason !== 'error' && reply.message.stopReason !== 'aborted') {
      return { state: 'final', text: typeof reply.message.content === 'string' ? reply.message.content : '', model: reply.message.model };
    }
    const existing = this.runs.get(input.runId);
    if (existing) return existing.outcome;
    const persisted = own.some((e) => e.message.role === 'user');
    if (!persisted) await this.rt.sessions.append(prepared.agent.id, input.sessionKey, { role: 'user', content: input.message }, input.runId, undefined, input.origin);
    const run = this.start({ runId: input.runId, sessionKey: input.sessionKey, message: input.message, prepared, resumed: persisted, system: input.system });
    return run.outcome;
  }

  /**
   * Re-runs, from the start and under the same runId, every chat.send turn accepted in the last
   * `maxAgeMs` whose reply never reached the transcript (the gateway died mid-turn). The first
   * delta of a resumed run carries `replace: true` so clients drop the text of the dead attempt.
   * Returns the runIds it resumed.
   */
  resumeInterrupted(maxAgeMs = RESUME_WINDOW_MS): string[] {
    const resumed: string[] = [];
    for (const turn of this.rt.sessions.interruptedTurns(Date.now() - maxAgeMs)) {
      if (this.runs.has(turn.runId)) continue;
      if (this.resumeTurn(turn)) resumed.push(turn.runId);
    }
    return resumed;
  }

  private resumeTurn(turn: InterruptedTurn): boolean {
    let prepared: PreparedTurn;
    try {
      prepared = prepareTurn(this.rt, { agentId: turn.agentId, model: turn.model });
    } catch (err) {
      this.giveUp(turn, err);
      return false;
    }
    this.rt.log.info(`resuming interrupted run ${turn.runId}`, { sessionKey: turn.sessionKey });
    this.start({ runId: turn.runId, sessionKey: turn.sessionKey, message: turn.message, prepared, resumed: true });
    return true;
  }

  /** Queues a run behind the session's earlier turns and streams it as chat/agent events. */
  private start(spec: RunSpec): ActiveRun {
    const { runId, sessionKey, prepared } = spec;
    const controller = new AbortController();
    let settle!: (o: RunOutcome) => void;
    const outcome = new Promise<RunOutcome>((r) => (settle = r));
    const run: ActiveRun = { runId, sessionKey, agentId: prepared.agent.id, controller, startedAt: Date.now(), text: '', done: Promise.resolve(), outcome };
    let chatSeq = 0;
    let agentSeq = 0;
    const chat = (p: Omit<ChatEventPayload, 'runId' | 'sessionKey' | 'seq'>) => this.emit('chat', { runId, sessionKey, seq: chatSeq++, ...p });
    const lifecycle = (data: Record<string, unknown>) => this.emit('agent', { runId, seq: agentSeq++, stream: 'lifecycle', ts: Date.now(), sessionKey, data });
    const snapshot = (model?: string) => ({ role: 'assistant' as const, content: [{ type: 'text' as const, text: run.text }], timestamp: Date.now(), ...(model ? { model } : {}) });
    // Text not yet sent in a delta, when the last delta went out, and the timer that will send it.
    let unsent = '';
    let lastDeltaAt = 0;
    let deltaTimer: NodeJS.Timeout | undefined;
    const flushDelta = (replace = false) => {
      clearTimeout(deltaTimer);
      deltaTimer = undefined;
      if (!unsent) return;
      const deltaText = unsent;
      unsent = '';
      lastDeltaAt = Date.now();
      chat({ state: 'delta', deltaText, ...(replace ? { replace } : {}), message: snapshot() });
    };
    const onDelta = (deltaText: string) => {
      // A resumed run starts over: its first delta replaces what the dead attempt streamed, at once.
      const restart = spec.resumed && run.text === '';
      run.text += deltaText;
      unsent += deltaText;
      if (restart) return flushDelta(true);
      const wait = lastDeltaAt + CHAT_DELTA_INTERVAL_MS - Date.now();
      if (wait <= 0) flushDelta();
      else deltaTimer ??= setTimeout(flushDelta, wait);
    };

    const execute = async () => {
      if (controller.signal.aborted) {
        // Aborted while queued: the turn is over, so it must not look interrupted to a restart.
        await this.rt.sessions
          .append(prepared.agent.id, sessionKey, { role: 'assistant', content: '', stopReason: 'aborted' }, runId)
          .catch((e: Error) => this.rt.log.warn(`could not record the abort of run ${runId}: ${e.message}`));
        chat({ state: 'aborted', message: snapshot(), stopReason: 'aborted' });
        settle({ state: 'aborted', text: '' });
        return;
      }
      lifecycle({ phase: 'start', agentId: prepared.agent.id, model: formatRef(prepared.candidates[0].ref), ...(spec.resumed ? { resumed: true } : {}) });
      const startedAt = Date.now();
      // One info line per turn (never its text): what the Logs view and `openclaw logs` show of chat.
      const turnLine = (outcome: string, model: string) => this.rt.log.info(`chat turn ${runId} ${outcome}: session ${sessionKey}, ${model}, ${run.text.length} chars in ${Date.now() - startedAt} ms`, { sessionKey, runId });
      try {
        const result = await runAgentTurn(this.rt, {
          prepared, sessionKey, runId, message: spec.message, signal: controller.signal, userPersisted: true, system: spec.system, resumed: spec.resumed,
          onDelta,
          onFallback: ({ from, to, error }) => lifecycle({ phase: 'fallback', from, to, reason: error.kind, status: error.status, errorMessage: error.message, fix: error.fix }),
        });
        flushDelta();
        const model = formatRef(result.model);
        // As in the transcript: a reply re-run after a restart says so.
        chat({ state: 'final', message: { ...snapshot(model), ...(spec.resumed ? { resumed: true } : {}) }, usage: result.usage, stopReason: result.stopReason });
        lifecycle({ phase: 'end', model });
        turnLine(result.failures.length ? `done after ${result.failures.length} fallback(s)` : 'done', model);
        settle({ state: 'final', text: result.text, model });
      } catch (err) {
        flushDelta();
        if (err instanceof ModelError && err.kind === 'aborted') {
          chat({ state: 'aborted', message: snapshot(), stopReason: 'aborted' });
          lifecycle({ phase: 'end', aborted: true });
          turnLine('aborted', formatRef(prepared.candidates[0].ref));
          settle({ state: 'aborted', text: run.text });
        } else {
          const error = this.errorShape(err, 'the reply');
          this.rt.log.warn(`chat run ${runId} failed: ${error.message}`, { sessionKey });
          chat({ state: 'error', errorMessage: error.message, error, stopReason: 'error' });
          lifecycle({ phase: 'error', errorMessage: error.message });
          settle({ state: 'error', text: run.text, errorMessage: error.message });
        }
      }
    };

    const prev = this.queues.get(sessionKey) ?? Promise.resolve();
    run.done = prev.then(execute).catch((err: Error) => settle({ state: 'error', text: run.text, errorMessage: err.message })).finally(() => {
      this.runs.delete(runId);
      if (this.queues.get(sessionKey) === run.done) this.queues.delete(sessionKey);
    });
    this.queues.set(sessionKey, run.done);
    this.runs.set(runId, run);
    return run;
  }

  /** A write that failed for lack of space is STATE_DISK_FULL (fix: free space in the state dir), never a raw ENOSPC. */
  private errorShape(err: unknown, what: string): ErrorShape {
    if (!isDiskFull(err)) return toErrorShape(err);
    noteDiskFull('transcripts', err);
    return rejectionError('STATE_DISK_FULL', { stateDir: this.rt.stateDir, detail: what });
  }

  /** An interrupted turn that can no longer run (its agent or model is gone): close it with an error. */
  private giveUp(turn: InterruptedTurn, err: unknown): void {
    const error = toErrorShape(err);
    this.rt.log.warn(`cannot resume interrupted run ${turn.runId}: ${error.message}`, { sessionKey: turn.sessionKey });
    this.rt.sessions
      .append(turn.agentId, turn.sessionKey, failedReply('', err), turn.runId)
      .catch((e: Error) => this.rt.log.warn(`could not record the end of run ${turn.runId}: ${e.message}`));
    this.emit('chat', { runId: turn.runId, sessionKey: turn.sessionKey, seq: 0, state: 'error', errorMessage: error.message, error, stopReason: 'error' });
  }

  /** Aborts the session's runs (or one run). Returns the ids it aborted. */
  abort(sessionKey: string, runId?: string): string[] {
    const hit = [...this.runs.values()].filter((r) => r.sessionKey === sessionKey && (!runId || r.runId === runId));
    for (const r of hit) r.controller.abort();
    return hit.map((r) => r.runId);
  }

  /**
   * Aborts every run of the session, queued ones included, and resolves once each has written
   * its end to the transcript: only then may the transcript be archived (sessions.reset/delete),
   * or an aborted run's partial text would land in the fresh one.
   */
  async abortAndSettle(sessionKey: string): Promise<string[]> {
    const aborted = this.abort(sessionKey);
    await this.queues.get(sessionKey)?.catch(() => {});
    return aborted;
  }

  /** The run currently streaming (or queued first) for a session. */
  inFlight(sessionKey: string): { runId: string; startedAt: number; text: string } | undefined {
    const r = [...this.runs.values()].find((x) => x.sessionKey === sessionKey);
    return r ? { runId: r.runId, startedAt: r.startedAt, text: r.text } : undefined;
  }

  /** Every run of the session that is streaming or queued. */
  liveRunIds(sessionKey: string): Set<string> {
    return new Set([...this.runs.values()].filter((x) => x.sessionKey === sessionKey).map((x) => x.runId));
  }

  /** How a live run ends (the `agent` method answers with it); undefined once it has ended. */
  outcome(runId: string): Promise<RunOutcome> | undefined {
    return this.runs.get(runId)?.outcome;
  }

  /** Resolves when a run finishes (tests, `agent` CLI waits). */
  wait(runId: string): Promise<void> {
    return this.runs.get(runId)?.done ?? Promise.resolve();
  }

  async close(): Promise<void> {
    for (const r of this.runs.values()) r.controller.abort();
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }
}
