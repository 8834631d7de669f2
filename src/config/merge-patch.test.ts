import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';

// The examples of RFC 7386 Appendix A.
const cases: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('applyMergePatch follows RFC 7386 Appendix A', () => {
  for (const [target, patch, expected] of cases) assert.deepEqual(applyMergePatch(target, patch), expected, JSON.stringify({ target, patch }));
});

test('applyMergePatch does not modify its inputs', () => {
  const target = { gateway: { mode: 'local', port: 1 } };
  const patch = { gateway: { port: null } };
  applyMergePatch(target, patch);
  assert.deepEqual(target, { gateway: { mode: 'local', port: 1 } });
  assert.deepEqual(patch, { gateway: { port: null } });
});
