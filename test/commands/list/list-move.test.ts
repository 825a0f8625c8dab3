// LMOVE and RPOPLPUSH of a list onto itself, through the real command table over a real Keyspace.
// Expected replies were checked against redis-server 7.0.15; found by the differential run
// (test/e2e/differential/): a one-element list moved onto itself kept its key but lost its TTL.
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

describe("LMOVE / RPOPLPUSH source = destination", () => {
  test("a one-element list keeps its element and its TTL in every direction", () => {
    const h = createHarness();
    script(h, [
      [["rpush", "l", "a"], 1],
      [["expire", "l", "1000"], 1],
      [["lmove", "l", "l", "left", "right"], "a"],
      [["lmove", "l", "l", "right", "left"], "a"],
      [["lmove", "l", "l", "left", "left"], "a"],
      [["rpoplpush", "l", "l"], "a"],
      [["lrange", "l", "0", "-1"], ["a"]],
      [["ttl", "l"], 1000],
    ]);
  });

  test("a longer list rotates and keeps its TTL", () => {
    script(createHarness(), [
      [["rpush", "l", "a", "b", "c"], 3],
      [["expire", "l", "1000"], 1],
      [["lmove", "l", "l", "left", "right"], "a"],
      [["rpoplpush", "l", "l"], "a"],
      [["lrange", "l", "0", "-1"], ["a", "b", "c"]],
      [["ttl", "l"], 1000],
    ]);
  });
});
