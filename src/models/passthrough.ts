// Same-API passthrough for /v1: an OpenAI-compatible upstream's SSE bytes go to the client as they
// came instead of being parsed into events and re-serialized chunk by chunk. Only whole events are
// forwarded (so a keepalive comment can go between them), the `model` field is rewritten to what
// the client asked for, and nothing is sent before the first event with output (content, tool
// call, finish or [DONE]): a failure before it can still fall over to the next model.
//
// Text is handled as latin1 (one char per byte): decoding and re-encoding keep every byte as is,
// and multi-byte UTF-8 characters split across reads need no special care.
import type { Readable } from 'node:stream';

/** The `"model":"…"` member of a chunk; a quote inside a JSON string is escaped, so this only matches keys. */
const MODEL_FIELD = /"model":"(?:[^"\\]|\\.)*"/g;
/** An event that commits the answer: visible output, a tool call, a finish or the end. */
const OUTPUT_EVENT = /"(?:content|reasoning_content|refusal)":"[^"]|"tool_calls":\[\{|"finish_reason":"|data: ?\[DONE\]/;
const ERROR_EVENT = /^data: ?(\{"error".*)$/m;
const DONE_EVENT = /^data: ?\[DONE\]/m;

export interface PassthroughStep {
  /** Bytes (as latin1) to send now; empty while the answer is held back. */
  out: string;
  /** The payload of an upstream `{"error":…}` event; `out` holds the events before it. */
  error?: { message?: string; [k: string]: unknown };
}

export class SsePassthrough {
  /** True once output was released: from then on nothing can be taken back. */
  committed = false;
  /** True once the upstream's [DONE] went by: the answer is complete. */
  sawDone = false;
  private tail = '';
  private held = '';
  private readonly modelField: string;

  constructor(clientModel: string) {
    this.modelField = Buffer.from(`"model":${JSON.stringify(clientModel)}`).toString('latin1');
  }

  push(bytes: Uint8Array): PassthroughStep {
    const text = this.tail + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const end = eventsEnd(text);
    this.tail = text.slice(end);
    return end ? this.events(text.slice(0, end)) : { out: '' };
  }

  /** At end of stream: whatever is left, closed with [DONE] when the upstream did not send it. */
  end(): string {
    const last = this.tail.trimEnd();
    const rest = last ? `${last}\n\n` : '';
    this.tail = '';
    const step = this.events(rest);
    this.committed = true;
    const out = this.held + step.out;
    this.held = '';
    return this.sawDone ? out : `${out}data: [DONE]\n\n`;
  }

  private events(text: string): PassthroughStep {
    let error: PassthroughStep['error'];
    if (text.includes('{"error"')) {
      const m = ERROR_EVENT.exec(text);
      if (m) {
        error = parseError(m[1]);
        text = text.slice(0, m.index);
      }
    }
    text = text.replace(MODEL_FIELD, this.modelField);
    if (!this.sawDone && DONE_EVENT.test(text)) this.sawDone = true;
    if (!this.committed) {
      if (!OUTPUT_EVENT.test(text)) {
        this.held += text;
        return { out: '', error };
      }
      this.committed = true;
      text = this.held + text;
      this.held = '';
    }
    return { out: text, error };
  }
}

/** Where the last complete event of `text` ends (after its blank line), or 0. */
function eventsEnd(text: string): number {
  const lf = text.lastIndexOf('\n\n');
  const crlf = text.lastIndexOf('\n\r\n');
  return Math.max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 3);
}

function parseError(json: string): NonNullable<PassthroughStep['error']> {
  try {
    const body = JSON.parse(Buffer.from(json.trimEnd(), 'latin1').toString('utf8')) as { error?: unknown };
    if (body.error && typeof body.error === 'object') return body.error as NonNullable<PassthroughStep['error']>;
    return { message: String(body.error) };
  } catch {
    return { message: 'malformed error event from upstream' };
  }
}

/** An opened upstream SSE response (providers/openai.ts `openSse`). */
export interface UpstreamSse {
  /** The body as a Node stream of bytes. */
  body: Readable;
  /** Call on every chunk: resets the idle watchdog. */
  touch(): void;
  /** What a failed read means (the watchdog's timeout, the run's abort, or the error itself). */
  explain(err: unknown): unknown;
  /** Why the body closed before its end (timeout, abort, or the upstream hanging up). */
  closedEarly(): unknown;
  /** Stops the watchdog; called once the body has ended or failed. */
  dispose(): void;
}

export interface ForwardOptions {
  upstream: UpstreamSse;
  /** The `model` the client asked for (`local/bench`), written into every forwarded chunk. */
  clientModel: string;
  /** Sends latin1 text to the client (whole events only); false when the client's buffer is full. */
  write(text: string): boolean;
  /** Sends the last events and ends the client's response, in one packet. */
  end(text: string): void;
  /** Calls `resume` once the client's buffer has drained. */
  onDrain(resume: () => void): void;
  /** Called before the first output is written: the run may no longer fall over. */
  onOutput(): void;
  /** Turns an upstream error event into the error the router classifies. */
  toError(error: NonNullable<PassthroughStep['error']>): Promise<Error> | Error;
}

/**
 * Forwards one upstream stream; rejects on an upstream error event, a failed read or an early
 * close. Driven by 'data' events (no async iteration per chunk: that was a third of the proxy's
 * JavaScript time per forwarded chunk), pausing the upstream while the client is slow. The
 * client's response ends with the upstream's [DONE] (or its end): the rest of the upstream body
 * is still read, so its connection goes back to the keep-alive pool, and still watched.
 */
export function forwardSse(o: ForwardOptions): Promise<void> {
  const pass = new SsePassthrough(o.clientModel);
  const { body } = o.upstream;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    /** Set on an upstream error event or [DONE]: later bytes, the end and the close are moot. */
    let stopped = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      if (err === undefined) resolve();
      else reject(err);
    };
    // The watchdog lives until the upstream body is over, also after [DONE].
    const over = () => o.upstream.dispose();
    body.once('end', over);
    body.once('close', over);
    const send = (text: string) => {
      o.onOutput();
      if (!o.write(text)) {
        body.pause();
        o.onDrain(() => body.resume());
      }
    };
    const finish = (text: string) => {
      stopped = true;
      o.onOutput();
      o.end(text);
      body.resume(); // drain what is left, even if paused for a slow client
      settle();
    };
    body.on('data', (bytes: Buffer) => {
      if (settled || stopped) return;
      o.upstream.touch();
      const step = pass.push(bytes);
      if (step.error) {
        stopped = true;
        if (step.out) send(step.out);
        body.destroy();
        Promise.resolve(o.toError(step.error)).then(settle, settle);
      } else if (pass.sawDone) finish(step.out);
      else if (step.out) send(step.out);
    });
    body.once('end', () => settled || stopped || finish(pass.end()));
    body.once('error', (err) => settled || stopped || settle(o.upstream.explain(err)));
    // After 'end' this is the normal close: only a close before it needs (an expensive) Error.
    body.once('close', () => settled || stopped || settle(o.upstream.closedEarly()));
  });
}
