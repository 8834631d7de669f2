// Assistant replies as HTML: `marked` parses the markdown, raw HTML in a reply is shown as text
// (never as markup), and DOMPurify sanitizes what marked made (a second line of defence: no
// scripts, no event handlers, no javascript: links). Links open in a new tab with rel=noopener;
// code blocks carry a Copy button (the transcript handles its clicks).
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const md = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    code: ({ text, lang }) => {
      const cls = lang && /^[\w+-]+$/.test(lang) ? ` class="language-${lang}"` : '';
      return `<div class="code-block"><button type="button" class="secondary copy-code" data-copy-code="">Copy</button><pre><code${cls}>${escapeHtml(text)}</code></pre></div>`;
    },
  },
});

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A' && node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, { ADD_ATTR: ['target'], FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'iframe'] });
}

/** Sanitized HTML for a reply's markdown (trimmed, so the text of one paragraph is the reply itself). */
export function renderMarkdown(text: string): string {
  return purify(md.parse(text, { async: false }) as string).trim();
}

/** Copies the code block of a clicked Copy button; true when the click was one. */
export function handleCopyClick(e: MouseEvent): boolean {
  const btn = (e.target as Element | null)?.closest?.('button[data-copy-code]');
  if (!btn) return false;
  const code = btn.parentElement?.querySelector('pre')?.textContent ?? '';
  const done = (label: string) => {
    btn.textContent = label;
    setTimeout(() => (btn.textContent = 'Copy'), 1500);
  };
  const fallback = () => {
    // Without the async clipboard (plain http on a LAN address): select the text and copy it.
    const range = document.createRange();
    range.selectNodeContents(btn.parentElement!.querySelector('pre')!);
    const sel = getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    done(document.execCommand('copy') ? 'Copied' : 'Press Ctrl+C');
  };
  if (navigator.clipboard?.writeText) navigator.clipboard.writeText(code).then(() => done('Copied'), fallback);
  else fallback();
  return true;
}
