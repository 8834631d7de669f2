// A small incremental SSE reader: bytes in, the `data` payload of each complete event out. Used
// on the raw response of the SDK's streaming call (the SDK builds, authenticates and checks the
// request; reading the body here skips its three stacked async iterators per chunk, about a third
// of the proxy's CPU per streamed completion).

export class SseDataReader {
  private readonly decoder = new TextDecoder();
  private buffer = '';
  private data: string[] = [];

  /** Feeds bytes; returns the data of every event completed by them. */
  push(bytes: Uint8Array): string[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    return this.drain();
  }

  /** At end of stream: the data of a last event not followed by a blank line. */
  end(): string[] {
    this.buffer += this.decoder.decode();
    const out = this.drain();
    if (this.buffer) this.line(this.buffer.endsWith('\r') ? this.buffer.slice(0, -1) : this.buffer, out);
    this.buffer = '';
    this.line('', out);
    return out;
  }

  private drain(): string[] {
    const out: string[] = [];
    let start = 0;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n', start)) {
      const end = nl > start && this.buffer.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(this.buffer.slice(start, end), out);
      start = nl + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string, out: string[]): void {
    if (line === '') {
      if (this.data.length) out.push(this.data.join('\n'));
      this.data = [];
    } else if (line.startsWith('data:')) {
      this.data.push(line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5));
    }
    // comments (`: keepalive`) and other fields (event, id, retry) carry nothing we use
  }
}
