// Importing upstream's <state>/credentials/<channel>-pairing.json and *-allowFrom.json files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { stateDirsForFile } from '../../testing/harness.js';
import { formatLegacyImportSummary, importLegacyPairing } from './legacy-import.js';
import { ChannelPairingStore } from './store.js';

const newState = stateDirsForFile();
const NOW = Date.parse('2026-09-01T10:00:00.000Z');
const MIN = 60_000;

function credentials(dir: string, files: Record<string, unknown>): string {
  const creds = path.join(dir, 'credentials');
  fs.mkdirSync(creds, { recursive: true });
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(creds, name), typeof body === 'string' ? body : JSON.stringify(body));
  return creds;
}

test('imports both kinds of file, per account, drops expired requests, renames sources to .imported; a second run does nothing', () => {
  const sd = newState();
  const creds = credentials(sd.dir, {
    'telegram-pairing.json': {
      version: 1,
      requests: [
        { id: '111', code: 'ABCD2345', createdAt: new Date(NOW - 10 * MIN).toISOString(), lastSeenAt: new Date(NOW - 5 * MIN).toISOString(), meta: { username: 'alice' } },
        { id: 222, code: 'EFGH2345', createdAt: NOW - 20 * MIN, lastSeenAt: NOW - 20 * MIN, meta: { accountId: 'work', firstName: 'Bob' } },
        { id: '333', code: 'JKLM2345', createdAt: new Date(NOW - 61 * MIN).toISOString(), meta: {} }, // expired
      ],
    },
    'telegram-allowFrom.json': { version: 1, allowFrom: ['900', 'tg:901', 900] },
    'telegram-work-allowFrom.json': { version: 1, allowFrom: ['telegram:902'] },
    'discord-allowFrom.json': { version: 1, allowFrom: ['discord:42'] },
    'slack-allowFrom.json': { version: 1, allowFrom: ['U1'] }, // not a channel we import
    'unrelated.json': {},
  });
  const store = new ChannelPairingStore(sd.dir, { now: () => NOW });
  const summary = importLegacyPairing(sd.dir, store, { now: NOW });
  assert.deepEqual(summary.files, ['discord-allowFrom.json', 'telegram-allowFrom.json', 'telegram-pairing.json', 'telegram-work-allowFrom.json']);
  assert.equal(summary.requests, 2);
  assert.equal(summary.allowEntries, 4);
  assert.deepEqual(summary.warnings, []);
  assert.equal(
    formatLegacyImportSummary(summary),
    `channel pairing: imported 2 pending requests and 4 approved senders from 4 legacy files in ${creds} (kept as <name>.imported)`,
  );

  assert.deepEqual(store.allowEntries('telegram', 'default'), ['900', '901']);
  assert.deepEqual(store.allowEntries('telegram', 'work'), ['902']);
  assert.deepEqual(store.allowEntries('discord', 'default'), ['42']);
  const reqs = store.listRequests({ channel: 'telegram' });
  assert.deepEqual(
    reqs.map((r) => ({ accountId: r.accountId, id: r.id, code: r.code, createdAt: r.createdAt, meta: r.meta })),
    [
      { accountId: 'work', id: '222', code: 'EFGH2345', createdAt: new Date(NOW - 20 * MIN).toISOString(), meta: { accountId: 'work', firstName: 'Bob' } },
      { accountId: 'default', id: '111', code: 'ABCD2345', createdAt: new Date(NOW - 10 * MIN).toISOString(), meta: { username: 'alice', accountId: 'default' } },
    ],
  );
  assert.equal(reqs[1].lastSeenAt, new Date(NOW - 5 * MIN).toISOString());
  assert.equal(store.findByCode('telegram', 'abcd2345')?.id, '111', 'the code the sender was sent still works');

  const left = fs.readdirSync(creds).sort();
  assert.deepEqual(left, [
    'discord-allowFrom.json.imported',
    'slack-allowFrom.json',
    'telegram-allowFrom.json.imported',
    'telegram-pairing.json.imported',
    'telegram-work-allowFrom.json.imported',
    'unrelated.json',
  ]);
  const again = importLegacyPairing(sd.dir, store, { now: NOW });
  assert.deepEqual({ requests: again.requests, allowEntries: again.allowEntries, files: again.files }, { requests: 0, allowEntries: 0, files: [] });
  assert.equal(formatLegacyImportSummary(again), null);
});

