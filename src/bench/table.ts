// The bench report: one row per measured metric, with the same-run baseline and the target.
import type { BenchRow } from './types.js';

export type TableRow = BenchRow & { bench: string };

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  return `${v.toFixed(1)} ${unit}`;
}

export function formatTable(rows: TableRow[]): string {
  const header = ['bench', 'metric', 'ours', 'baseline (bare node)', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [
    r.bench,
    r.metric,
    fmt(r.ours, r.unit),
    fmt(r.baseline, r.unit),
    r.baseline ? `${(r.ours / r.baseline).toFixed(2)}×` : '-',
    r.target,
    r.pass ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
