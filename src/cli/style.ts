// Colour and width for human CLI output, decided once: `util.styleText` paints only when the
// stream is a terminal (or FORCE_COLOR says so) and NO_COLOR is unset, so piped, pasted and parsed
// output stays byte-for-byte plain. Node 20.19 has `styleText(format, text)`; newer versions also
// check the stream themselves unless told not to, which the decision here already did.
import { styleText } from 'node:util';

type Env = Record<string, string | undefined>;
export type Format = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

/**
 * Colour for humans only: `NO_COLOR` (any non-empty value) turns it off, `FORCE_COLOR` (not "0")
 * on; otherwise a terminal that is not `dumb`.
 */
export function useColor(env: Env = process.env, stream: { isTTY?: boolean } = process.stdout): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const paintText = styleText as unknown as (format: Format | Format[], text: string, options?: { validateStream?: boolean }) => string;

/** `text` in `format` when `on`, else unchanged. */
export function paint(on: boolean, format: Format | Format[], text: string): string {
  return on ? paintText(format, text, { validateStream: false }) : text;
}

/** The painters for one stream: headings, table headers, and the ok / warn / error words. */
export interface Style {
  color: boolean;
  heading(text: string): string;
  ok(text: string): string;
  warn(text: string): string;
  error(text: string): string;
  dim(text: string): string;
}

export function styleFor(stream: { isTTY?: boolean } = process.stdout, env: Env = process.env): Style {
  const on = useColor(env, stream);
  return {
    color: on,
    heading: (t) => paint(on, 'bold', t),
    ok: (t) => paint(on, 'green', t),
    warn: (t) => paint(on, 'yellow', t),
    error: (t) => paint(on, 'red', t),
    dim: (t) => paint(on, 'dim', t),
  };
}

/** How a table on stdout may be laid out: the terminal's width (none when piped) and colour. */
export function stdoutLayout(env: Env = process.env, stream: { isTTY?: boolean; columns?: number } = process.stdout): { width?: number; color: boolean } {
  return { width: stream.isTTY && stream.columns ? stream.columns : undefined, color: useColor(env, stream) };
}
