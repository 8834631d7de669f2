// A stream watchdog: aborts a provider call when no byte arrives for `timeoutMs` (the SDKs' own
// timeout stops at the response headers, so a backend that hangs mid-stream would hang the run).

export class StreamTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no data for ${Math.round(timeoutMs / 1000)}s`);
    this.name = 'TimeoutError';
  }
}

export interface IdleTimeout {
  signal: AbortSignal;
  /** Call on every chunk received. */
  touch(): void;
  /** Maps the abort caused by the watchdog to a StreamTimeoutError; other errors pass through. */
  explain(err: unknown): unknown;
  /** The SDK stream iterators end quietly on abort: call after the loop to surface it. */
  throwIfAborted(): void;
  dispose(): void;
}

export function withIdleTimeout(outer: AbortSignal | undefined, timeoutMs: number): IdleTimeout {
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, timeoutMs);
  const onOuter = () => ctrl.abort();
  if (outer?.aborted) ctrl.abort();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ctrl.signal,
    touch: () => void timer.refresh(),
    explain: (err) => (timedOut ? new StreamTimeoutError(timeoutMs) : err),
    throwIfAborted() {
      if (timedOut) throw new StreamTimeoutError(timeoutMs);
      if (ctrl.signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    },
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
