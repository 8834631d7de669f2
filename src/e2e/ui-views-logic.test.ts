// Unit tests for the Config form's pure logic (ui/src/views/config-model.ts), loaded through Vite as
// the bundle sees it: the browser's checks agree with the gateway's validation on the same values,
// and the merge patch it sends turns the current config into exactly the edited one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ViteDevServer } from 'vite';
import { uiModuleServer } from './ui-modules.js';
import { configJsonSchema } from '../config/schema.js';
import { validateConfigObject } from '../config/load.js';
import { applyMergePatch as serverMergePatch } from '../config/merge-patch.js';

type UiModule = Record<string, any>;
let vite: ViteDevServer;
let model: UiModule;
const schema = configJsonSchema();

before(async () => {
  vite = await uiModuleServer();
  model = await vite.ssrLoadModule('/src/views/config-model.ts');
});

after(async () => {
  await vite.close();
});

const nest = (p: string, v: unknown): Record<string, unknown> => p.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), v) as Record<string, unknown>;

test('the form\'s check of a field agrees with the gateway\'s validation', () => {
  const paths = ['gateway.port', 'gateway.mode', 'gateway.bind', 'gateway.auth.rateLimit.maxAttempts', 'gateway.websocket.keepAlive', 'logging.level', 'gateway.controlUi.allowedOrigins', 'gateway.trustedProxies', 'session.dmScope', 'gateway.reload.debounceMs'];
  const values = fc.oneof(
    fc.integer({ min: -5, max: 70_000 }),
    fc.double({ min: -10, max: 100, noNaN: true }),
    fc.constantFrom('local', 'lan', 'loopback', 'debug', 'loud', 'per-peer', '0.0.0.0:18790', 'not a host!', '', 'x'),
    fc.boolean(),
    fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...paths), values, (p, v) => {
      const node = model.nodeAt(schema, p);
      assert.ok(node, p);
      const browser = model.validate(node, v, p) === undefined;
      const server = validateConfigObject(nest(p, v)).ok;
      assert.equal(browser, server, `${p} = ${JSON.stringify(v)}: browser says ${browser ? 'valid' : model.validate(node, v, p)}, gateway says ${server}`);
    }),
    { numRuns: 400 },
  );
});

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
})).object;

test('the merge patch between two configs turns the first into the second, as the gateway applies it', () => {
  fc.assert(
    fc.property(json, json, (rawA, rawB) => {
      // plain JSON values, as config.get sends them (fast-check makes null-prototype objects)
      const [a, b] = [rawA, rawB].map((x) => JSON.parse(JSON.stringify(x)));
      const patch = model.mergeDiff(a, b);
      assert.deepEqual(serverMergePatch(a, patch), b);
      assert.deepEqual(model.applyMergePatch(a, patch), b);
      assert.equal(model.changes(a, model.applyMergePatch(a, patch)).length, model.changes(a, b).length);
    }),
    { numRuns: 300 },
  );
});

test('the diff preview lists each changed leaf once and hides secrets', () => {
  const before = { gateway: { port: 1, auth: { token: '__OPENCLAW_REDACTED__' } }, logging: { level: 'info' } };
  const after = { gateway: { port: 2, auth: { token: '__OPENCLAW_REDACTED__' }, bind: 'lan' } };
  assert.deepEqual(model.changes(before, after), [
    { path: 'gateway.bind', kind: 'added', after: '"lan"' },
    { path: 'gateway.port', kind: 'changed', before: '1', after: '2' },
    { path: 'logging.level', kind: 'removed', before: '"info"' },
  ]);
  assert.equal(model.expected(model.nodeAt(schema, 'gateway.port')), 'a whole number from 1 to 65535');
});
