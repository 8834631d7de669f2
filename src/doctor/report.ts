// The doctor's result, defined once: the versioned --json shape and the human rendering both come
// from this object, so they cannot disagree.
import type { Finding, Level } from './types.js';
import { paint, type Format } from '../cli/style.js';

export const REPORT_VERSION = 1;

export interface CheckResult {
  id: string;
  title: string;
  level: Level;
  message: string;
  fix: string | null;
}

export interface DoctorReport {
  version: typeof REPORT_VERSION;
  ok: boolean;
  summary: Record<Level, number>;
  checks: CheckResult[];
}

export function buildReport(results: { id: string; title: string; finding: Finding }[]): DoctorReport {
  const summary: Record<Level, number> = { ok: 0, warn: 0, error: 0, skipped: 0 };
  const checks = results.map(({ id, title, finding }) => {
    summary[finding.level]++;
    const fix = finding.level === 'warn' || finding.level === 'error' ? (finding.fix ?? null) : null;
    return { id, title, level: finding.level, message: finding.message, fix };
  });
  return { version: REPORT_VERSION, ok: summary.error === 0 && summary.warn === 0, summary, checks };
}

/** 0 all ok (skips included), 1 warnings, 2 errors. */
export function exitCodeFor(report: DoctorReport): number {
  return report.summary.error > 0 ? 2 : report.summary.warn > 0 ? 1 : 0;
}

const LABELS: Record<Level, string> = { ok: 'ok   ', warn: 'WARN ', error: 'ERROR', skipped: 'skip ' };
const LABEL_COLOURS: Record<Level, Format> = { ok: 'green', warn: 'yellow', error: 'red', skipped: 'dim' };

/** The report for people; `color` (a terminal only) paints the level words. */
export function renderReport(report: DoctorReport, color = false): string {
  const width = Math.max(...report.checks.map((c) => c.id.length), 8);
  const label = (level: Level) => paint(color, LABEL_COLOURS[level], LABELS[level].trimEnd()) + LABELS[level].slice(LABELS[level].trimEnd().length);
  const lines = report.checks.flatMap((c) => {
    const head = `${label(c.level)} ${c.id.padEnd(width)}  ${c.message}`;
    return c.fix ? [head, `${' '.repeat(width + 8)}fix: ${c.fix}`] : [head];
  });
  const s = report.summary;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push('', `${plural(s.ok, 'check')} ok, ${plural(s.warn, 'warning')}, ${plural(s.error, 'error')}, ${s.skipped} skipped`);
  return lines.join('\n');
}
