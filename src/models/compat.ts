// Per-model request rewrites for backends that accept less than the OpenAI API does.
import type { ChatMessage, ChatRequest, ContentPart } from './types.js';

export interface ModelCompat {
  requiresStringContent?: boolean;
  supportsTools?: boolean;
}

/** Joins the text parts of a message into one string (non-text parts become a short marker). */
export function flattenContent(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map(partText).filter((t) => t.length > 0).join('\n');
}

function partText(part: ContentPart): string {
  if (part.type === 'text' && typeof (part as { text?: unknown }).text === 'string') return (part as { text: string }).text;
  if (part.type === 'image_url') return '[image]';
  return '';
}

/** Applies the model's compat flags; returns a new request, never mutates the input. */
export function applyCompat(req: ChatRequest, compat: ModelCompat | undefined): ChatRequest {
  if (!compat) return req;
  let out = req;
  if (compat.requiresStringContent) {
    out = { ...out, messages: out.messages.map((m) => (typeof m.content === 'string' || m.content === null ? m : { ...m, content: flattenContent(m.content) })) };
  }
  if (compat.supportsTools === false && (out.tools || out.toolChoice !== undefined)) {
    const { tools: _tools, toolChoice: _choice, ...rest } = out;
    out = rest;
  }
  return out;
}
