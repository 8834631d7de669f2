// Same-API passthrough for /v1: an OpenAI-compatible upstream's SSE bytes go to the client as they
// came instead of being parsed into events and re-serialized chunk by chunk. Only whole events are
// forwarded (so a keepalive comment can go between them), the `model` field is rewritten to what
// the client asked for, and nothing is sent before the first event with output (content, tool
// call, finish or [DONE]): a failure before it can still fall over to the next model.
//
// Text is handled as latin1 (one char per byte): decoding and re-encoding keep every byte as is,
// and multi-byte UTF-8 characters split across reads need no special care.

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
  private sawDone = false;
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

export interface ForwardOptions {
  /** The upstream's SSE body. */
  bytes: AsyncIterable<Uint8Array>;
  /** The `model` the client asked for (`local/bench`), written into every forwarded chunk. */
  clientModel: string;
  /** Sends latin1 text to the client (whole events only). */
  write(text: string): void;
  /** Called before the first output is written: the run may no longer fall over. */
  onOutput(): void;
  /** Turns an upstream error event into the error the router classifies. */
  toError(error: NonNullable<PassthroughStep['error']>): Promise<Error> | Error;
}

/** Forwards one upstream stream; throws on an upstream error event or a failed read. */
export async function forwardSse(o: ForwardOptions): Promise<void> {
  const pass = new SsePassthrough(o.clientModel);
  for await (const bytes of o.bytes) {
    const step = pass.push(bytes);
    if (step.out) {
      o.onOutput();
      o.write(step.out);
    }
    if (step.error) throw await o.toError(step.error);
  }
  const rest = pass.end();
  o.onOutput();
  o.write(rest);
}
