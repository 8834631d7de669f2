// Shared-secret evaluation by mode, and protocol negotiation (pure functions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSharedAuth, type SharedAuthInput } from './shared-auth.js';
import { negotiateProtocol } from './handshake.js';

const base = (auth: Partial<SharedAuthInput['auth']>, extra: Partial<SharedAuthInput> = {}): SharedAuthInput => ({
  auth: {
    mode: 'token',
    token: 'secret-token',
    tokenSource: 'config',
    password: undefined,
    passwordSource: 'default',
    trustedProxy: undefined,
    rateLimit: { maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000, exemptLoopback: true },
    ...auth,
  },
  trustedProxies: [],
  presented: undefined,
  clientId: 'cli',
  clientMode: 'cli',
  peerAddress: '127.0.0.1',
  headers: {},
  ...extra,
});

test('token mode: missing is not a failed guess, a wrong token is', () => {
  assert.deepEqual(evaluateSharedAuth(base({}, { presented: { token: 'secret-token' } })), { kind: 'ok', method: 'token' });
  const missing = evaluateSharedAuth(base({}));
  assert.equal(missing.kind, 'absent');
  const wrong = evaluateSharedAuth(base({}, { presented: { token: 'nope' } }));
  assert.ok(wrong.kind === 'failed' && wrong.counts && wrong.rejection === 'AUTH_TOKEN_MISMATCH');
  const unset = evaluateSharedAuth(base({ token: undefined }, { presented: { token: 'x' } }));
  assert.ok(unset.kind === 'failed' && !unset.counts && unset.rejection === 'AUTH_TOKEN_NOT_CONFIGURED');
});

test('none mode lets everyone through; password mode checks the password only', () => {
  assert.equal(evaluateSharedAuth(base({ mode: 'none' })).kind, 'ok');
  const pw = base({ mode: 'password', password: 'pw-123456' }, { presented: { token: 'secret-token' } });
  assert.equal(evaluateSharedAuth(pw).kind, 'absent');
  assert.equal(evaluateSharedAuth({ ...pw, presented: { password: 'pw-123456' } }).kind, 'ok');
});

test('trusted-proxy mode: trusted peer, required headers, user header, allow-list', () => {
  const tp = { userHeader: 'X-Auth-User', requiredHeaders: ['x-auth-proto'], allowUsers: ['ann@example.com'], allowLoopback: false };
  const input = (peer: string, headers: Record<string, string>) => base({ mode: 'trusted-proxy', token: undefined, trustedProxy: tp }, { peerAddress: peer, trustedProxies: ['10.0.0.2'], headers });
  const ok = evaluateSharedAuth(input('10.0.0.2', { 'x-auth-user': 'ann@example.com', 'x-auth-proto': 'https' }));
  assert.deepEqual(ok, { kind: 'ok', method: 'trusted-proxy', user: 'ann@example.com' });
  const detail = (r: ReturnType<typeof evaluateSharedAuth>) => (r.kind === 'ok' ? 'ok' : r.ctx.detail);
  assert.equal(detail(evaluateSharedAuth(input('10.0.0.3', { 'x-auth-user': 'ann@example.com', 'x-auth-proto': 'https' }))), 'rejected an untrusted source');
  assert.equal(detail(evaluateSharedAuth(input('10.0.0.2', { 'x-auth-user': 'ann@example.com' }))), 'request is missing header x-auth-proto');
  assert.equal(detail(evaluateSharedAuth(input('10.0.0.2', { 'x-auth-proto': 'https' }))), 'request is missing the user header x-auth-user');
  assert.equal(detail(evaluateSharedAuth(input('10.0.0.2', { 'x-auth-user': 'bob@example.com', 'x-auth-proto': 'https' }))), 'user is not allowed');
});

test('protocol negotiation: v4 for everyone, v3 only for nodes and probes', () => {
  const client = (mode: string) => ({ id: 'cli', version: '1', platform: 'linux', mode }) as never;
  assert.equal(negotiateProtocol({ minProtocol: 3, maxProtocol: 5, role: 'operator', client: client('cli') }), 4);
  assert.equal(negotiateProtocol({ minProtocol: 3, maxProtocol: 3, role: 'operator', client: client('cli') }), null);
  assert.equal(negotiateProtocol({ minProtocol: 3, maxProtocol: 3, role: 'node', client: client('node') }), 3);
  assert.equal(negotiateProtocol({ minProtocol: 3, maxProtocol: 3, client: client('probe') }), 3);
  assert.equal(negotiateProtocol({ minProtocol: 5, maxProtocol: 6, client: client('probe') }), null);
});
