import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIp, normalizeIp, parseCidr, parseIp } from './ip-address.js';

test('IPv6 literals: accepted exactly where net.isIPv6 accepts them, with the same bytes as the socket layer', () => {
  const cases = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', 'FE80::1', '2001:db8::ffff:1.2.3.4', '::ffff:10.0.0.1', '::1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '0000:0000::0001'];
  const bad = ['', ':', ':::', '1:::2', '1::2::3', ':1::', '1::2:', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '12345::', 'g::', '::1.2.3', '::1.2.3.04', '1.2.3.4::', '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', ' ::1x'];
  for (const c of cases) assert.ok(parseIp(c), c);
  for (const c of bad) assert.equal(parseIp(c), null, c);
  const alphabet = fc.constantFrom(...'0123456789abcdefABCDEFg:.'.split(''));
  const text = fc.oneof(
    fc.string({ unit: alphabet, maxLength: 45 }),
    fc.array(fc.oneof(fc.constant(''), fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: 1, maxLength: 5 }), fc.ipV4()), { maxLength: 10 }).map((g) => g.join(':')),
    fc.ipV6(),
  );
  fc.assert(
    fc.property(text, (t) => {
      const ip = parseIp(t);
      assert.equal(ip !== null, net.isIP(t) !== 0, `${JSON.stringify(t)}: ours ${ip !== null}, net.isIP ${net.isIP(t)}`);
      if (ip && net.isIPv6(t)) {
        // The socket layer's own parse (inet_pton) as the oracle for the bytes.
        const sa = new net.SocketAddress({ address: t, family: 'ipv6' });
        assert.equal(normalizeIp(t), normalizeIp(sa.address), t);
      }
    }),
    { numRuns: 5000 },
  );
});

test('IPv4-mapped IPv6 becomes IPv4; RFC 5952 formatting; CIDR prefixes', () => {
  assert.equal(normalizeIp('::ffff:192.168.0.1'), '192.168.0.1');
  assert.equal(normalizeIp('2001:0DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(formatIp(parseIp('fe80::1%eth0')!), 'fe80::1');
  assert.deepEqual(parseCidr('::ffff:10.0.0.0/104'), { family: 4, bytes: Uint8Array.from([10, 0, 0, 0]), prefix: 8 });
  assert.equal(parseCidr('::1/129'), null);
  assert.equal(parseCidr('::1/128')?.prefix, 128);
});
