// The SSE reader against the framings servers really send: split anywhere, CRLF, comments,
// multi-line data, a last event without its blank line.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { SseDataReader } from './sse.js';

const enc = new TextEncoder();

function readAll(parts: string[]): string[] {
  const r = new SseDataReader();
  return [...parts.flatMap((p) => r.push(enc.encode(p))), ...r.end()];
}

it('reads data events and ignores comments and other fields', () => {
  const text = ': keepalive\n\nevent: message\nid: 1\ndata: {"a":1}\n\ndata:{"b":2}\r\n\r\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n';
  assert.deepEqual(readAll([text]), ['{"a":1}', '{"b":2}', 'line1\nline2', '[DONE]']);
});

it('keeps a last event that has no trailing blank line', () => {
  assert.deepEqual(readAll(['data: x\n\ndata: y']), ['x', 'y']);
});

it('gives the same events however the bytes are split (multi-byte characters included)', () => {
  const events = ['{"content":"héllo 🦀"}', '{"content":"wörld"}', '[DONE]'];
  const bytes = enc.encode(events.map((e) => `data: ${e}\r\n\r\n`).join(''));
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 8 }), (cuts) => {
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      const r = new SseDataReader();
      const out: string[] = [];
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        out.push(...r.push(bytes.slice(prev, p)));
        prev = p;
      }
      out.push(...r.end());
      assert.deepEqual(out, events);
    }),
  );
});
