// A short soak on every test run (the full 500-edit one is `./build.sh soak`): 80 random edits of every kind under
// GHL faults, the worker stopped every 20 edits and the browser restarted once → GHL ends exactly as intended. The
// sandbox reports a 1 s burst window instead of GHL's 10 s, so each 429 pauses the client for about a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak, describe } from '../../tools/lib/soak.mjs';

test('80 edits under faults, worker stops and a browser restart: nothing lost, duplicated or left behind', { timeout: 600_000 }, async () => {
  const result = await runSoak({ edits: 80, stopEvery: 20, seed: 424242, rateIntervalMs: 1000 });
  console.log(describe(result));
  assert.equal(result.workerStops, 4);
  assert.equal(result.browserRestarts, 1);
  assert.ok(result.queued > 0, 'the faults made some edits wait');
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.refusals, []);
  assert.deepEqual(result.left, []);
  assert.deepEqual({ lost: result.lost, duplicated: result.duplicated, wrong: result.wrong, tagMismatches: result.tagMismatches, townWrong: result.townWrong },
    { lost: 0, duplicated: 0, wrong: 0, tagMismatches: 0, townWrong: 0 });
  assert.equal(result.followUps, result.versionsSent, 'one follow-up task per Commusoft note version sent');
});
