// Session keys: `main` is an alias of `agent:<id>:main`; transcripts written under the alias
// join the canonical session (merged in time order, both old files kept).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { adoptMainAliases, agentIdOfKey, canonicalSessionKey, sameSession } from './keys.js';
import { SessionStore } from './store.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-keys-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

it('the alias and the canonical spelling name one session; other keys stay as they are', () => {
  assert.equal(canonicalSessionKey('main', 'main'), 'agent:main:main');
  assert.equal(canonicalSessionKey(' Main ', 'ops'), 'agent:ops:main');
  assert.equal(canonicalSessionKey(undefined, 'main'), 'agent:main:main');
  assert.equal(canonicalSessionKey('agent:main:main', 'main'), 'agent:main:main');
  assert.equal(canonicalSessionKey('agent:main:telegram:direct:42', 'main'), 'agent:main:telegram:direct:42');
  assert.equal(canonicalSessionKey('tui-20261201-231005', 'main'), 'tui-20261201-231005');
  assert.ok(sameSession('main', 'agent:main:main', 'main'));
  assert.ok(!sameSession('main', 'agent:ops:main', 'main'));
  assert.equal(agentIdOfKey('agent:ops:x'), 'ops');
  assert.equal(agentIdOfKey('main'), undefined);
});

it('a transcript under `main` is merged into agent:<id>:main in time order; both old files are kept; the index follows', async () => {
  const store = new SessionStore(path.join(root, 'agents'));
  // The CLI wrote under the alias, the UI under the canonical key, interleaved in time.
  const cli1 = await store.append('main', 'main', { role: 'user', content: 'cli one' }, 'r1');
  await new Promise((r) => setTimeout(r, 5));
  await store.append('main', 'agent:main:main', { role: 'user', content: 'ui one' }, 'r2');
  await new Promise((r) => setTimeout(r, 5));
  await store.append('main', 'main', { role: 'assistant', content: 'cli answer', model: 'p/m' }, 'r1');
  store.patch('main', 'agent:main:main', { label: 'Everyday' });
  assert.deepEqual(adoptMainAliases(store, store.agentIds()), ['main']);
  const texts = store.history('main', 'agent:main:main').map((e) => e.message.content);
  assert.deepEqual(texts, ['cli one', 'cli answer', 'ui one'], 'one conversation, turns grouped');
  assert.equal(store.history('main', 'agent:main:main')[0].id, cli1.id, 'entries keep their ids');
  const dir = store.sessionsDir('main');
  assert.ok(!fs.existsSync(store.transcriptPath('main', 'main')));
  assert.equal(fs.readdirSync(dir).filter((f) => f.includes('.merged.')).length, 2, 'both old files backed up');
  const rows = store.list('main');
  assert.deepEqual(rows.map((r) => [r.sessionKey, r.messageCount, r.label]), [['agent:main:main', 3, 'Everyday']]);
  assert.deepEqual(adoptMainAliases(store, store.agentIds()), [], 'nothing left to merge');

  // Only the alias on disk: it simply becomes the canonical session.
  await store.append('ops', 'main', { role: 'user', content: 'ops only' }, 'r3');
  assert.deepEqual(adoptMainAliases(store, ['ops']), ['ops']);
  assert.deepEqual(store.history('ops', 'agent:ops:main').map((e) => e.message.content), ['ops only']);
  assert.deepEqual(store.list('ops').map((r) => r.sessionKey), ['agent:ops:main']);
});
