import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ProcessFailures, Rejections } from '../protocol/errors.js';
import { renderTroubleshootingDoc, troubleshootingDocPath } from './troubleshooting-doc.js';

test('docs/troubleshooting.md is up to date (regenerate: node dist/doctor/troubleshooting-doc.js --write)', () => {
  const committed = fs.readFileSync(troubleshootingDocPath(), 'utf8');
  assert.equal(committed, renderTroubleshootingDoc());
});

test('every detail code and process failure appears with its fix', () => {
  const doc = renderTroubleshootingDoc();
  for (const r of Object.values(Rejections)) assert.ok(doc.includes(`\`${r.detailCode}\``), r.detailCode);
  for (const f of Object.values(ProcessFailures)) assert.ok(doc.includes(f.cause.replace(/\|/g, '\\|')), f.cause);
  for (const seen of ['pairing required', 'gateway token missing', 'control ui requires HTTPS or localhost', 'origin not allowed', 'refusing to bind gateway', 'Gateway start blocked', 'EADDRINUSE']) {
    assert.ok(doc.includes(seen), seen);
  }
  assert.match(doc, /\| 1006 \|/);
  assert.match(doc, /openclaw devices approve <requestId>/);
});
