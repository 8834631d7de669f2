import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatPath, getPath, parseCliValue, parsePath, PathSyntaxError, setPath, unsetPath } from './path-ops.js';

test('parsePath splits dots, indexes and quoted keys', () => {
  assert.deepEqual(parsePath('gateway.auth.token'), ['gateway', 'auth', 'token']);
  assert.deepEqual(parsePath('models.providers.p.models[0].compat'), ['models', 'providers', 'p', 'models', 0, 'compat']);
  assert.deepEqual(parsePath('agents.defaults.models["gpt-5.1"].params'), ['agents', 'defaults', 'models', 'gpt-5.1', 'params']);
  assert.deepEqual(parsePath("a['x.y']"), ['a', 'x.y']);
  assert.deepEqual(parsePath('a["q\\"]"]'), ['a', 'q"]']);
  for (const bad of ['', 'a..b', 'a.', 'a[', 'a[x]', '.a']) assert.throws(() => parsePath(bad), PathSyntaxError, bad);
});

test('formatPath is the inverse of parsePath', () => {
  const seg = fc.oneof(fc.nat({ max: 50 }), fc.string({ minLength: 1, maxLength: 8 }));
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => /^[a-z]+$/.test(s)), fc.array(seg, { maxLength: 5 }), (head, rest) => {
      const segs = [head, ...rest];
      assert.deepEqual(parsePath(formatPath(segs)), segs);
    }),
  );
});

test('setPath creates objects and arrays as the path needs them', () => {
  const obj: Record<string, unknown> = { gateway: { mode: 'local' } };
  setPath(obj, 'gateway.websocket.keepAlive', 30);
  setPath(obj, 'models.providers.p.models[0].compat.requiresStringContent', true);
  assert.deepEqual(obj, {
    gateway: { mode: 'local', websocket: { keepAlive: 30 } },
    models: { providers: { p: { models: [{ compat: { requiresStringContent: true } }] } } },
  });
  assert.throws(() => setPath(obj, 'models.providers.p.models[5].id', 'x'), /past the end/);
  assert.throws(() => setPath(obj, '__proto__.polluted', 1), /not allowed/);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('getPath and unsetPath report whether the path exists', () => {
  const obj: Record<string, unknown> = { a: { b: [1, 2, 3], c: null } };
  assert.deepEqual(getPath(obj, 'a.b[1]'), { found: true, value: 2 });
  assert.deepEqual(getPath(obj, 'a.c'), { found: true, value: null });
  assert.deepEqual(getPath(obj, 'a.x'), { found: false });
  assert.deepEqual(getPath(obj, 'a.b[9]'), { found: false });
  assert.equal(unsetPath(obj, 'a.b[0]'), true);
  assert.deepEqual(obj, { a: { b: [2, 3], c: null } });
  assert.equal(unsetPath(obj, 'a.c'), true);
  assert.equal(unsetPath(obj, 'a.c'), false);
  assert.equal(unsetPath(obj, 'zz.y'), false);
});

test('parseCliValue: JSON5 first, raw string as fallback, strict JSON on request', () => {
  assert.equal(parseCliValue('30'), 30);
  assert.equal(parseCliValue('true'), true);
  assert.deepEqual(parseCliValue('["127.0.0.1"]'), ['127.0.0.1']);
  assert.deepEqual(parseCliValue('{a:1}'), { a: 1 });
  assert.equal(parseCliValue('tok'), 'tok');
  assert.equal(parseCliValue('0.0.0.0:18790'), '0.0.0.0:18790');
  assert.equal(parseCliValue('"quoted"'), 'quoted');
  assert.throws(() => parseCliValue('{a:1}', true), /--strict-json/);
  assert.deepEqual(parseCliValue('{"a":1}', true), { a: 1 });
});
