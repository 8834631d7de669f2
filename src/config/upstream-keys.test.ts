// Upstream OpenClaw keys we do not implement: accepted, listed, kept on every write; typos rejected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSON5 from 'json5';
import { ConfigError, loadConfig, validateConfigObject, type ParseResult } from './load.js';
import { applyConfigText, patchConfig, setConfigValue, unsetConfigValue, validateConfigFile } from './edit.js';
import { ConfigStore } from './store.js';
import { upstreamKeysAt, upstreamNodeAt } from './upstream-keys.js';

const TOKEN = 'test-token-0123456789abcdef0123456789';

/** An upstream-style config: our keys, upstream-only ones at several depths, arrays and maps. */
function upstreamStyle(): Record<string, unknown> {
  return {
    gateway: { mode: 'local', auth: { mode: 'token', token: TOKEN }, terminal: { enabled: false } },
    agents: {
      defaults: { workspace: '~/.openclaw/workspace', model: { primary: 'local/m' }, sandbox: { mode: 'off' } },
      entries: { main: { identity: { name: 'Clawd' } } },
    },
    tools: { exec: { timeoutSeconds: 60 }, allow: ['read'] },
    skills: { entries: { 'image-lab': { enabled: true } } },
    plugins: { entries: { 'some-third-party': { enabled: true, config: { anything: { goes: 1 } } } } },
    hooks: { enabled: true, mappings: [{ id: 'h1', match: { path: 'gmail' } }] },
    logging: { level: 'info', consoleStyle: 'pretty' },
    messages: { responsePrefix: '>', groupChat: { historyLimit: 20, visibleReplies: 'automatic' } },
    models: { providers: { local: { baseUrl: 'http://127.0.0.1:9/v1', authHeader: true, models: [{ id: 'm', reasoning: false }] } } },
  };
}

const EXPECTED = [
  'gateway.terminal', 'agents.defaults.workspace', 'agents.defaults.sandbox', 'agents.entries', 'tools', 'skills', 'plugins', 'hooks',
  'logging.consoleStyle', 'messages.responsePrefix', 'messages.groupChat.visibleReplies', 'models.providers.local.authHeader',
  'models.providers.local.models[0].reasoning',
];

function okResult(r: ParseResult): Extract<ParseResult, { ok: true }> {
  assert.ok(r.ok, r.ok ? '' : r.problem);
  return r;
}

function tempConfig(config: unknown): { file: string; read: () => Record<string, unknown>; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openclaw-upstream-keys-'));
  const file = path.join(dir, 'openclaw.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { file, read: () => JSON5.parse(fs.readFileSync(file, 'utf8')), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('the generated key data knows upstream keys a few levels deep, maps and array elements', () => {
  assert.ok(upstreamKeysAt([]).includes('tools'));
  assert.ok(upstreamKeysAt(['agents', 'defaults']).includes('workspace'));
  assert.ok(upstreamKeysAt(['tools', 'exec']).length > 0);
  // channels.<id> and agents.entries.<id>: any id, with the entry's keys
  assert.ok(upstreamNodeAt(['agents', 'entries', 'anything']));
  assert.ok(upstreamKeysAt(['agents', 'entries', 'anything']).includes('identity'));
  assert.ok(upstreamKeysAt(['hooks', 'mappings', 0]).includes('match'));
  assert.ok(upstreamKeysAt(['models', 'providers', 'x', 'models', 0]).includes('reasoning'));
});

test('upstream keys we do not implement are accepted and listed, outermost key only', () => {
  const r = okResult(validateConfigObject(upstreamStyle()));
  assert.deepEqual(r.unsupported, EXPECTED);
  assert.ok(r.warnings.some((w) => w.startsWith(`not supported by this gateway: ${EXPECTED.join(', ')}`)), r.warnings.join('\n'));
  // The keys we do implement still mean what they meant.
  assert.equal(r.config.gateway?.auth?.token, TOKEN);
  assert.equal(r.config.messages?.groupChat?.historyLimit, 20);
  // And the parsed config keeps the rest, so a writer building from it loses nothing.
  assert.deepEqual((r.config.gateway as Record<string, unknown>).terminal, { enabled: false });
  assert.deepEqual((r.config as Record<string, unknown>).tools, { exec: { timeoutSeconds: 60 }, allow: ['read'] });
  // A config of only our keys lists nothing.
  assert.deepEqual(okResult(validateConfigObject({ gateway: { mode: 'local' } })).unsupported, []);
});

test('an upstream enum value we lack is listed with its value; a value neither knows is still invalid', () => {
  const cfg = { models: { providers: { lm: { api: 'openai-responses', models: [{ id: 'm' }] } } } };
  assert.deepEqual(okResult(validateConfigObject(cfg)).unsupported, ['models.providers.lm.api="openai-responses"']);
  const bad = validateConfigObject({ models: { providers: { lm: { api: 'openai-respones' } } } });
  assert.ok(!bad.ok);
  assert.match(bad.problem, /^models\.providers\.lm\.api: expected one of/);
});

