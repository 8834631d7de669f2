import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayProcessTitle } from './process-title.js';
import { isGatewayCmdline } from '../infra/proc.js';

test('the gateway title names upstream\'s process and the command, never a secret flag value', () => {
  assert.equal(gatewayProcessTitle(['gateway', 'run', '--no-dashboard']), 'openclaw-gateway: openclaw gateway run --no-dashboard');
  assert.equal(gatewayProcessTitle(['gateway', '--token', 's3cret', '--port', '5']), 'openclaw-gateway: openclaw gateway --token *** --port 5');
  assert.equal(gatewayProcessTitle(['gateway', 'run', '--password=pw']), 'openclaw-gateway: openclaw gateway run --password=***');
});

test('a titled process (its /proc cmdline is one string) is recognized as a gateway', () => {
  assert.equal(isGatewayCmdline([gatewayProcessTitle(['gateway', 'run'])]), true);
  assert.equal(isGatewayCmdline(['openclaw-gateway']), true);
  assert.equal(isGatewayCmdline(['openclaw-gatewayish', 'x']), false);
});
