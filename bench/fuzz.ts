// Long protocol fuzz run: `npm run fuzz [count=1000000] [seed=now]`. Starts the server
// (`--workers 1`), runs test/support/fuzz.ts against it, exits non-zero on the first failure.

import { fuzzServer } from "../test/support/fuzz.ts";
import { spawnServer } from "../test/support/server-process.ts";

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
await using srv = await spawnServer(["--workers", "1"]);
const t0 = performance.now();
try {
  const r = await fuzzServer(srv.port, count, seed);
  console.log(`fuzz: ${r.inputs} inputs in ${r.batches} batches, seed ${seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s: server alive, 100 keys intact`);
} catch (e) {
  console.error(`fuzz FAILED (seed ${seed}): ${(e as Error).message}\nserver stderr: ${srv.stderr()}`);
  process.exitCode = 1;
}