test('no duplicates when the same rows come back (a restored file, or rows already in the store)', () => {
  const sd = newState();
  const store = new ChannelPairingStore(sd.dir, { now: () => NOW });
  store.addAllowEntry('whatsapp', 'default', '+15550001');
  const { code } = store.upsertRequest({ channel: 'whatsapp', senderId: '+15550002' }, NOW - MIN);
  const files = {
    'whatsapp-allowFrom.json': { version: 1, allowFrom: ['+15550001', '+15550003'] },
    'whatsapp-pairing.json': {
      version: 1,
      requests: [
        { id: '+15550002', code: 'ZZZZ2345', createdAt: NOW - 30 * MIN, meta: { name: 'dup' } }, // already pending
        { id: '+15550001', code: 'YYYY2345', createdAt: NOW - 30 * MIN, meta: {} }, // already approved
        { id: '+15550004', code: code, createdAt: NOW - 30 * MIN, meta: {} }, // code collides: redrawn
      ],
    },
  };
  credentials(sd.dir, files);
  const s1 = importLegacyPairing(sd.dir, store, { now: NOW });
  assert.equal(s1.allowEntries, 1);
  assert.equal(s1.requests, 1);
  assert.deepEqual(store.allowEntries('whatsapp'), ['+15550001', '+15550003']);
  const rows = store.listRequests({ channel: 'whatsapp' });
  assert.deepEqual(rows.map((r) => r.id), ['+15550004', '+15550002']);
  assert.equal(rows.find((r) => r.id === '+15550002')?.code, code, 'the existing request is untouched');
  assert.notEqual(rows.find((r) => r.id === '+15550004')?.code, code, 'codes stay unique on the channel');
  // The files come back (restored from a backup): nothing new, and the new copies get their own backup name.
  credentials(sd.dir, files);
  const s2 = importLegacyPairing(sd.dir, store, { now: NOW });
  assert.deepEqual({ requests: s2.requests, allowEntries: s2.allowEntries }, { requests: 0, allowEntries: 0 });
  assert.equal(s2.files.length, 2);
  assert.equal(fs.readdirSync(path.join(sd.dir, 'credentials')).filter((n) => n.includes('.imported-')).length, 2);
  assert.equal(store.listRequests().length, 2);
});

test('a malformed file is skipped with a warning naming it, left in place, and never stops the others', () => {
  const sd = newState();
  const creds = credentials(sd.dir, {
    'telegram-pairing.json': '{"version":1,"requests":[',
    'discord-pairing.json': { version: 1, requests: 'nope' },
    'imessage-allowFrom.json': { version: 1, allowFrom: ['a@b.c', '*', { bad: true }] },
    'whatsapp-pairing.json': { version: 1, requests: [{ id: '+1', code: 'ABCD2345', createdAt: 'not a date' }, { id: '+2', code: 'ABCD2346', createdAt: NOW }] },
  });
  const warnings: string[] = [];
  const store = new ChannelPairingStore(sd.dir, { now: () => NOW });
  const summary = importLegacyPairing(sd.dir, store, { now: NOW, warn: (m) => warnings.push(m) });
  assert.deepEqual(summary.files, ['imessage-allowFrom.json', 'whatsapp-pairing.json']);
  assert.deepEqual(summary.warnings, warnings);
  const tg = path.join(creds, 'telegram-pairing.json');
  const dc = path.join(creds, 'discord-pairing.json');
  assert.ok(warnings.some((w) => w.startsWith(`legacy pairing file ${dc} skipped: "requests" is not an array; fix: `)));
  assert.ok(warnings.some((w) => w.startsWith(`legacy pairing file ${tg} skipped: not valid JSON (`) && w.includes(`mv ${tg} ${tg}.bad`)));
  assert.ok(warnings.some((w) => w.includes('imessage-allowFrom.json: "*" not imported')));
  assert.ok(warnings.some((w) => w.includes('imessage-allowFrom.json: 1 malformed row(s) ignored')));
  assert.ok(warnings.some((w) => w.includes('whatsapp-pairing.json: 1 malformed row(s) ignored')));
  assert.ok(fs.existsSync(tg) && fs.existsSync(dc), 'malformed files stay where they are');
  assert.deepEqual(store.allowEntries('imessage'), ['a@b.c']);
  assert.deepEqual(store.listRequests().map((r) => r.id), ['+2']);
});

test('no credentials dir: nothing to do, no warnings', () => {
  const sd = newState();
  const summary = importLegacyPairing(sd.dir, new ChannelPairingStore(sd.dir));
  assert.deepEqual({ ...summary, credentialsDir: '' }, { requests: 0, allowEntries: 0, files: [], warnings: [], credentialsDir: '' });
  assert.equal(fs.existsSync(path.join(sd.dir, 'channels')), false, 'no store file made for nothing');
});
