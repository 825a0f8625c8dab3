// A bounded run of the kill loop (npm run torture runs any number of rounds): SIGKILL under
// appendfsync always with 1 and 2 workers, every acknowledged write of every round read back.
import { expect, test } from "bun:test";
import { runTorture } from "../../bench/torture.ts";
import { WRITE_MIXES } from "../../bench/torture-mixes.ts";

for (const workers of [1, 2]) {
  test(`kill loop, ${workers} worker(s): 3 SIGKILLs, no acknowledged write lost`, async () => {
    const r = await runTorture({ rounds: 3, workers, loadMs: 150, log: () => {} });
    expect(r.lost).toEqual([]);
    expect(r.acknowledged).toBeGreaterThan(0);
    // Every round checks every write acknowledged so far, of every mix.
    expect(r.checked).toBeGreaterThanOrEqual(r.acknowledged);
    expect(WRITE_MIXES.length).toBeGreaterThanOrEqual(3);
  }, 180_000);
}
