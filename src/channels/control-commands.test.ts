import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControlCommand } from './control-commands.js';

test('parseControlCommand: /new and /reset, with a bot suffix and a tail; everything else is a message', () => {
  assert.deepEqual(parseControlCommand('/new'), { name: 'new', tail: '' });
  assert.deepEqual(parseControlCommand('  /RESET  '), { name: 'reset', tail: '' });
  assert.deepEqual(parseControlCommand('/new@claw_bot'), { name: 'new', tail: '' });
  assert.deepEqual(parseControlCommand('/new tell me a joke\nplease'), { name: 'new', tail: 'tell me a joke\nplease' });
  for (const text of ['/newer', '/news today', 'please /new', '/status', 'new', '/new@']) assert.equal(parseControlCommand(text), null, text);
});
