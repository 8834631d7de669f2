import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOpenAiProxyBench } from './openai-proxy.js';

// A small run of the real bench (upstream, gateway process and pipe proxy as children): keeps the
// bench working and its figures meaningful. No timing is asserted: targets live in `npm run bench`.
test('the /v1 proxy bench runs every path to a complete answer and measures each', async () => {
  const r = await runOpenAiProxyBench({ rounds: 1, concurrency: 4 });
  for (const [name, s] of Object.entries({ direct: r.direct, proxied: r.proxied, piped: r.piped })) {
    assert.ok(s.requestsPerSec > 0, `${name} completed requests`);
    // the upstream paces 32 tokens 50 ms apart: a complete answer cannot be faster than that
    assert.ok(s.totalMedianMs >= 31 * 50, `${name} total ${s.totalMedianMs} ms covers the paced answer`);
    assert.ok(s.ttftMedianMs > 0 && s.ttftMedianMs < s.totalMedianMs, `${name} first token before the end`);
  }
  // /proc counts CPU in 10 ms ticks: a few completions may round to 0, never to NaN
  assert.ok(Number.isFinite(r.proxyCpuMsPerCompletion) && r.proxyCpuMsPerCompletion >= 0, 'the gateway\'s CPU was read from /proc');
  assert.ok(Number.isFinite(r.pipeCpuMsPerCompletion) && r.pipeCpuMsPerCompletion >= 0);
  assert.ok(r.upstreamTotalMedianMs.proxied >= 31 * 50, 'the upstream reported its own times for the proxied round');
});
