// ./build.sh soak [edits] — the soak of tools/lib/soak.mjs at full length (default 500 edits, the worker stopped
// every 50, one browser restart). Prints the counts; exits 1 if anything was lost, duplicated or left behind.
import { runSoak, describe, clean } from './lib/soak.mjs';

const edits = Number(process.argv[2] ?? process.env.SOAK_EDITS ?? 500);
const result = await runSoak({ edits, stopEvery: 50, log: console.log });
console.log(describe(result));
for (const line of [...result.problems, ...result.left, ...result.refusals]) console.log('  ', line);
if (!clean(result)) process.exitCode = 1;
