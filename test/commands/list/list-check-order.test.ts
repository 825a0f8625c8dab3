// Which error wins when both the key and an index argument are wrong, through the real command
// table over a real Keyspace. Expected replies were checked against redis-server 7.0.15 (LSET and
// LINDEX look the key up first; LREM, LTRIM and LRANGE parse first); found by the differential run.
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };

describe("list commands: key check before or after the index", () => {
  test("LSET and LINDEX answer for the key before a bad index", () => {
    script(createHarness(), [
      [["lset", "nokey", "x", "v"], { error: "ERR no such key" }],
      [["lindex", "nokey", "x"], null],
      [["set", "s", "1"], "OK"],
      [["lset", "s", "x", "v"], WRONGTYPE],
      [["lindex", "s", "x"], WRONGTYPE],
      [["rpush", "l", "a"], 1],
      [["lset", "l", "x", "v"], NOT_INT],
      [["lindex", "l", "x"], NOT_INT],
    ]);
  });

  test("LREM, LTRIM and LRANGE answer for a bad number first", () => {
    script(createHarness(), [
      [["lrem", "nokey", "x", "a"], NOT_INT],
      [["ltrim", "nokey", "0", "x"], NOT_INT],
      [["lrange", "nokey", "x", "1"], NOT_INT],
      [["set", "s", "1"], "OK"],
      [["lrem", "s", "x", "a"], NOT_INT],
    ]);
  });
});
