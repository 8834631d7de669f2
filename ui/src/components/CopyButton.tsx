import { useState } from 'preact/hooks';

/** Copies `text`; falls back to selecting it where the Clipboard API is missing (plain HTTP). */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  const copy = async (ev: Event) => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const code = (ev.currentTarget as HTMLElement).parentElement?.querySelector('code');
      if (code) getSelection()?.selectAllChildren(code);
      return;
    }
    setDone(true);
    setTimeout(() => setDone(false), 1500);
  };
  return (
    <button type="button" class="copy" onClick={copy} data-copy={text}>
      {done ? 'Copied' : label}
    </button>
  );
}

/** A command or config line the user should run, with its copy button. */
export function FixLine({ fix }: { fix: string }) {
  return (
    <div class="fix">
      <code>{fix}</code>
      <CopyButton text={fix} />
    </div>
  );
}
