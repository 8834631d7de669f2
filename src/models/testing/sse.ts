// Reading /v1 chat-completion streams in tests: the exact SSE framing (one `data:` line per event,
// each followed by a blank line, `data: [DONE]` last), the chunk sequence our SseWriter produces,
// and the same stream as the official openai SDK sees it.
import assert from 'node:assert/strict';
import type OpenAI from 'openai';

/**
 * Splits a streamed answer into its JSON chunks after checking the framing: every event is a
 * single `data: ` line, events are separated by exactly one blank line, and `data: [DONE]` is the
 * last event and appears only once.
 */
export function parseSseChunks(text: string): any[] {
  assert.ok(text.endsWith('\n\n'), `the stream ends with a blank line: ${JSON.stringify(text.slice(-40))}`);
  const events = text.slice(0, -2).split('\n\n');
  for (const e of events) assert.match(e, /^data: [^\r\n]+$/, `one data line per event: ${JSON.stringify(e)}`);
  assert.equal(events.at(-1), 'data: [DONE]');
  assert.equal(events.filter((e) => e === 'data: [DONE]').length, 1, '[DONE] only once');
  return events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)));
}

export interface ExpectedStream {
  /** The `model` the client sent: every chunk must carry it. */
  model: string;
  /** The whole reply: the content deltas must concatenate to it. */
  text: string;
  /** stream_options.include_usage was set: a usage chunk (choices: []) comes after the finish chunk. */
  usage: boolean;
}

/**
 * Checks a stream written by our own SseWriter (agent turns and providers of another API): the
 * role chunk first, then content deltas only, one finish chunk with finish_reason "stop", the
 * usage chunk exactly when asked for; one id, object and model throughout. Returns the chunks.
 */
export function assertChatStream(text: string, want: ExpectedStream): any[] {
  const chunks = parseSseChunks(text);
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.model, want.model, 'every chunk carries the model the client sent');
    assert.equal(c.id, chunks[0].id, 'one id for the whole stream');
    assert.equal(typeof c.created, 'number');
  }
  const [role, ...rest] = chunks;
  assert.deepEqual(role.choices, [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], 'the role chunk comes first');
  const usage = want.usage ? rest.pop() : undefined;
  const finish = rest.pop();
  assert.deepEqual(finish.choices, [{ index: 0, delta: {}, finish_reason: 'stop' }], 'a finish chunk ends the choices');
  assert.ok(rest.length >= 2, `the reply arrives as several deltas (got ${rest.length})`);
  for (const c of rest) {
    assert.deepEqual(Object.keys(c.choices[0].delta), ['content'], `a content delta: ${JSON.stringify(c.choices[0])}`);
    assert.equal(c.choices[0].finish_reason, null);
  }
  assert.equal(rest.map((c) => c.choices[0].delta.content).join(''), want.text);
  if (usage) {
    assert.deepEqual(usage.choices, [], 'the usage chunk has no choices');
    const u = usage.usage;
    assert.ok(u.prompt_tokens > 0 && u.completion_tokens > 0, JSON.stringify(u));
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
  }
  assert.ok(chunks.every((c) => c === usage || c.usage === undefined), 'no usage unless asked for');
  return chunks;
}

/** POSTs a streamed chat completion with raw fetch and returns the response and its whole body. */
export async function postStream(base: string, token: string, body: Record<string, unknown>): Promise<{ res: Response; text: string }> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  return { res, text: await res.text() };
}

/** What an SDK client made of a stream: the chunks, the concatenated content, the finish reason, the usage. */
export async function sdkStream(client: OpenAI, params: { model: string; messages: OpenAI.Chat.ChatCompletionMessageParam[]; includeUsage?: boolean }) {
  const stream = await client.chat.completions.create({
    model: params.model, messages: params.messages, stream: true, ...(params.includeUsage ? { stream_options: { include_usage: true } } : {}),
  });
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return {
    chunks,
    content: chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''),
    finish: chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean),
    usage: chunks.find((c) => c.usage)?.usage,
  };
}
