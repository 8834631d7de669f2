// Plain-text pieces of human CLI output shared by list commands (devices, pairing).
import { paint } from './style.js';

/** "12s ago", "5m ago", "3h ago", "2d ago" (never negative). */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export interface TableOptions {
  /** The terminal's width: when the table is wider, the `wrap` columns wrap to fit. None when piped. */
  width?: number;
  /** Free-text columns that may wrap (never ids, which users copy whole). */
  wrap?: number[];
  /** Bold header row. */
  color?: boolean;
}

const INDENT = 2;
const GAP = 2;
/** A wrapped column keeps at least this many characters (or its header's width). */
const MIN_WRAP = 8;
/** Words longer than this may still be cut to fit. */
const MAX_WORD = 24;

/**
 * Rows padded to their columns' widths, indented by two spaces; rows[0] is the header. Without
 * `width` (piped output) the layout is the same as it always was.
 */
export function table(rows: string[][], opts: TableOptions = {}): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  if (opts.width !== undefined && !fitWidths(widths, rows, opts.wrap ?? [], opts.width)) return stacked(rows, opts.width, opts.wrap ?? [], opts.color === true);
  const lines: string[] = [];
  rows.forEach((r, rowIndex) => {
    const cells = r.map((c, i) => (c.length > widths[i] ? wrapCell(c, widths[i]) : [c]));
    const height = Math.max(...cells.map((c) => c.length));
    for (let l = 0; l < height; l++) {
      const parts = cells.map((c, i) => {
        const text = c[l] ?? '';
        const padded = text.padEnd(widths[i]);
        return rowIndex === 0 && opts.color ? paint(true, 'bold', text) + padded.slice(text.length) : padded;
      });
      lines.push((' '.repeat(INDENT) + parts.join(' '.repeat(GAP))).trimEnd());
    }
  });
  return lines;
}

/**
 * Narrows the widest wrappable column, one character at a time, until the table fits `width`;
 * false when even the narrowest wrapping does not fit.
 */
function fitWidths(widths: number[], rows: string[][], wrap: number[], width: number): boolean {
  const header = rows[0];
  const total = () => INDENT + widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  // A column narrows no further than its header or (up to MAX_WORD) its longest unbreakable word.
  const floor = (i: number) => Math.max(MIN_WRAP, header[i].length, ...rows.slice(1).flatMap((r) => r[i].split(/(?<=,)| /).map((w) => Math.min(MAX_WORD, w.length))));
  while (total() > width) {
    const candidates = wrap.filter((i) => widths[i] > floor(i));
    if (candidates.length === 0) return false;
    const widest = candidates.reduce((a, b) => (widths[b] > widths[a] ? b : a));
    widths[widest]--;
  }
  return true;
}

/**
 * A table too wide for the terminal even wrapped: one block per row, a header and its value per
 * line (`REQUEST  <id>`), blocks apart by a blank line. Ids stay whole; free text wraps.
 */
function stacked(rows: string[][], width: number, wrap: number[], color: boolean): string[] {
  const [header, ...body] = rows;
  const label = Math.max(...header.map((h) => h.length));
  const room = Math.max(MIN_WRAP, width - INDENT - label - GAP);
  const lines: string[] = [];
  body.forEach((r, n) => {
    if (n > 0) lines.push('');
    r.forEach((cell, i) => {
      const parts = wrap.includes(i) && cell.length > room ? wrapCell(cell, room) : [cell];
      parts.forEach((part, l) => {
        const name = l === 0 ? header[i] : '';
        const shown = color && name ? paint(true, 'bold', name) + ' '.repeat(label - name.length) : name.padEnd(label);
        lines.push((' '.repeat(INDENT) + shown + ' '.repeat(GAP) + part).trimEnd());
      });
    });
  });
  return lines;
}

/** `text` in lines of at most `width`, broken after a comma or at a space when there is one. */
function wrapCell(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const slice = rest.slice(0, width + 1);
    const comma = slice.lastIndexOf(',', width - 1);
    const space = slice.lastIndexOf(' ', width);
    const cut = comma > 0 ? comma + 1 : space > 0 ? space : width;
    out.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  out.push(rest);
  return out;
}
