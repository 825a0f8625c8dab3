// LPOS's RANK bounds through the real command table over a real Keyspace. Expected replies were
// checked against redis-server 7.0.15; found by the differential run (test/e2e/differential/).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

const LONG_MIN = "-9223372036854775808";

describe("LPOS RANK at the int64 edges", () => {
  test("RANK -9223372036854775808 searches from the tail and COUNT does not stop it (7.0.15)", () => {
    script(createHarness(), [
      [["lpos", "l", "a", "rank", LONG_MIN], null],
      [["rpush", "l", "a", "b", "a"], 3],
      [["lpos", "l", "a", "rank", LONG_MIN], 2],
      [["lpos", "l", "a", "rank", LONG_MIN, "count", "0"], [2, 0]],
      [["lpos", "l", "a", "rank", LONG_MIN, "count", "1"], [2, 0]],
      [["lpos", "l", "a", "rank", LONG_MIN, "count", "1", "maxlen", "1"], [2]],
      [["lpos", "l", "b", "rank", LONG_MIN, "count", "0"], [1]],
    ]);
  });

  test("huge ranks either way find nothing; RANK 0 is an error", () => {
    script(createHarness(), [
      [["rpush", "l", "a", "b", "a"], 3],
      [["lpos", "l", "a", "rank", "-9223372036854775807"], null],
      [["lpos", "l", "a", "rank", "-9007199254740993", "count", "0"], []],
      [["lpos", "l", "a", "rank", "9223372036854775807"], null],
      [["lpos", "l", "a", "rank", "0"], { error: "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list" }],
      [["lpos", "l", "a", "rank", "9223372036854775808"], { error: "ERR value is not an integer or out of range" }],
    ]);
  });
});
