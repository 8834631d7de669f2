import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateGatewayToken } from '../config/setup.js';
import { tokenWeakness } from './weak-token.js';

test('placeholders, dictionary words and short tokens are weak; generated tokens are not', () => {
  for (const t of ['your-token-here', 'YOUR_TOKEN_HERE', 'changeme', 'password123', 'test', 'my-secret-token-please-change', '<token>', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'Abc123xyz']) {
    assert.ok(tokenWeakness(t), t);
  }
  for (let i = 0; i < 20; i++) assert.equal(tokenWeakness(generateGatewayToken()), undefined);
});
