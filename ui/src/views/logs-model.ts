// Parsing gateway log lines (JSONL, or plain text from older files) for the Logs view.

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

export interface LogLine {
  key: number;
  time?: string;
  level: Level;
  subsystem?: string;
  message: string;
  raw: string;
}

function toLevel(v: unknown): Level {
  const s = String(v ?? '').toLowerCase();
  if (s === 'warning') return 'warn';
  if (s === 'fatal') return 'error';
  return (LEVELS as readonly string[]).includes(s) ? (s as Level) : 'info';
}

export function parseLogLine(raw: string, key: number): LogLine {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    if (o && typeof o === 'object') {
      const t = o.time ?? o.ts ?? o.timestamp;
      const time = typeof t === 'number' ? new Date(t).toISOString() : typeof t === 'string' ? t : undefined;
      const message = String(o.msg ?? o.message ?? raw);
      const subsystem = typeof o.subsystem === 'string' ? o.subsystem : typeof o.sub === 'string' ? o.sub : undefined;
      return { key, time, level: toLevel(o.level), subsystem, message, raw };
    }
  } catch {
    // plain text line
  }
  const m = raw.match(/\b(DEBUG|INFO|WARN(?:ING)?|ERROR)\b/i);
  return { key, level: toLevel(m?.[1]), message: raw, raw };
}

export function atLeast(level: Level, min: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}
