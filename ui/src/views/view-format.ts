// Small formatting helpers shared by the Channels, Status and Config views.

/** `just now`, `5m ago`, `3h ago`, `2d ago` (or `in 5m` style when `future`). */
export function relativeAge(ms: number, future = false): string {
  if (!Number.isFinite(ms)) return 'unknown';
  const abs = Math.max(0, ms);
  const m = Math.round(abs / 60_000);
  const text = m < 1 ? (future ? 'under a minute' : 'just now') : m < 60 ? `${m}m` : m < 48 * 60 ? `${Math.round(m / 60)}h` : `${Math.round(m / 1440)}d`;
  return future || m < 1 ? text : `${text} ago`;
}
