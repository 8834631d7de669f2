// gateway.bind: the named modes, and the deprecated literal `HOST` / `HOST:PORT` alias.
import { isIPv4 } from 'node:net';
import { BIND_MODES } from './schema.js';
import type { BindMode } from './types.js';

export function isBindMode(v: string): v is BindMode {
  return (BIND_MODES as readonly string[]).includes(v);
}

/** Splits a literal bind alias: `0.0.0.0:18790` → {host:'0.0.0.0', port:18790}; `[::1]:80`; `::1`; `lan.host`. */
export function parseBindLiteral(text: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : undefined };
  // More than one colon without brackets: a bare IPv6 address, no port.
  if ((text.match(/:/g) ?? []).length > 1) return { host: text };
  const m = /^(.*):(\d+)$/.exec(text);
  return m ? { host: m[1], port: Number(m[2]) } : { host: text };
}

/** The BindMode a literal host behaves like (0.0.0.0 → lan, 127.x → loopback, else custom). */
export function bindModeForHost(host: string): BindMode {
  if (host === '0.0.0.0' || host === '::') return 'lan';
  if (host === 'localhost' || host === '::1' || host.startsWith('127.')) return 'loopback';
  return 'custom';
}

/**
 * The addresses a gateway bound to `host` also listens on (same port): 127.0.0.1 beside one
 * specific non-loopback IPv4, as upstream does, so the owner's CLI on the machine keeps local trust.
 */
export function companionListenHosts(host: string): string[] {
  return isIPv4(host) && host !== '0.0.0.0' && !host.startsWith('127.') ? ['127.0.0.1'] : [];
}

/** Where a CLI on the gateway's own machine dials a gateway that listens on `host`. */
export function localDialHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return companionListenHosts(host)[0] ?? host;
}
