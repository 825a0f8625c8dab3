// When a hash turns from listpack into hashtable, through the real command table over a real
// Keyspace. Expected encodings were checked against redis-server 7.0.15; these cases were found
// by the differential run (test/e2e/differential/).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

const LONG = "v".repeat(70);

describe("hash encoding conversions", () => {
  test("HSETNX on an existing field with a value over 64 bytes answers 0 and keeps the listpack", () => {
    script(createHarness(), [
      [["hset", "h", "f", "1"], 1],
      [["hsetnx", "h", "f", LONG], 0],
      [["object", "encoding", "h"], "listpack"],
      [["hget", "h", "f"], "1"],
      [["hsetnx", "h", "g", LONG], 1],
      [["object", "encoding", "h"], "hashtable"],
      [["hget", "h", "g"], LONG],
    ]);
  });
});
