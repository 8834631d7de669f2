// Proxy headers arriving from a peer that is not in gateway.trustedProxies: the gateway sees the
// proxy's address as the client (no local trust, rate limits shared by everyone behind the proxy).
import fs from 'node:fs';
import { type Check, isFinding, ok, settingsOf, warn } from '../types.js';

/** The control plane logs this (with `peer`) when X-Forwarded-* arrives from an untrusted peer. */
export const UNTRUSTED_PROXY_LOG_MARKER = 'proxy headers from untrusted peer';

const TAIL_BYTES = 2 * 1024 * 1024;

function tail(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Peers named in untrusted-proxy warnings of the log (most recent last). */
export function untrustedProxyPeers(logText: string): string[] {
  const peers = new Set<string>();
  for (const line of logText.split('\n')) {
    if (!line.includes(UNTRUSTED_PROXY_LOG_MARKER)) continue;
    const m = /"peer"\s*:\s*"([^"]+)"/.exec(line) ?? /peer[= ]([0-9a-fA-F.:]+)/.exec(line);
    peers.add(m ? m[1] : 'unknown');
  }
  return [...peers];
}

export const trustedProxies: Check = {
  id: 'trusted-proxies',
  title: 'Reverse proxy is trusted',
  async run(ctx) {
    const s = settingsOf(ctx);
    if (isFinding(s)) return s;
    const peers = untrustedProxyPeers(tail(ctx.paths.gatewayLog)).filter((p) => !s.trustedProxies.includes(p));
    if (peers.length === 0) return ok(s.trustedProxies.length ? `Trusted proxies: ${s.trustedProxies.join(', ')}.` : 'No proxy headers from untrusted peers in the gateway log.');
    const list = peers.filter((p) => p !== 'unknown');
    return warn(
      `Proxy headers (X-Forwarded-For) arrive from ${list.join(', ') || 'a peer'} that is not in gateway.trustedProxies, so the gateway treats the proxy itself as the client.`,
      `openclaw config set gateway.trustedProxies '${JSON.stringify([...s.trustedProxies, ...(list.length ? list : ['127.0.0.1'])])}'`,
    );
  },
};
