// The bench report: one row per measured metric, with the same-run baseline and the target.
import type { BenchRow } from './types.js';

export type TableRow = BenchRow & { bench: string };

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  if (unit === '/s') return `${Math.round(v)} /s`;
  return `${v.toFixed(1)} ${unit}`;
}

function result(pass: boolean | undefined): string {
  if (pass === undefined) return 'reported';
  return pass ? 'ok' : 'FAIL';
}

export function formatTable(rows: TableRow[]): string {
  const header = ['bench', 'metric', 'ours', 'baseline', 'ratio', 'target', 'result'];
  const notes: string[] = [];
  const body = rows.map((r) => [
    r.bench,
    r.note ? `${r.metric} [${notes.push(r.note)}]` : r.metric,
    fmt(r.ours, r.unit),
    r.baseline === undefined ? '-' : `${fmt(r.baseline, r.unit)}${r.baselineName ? ` (${r.baselineName})` : ''}`,
    r.baseline ? `${(r.ours / r.baseline).toFixed(2)}×` : '-',
    r.target,
    result(r.pass),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ...(notes.length ? ['', ...notes.map((n, i) => `[${i + 1}] ${n}`)] : [])].join('\n');
}
