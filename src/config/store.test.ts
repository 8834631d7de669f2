import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './load.js';
import { ConfigClobberError, ConfigConflictError, ConfigStore } from './store.js';

function tempStore(): { store: ConfigStore; file: string; dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-store-'));
  const file = path.join(dir, 'state', 'openclaw.json');
  return { store: new ConfigStore(file), file, dir: path.dirname(file), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

test('write creates the file 0600 in a 0700 dir and read returns it', () => {
  const t = tempStore();
  try {
    const { backupPath, hash } = t.store.write({ gateway: { mode: 'local', auth: { token: 'secret' } } });
    assert.equal(backupPath, undefined);
    assert.equal(mode(t.file), 0o600);
    assert.equal(mode(t.dir), 0o700);
    const loaded = t.store.read();
    assert.equal(loaded.hash, hash);
    assert.equal(loaded.config.gateway?.auth?.token, 'secret');
    assert.deepEqual(fs.readdirSync(t.dir), ['openclaw.json'], 'no temp files are left behind');
  } finally {
    t.cleanup();
  }
});

test('backups rotate .bak (newest) … .bak.4 and the oldest falls off', () => {
  const t = tempStore();
  try {
    for (let n = 0; n < 7; n++) t.store.write({ gateway: { mode: 'local', port: 1000 + n } });
    const portOf = (f: string) => (JSON.parse(fs.readFileSync(f, 'utf8')) as { gateway: { port: number } }).gateway.port;
    assert.equal(portOf(t.file), 1006);
    assert.deepEqual(t.store.backupPaths().map(portOf), [1005, 1004, 1003, 1002, 1001]);
    for (const b of t.store.backupPaths()) assert.equal(mode(b), 0o600);
    assert.equal(fs.readdirSync(t.dir).filter((n) => n.includes('.bak')).length, 5);
  } finally {
    t.cleanup();
  }
});

test('an invalid config is never written', () => {
  const t = tempStore();
  try {
    t.store.write({ gateway: { mode: 'local' } });
    const before = fs.readFileSync(t.file, 'utf8');
    assert.throws(() => t.store.write({ gateway: { mode: 'local', port: 'x' } }), (err: unknown) => err instanceof ConfigError && err.problem === 'gateway.port: expected number, received string');
    assert.equal(fs.readFileSync(t.file, 'utf8'), before);
    assert.equal(fs.existsSync(`${t.file}.bak`), false);
  } finally {
    t.cleanup();
  }
});

test('the clobber guard refuses dropping gateway.mode or halving the file, unless forced', () => {
  const t = tempStore();
  try {
    const big = { gateway: { mode: 'local', trustedProxies: Array.from({ length: 20 }, (_, i) => `10.0.0.${i}`) } };
    t.store.write(big);
    assert.throws(() => t.store.write({ gateway: { port: 1 }, meta: { note: 'x'.repeat(1000) } }), (err: unknown) => err instanceof ConfigClobberError && /drops gateway\.mode/.test(err.message) && /--force/.test(err.fix));
    assert.throws(() => t.store.write({ gateway: { mode: 'local' } }), (err: unknown) => err instanceof ConfigClobberError && /less than half/.test(err.message));
    assert.deepEqual(t.store.read().config, big, 'refused writes change nothing');
    t.store.write({ gateway: { mode: 'local' } }, { force: true });
    assert.deepEqual(t.store.read().config, { gateway: { mode: 'local' } });
  } finally {
    t.cleanup();
  }
});

test('comments in a hand-written JSON5 file do not trip the size guard', () => {
  const t = tempStore();
  try {
    fs.mkdirSync(t.dir, { recursive: true });
    fs.writeFileSync(t.file, `// ${'a long comment '.repeat(50)}\n{ gateway: { mode: "local" } }\n`);
    assert.doesNotThrow(() => t.store.write({ gateway: { mode: 'local', port: 18790 } }));
    assert.match(fs.readFileSync(`${t.file}.bak`, 'utf8'), /a long comment/);
  } finally {
    t.cleanup();
  }
});

test('expectedHash guards against concurrent edits', () => {
  const t = tempStore();
  try {
    assert.throws(() => t.store.write({ gateway: { mode: 'local' } }, { expectedHash: 'abc' }), ConfigConflictError);
    const { hash } = t.store.write({ gateway: { mode: 'local' } }, { expectedHash: '' });
    t.store.write({ gateway: { mode: 'local', port: 2 } }, { expectedHash: hash });
    assert.throws(() => t.store.write({ gateway: { mode: 'local', port: 3 } }, { expectedHash: hash }), ConfigConflictError);
  } finally {
    t.cleanup();
  }
});

test('rejected texts are kept 0600 with a timestamp; the same text is not stored twice', () => {
  const t = tempStore();
  try {
    fs.mkdirSync(t.dir, { recursive: true });
    const a = t.store.saveRejected('{ broken');
    assert.match(path.basename(a), /^openclaw\.json\.rejected\.\d{4}-\d\d-\d\dT[\d-]+Z/);
    assert.equal(mode(a), 0o600);
    assert.equal(t.store.saveRejected('{ broken'), a);
    const b = t.store.saveRejected('{ other');
    assert.notEqual(b, a);
    assert.deepEqual(t.store.listRejected(), [a, b]);
    assert.equal(fs.readFileSync(b, 'utf8'), '{ other');
  } finally {
    t.cleanup();
  }
});

test('last-good round trip', () => {
  const t = tempStore();
  try {
    assert.equal(t.store.readLastGood(), undefined);
    t.store.writeLastGood('{ gateway: { mode: "local" } }');
    assert.equal(t.store.readLastGood(), '{ gateway: { mode: "local" } }');
    assert.equal(mode(`${t.file}.last-good`), 0o600);
    const ino = fs.statSync(`${t.file}.last-good`).ino;
    t.store.writeLastGood('{ gateway: { mode: "local" } }');
    assert.equal(fs.statSync(`${t.file}.last-good`).ino, ino, 'the same text again: nothing written');
    fs.chmodSync(`${t.file}.last-good`, 0o644);
    t.store.writeLastGood('{ gateway: { mode: "local" } }');
    assert.equal(mode(`${t.file}.last-good`), 0o600, 'a loose mode is rewritten');
    t.store.writeLastGood('{ gateway: { mode: "remote" } }');
    assert.equal(t.store.readLastGood(), '{ gateway: { mode: "remote" } }');
  } finally {
    t.cleanup();
  }
});
