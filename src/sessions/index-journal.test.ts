// The sessions index costs O(1) bytes per turn whatever the number of sessions, and is consistent
// with the transcripts after kill -9 (repaired from them on load).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SessionStore, type SessionInfo } from './store.js';
import { readTranscript } from './transcript.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-index-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const STORE = fileURLToPath(new URL('./store.js', import.meta.url));

/** A store whose agent `main` already has `n` sessions (transcripts written directly, index rebuilt on load). */
function storeWith(n: number): SessionStore {
  const store = new SessionStore(fs.mkdtempSync(path.join(root, `n${n}-`)), { idleCompactMs: 0 });
  fs.mkdirSync(store.sessionsDir('main'), { recursive: true });
  const line = JSON.stringify({ type: 'message', id: 'x', ts: Date.now(), message: { role: 'user', content: 'old history '.repeat(20) } }) + '\n';
  for (let i = 0; i < n; i++) fs.writeFileSync(store.transcriptPath('main', `agent:main:openai-user:${i}`), line);
  assert.equal(store.list('main').length, n);
  return store;
}

/** Bytes the store writes with fs.writeSync (the index path; transcripts use async handles) per turn. */
async function indexBytesPerTurn(store: SessionStore, turns: number): Promise<number> {
  const real = fs.writeSync;
  let bytes = 0;
  (fs as { writeSync: unknown }).writeSync = (fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    return (real as (...a: unknown[]) => number)(fd, data, ...rest);
  };
  try {
    for (let i = 0; i < turns; i++) {
      await store.append('main', 'busy', { role: 'user', content: `q${i}` }, `r${i}`);
      await store.append('main', 'busy', { role: 'assistant', content: `a${i}`, model: 'p/m', usage: { inputTokens: 5, outputTokens: 7, totalTokens: 12 } }, `r${i}`);
    }
  } finally {
    (fs as { writeSync: unknown }).writeSync = real;
  }
  return bytes / turns;
}

it('index bytes written per turn do not grow with the number of sessions', async () => {
  const small = await indexBytesPerTurn(storeWith(10), 60);
  const large = await indexBytesPerTurn(storeWith(3000), 60);
  assert.ok(small > 0, 'the index is written');
  assert.ok(large <= small * 1.5, `per turn: ${large} bytes with 3000 sessions vs ${small} with 10`);
  assert.ok(large < 2048, `per turn: ${large} bytes`);
});

it('folds the journal into sessions.json (upstream layout) on flush, and a new store reads both', async () => {
  const store = storeWith(3);
  await store.append('main', 'k', { role: 'user', content: 'hi' }, 'r');
  const dir = store.sessionsDir('main');
  assert.ok(fs.existsSync(path.join(dir, 'sessions.json.journal')));
  assert.equal(new SessionStore(store.agentsDir).info('main', 'k')?.messageCount, 1, 'a second reader replays the journal');
  await store.flush();
  assert.ok(!fs.existsSync(path.join(dir, 'sessions.json.journal')));
  const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'sessions.json'), 'utf8')) as Record<string, SessionInfo>;
  assert.deepEqual(Object.keys(onDisk).sort(), ['agent:main:openai-user:0', 'agent:main:openai-user:1', 'agent:main:openai-user:2', 'k']);
  assert.equal(onDisk.k.messageCount, 1);
  assert.equal(onDisk.k.sessionKey, 'k');
});

it('a transcript line whose journal record never made it (killed in between) is counted after restart', async () => {
  const store = storeWith(2);
  await store.append('main', 'k', { role: 'user', content: 'one' }, 'r1');
  await store.flush();
  // as if killed right after the transcript append: the line is on disk, the index never heard of it
  fs.appendFileSync(store.transcriptPath('main', 'k'), JSON.stringify({ type: 'message', id: 'y', ts: Date.now(), runId: 'r1', message: { role: 'assistant', content: 'two', usage: { inputTokens: 1, outputTokens: 4, totalTokens: 5 } } }) + '\n');
  const info = new SessionStore(store.agentsDir).info('main', 'k');
  assert.equal(info?.messageCount, 2);
  assert.equal(info?.outputTokens, 4);
});

it('a torn journal tail (power loss) is folded away on load, so the next record is not glued to it', async () => {
  const store = storeWith(1);
  await store.append('main', 'k', { role: 'user', content: 'one' }, 'r1');
  const journal = path.join(store.sessionsDir('main'), 'sessions.json.journal');
  fs.appendFileSync(journal, '{"op":"put","info":{"sessionKey":"k","mess');
  const next = new SessionStore(store.agentsDir, { idleCompactMs: 0 });
  assert.equal(next.info('main', 'k')?.messageCount, 1);
  await next.append('main', 'k', { role: 'assistant', content: 'two' }, 'r1');
  const old = new Date(Date.now() - 3_600_000); // out of the load-time repair's reach: the journal alone must be right
  fs.utimesSync(store.transcriptPath('main', 'k'), old, old);
  assert.equal(new SessionStore(store.agentsDir).info('main', 'k')?.messageCount, 2);
});

it('the index matches the transcripts after kill -9 at random points, and sessions.json after restart', async () => {
  const agentsDir = path.join(root, 'killed');
  const child = `
    import { SessionStore } from ${JSON.stringify(STORE)};
    const store = new SessionStore(${JSON.stringify(agentsDir)}, { idleCompactMs: 5 });
    for (let i = 0; ; i++) {
      const key = 's' + (i % 40);
      await store.append('main', key, { role: 'user', content: 'q' + i }, 'r' + i);
      await store.append('main', key, { role: 'assistant', content: 'a' + i, model: 'p/m', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } }, 'r' + i);
      if (i % 25 === 7) store.reset('main', 's' + ((i * 7) % 40));
      if (i % 31 === 3) store.delete('main', 's' + ((i * 3) % 40));
      if (i === 20) process.stdout.write('going\\n');
    }
  `;
  const store = () => new SessionStore(agentsDir);
  for (let round = 0; round < 8; round++) {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', () => resolve());
      proc.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    // kill at a varying point of the loop
    await new Promise((r) => setTimeout(r, 10 + round * 17));
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));

    const restarted = store();
    const listed = new Map(restarted.list('main').map((s) => [s.sessionKey, s]));
    const dir = restarted.sessionsDir('main');
    const live = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    for (const f of live) {
      const key = decodeURIComponent(f.slice(0, -'.jsonl'.length));
      const entries = readTranscript(path.join(dir, f));
      const info = listed.get(key);
      assert.ok(info, `round ${round}: ${key} is indexed`);
      assert.equal(info.messageCount, entries.length, `round ${round}: ${key} count`);
      assert.equal(info.outputTokens, entries.reduce((n, e) => n + (e.message.usage?.outputTokens ?? 0), 0), `round ${round}: ${key} tokens`);
    }
    assert.ok(listed.size >= live.length);
    await restarted.flush();
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'sessions.json'), 'utf8')) as Record<string, SessionInfo>;
    assert.deepEqual(onDisk, Object.fromEntries([...listed.entries()]), `round ${round}: sessions.json matches`);
  }
});
