import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasProxyHeaders, isLocalDirectRequest, isLoopbackAddress, isTrustedProxy, resolveClientIp, untrustedProxyHeaderNotifier } from './client-ip.js';
import { formatIp, normalizeIp, parseCidr, parseIp } from './ip-address.js';

const input = (remoteAddress: string | undefined, headers: Record<string, string> = {}, trustedProxies: string[] = [], allowRealIpFallback = false) => ({
  remoteAddress,
  headers,
  trustedProxies,
  allowRealIpFallback,
});

test('normalizeIp: canonical forms, mapped IPv4, zones; rejects junk', () => {
  assert.equal(normalizeIp('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(normalizeIp('::FFFF:7f00:1'), '127.0.0.1');
  assert.equal(normalizeIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(normalizeIp('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
  assert.equal(normalizeIp('fe80::1%eth0'), 'fe80::1');
  assert.equal(normalizeIp('::'), '::');
  assert.equal(normalizeIp('::1'), '::1');
  for (const bad of ['', '1.2.3', '256.1.1.1', '01.2.3.4', 'localhost', '1.2.3.4:80', 'gggg::1', '1::2::3']) assert.equal(normalizeIp(bad), undefined, bad);
});

test('isTrustedProxy: IPs and CIDRs, IPv4/IPv6, mapped addresses, invalid entries ignored', () => {
  const list = ['10.0.0.0/8', '192.168.1.5', '2001:db8::/32', 'not-an-ip', '::ffff:172.16.0.0/108'];
  assert.equal(isTrustedProxy('10.200.3.4', list), true);
  assert.equal(isTrustedProxy('::ffff:10.1.1.1', list), true);
  assert.equal(isTrustedProxy('192.168.1.5', list), true);
  assert.equal(isTrustedProxy('192.168.1.6', list), false);
  assert.equal(isTrustedProxy('2001:db8:ffff::9', list), true);
  assert.equal(isTrustedProxy('2001:db9::1', list), false);
  assert.equal(isTrustedProxy('172.31.255.255', list), true);
  assert.equal(isTrustedProxy('172.32.0.0', list), false);
  assert.equal(isTrustedProxy(undefined, list), false);
  assert.equal(isTrustedProxy('10.0.0.1', []), false);
  assert.equal(parseCidr('10.0.0.0/33'), null);
  assert.equal(parseCidr('10.0.0.0/x'), null);
});

test('resolveClientIp: untrusted peers are the client, whatever they claim', () => {
  assert.equal(resolveClientIp(input('203.0.113.7', { 'x-forwarded-for': '127.0.0.1' })), '203.0.113.7');
  assert.equal(resolveClientIp(input('::ffff:203.0.113.7')), '203.0.113.7');
  assert.equal(resolveClientIp(input(undefined)), undefined);
});

test('resolveClientIp: trusted proxy → right-most untrusted XFF hop; fails closed', () => {
  const proxies = ['10.0.0.1', '10.0.0.2'];
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-forwarded-for': '6.6.6.6, 198.51.100.9, 10.0.0.2' }, proxies)), '198.51.100.9');
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-forwarded-for': '198.51.100.9:5555' }, proxies)), '198.51.100.9');
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-forwarded-for': '"[2001:db8::7]:443"' }, proxies)), '2001:db8::7');
  // only proxies in the chain, or junk: never the proxy itself
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-forwarded-for': '10.0.0.2' }, proxies)), undefined);
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-forwarded-proto': 'https' }, proxies)), undefined);
  // no forwarding header at all: the proxy host itself is talking to us directly
  assert.equal(resolveClientIp(input('10.0.0.1', {}, proxies)), '10.0.0.1');
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-forwarded-for': '1.1.1.1, garbage' }, proxies)), undefined);
  // X-Real-IP only when allowed, and only without XFF
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-real-ip': '198.51.100.4' }, proxies)), undefined);
  assert.equal(resolveClientIp(input('10.0.0.1', { 'x-real-ip': '198.51.100.4' }, proxies, true)), '198.51.100.4');
});

test('hasProxyHeaders recognizes forwarding headers', () => {
  assert.equal(hasProxyHeaders({ host: 'x' }), false);
  for (const h of ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip']) assert.equal(hasProxyHeaders({ [h]: '1' }), true, h);
});

test('isLocalDirectRequest: loopback peer, local Host, and no untrusted proxy headers', () => {
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: '127.0.0.1:18789' })), true);
  assert.equal(isLocalDirectRequest(input('::1', { host: 'localhost:18789' })), true);
  assert.equal(isLocalDirectRequest(input('::ffff:127.0.0.1', { host: '[::1]:18789' })), true);
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: 'mybox.tail1234.ts.net' })), true);
  // non-local Host from a loopback socket (e.g. a same-host proxy or DNS rebinding) is remote
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: 'evil.example.com' })), false);
  assert.equal(isLocalDirectRequest(input('127.0.0.1', {})), false);
  // proxy headers from an untrusted peer make it remote
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: 'localhost', 'x-forwarded-for': '127.0.0.1' })), false);
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: 'localhost', forwarded: 'for=127.0.0.1' })), false);
  // a trusted local proxy forwarding a loopback client is local; a remote client is not
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: 'localhost', 'x-forwarded-for': '127.0.0.1' }, ['127.0.0.1'])), false);
  assert.equal(isLocalDirectRequest(input('10.0.0.1', { host: 'localhost', 'x-forwarded-for': '::1' }, ['10.0.0.1'])), true);
  assert.equal(isLocalDirectRequest(input('10.0.0.1', { host: 'localhost', 'x-forwarded-for': '8.8.8.8' }, ['10.0.0.1'])), false);
  assert.equal(isLocalDirectRequest(input('192.168.1.10', { host: 'localhost' })), false);
  // the documented nginx setup (trustedProxies 127.0.0.1): the local CLI, with no forwarding headers, is local
  assert.equal(isLocalDirectRequest(input('127.0.0.1', { host: '127.0.0.1:18789' }, ['127.0.0.1'])), true);
  assert.equal(isLocalDirectRequest(input('::ffff:127.0.0.1', { host: 'localhost:18789' }, ['127.0.0.0/8'])), true);
});