test('typos are rejected with a "did you mean" hint: top level, our strict objects, our loose ones, upstream-only subtrees', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ tols: {} }, 'tols: unknown key (did you mean "tools"?)'],
    [{ gateway: { prot: 1 } }, 'gateway.prot: unknown key (did you mean "port"?)'],
    [{ gateway: { terminl: {} } }, 'gateway.terminl: unknown key (did you mean "terminal"?)'],
    [{ agents: { defaults: { workspac: '~/w' } } }, 'agents.defaults.workspac: unknown key (did you mean "workspace"?)'],
    [{ tools: { exex: {} } }, 'tools.exex: unknown key (did you mean "exec"?)'],
    [{ tools: { exec: { timeoutSecond: 1 } } }, 'tools.exec.timeoutSecond: unknown key (did you mean "timeoutSeconds"?)'],
    [{ skills: { entries: { 'any-skill': { enabld: true } } } }, 'skills.entries.any-skill.enabld: unknown key (did you mean "enabled"?)'],
    [{ hooks: { mappings: [{ id: 'a' }, { mach: {} }] } }, 'hooks.mappings[1].mach: unknown key (did you mean "match"?)'],
    [{ agents: { entries: { main: { identty: {} } } } }, 'agents.entries.main.identty: unknown key (did you mean "identity"?)'],
    [{ channels: { slack: { botTokn: 'x' } } }, 'channels.slack.botTokn: unknown key (did you mean "botToken"?)'],
    [{ zzzUnheardOf: 1 }, 'zzzUnheardOf: unknown key'],
  ];
  for (const [cfg, text] of cases) {
    const r = validateConfigObject(cfg);
    assert.ok(!r.ok, `${JSON.stringify(cfg)} should be rejected`);
    assert.equal(r.issues[0].text, text);
    assert.equal(r.issues[0].fix, `openclaw config unset ${text.split(':')[0]}`);
  }
  // Open upstream subtrees (a plugin's own config, channels.<any id>) accept any key.
  okResult(validateConfigObject({ plugins: { entries: { p: { config: { whatever: { deep: true } } } } } }));
  okResult(validateConfigObject({ channels: { 'some-new-channel': { anything: 1 } } }));
});

test('loadConfig on a file: accepts, lists, and reports typos as a ConfigError', () => {
  const t = tempConfig(upstreamStyle());
  try {
    assert.deepEqual(loadConfig(t.file).unsupported, EXPECTED);
    fs.writeFileSync(t.file, JSON.stringify({ ...upstreamStyle(), tools: { exex: 1 } }));
    assert.throws(() => loadConfig(t.file), (err: unknown) => err instanceof ConfigError && /tools\.exex: unknown key \(did you mean "exec"\?\)/.test(err.problem));
  } finally {
    t.cleanup();
  }
});

test('every writer keeps upstream keys: config set, unset, patch, apply, the store', () => {
  const t = tempConfig(upstreamStyle());
  const keptAll = (label: string) => {
    const now = t.read();
    const orig = upstreamStyle();
    for (const k of ['tools', 'skills', 'plugins', 'hooks']) assert.deepEqual(now[k], orig[k], `${label}: ${k}`);
    const agents = now.agents as { defaults: Record<string, unknown>; entries: unknown };
    assert.equal(agents.defaults.workspace, '~/.openclaw/workspace', label);
    assert.deepEqual(agents.entries, (orig.agents as { entries: unknown }).entries, label);
    assert.deepEqual((now.gateway as Record<string, unknown>).terminal, { enabled: false }, label);
    assert.equal((now.logging as Record<string, unknown>).consoleStyle, 'pretty', label);
  };
  try {
    const set = setConfigValue(t.file, 'gateway.port', '18790');
    assert.ok(set.written);
    assert.deepEqual(set.warnings, [], 'an unrelated edit does not repeat the list');
    keptAll('set');
    // An edit that adds an upstream key says so, naming only that key.
    const added = setConfigValue(t.file, 'cron.enabled', 'true');
    assert.deepEqual(added.warnings, ['not supported by this gateway: cron (kept as written, ignored here).']);
    unsetConfigValue(t.file, 'cron');
    keptAll('unset');
    patchConfig(t.file, { gateway: { reload: { mode: 'hot' } } });
    keptAll('patch');
    applyConfigText(t.file, JSON.stringify({ ...upstreamStyle(), gateway: { ...(upstreamStyle().gateway as object), port: 18791 } }), 'stdin');
    keptAll('apply');
    new ConfigStore(t.file).write(loadConfig(t.file).config);
    keptAll('store write of the loaded config');
    // And an edit with a typo inside an upstream subtree is refused, leaving the file alone.
    assert.throws(() => setConfigValue(t.file, 'tools.exex', '1'), /tools\.exex: unknown key \(did you mean "exec"\?\)/);
    keptAll('refused edit');
  } finally {
    t.cleanup();
  }
});

test('config validate: valid, with the unsupported list as a warning', () => {
  const t = tempConfig(upstreamStyle());
  try {
    const report = validateConfigFile(t.file);
    assert.equal(report.valid, true);
    assert.deepEqual(report.unsupported, EXPECTED);
    assert.ok(report.warnings.some((w) => w.startsWith('not supported by this gateway: gateway.terminal, agents.defaults.workspace')), report.warnings.join('\n'));
  } finally {
    t.cleanup();
  }
});
