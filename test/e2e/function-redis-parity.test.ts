// FUNCTION with no library engine (scripting is issue 13): the subcommands that read or clear the
// (always empty) library set answer exactly as redis-server 7.0.15 with no libraries loaded, over
// RESP2 and RESP3, with the default workers. Skipped, with a notice, when redis-server is absent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

const SCRIPT: string[][] = [
  ["#flush"], ["function", "flush"], ["function", "flush", "async"], ["function", "flush", "SYNC"], ["function", "flush", "x"],
  ["function", "flush", "a", "b"], ["function"], ["function", "list"], ["function", "list", "withcode"], ["function", "list", "libraryname", "x*"],
  ["function", "list", "libraryname"], ["function", "list", "withcode", "withcode"], ["function", "list", "foo"], ["function", "stats"],
  ["function", "stats", "x"], ["function", "delete", "lib"], ["function", "delete"], ["function", "kill"], ["function", "bogus"],
  ["set", "k", "v"], ["getex", "nokey", "ex", "abc"], ["getex", "nokey", "ex", "-1"], ["getex", "nokey", "foo"], ["getex", "k", "ex", "abc"],
  ["getex", "k", "ex", "0"], ["hset", "h", "f", "v"], ["getex", "h", "ex", "abc"], ["getex", "h", "persist"], ["getex", "k", "persist"], ["ttl", "k"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the FUNCTION parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("FUNCTION (no libraries) and GETEX's check order match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
