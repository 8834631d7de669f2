import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { splitText } from './text-split.js';

test('short text is one piece; long text splits at paragraph, line, then word boundaries', () => {
  assert.deepEqual(splitText('hello', 10), ['hello']);
  assert.deepEqual(splitText('aaaa bbbb\n\ncccc dddd', 12), ['aaaa bbbb', 'cccc dddd']);
  assert.deepEqual(splitText('aaaa bbbb cccc', 10), ['aaaa bbbb', 'cccc']);
  assert.deepEqual(splitText('x'.repeat(25), 10), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
});

test('every piece fits, no surrogate pair is cut, and no non-space text is lost', () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '😀', 'é'), maxLength: 300 }), fc.integer({ min: 4, max: 50 }), (text, limit) => {
      const pieces = splitText(text, limit);
      for (const p of pieces) {
        assert.ok(p.length <= limit, `piece over limit: ${p.length} > ${limit}`);
        assert.ok(!/[\ud800-\udbff]$/.test(p) && !/^[\udc00-\udfff]/.test(p), 'cut inside a surrogate pair');
      }
      assert.equal(pieces.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
    }),
  );
});
