// The JSON-RPC stdio client against fake-imsg.mjs (a real child process speaking imsg's shapes).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ImsgRpcClient, RpcCallError, RpcTransportError, rpcArgs } from './rpc-client.js';
import { fakeImsg, type FakeImsg } from './testing/fake-imsg-control.js';

function setup(t: TestContext, opts: { mode?: 'normal' | 'exit' | 'hang'; cliPath?: string; dbPath?: string } = {}): { fake: FakeImsg; client: ImsgRpcClient; notes: Array<{ method: string; params: unknown }> } {
  const fake = fakeImsg();
  if (opts.mode) fake.setMode(opts.mode);
  const notes: Array<{ method: string; params: unknown }> = [];
  const client = new ImsgRpcClient({ cliPath: opts.cliPath ?? fake.cliPath, dbPath: opts.dbPath, env: fake.env, onNotification: (method, params) => notes.push({ method, params }) });
  t.after(async () => {
    await client.stop(200);
    fake.cleanup();
  });
  return { fake, client, notes };
}

const until = async <T>(fn: () => T | undefined | false, ms = 3000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('spawned as `<cliPath> rpc --json [--db <path>]`; ready once chats.list answers', async (t) => {
  assert.deepEqual(rpcArgs(), ['rpc', '--json']);
  assert.deepEqual(rpcArgs('/x/chat.db'), ['rpc', '--json', '--db', '/x/chat.db']);
  const { fake, client } = setup(t, { dbPath: '/tmp/chat.db' });
  await client.waitReady(5000);
  assert.match(fake.spawns()[0], / normal rpc --json --db \/tmp\/chat\.db$/);
  assert.deepEqual(fake.calls('chats.list')[0].params, { limit: 1 });
});

test('requests get their own answers; notifications go to the handler', async (t) => {
  const { fake, client, notes } = setup(t);
  const [a, b] = await Promise.all([client.request<{ chats: unknown[] }>('chats.list', { limit: 1 }, 3000), client.request<{ subscription: number }>('watch.subscribe', {}, 3000)]);
  assert.equal(a.chats.length, 1);
  assert.equal(b.subscription, 1);
  const row = fake.dm('+15550001111', 'ping');
  await until(() => notes.length === 1);
  assert.deepEqual(notes[0], { method: 'message', params: { subscription: 1, message: row } });
});

test('a JSON-RPC error is an RpcCallError with the text; the child keeps working', async (t) => {
  const { client } = setup(t);
  await assert.rejects(client.request('nope', {}, 3000), (e: Error) => e instanceof RpcCallError && /Method not found: nope/.test(e.message));
  await client.request('chats.list', {}, 3000);
});

test('the child exits: pending calls rejected with `imsg rpc exited (code 1)`, stderr kept', async (t) => {
  const { fake, client } = setup(t);
  await client.waitReady(3000);
  fake.crash();
  const exit = await client.exited;
  assert.equal(exit.code, 1);
  assert.equal(exit.message, 'imsg rpc exited (code 1)');
  assert.deepEqual(client.stderrTail(1), ['fake-imsg: crashing as asked']);
  await assert.rejects(client.request('chats.list', {}, 1000), (e: Error) => e instanceof RpcTransportError && e.message === 'imsg rpc exited (code 1)');
});

test('never ready: exits at once → `imsg rpc not ready after <ms>ms (Error: imsg rpc exited (code 1))`', async (t) => {
  const { client } = setup(t, { mode: 'exit' });
  await assert.rejects(client.waitReady(2000), { message: 'imsg rpc not ready after 2000ms (Error: imsg rpc exited (code 1))' });
  assert.match(client.stderrTail(1)[0], /unable to open database file/);
});

test('never ready: hangs → not ready after the timeout', async (t) => {
  const { client } = setup(t, { mode: 'hang' });
  const started = Date.now();
  await assert.rejects(client.waitReady(300), { message: 'imsg rpc not ready after 300ms (Error: no answer to chats.list)' });
  assert.ok(Date.now() - started < 2000);
});

test('a missing binary is a clear error, not an exception', async (t) => {
  const { client } = setup(t, { cliPath: '/nonexistent/imsg' });
  const exit = await client.exited;
  assert.equal(exit.spawnError && (exit.spawnError as NodeJS.ErrnoException).code, 'ENOENT');
  assert.match(exit.message, /^imsg not found: cannot run "\/nonexistent\/imsg"/);
  await assert.rejects(client.waitReady(1000), /imsg rpc not ready after 1000ms \(Error: imsg not found/);
  await assert.rejects(client.request('chats.list', {}, 1000), /imsg not found/);
});

test('stop(): SIGTERM, then SIGKILL after the grace when the child ignores it', async (t) => {
  const fake = fakeImsg();
  fake.set('ignore-sigterm');
  const client = new ImsgRpcClient({ cliPath: fake.cliPath, env: fake.env });
  t.after(() => fake.cleanup());
  await client.waitReady(3000);
  const started = Date.now();
  const exit = await client.stop(300);
  assert.ok(Date.now() - started < 2000, 'prompt');
  assert.equal(exit.signal, 'SIGKILL');
});
