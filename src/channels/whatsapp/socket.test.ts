// The WhatsApp Web version lookup the real socket factory does before connecting (what Baileys'
// fetchLatestBaileysVersion does, over node:http): against a local server standing in for GitHub.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { latestWaWebVersion, parseBaileysVersion } from './socket.js';

test("parseBaileysVersion reads the version line of Baileys' Defaults (the installed copy's own)", () => {
  const dir = path.dirname(createRequire(import.meta.url).resolve('baileys/package.json'));
  const source = fs.readFileSync(path.join(dir, 'lib', 'Defaults', 'index.js'), 'utf8');
  const v = parseBaileysVersion(source);
  assert.ok(v && v[0] === 2 && v.every((n) => Number.isInteger(n) && n >= 0), `got ${JSON.stringify(v)}`);
  assert.equal(parseBaileysVersion('export const x = 1;'), undefined);
});

test('latestWaWebVersion: the served version (read once); undefined for an error status, a stall past the timeout, or no server', async (t) => {
  let okAsked = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/ok') okAsked++;
    if (req.url === '/ok') res.end('// Defaults\nimport x from "y";\nconst version = [2, 3000, 1234567890];\nexport {};\n');
    else if (req.url === '/missing') res.writeHead(404).end('not found');
    else if (req.url === '/garbled') res.end('<html>rate limited</html>');
    // '/stall': never answers
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  assert.deepEqual(await latestWaWebVersion(`${base}/ok`), [2, 3000, 1234567890]);
  assert.deepEqual(await latestWaWebVersion(`${base}/ok`), [2, 3000, 1234567890], 'a reconnect gets the version read before');
  assert.equal(okAsked, 1, 'read once per process');
  assert.equal(await latestWaWebVersion(`${base}/missing`), undefined);
  assert.equal(await latestWaWebVersion(`${base}/garbled`), undefined);
  const t0 = Date.now();
  assert.equal(await latestWaWebVersion(`${base}/stall`, 300), undefined);
  assert.ok(Date.now() - t0 < 5000, 'gave up at its timeout');
  assert.equal(await latestWaWebVersion('http://127.0.0.1:1/none'), undefined);
});
