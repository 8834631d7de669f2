import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createControlUiHandler, controlUiCsp, findPackageRoot, normalizeBasePath } from './control-ui-http.js';
import type { GatewayServices } from './methods/types.js';
import type { ResolvedGatewaySettings } from '../config/types.js';
import { silentLogger } from '../logging/types.js';

let tmp: string;
let root: string;
let controlUi: ResolvedGatewaySettings['controlUi'];
let server: http.Server;
let base: string;

function services(): GatewayServices {
  return {
    version: '0.0.0-test',
    startedAt: Date.now(),
    stateDir: tmp,
    configPath: path.join(tmp, 'openclaw.json'),
    log: silentLogger,
    settings: () => ({ controlUi }) as ResolvedGatewaySettings,
    broadcast() {},
    requestRestart() {},
  };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'control-ui-'));
  root = path.join(tmp, 'control-ui');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><html><head><script type="module" src="./assets/app-1a2b.js"></script></head><body></body></html>');
  fs.writeFileSync(path.join(root, 'assets', 'app-1a2b.js'), 'console.log("app")');
  fs.writeFileSync(path.join(root, 'assets', 'style-9f.css'), 'body{}');
  fs.writeFileSync(path.join(root, '.env'), 'SECRET=hidden-dotfile');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside-the-root');
  fs.symlinkSync(path.join(tmp, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  controlUi = { enabled: true, basePath: '/', allowedOrigins: [], allowInsecureAuth: false, dangerouslyAllowHostHeaderOriginFallback: false };
  const handler = createControlUiHandler({ services: services(), root });
  server = http.createServer(async (req, res) => {
    if (await handler(req, res)) return;
    res.statusCode = 404;
    res.end('fallthrough');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Raw GET so paths like /../x reach the server unnormalized. */
function rawGet(p: string, method = 'GET', host?: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + '/', { method, path: p, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves index.html with a <base> and the strict CSP allowing only this gateway', async () => {
  const r = await rawGet('/');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'] ?? '', /text\/html/);
  assert.match(r.body, /<head>\s*<base href="\/">/);
  const csp = r.headers['content-security-policy'] ?? '';
  const port = new URL(base).port;
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${port} wss://127\\.0\\.0\\.1:${port}`));
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  assert.equal(r.headers['cache-control'], 'no-cache');
});

test('serves hashed assets with their type and a long cache; HEAD has no body', async () => {
  const js = await rawGet('/assets/app-1a2b.js');
  assert.equal(js.status, 200);
  assert.match(js.headers['content-type'] ?? '', /text\/javascript/);
  assert.match(js.headers['cache-control'] ?? '', /immutable/);
  assert.equal(js.body, 'console.log("app")');
  const head = await rawGet('/assets/style-9f.css', 'HEAD');
  assert.equal(head.status, 200);
  assert.match(head.headers['content-type'] ?? '', /text\/css/);
  assert.equal(head.body, '');
});

test('client-side routes fall back to index.html; missing files are 404', async () => {
  const route = await rawGet('/devices/pending');
  assert.equal(route.status, 200);
  assert.match(route.body, /<base href="\/">/);
  const missing = await rawGet('/assets/nope-123.js');
  assert.equal(missing.status, 404);
});

test('never serves anything outside the root, dotfiles or symlinks that leave it', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/.env', '/assets/link.txt', '/%00', '/%E0%A4%A']) {
    const r = await rawGet(p);
    assert.doesNotMatch(r.body, /outside-the-root|hidden-dotfile/, `${p} leaked a file`);
    assert.ok(r.status === 404 || r.status === 400, `${p} answered ${r.status}`);
  }
});

test('leaves probes, APIs, other methods and other mounts to other handlers', async () => {
  for (const p of ['/healthz', '/v1/models', '/hooks/x', '/__openclaw__/canvas/']) assert.equal((await rawGet(p)).body, 'fallthrough', p);
  assert.equal((await rawGet('/', 'POST')).body, 'fallthrough');
  controlUi = { ...controlUi, basePath: '/ui/' };
  try {
    assert.equal((await rawGet('/other')).body, 'fallthrough');
    const redirect = await rawGet('/ui?x=1');
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, '/ui/?x=1');
    const page = await rawGet('/ui/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<base href="\/ui\/">/);
    assert.equal((await rawGet('/ui/assets/app-1a2b.js')).body, 'console.log("app")');
  } finally {
    controlUi = { ...controlUi, basePath: '/' };
  }
});

test('a disabled Control UI serves nothing', async () => {
  controlUi = { ...controlUi, enabled: false };
  try {
    assert.equal((await rawGet('/')).body, 'fallthrough');
  } finally {
    controlUi = { ...controlUi, enabled: true };
  }
});

test('a malformed Host header does not reach the CSP', async () => {
  const r = await rawGet('/', 'GET', 'evil.example; script-src *');
  assert.match(r.headers['content-security-policy'] ?? '', /connect-src 'self';/);
  assert.equal(controlUiCsp('[::1]:18789').includes('ws://[::1]:18789'), true);
});

test('an unbuilt UI answers 503 with the command that builds it', async () => {
  const handler = createControlUiHandler({ services: services(), root: path.join(tmp, 'missing') });
  const srv = http.createServer(async (req, res) => void (await handler(req, res)));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build:ui/);
  } finally {
    await new Promise((r) => srv.close(r));
  }
});

test('normalizeBasePath and findPackageRoot', () => {
  assert.equal(normalizeBasePath('/'), '');
  assert.equal(normalizeBasePath(''), '');
  assert.equal(normalizeBasePath('ui/'), '/ui');
  assert.equal(normalizeBasePath('/a/b//'), '/a/b');
  assert.ok(fs.existsSync(path.join(findPackageRoot(), 'package.json')));
});
