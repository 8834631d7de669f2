// The documented nginx server block with its TLS lines, on a self-signed certificate: doctor --url
// names an untrusted certificate, and is clean once the certificate is trusted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../testing/harness.js';
import { BEHIND_PROXY, PUBLIC_ORIGIN, selfSignedCert, startGateway, startNginx, TEST_TOKEN } from './testing/proxies.js';

test('wss through the documented nginx TLS config: untrusted certificate named, then clean when trusted', async () => {
  const gw = await startGateway(BEHIND_PROXY);
  const tls = selfSignedCert();
  const proxy = await startNginx(gw.port, (s) => s, { tls });
  try {
    const args = ['doctor', '--url', proxy.url, '--token', TEST_TOKEN, '--origin', PUBLIC_ORIGIN, '--json'];
    const untrusted = await runCli(args, { env: gw.state.env });
    const report = JSON.parse(untrusted.stdout);
    const tlsCheck = report.checks.find((c: { id: string }) => c.id === 'url-tls');
    assert.equal(tlsCheck.level, 'error');
    assert.match(tlsCheck.message, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
    assert.equal(untrusted.code, 2);

    const trusted = await runCli(args, { env: { ...gw.state.env, NODE_EXTRA_CA_CERTS: tls.cert } });
    const clean = JSON.parse(trusted.stdout);
    assert.equal(clean.checks.find((c: { id: string }) => c.id === 'url-websocket').level, 'ok', JSON.stringify(clean, null, 2));
    assert.equal(clean.summary.error + clean.summary.warn, 0, JSON.stringify(clean, null, 2));
    assert.equal(trusted.code, 0);
  } finally {
    await proxy.stop();
    await gw.stop();
    fs.rmSync(tls.dir, { recursive: true, force: true });
  }
});
