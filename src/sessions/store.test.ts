// Session files: safe names for any key, conversation order for queued turns, index rebuild,
// reset/delete keep the old transcript, torn lines are skipped.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { sessionFileName, SessionStore } from './store.js';
import { orderByTurn, readTranscript, type TranscriptEntry } from './transcript.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-sessions-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

it('file names stay inside the sessions dir and round-trip any key', () => {
  for (const key of ['main', 'agent:main:main', '../../etc/passwd', '.hidden', 'a/b\\c', 'ünïcode 🦀']) {
    const name = sessionFileName(key);
    assert.ok(!name.includes('/') && !name.includes('\\') && !name.startsWith('.'), name);
    assert.equal(decodeURIComponent(name.slice(0, -'.jsonl'.length)), key);
  }
  assert.equal(sessionFileName('agent:main:main'), 'agent:main:main.jsonl');
});

it('appends durably, lists, rebuilds a lost index, and archives on reset/delete', async () => {
  const store = new SessionStore(path.join(root, 'agents'));
  await store.append('main', 's1', { role: 'user', content: 'hi' }, 'r1');
  await store.append('main', 's1', { role: 'assistant', content: 'yo', model: 'p/m', usage: { inputTokens: 2, outputTokens: 1, totalTokens: 3 } }, 'r1');
  await store.append('ops', 'weird/key', { role: 'user', content: 'x' }, 'r2');
  const file = store.transcriptPath('main', 's1');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const listed = store.list();
  assert.deepEqual(listed.map((s) => [s.agentId, s.sessionKey]).sort(), [['main', 's1'], ['ops', 'weird/key']]);
  const s1 = listed.find((s) => s.sessionKey === 's1')!;
  assert.equal(s1.messageCount, 2);
  assert.equal(s1.lastModel, 'p/m');
  assert.equal(s1.outputTokens, 1);

  fs.rmSync(path.join(store.sessionsDir('main'), 'sessions.json'));
  assert.equal(store.list('main')[0].messageCount, 2, 'index rebuilt from the transcript');

  assert.equal(store.reset('main', 's1'), true);
  assert.equal(store.history('main', 's1').length, 0);
  assert.ok(fs.readdirSync(store.sessionsDir('main')).some((f) => f.startsWith('s1.jsonl.reset.')));
  assert.equal(store.delete('ops', 'weird/key'), true);
  assert.deepEqual(store.list('ops'), []);
});

it('reads past a torn last line and restores turn order', () => {
  const file = path.join(root, 'torn.jsonl');
  const e = (id: string, runId: string, role: 'user' | 'assistant', content: string): TranscriptEntry => ({ type: 'message', id, ts: 1, runId, message: { role, content } });
  const lines = [e('1', 'a', 'user', 'u1'), e('2', 'b', 'user', 'u2'), e('3', 'a', 'assistant', 'a1'), e('4', 'b', 'assistant', 'a2')].map((x) => JSON.stringify(x));
  fs.writeFileSync(file, lines.join('\n') + '\n{"type":"message","id":"5","ts":1,"mess');
  const entries = readTranscript(file);
  assert.equal(entries.length, 4);
  assert.deepEqual(orderByTurn(entries).map((x) => x.message.content), ['u1', 'a1', 'u2', 'a2']);
});
