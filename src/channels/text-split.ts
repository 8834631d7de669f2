// Splits a reply into pieces a channel accepts (Telegram: 4096 characters). Prefers paragraph,
// then line, then word boundaries; never splits a surrogate pair.

export function splitText(text: string, limit: number): string[] {
  if (limit <= 0) throw new Error('splitText: limit must be positive');
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = bestCut(rest, limit);
    // A cut between a high and a low surrogate would send half a character.
    if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    const piece = rest.slice(0, cut).trimEnd();
    if (piece) out.push(piece);
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.trim()) out.push(rest);
  return out.length ? out : text ? [text.slice(0, limit)] : [];
}

function bestCut(s: string, limit: number): number {
  const window = s.slice(0, limit + 1);
  const min = Math.floor(limit / 2); // never make pieces absurdly short
  for (const sep of ['\n\n', '\n', ' ']) {
    const at = window.lastIndexOf(sep);
    if (at >= min) return at + (sep === ' ' ? 0 : sep.length);
  }
  return limit;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
