import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAgentTurnBench } from './agent-turns.js';

// A small run of the real agent-turn bench (fake upstream and `gateway run` as children): keeps it
// working. No timing is asserted: the target lives in `npm run bench`.
test('the agent-turn bench completes every round of /v1 openclaw turns and measures each', async () => {
  const r = await runAgentTurnBench({ rounds: 2, perRound: 6, concurrency: 3 });
  assert.equal(r.rounds.length, 2);
  for (const round of r.rounds) {
    assert.ok(round.perSec > 0 && round.ttftMedianMs > 0);
    assert.ok(Number.isFinite(round.cpuMsPerTurn) && round.cpuMsPerTurn >= 0, 'the gateway\'s CPU was read from /proc');
  }
});
