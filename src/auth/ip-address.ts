// IP literals and CIDR ranges as bytes: parse, normalize (IPv4-mapped IPv6 becomes IPv4), format
// (RFC 5952 for IPv6) and match. Pure; the basis of trusted-proxy and loopback decisions.
import net from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  bytes: Uint8Array;
}

export interface CidrRange extends IpAddress {
  prefix: number;
}

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Parses an IPv4 or IPv6 literal (zone ids dropped). IPv4-mapped IPv6 is returned as IPv4. */
export function parseIp(text: string | undefined): IpAddress | null {
  if (!text) return null;
  const bare = text.trim().replace(/%.*$/, '');
  if (net.isIPv4(bare)) return { family: 4, bytes: parseV4(bare) };
  const bytes = parseV6(bare);
  if (!bytes) return null;
  if (MAPPED_PREFIX.every((b, i) => bytes[i] === b)) return { family: 4, bytes: bytes.slice(12) };
  return { family: 6, bytes };
}

function parseV4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map((p) => Number(p)));
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/**
 * Validates and parses an IPv6 literal (no zone), accepting what net.isIPv6 accepts. Not
 * net.isIPv6 itself: its regular expression costs ~4 ms to compile on first use (at every start)
 * and ~1 ms per call until V8 tiers it up.
 */
function parseV6(text: string): Uint8Array | null {
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return null;
  const split = (part: string) => (part === '' ? [] : part.split(':'));
  const head = split(gap === -1 ? text : text.slice(0, gap));
  const tail = gap === -1 ? [] : split(text.slice(gap + 2));
  // A trailing dotted IPv4 (::ffff:1.2.3.4) stands for the last two groups.
  const withLast = gap === -1 ? head : tail;
  const last = withLast[withLast.length - 1];
  if (last?.includes('.')) {
    if (!net.isIPv4(last)) return null;
    const v4 = parseV4(last);
    withLast.splice(withLast.length - 1, 1, ((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16));
  }
  const count = head.length + tail.length;
  if (gap === -1 ? count !== 8 : count > 7) return null;
  if (![...head, ...tail].every((g) => HEX_GROUP.test(g))) return null;
  const groups = [...head, ...new Array<string>(8 - count).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = (groups[i] >> 8) & 255;
    out[i * 2 + 1] = groups[i] & 255;
  }
  return out;
}

/** Canonical text: dotted IPv4, or RFC 5952 IPv6 (lowercase, longest zero run compressed). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i] << 8) | ip.bytes[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The canonical form of an IP literal, or undefined when it is not one. */
export function normalizeIp(text: string | undefined): string | undefined {
  const ip = parseIp(text);
  return ip ? formatIp(ip) : undefined;
}

/** Parses `ip` or `ip/prefix`. A mapped IPv6 range (::ffff:a.b.c.d/104) becomes an IPv4 range. */
export function parseCidr(text: string): CidrRange | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addrText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (slash === -1) return { ...ip, prefix: max };
  const prefixText = trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  // "::ffff:10.0.0.0/104" was parsed as IPv4, but its prefix counts the 96 mapped bits.
  const wasV6Text = addrText.includes(':');
  if (ip.family === 4 && wasV6Text) {
    if (prefix < 96) return null;
    prefix -= 96;
  }
  if (prefix > max) return null;
  return { ...ip, prefix };
}

export function cidrContains(range: CidrRange, ip: IpAddress): boolean {
  if (range.family !== ip.family) return false;
  const fullBytes = range.prefix >> 3;
  for (let i = 0; i < fullBytes; i++) if (range.bytes[i] !== ip.bytes[i]) return false;
  const bits = range.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (range.bytes[fullBytes] & mask) === (ip.bytes[fullBytes] & mask);
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackIp(ip: IpAddress): boolean {
  if (ip.family === 4) return ip.bytes[0] === 127;
  return ip.bytes.every((b, i) => (i === 15 ? b === 1 : b === 0));
}

/**
 * The address in a forwarding-header entry: strips quotes, `[v6]:port`, `[v6]` and `v4:port`.
 * Returns the text unchanged otherwise (bare IPv6 has several colons and no port).
 */
export function stripPort(entry: string): string {
  let s = entry.trim().replace(/^"(.*)"$/, '$1');
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracket) return bracket[1];
  const v4Port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(s);
  if (v4Port) s = v4Port[1];
  return s;
}
