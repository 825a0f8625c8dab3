// HSCAN's check order through the real command table over a real Keyspace. Expected replies were
// checked against redis-server 7.0.15; found by the differential run (test/e2e/differential/).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

describe("HSCAN", () => {
  test("the key is looked up after the cursor and before the options", () => {
    script(createHarness(), [
      [["hscan", "nokey", "0", "bogus"], ["0", []]],
      [["hscan", "nokey", "0", "count", "0"], ["0", []]],
      [["hscan", "nokey", "x"], { error: "ERR invalid cursor" }],
      [["set", "s", "1"], "OK"],
      [["hscan", "s", "0", "count", "0"], { error: "WRONGTYPE Operation against a key holding the wrong kind of value" }],
      [["hset", "h", "a", "1"], 1],
      [["hscan", "h", "0", "count", "0"], { error: "ERR syntax error" }],
      [["hscan", "h", "0", "count", "100"], ["0", ["a", "1"]]],
    ]);
  });
});
