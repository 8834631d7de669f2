import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateToken, safeEqualSecret } from './secrets.js';

test('safeEqualSecret matches equal secrets only', () => {
  assert.equal(safeEqualSecret('s3cret-token', 's3cret-token'), true);
  assert.equal(safeEqualSecret('s3cret-token', 's3cret-tokem'), false);
  assert.equal(safeEqualSecret('short', 'a much longer secret'), false);
  assert.equal(safeEqualSecret('ünïcødé', 'ünïcødé'), true);
});

test('safeEqualSecret fails closed on missing or empty secrets', () => {
  assert.equal(safeEqualSecret(undefined, undefined), false);
  assert.equal(safeEqualSecret('', ''), false);
  assert.equal(safeEqualSecret('x', undefined), false);
  assert.equal(safeEqualSecret(undefined, 'x'), false);
  assert.equal(safeEqualSecret('', 'x'), false);
});

test('generateToken is base64url of the requested size and unique', () => {
  const t = generateToken();
  assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(t, 'base64url').length, 32);
  assert.equal(Buffer.from(generateToken(16), 'base64url').length, 16);
  const seen = new Set(Array.from({ length: 200 }, () => generateToken()));
  assert.equal(seen.size, 200);
});
