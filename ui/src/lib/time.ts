// Relative times for lists ("3 min ago", "in 2 h"); the exact time goes in a title attribute.

const UNITS: [number, string][] = [
  [86_400_000 * 365, 'y'],
  [86_400_000 * 30, 'mo'],
  [86_400_000 * 7, 'w'],
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

export function relativeTime(ms: number, now: number): string {
  const diff = now - ms;
  const abs = Math.abs(diff);
  if (abs < 10_000) return 'just now';
  for (const [size, unit] of UNITS) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      return diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return 'just now';
}

export function exactTime(ms: number): string {
  return new Date(ms).toLocaleString();
}
