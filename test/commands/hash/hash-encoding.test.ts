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

describe("hash encoding: field count", () => {
  test("one HSET naming the same field 600 times stays a listpack (the count is of distinct fields)", () => {
    const same = Array.from({ length: 600 }, (_, i) => ["f", String(i)]).flat();
    script(createHarness(), [
      [["hset", "h", ...same], 1],
      [["object", "encoding", "h"], "listpack"],
      [["hget", "h", "f"], "599"],
    ]);
  });

  test("the 513th distinct field converts, whether in one HSET or over many", () => {
    const h = createHarness();
    const many = Array.from({ length: 513 }, (_, i) => [`f${i}`, "1"]).flat();
    script(h, [
      [["hset", "a", ...many], 513],
      [["object", "encoding", "a"], "hashtable"],
      [["hset", "b", ...many.slice(0, 1024)], 512],
      [["object", "encoding", "b"], "listpack"],
      [["hset", "b", "f0", "2", "f512", "1"], 1],
      [["object", "encoding", "b"], "hashtable"],
    ]);
  });
});
