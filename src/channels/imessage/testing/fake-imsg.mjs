#!/usr/bin/env node
// A fake `imsg` for tests: answers `imsg rpc --json` with the JSON-RPC shapes of imsg docs/rpc.md,
// scripted through files in FAKE_IMSG_DIR (the test owns the directory):
//   mode          normal (default) | exit (exit 1 at once, like imsg without Full Disk Access)
//                 | hang (never answers); read at every start, so a test can switch it between restarts
//   inbox.jsonl   imsg Message objects (one per line, `id` = rowid) the test appends; subscribers get
//                 the ones written after they subscribed, or every row above `since_rowid`
//   crash         when it appears the fake deletes it and exits with code 1 (once)
//   watch-error   when it appears: an `error` notification (imsg's watch stream died) with its text; the
//                 subscriptions end, the process stays
//   send-error    when present, `send` answers a JSON-RPC error with this text
//   chats-error   when present, `chats.list` answers a JSON-RPC error with this text
//   ignore-sigterm  when present at start, SIGTERM and the end of stdin are ignored (stop() must SIGKILL)
//   timing        when present at start, timing.jsonl gets `{event: 'message', id, hr}` as a message
//                 notification is written and `{event: 'send', text, hr}` as a `send` request is read;
//                 hr is process.hrtime.bigint() (the system-wide monotonic clock), as a string
// It writes: spawns.log (one line per start: pid and argv), calls.jsonl (every request), sent.jsonl
// (the params of every accepted `send`).
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const dir = process.env.FAKE_IMSG_DIR;
if (!dir) {
  process.stderr.write('fake-imsg: FAKE_IMSG_DIR is not set\n');
  process.exit(2);
}
const file = (n) => path.join(dir, n);
const read = (n) => {
  try {
    return fs.readFileSync(file(n), 'utf8');
  } catch {
    return undefined;
  }
};
const mode = (read('mode') ?? process.env.FAKE_IMSG_MODE ?? 'normal').trim();
fs.appendFileSync(file('spawns.log'), `${process.pid} ${mode} ${process.argv.slice(2).join(' ')}\n`);

if (mode === 'exit') {
  process.stderr.write('Error: unable to open database file (authorization denied)\n');
  process.exit(1);
}
const stubborn = fs.existsSync(file('ignore-sigterm'));
if (stubborn) process.on('SIGTERM', () => {});
const timing = fs.existsSync(file('timing'));
const stamp = (fields, hr) => fs.appendFileSync(file('timing.jsonl'), `${JSON.stringify({ ...fields, hr: String(hr) })}\n`);

const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const inbox = () => (read('inbox.jsonl') ?? '').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const maxRow = () => inbox().reduce((m, r) => Math.max(m, r.id ?? 0), 0);

/** subscription id → highest rowid already sent */
const subs = new Map();
let nextSub = 1;

function pump() {
  if (fs.existsSync(file('crash'))) {
    fs.rmSync(file('crash'), { force: true });
    process.stderr.write('fake-imsg: crashing as asked\n');
    process.exit(1);
  }
  if (fs.existsSync(file('watch-error'))) {
    const message = read('watch-error').trim() || 'watch failed';
    fs.rmSync(file('watch-error'), { force: true });
    for (const sub of subs.keys()) out({ jsonrpc: '2.0', method: 'error', params: { subscription: sub, error: { message } } });
    subs.clear();
  }
  if (subs.size === 0) return;
  const rows = inbox();
  for (const [sub, cursor] of subs) {
    let c = cursor;
    for (const r of rows) {
      if ((r.id ?? 0) <= c) continue;
      const hr = process.hrtime.bigint();
      out({ jsonrpc: '2.0', method: 'message', params: { subscription: sub, message: r } });
      if (timing) stamp({ event: 'message', id: r.id }, hr);
      c = r.id;
    }
    subs.set(sub, c);
  }
}
setInterval(pump, 25);

const chats = () => {
  const custom = read('chats.json');
  if (custom) return JSON.parse(custom);
  return [{ id: 1, name: '', identifier: '+15550001111', guid: 'iMessage;-;+15550001111', service: 'iMessage', last_message_at: new Date().toISOString(), is_group: false }];
};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  if (!line.trim()) return;
  const hr = timing ? process.hrtime.bigint() : 0n;
  let req;
  try {
    req = JSON.parse(line);
  } catch {
    out({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    return;
  }
  fs.appendFileSync(file('calls.jsonl'), `${JSON.stringify({ pid: process.pid, method: req.method, params: req.params ?? null })}\n`);
  if (mode === 'hang') return;
  const ok = (result) => out({ jsonrpc: '2.0', id: req.id, result });
  const fail = (message, code = -32000) => out({ jsonrpc: '2.0', id: req.id, error: { code, message } });
  const p = req.params ?? {};
  switch (req.method) {
    case 'chats.list': {
      const err = read('chats-error');
      if (err !== undefined) return fail(err.trim() || 'chats.list failed');
      return ok({ chats: chats().slice(0, p.limit ?? 20) });
    }
    case 'watch.subscribe': {
      const sub = nextSub++;
      subs.set(sub, typeof p.since_rowid === 'number' ? p.since_rowid : maxRow());
      ok({ subscription: sub });
      return pump();
    }
    case 'watch.unsubscribe':
      subs.delete(p.subscription);
      return ok({ ok: true });
    case 'send': {
      if (timing) stamp({ event: 'send', text: p.text }, hr);
      const err = read('send-error');
      if (err !== undefined) return fail(err.trim() || 'send failed');
      if (!p.to && p.chat_id === undefined && !p.chat_guid && !p.chat_identifier) return fail('to or chat_id is required', -32602);
      fs.appendFileSync(file('sent.jsonl'), `${JSON.stringify(p)}\n`);
      return ok({ ok: true });
    }
    default:
      return fail(`Method not found: ${req.method}`, -32601);
  }
});
// The gateway went away (kill -9 closes our stdin): so do we.
process.stdin.on('end', () => {
  if (!stubborn) process.exit(0);
});