test('untrustedProxyHeaderNotifier: forwarding headers from an untrusted peer, once per peer per minute', () => {
  let t = 1_000_000;
  const notify = untrustedProxyHeaderNotifier(() => t);
  const req = (peer: string, headers: Record<string, string>, trustedProxies: string[] = []) => notify({ remoteAddress: peer, headers, trustedProxies });
  assert.equal(req('203.0.113.7', { host: 'x' }), false, 'no proxy headers');
  assert.equal(req('10.0.0.1', { 'x-forwarded-for': '1.2.3.4' }, ['10.0.0.1']), false, 'trusted proxy');
  assert.equal(req('203.0.113.7', { 'x-forwarded-for': '1.2.3.4' }), true);
  assert.equal(req('203.0.113.7', { 'x-real-ip': '1.2.3.4' }), false, 'same peer within the minute');
  assert.equal(req('203.0.113.8', { forwarded: 'for=1.2.3.4' }), true, 'another peer');
  t += 60_000;
  assert.equal(req('203.0.113.7', { 'x-forwarded-proto': 'https' }), true, 'a minute later');
});

test('isLoopbackAddress', () => {
  for (const ip of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackAddress(ip), true, ip);
  for (const ip of [undefined, '', '128.0.0.1', '::2', '::', 'localhost', '10.0.0.1']) assert.equal(isLoopbackAddress(ip), false, String(ip));
});

// ---- properties --------------------------------------------------------------------------------

test('property: IPv4 literals round-trip, also through the mapped IPv6 form', () => {
  fc.assert(
    fc.property(fc.ipV4(), (ip) => {
      assert.equal(normalizeIp(ip), ip);
      assert.equal(normalizeIp(`::ffff:${ip}`), ip);
    }),
  );
});

test('property: IPv6 formatting agrees with the WHATWG URL canonical form and round-trips', () => {
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const parsed = parseIp(ip);
      assert.ok(parsed, ip);
      const canonical = formatIp(parsed);
      assert.deepEqual(parseIp(canonical)?.bytes, parsed.bytes);
      if (parsed.family === 6) assert.equal(`[${canonical}]`, new URL(`http://[${ip}]/`).hostname);
    }),
  );
});

const v4Bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const v6Bytes = fc.uint8Array({ minLength: 16, maxLength: 16 });

test('property: a CIDR contains exactly the addresses sharing its prefix bits', () => {
  fc.assert(
    fc.property(fc.oneof(v4Bytes, v6Bytes), fc.oneof(v4Bytes, v6Bytes), fc.nat(128), (a, b, p) => {
      const family = a.length === 4 ? 4 : 6;
      const prefix = p % (a.length * 8 + 1);
      const cidr = `${formatIp({ family, bytes: a })}/${prefix}`;
      const candidate = formatIp({ family: b.length === 4 ? 4 : 6, bytes: b });
      // a mapped-looking IPv6 candidate normalizes to IPv4, so compare parsed forms
      const pa = parseIp(formatIp({ family, bytes: a }))!;
      const pb = parseIp(candidate)!;
      let same = pa.family === pb.family;
      const bits = Math.min(prefix, pa.bytes.length * 8);
      for (let i = 0; same && i < bits; i++) {
        const bit = (x: Uint8Array) => (x[i >> 3] >> (7 - (i & 7))) & 1;
        if (bit(pa.bytes) !== bit(pb.bytes)) same = false;
      }
      // prefixes of mapped IPv6 written in IPv6 form shorter than 96 are rejected
      if (!parseCidr(cidr)) return;
      assert.equal(isTrustedProxy(candidate, [cidr]), same, `${candidate} in ${cidr}`);
    }),
  );
});

test('property: behind trusted proxies the client is the right-most untrusted hop', () => {
  const ip = fc.oneof(fc.ipV4(), fc.ipV6());
  fc.assert(
    fc.property(fc.uniqueArray(ip, { minLength: 1, maxLength: 4, selector: (x) => normalizeIp(x) }), fc.array(ip, { maxLength: 3 }), ip, fc.nat(3), (proxies, spoofed, client, extra) => {
      const proxyNorm = proxies.map((p) => normalizeIp(p)!);
      fc.pre(!proxyNorm.includes(normalizeIp(client)!));
      const appended = proxies.slice(1, 1 + extra);
      const xff = [...spoofed, client, ...appended].join(', ');
      const got = resolveClientIp(input(proxies[0], { 'x-forwarded-for': xff }, proxies));
      assert.equal(got, normalizeIp(client));
      // from an untrusted peer the header is ignored
      assert.equal(resolveClientIp(input(client, { 'x-forwarded-for': xff }, proxies)), normalizeIp(client));
    }),
  );
});

test('property: resolveClientIp never returns a trusted proxy address', () => {
  const ip = fc.oneof(fc.ipV4(), fc.ipV6());
  fc.assert(
    fc.property(fc.array(ip, { minLength: 1, maxLength: 3 }), fc.array(fc.oneof(ip, fc.string()), { maxLength: 5 }), fc.boolean(), (proxies, hops, realIp) => {
      const got = resolveClientIp(input(proxies[0], { 'x-forwarded-for': hops.join(','), 'x-real-ip': proxies[0] }, proxies, realIp));
      if (got !== undefined) assert.equal(isTrustedProxy(got, proxies), false);
    }),
  );
});
