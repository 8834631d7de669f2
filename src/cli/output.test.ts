import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useColor } from './output.js';

test('useColor: NO_COLOR wins, FORCE_COLOR forces, otherwise a non-dumb TTY', () => {
  assert.equal(useColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, { isTTY: true }), false);
  assert.equal(useColor({ FORCE_COLOR: '1' }, { isTTY: false }), true);
  assert.equal(useColor({ FORCE_COLOR: '0' }, { isTTY: true }), false);
  assert.equal(useColor({}, { isTTY: true }), true);
  assert.equal(useColor({ TERM: 'dumb' }, { isTTY: true }), false);
  assert.equal(useColor({}, { isTTY: false }), false);
});
