// The Bot API's `parse_mode: "HTML"` parser, as far as the fake server needs it: the supported tag
// set, the four named entities plus numeric ones, strict nesting, and the same kind of
// "can't parse entities" errors (with UTF-8 byte offsets) that api.telegram.org returns.
import type { MessageEntity } from 'grammy/types';

export type HtmlParse = { ok: true; text: string; entities: MessageEntity[] } | { ok: false; error: string };

const SIMPLE: Record<string, MessageEntity['type']> = {
  b: 'bold', strong: 'bold', i: 'italic', em: 'italic', u: 'underline', ins: 'underline',
  s: 'strikethrough', strike: 'strikethrough', del: 'strikethrough', 'tg-spoiler': 'spoiler',
};
const SUPPORTED = new Set([...Object.keys(SIMPLE), 'span', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface Open { name: string; attrs: Record<string, string>; start: number; at: number }

const byteOffset = (s: string, i: number) => Buffer.byteLength(s.slice(0, i), 'utf8');

function parseAttrs(raw: string): Record<string, string> | null {
  const attrs: Record<string, string> = {};
  const re = /\s*([A-Za-z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/y;
  let i = 0;
  while (i < raw.length) {
    if (/^\s*$/.test(raw.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(raw);
    if (!m || m[0].length === 0) return null;
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
    i = re.lastIndex;
  }
  return attrs;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (all, name: string) => {
    if (name[0] === '#') {
      const cp = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return NAMED[name.toLowerCase()] ?? all;
  });
}

/** Parses Telegram-flavoured HTML into plain text + entities (UTF-16 offsets, as the Bot API reports them). */
export function parseTelegramHtml(input: string): HtmlParse {
  let out = '';
  const stack: Open[] = [];
  const entities: MessageEntity[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c === '&') {
      const m = /^&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/.exec(input.slice(i, i + 12));
      const decoded = m ? decodeEntities(m[0]) : undefined;
      // An unknown entity is kept literally, like the real parser does.
      if (m && decoded !== m[0]) {
        out += decoded;
        i += m[0].length;
      } else {
        out += '&';
        i++;
      }
      continue;
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }
    const at = byteOffset(input, i);
    const close = input.indexOf('>', i);
    if (input[i + 1] === '/') {
      if (close < 0) return { ok: false, error: `Unclosed end tag at byte offset ${at}` };
      const name = input.slice(i + 2, close).trim().toLowerCase();
      const top = stack.pop();
      if (!top) return { ok: false, error: `Unexpected end tag at byte offset ${at}` };
      if (name !== top.name) return { ok: false, error: `Unmatched end tag at byte offset ${at}, expected "</${top.name}>", found "</${name}>"` };
      const e = toEntity(top, out.length, stack);
      if (e) entities.push(e);
      i = close + 1;
      continue;
    }
    const nameMatch = /^[A-Za-z0-9-]*/.exec(input.slice(i + 1))!;
    const name = nameMatch[0].toLowerCase();
    if (!SUPPORTED.has(name)) return { ok: false, error: `Unsupported start tag "${name}" at byte offset ${at}` };
    if (close < 0) return { ok: false, error: `Unclosed start tag at byte offset ${at}` };
    const attrs = parseAttrs(input.slice(i + 1 + name.length, close));
    if (!attrs) return { ok: false, error: `Expected equal sign in declaration of an attribute of the tag at byte offset ${at}` };
    if (name === 'span' && attrs.class !== 'tg-spoiler') return { ok: false, error: `Tag "span" must have class "tg-spoiler" at byte offset ${at}` };
    stack.push({ name, attrs, start: out.length, at });
    i = close + 1;
  }
  const open = stack.pop();
  if (open) return { ok: false, error: `Can't find end tag corresponding to start tag "${open.name}"` };
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { ok: true, text: out, entities };
}

function toEntity(tag: Open, end: number, outer: Open[]): MessageEntity | undefined {
  const offset = tag.start;
  const length = end - offset;
  if (length <= 0) return undefined;
  const simple = SIMPLE[tag.name];
  if (simple) return { type: simple, offset, length } as MessageEntity;
  switch (tag.name) {
    case 'span':
      return { type: 'spoiler', offset, length };
    case 'a':
      return tag.attrs.href ? { type: 'text_link', offset, length, url: tag.attrs.href } : undefined;
    case 'code': {
      // <pre><code class="language-x"> is one pre entity with a language.
      const parent = outer[outer.length - 1];
      const lang = /^language-(.+)$/.exec(tag.attrs.class ?? '')?.[1];
      if (parent?.name === 'pre' && parent.start === offset) {
        if (lang) parent.attrs['data-language'] = lang;
        return undefined;
      }
      return { type: 'code', offset, length };
    }
    case 'pre': {
      const lang = tag.attrs['data-language'];
      return lang ? { type: 'pre', offset, length, language: lang } : { type: 'pre', offset, length };
    }
    case 'blockquote':
      return { type: 'expandable' in tag.attrs ? 'expandable_blockquote' : 'blockquote', offset, length } as MessageEntity;
    case 'tg-emoji':
      return tag.attrs['emoji-id'] ? { type: 'custom_emoji', offset, length, custom_emoji_id: tag.attrs['emoji-id'] } : undefined;
    default:
      return undefined;
  }
}
