// Long polling with @grammyjs/runner, with our own update supplier so that we own the offset.
//
// Nothing is lost: getUpdates with `offset = N` is what confirms (deletes) every update below N on
// Telegram's side. The runner only asks the source for the next batch after the sink's handle()
// resolved, the sink is sequential, and our consumer awaits `consume()`, which resolves only once
// the message is durable on disk. So the getUpdates that confirms a batch is issued strictly after
// every update of that batch is durable. The offset only moves past an update once it was consumed;
// when consume() throws, the rest of the batch is left alone and the next poll (paced by a backoff)
// starts again at the refused update, so Telegram redelivers it and everything after it, in order.
import { createRunner, createSequentialSink, createSource, type RunnerHandle } from '@grammyjs/runner';
import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../logging/types.js';
import { backoffDelay, sleep } from '../backoff.js';
import { classifyError, type ApiFailure } from './errors.js';
import { grammySignal } from './signal.js';

export interface PollTiming {
  /** First retry delay after an error (doubles up to retryCapMs). */
  retryBaseMs: number;
  retryCapMs: number;
  /** Wait after a 409 conflict: long, so two instances do not fight in a tight loop. */
  conflictBackoffMs: number;
  /** A getUpdates that has not completed after this long is aborted and reissued. */
  stallMs: number;
  /** Long-poll timeout sent to Telegram (seconds). */
  pollTimeoutSec: number;
}

export interface PollEvents {
  /** A getUpdates call completed (with or without updates). */
  pollCompleted(at: number): void;
  /** A getUpdates call failed; polling retries after `retryInMs` unless `terminal`. */
  pollFailed(failure: ApiFailure | null, info: { message: string; terminal: boolean; conflict: boolean; stall: boolean; retryInMs: number }): void;
  /** consume() refused an update: it will be redelivered. */
  consumeFailed(updateId: number, err: unknown): void;
  consumeOk(): void;
}

export interface PollerOptions {
  api: Api;
  /** For scrubbing error messages. */
  token: string;
  log: Logger;
  timing: PollTiming;
  /** Resolves once the update is durable (or deliberately ignored); rejects when it is not. */
  consume(update: Update): Promise<void>;
  events: PollEvents;
}

export interface Poller {
  /** Next update_id to ask for (undefined until the first update was consumed). */
  readonly offset: number | undefined;
  stop(): Promise<void>;
}

class TerminalPollError extends Error {}

const abortError = () => Object.assign(new Error('polling stopped'), { name: 'AbortError' });

export function startPoller(opts: PollerOptions): Poller {
  const { api, timing, events, log } = opts;
  let offset: number | undefined;
  /** The offset Telegram has seen last, i.e. what it has confirmed. */
  let sentOffset: number | undefined;
  let batchRefused = false;
  let consumeFailures = 0;
  let pollFailures = 0;
  let lastCompletedAt = Date.now();

  async function poll(batchSize: number, signal: AbortSignal): Promise<Update[]> {
    batchRefused = false;
    // The previous batch stopped at a refused update: pace its redelivery instead of hammering the sink.
    if (consumeFailures > 0 && !(await sleep(backoffDelay(consumeFailures - 1, timing.retryBaseMs, timing.retryCapMs), signal))) throw abortError();
    for (;;) {
      if (signal.aborted) throw abortError();
      const call = new AbortController();
      const onAbort = () => call.abort();
      signal.addEventListener('abort', onAbort);
      let stalled = false;
      const watchdog = setTimeout(() => {
        stalled = true;
        log.warn(`Polling stall detected (no getUpdates completed for ${Math.round((Date.now() - lastCompletedAt) / 1000)}s); forcing restart`);
        call.abort();
      }, timing.stallMs);
      watchdog.unref();
      try {
        const args = { offset, limit: Math.max(1, Math.min(100, batchSize)), timeout: timing.pollTimeoutSec, allowed_updates: ['message'] as const };
        sentOffset = offset;
        const updates = await api.getUpdates(args, grammySignal(call.signal));
        lastCompletedAt = Date.now();
        pollFailures = 0;
        events.pollCompleted(lastCompletedAt);
        return updates;
      } catch (err) {
        if (signal.aborted) throw err;
        if (stalled) {
          events.pollFailed(null, { message: `Polling stall: getUpdates did not complete within ${Math.round(timing.stallMs / 1000)}s`, terminal: false, conflict: false, stall: true, retryInMs: 0 });
          continue;
        }
        const f = classifyError(err, opts.token);
        if (f.status === 401 || f.status === 404) {
          events.pollFailed(f, { message: f.summary, terminal: true, conflict: false, stall: false, retryInMs: 0 });
          throw new TerminalPollError(f.summary);
        }
        const conflict = f.status === 409;
        const retryInMs = conflict
          ? timing.conflictBackoffMs
          : f.status === 429 && f.retryAfterMs !== undefined
            ? Math.min(f.retryAfterMs, 5 * 60_000)
            : backoffDelay(pollFailures++, timing.retryBaseMs, timing.retryCapMs);
        events.pollFailed(f, { message: f.summary, terminal: conflict, conflict, stall: false, retryInMs });
        if (!(await sleep(retryInMs, signal))) throw abortError();
      } finally {
        clearTimeout(watchdog);
        signal.removeEventListener('abort', onAbort);
      }
    }
  }

  async function consume(update: Update): Promise<void> {
    // Keep the batch in order: once one update was refused, the rest wait for redelivery with it.
    if (batchRefused) return;
    try {
      await opts.consume(update);
    } catch (err) {
      batchRefused = true;
      consumeFailures++;
      events.consumeFailed(update.update_id, err);
      return;
    }
    offset = update.update_id + 1;
    if (consumeFailures > 0) events.consumeOk();
    consumeFailures = 0;
  }

  const source = createSource({ supply: poll as unknown as Parameters<typeof createSource<Update>>[0]['supply'] });
  // consume() never rejects, so the runner's error handler only sees bugs.
  const sink = createSequentialSink<Update, unknown>({ consume }, async (err) => {
    log.error(`telegram update handler failed: ${String(err)}`);
  });
  const runner: RunnerHandle = createRunner(source, sink);
  runner.start();
  runner.task()?.catch((err: unknown) => {
    if (err instanceof TerminalPollError) return;
    log.error(`telegram polling stopped unexpectedly: ${classifyError(err, opts.token).description}`);
    events.pollFailed(null, { message: `polling stopped: ${classifyError(err, opts.token).description}`, terminal: true, conflict: false, stall: false, retryInMs: 0 });
  });

  let stopping: Promise<void> | undefined;
  return {
    get offset() {
      return offset;
    },
    stop() {
      stopping ??= (async () => {
        // Aborts the pending getUpdates; resolves after the batch being consumed is done.
        const task = runner.stop();
        await Promise.race([task?.catch(() => undefined), sleep(10_000)]);
        // Confirm what was consumed since the last poll so a restart does not see it again
        // (it would be deduped, but this saves the round trip). Best effort.
        if (offset !== undefined && offset !== sentOffset) {
          await api.getUpdates({ offset, limit: 1, timeout: 0 }, grammySignal(AbortSignal.timeout(1000))).catch(() => undefined);
        }
      })();
      return stopping;
    },
  };
}
