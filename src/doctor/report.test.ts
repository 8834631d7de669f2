import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, exitCodeFor, renderReport } from './report.js';

const r = (level: 'ok' | 'warn' | 'error' | 'skipped', fix?: string) => ({ id: `c-${level}`, title: level, finding: { level, message: `${level} message.`, fix } });

test('skipped never counts as a failure; warnings exit 1, errors exit 2', () => {
  assert.equal(exitCodeFor(buildReport([r('ok'), r('skipped')])), 0);
  assert.equal(buildReport([r('ok'), r('skipped')]).ok, true);
  assert.equal(exitCodeFor(buildReport([r('ok'), r('warn', 'x')])), 1);
  assert.equal(exitCodeFor(buildReport([r('warn', 'x'), r('error', 'y')])), 2);
});

test('a fix is reported only for warnings and errors, and the human text shows the same', () => {
  const report = buildReport([r('ok', 'ignored'), r('error', 'openclaw config set gateway.mode local')]);
  assert.deepEqual(report.checks.map((c) => c.fix), [null, 'openclaw config set gateway.mode local']);
  const text = renderReport(report);
  assert.match(text, /^ERROR c-error\s+error message\.\n\s+fix: openclaw config set gateway\.mode local$/m);
  assert.match(text, /1 check ok, 0 warnings, 1 error, 0 skipped/);
});
