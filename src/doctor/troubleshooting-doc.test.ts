import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { classifyError, terminalClose, toSendError } from '../channels/discord/errors.js';
import { ProcessFailures, Rejections } from '../protocol/errors.js';
import { repoRoot } from './repo-root.js';
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
  assert.doesNotMatch(doc, /NaN/, 'computed numbers render as <seconds>, not NaN');
  assert.match(doc, /openclaw devices approve <requestId>/);
});

/** `a <x> b` → a pattern for the template literal that prints it (`a ${…} b`). */
const templatePattern = (message: string) => new RegExp(message.split(/<[^>]+>/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\$\\{[^}]+\\}'));

function channelSources(dir = path.join(repoRoot(), 'src', 'channels')): string {
  return fs.readdirSync(dir, { withFileTypes: true }).map((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' ? '' : channelSources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? fs.readFileSync(p, 'utf8') : '';
  }).join('\n');
}

test('the Discord, WhatsApp and iMessage rows quote what the adapters print, verbatim', () => {
  const doc = renderTroubleshootingDoc();
  const src = channelSources();
  for (const m of ['WhatsApp Web session logged out (status 401): this device was unlinked on the phone', 'No active WhatsApp Web listener (account: <id>)', 'imsg rpc not ready after <ms>ms (<cause>)']) {
    assert.ok(doc.includes(`| \`${m}\` |`), `doc row for ${m}`);
    assert.match(src, templatePattern(m), `src/channels prints ${m}`);
  }
  // 50007 as the outbound queue logs it: `send failed: <ChannelSendError message>`.
  const api = Object.assign(new Error('Cannot send messages to this user'), { status: 403, code: 50007, rawError: { message: 'Cannot send messages to this user', code: 50007 } });
  const sendError = toSendError(classifyError(api));
  assert.ok(doc.includes(`| \`send failed: ${sendError.message}\` |`), sendError.message);
  assert.ok(doc.includes(sendError.fix!));
  for (const code of [4004, 4014]) assert.ok(doc.includes(terminalClose(code)!.reason), String(code));
  assert.match(doc, /`intents:content=limited \(channels status\)`/);
  assert.match(doc, /openclaw channels logout --channel whatsapp --yes, then openclaw channels login --channel whatsapp/);
});
