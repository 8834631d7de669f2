// Outbound text → what sendMessage gets. Plain text goes out as is (no parse_mode, so nothing can
// fail to parse); text with ``` fences goes out as HTML with the blocks as <pre>, because Telegram
// shows unformatted fences as noise and monospace matters for code and tables.

export interface RenderedText {
  text: string;
  parseMode?: 'HTML';
}

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// A block fence (```lang\n…```) or a one-line fence (```code```). An unpaired ``` stays literal.
const FENCE = /```([^\n`]*)\n([\s\S]*?)```|```([^`\n]+?)```/g;

function codeBlock(info: string, body: string): string {
  const lang = /^[\w#+.-]+$/.test(info.trim()) ? info.trim() : '';
  const content = escapeHtml(body);
  return lang ? `<pre><code class="language-${lang}">${content}</code></pre>` : `<pre>${content}</pre>`;
}

export function renderTelegramText(text: string): RenderedText {
  let out = '';
  let last = 0;
  let blocks = 0;
  for (const m of text.matchAll(FENCE)) {
    const block = m[2] !== undefined ? { info: m[1], body: m[2].replace(/\n$/, '') } : { info: '', body: m[3] };
    // An empty block would leave an empty entity (and maybe an empty message): keep it literal.
    if (block.body.trim() === '') continue;
    out += escapeHtml(text.slice(last, m.index)) + codeBlock(block.info, block.body);
    last = m.index! + m[0].length;
    blocks++;
  }
  if (blocks === 0) return { text };
  return { text: out + escapeHtml(text.slice(last)), parseMode: 'HTML' };
}
