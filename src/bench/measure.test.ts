import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findFreePort } from '../infra/port-owner.js';
import { median, rssMb, spawnUntilReady, stop } from './measure.js';
import { formatTable } from './table.js';

test('median of odd and even samples', () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('spawnUntilReady waits for a real 200 on the ready URL; RSS is read from /proc', async () => {
  const port = await findFreePort();
  const server = "require('http').createServer((q,r)=>{r.statusCode=q.url==='/ready'?200:503;r.end()}).listen(Number(process.argv[1]),'127.0.0.1')";
  const { child, readyMs } = await spawnUntilReady(process.execPath, ['-e', server, String(port)], process.env, `http://127.0.0.1:${port}/ready`);
  try {
    assert.ok(readyMs > 0);
    assert.ok(rssMb(child.pid!) > 1);
  } finally {
    await stop(child);
  }
  await assert.rejects(spawnUntilReady(process.execPath, ['-e', 'process.exit(3)'], process.env, `http://127.0.0.1:${port}/ready`), /exited before it was ready/);
});

test('spawnUntilReady asks /ready once the server says it listens, not every few ms while it starts', async () => {
  const port = await findFreePort();
  // accepts at once but is ready only after 300 ms (then says so): a tight poll would ask ~100 times meanwhile
  const server = "let n=0,ok=false;setTimeout(()=>{ok=true;console.log('listening')},300);require('http').createServer((q,r)=>{if(q.url==='/ready'){n++;r.statusCode=ok?200:503}r.end(q.url==='/count'?String(n):'')}).listen(Number(process.argv[1]),'127.0.0.1')";
  const { child } = await spawnUntilReady(process.execPath, ['-e', server, String(port)], process.env, `http://127.0.0.1:${port}/ready`);
  try {
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/count`)).text(), '1');
  } finally {
    await stop(child);
  }
  // a server that prints nothing is still found, by backoff
  const quiet = "require('http').createServer((q,r)=>r.end()).listen(Number(process.argv[1]),'127.0.0.1')";
  const q = await spawnUntilReady(process.execPath, ['-e', quiet, String(port)], process.env, `http://127.0.0.1:${port}/ready`);
  await stop(q.child);
});

test('formatTable shows values, ratio to baseline, target and result', () => {
  const out = formatTable([
    { bench: 'startup', metric: 'ready', unit: 'ms', ours: 90, baseline: 45, baselineName: 'bare node', target: '< 250 ms', pass: true },
    { bench: 'startup', metric: 'rss', unit: 'MB', ours: 70, target: '< 60 MB', pass: false },
    { bench: 'handshake', metric: 'fan-out', unit: '/s', ours: 1234.4, target: 'reported' },
  ]);
  const [header, , ready, rss, fanOut] = out.split('\n');
  assert.match(header, /^bench\s+metric\s+ours\s+baseline/);
  assert.match(ready, /^startup\s+ready\s+90\.0 ms\s+45\.0 ms \(bare node\)\s+2\.00×\s+< 250 ms\s+ok$/);
  assert.match(rss, /^startup\s+rss\s+70\.0 MB\s+-\s+-\s+< 60 MB\s+FAIL$/);
  assert.match(fanOut, /^handshake\s+fan-out\s+1234 \/s\s+-\s+-\s+reported\s+reported$/);
});

test('formatTable numbers the rows\' notes and prints them under the table', () => {
  const out = formatTable([
    { bench: 'channels', metric: 'a', unit: 'ms', ours: 1, target: 'reported', note: 'first note' },
    { bench: 'channels', metric: 'b', unit: 'ms', ours: 2, target: 'reported' },
    { bench: 'channels', metric: 'c', unit: 'ms', ours: 3, target: 'reported', note: 'second note' },
  ]);
  const lines = out.split('\n');
  assert.match(lines[2], /^channels\s+a \[1\]\s+1\.0 ms/);
  assert.match(lines[3], /^channels\s+b\s+2\.0 ms/);
  assert.match(lines[4], /^channels\s+c \[2\]\s+3\.0 ms/);
  assert.deepEqual(lines.slice(5), ['', '[1] first note', '[2] second note']);
});
