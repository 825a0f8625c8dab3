// SET family parity with redis-server 7.0.15: one script against a real redis-server and our
// server process, over RESP2 and RESP3. Replies of SMEMBERS/SINTER/SUNION/SDIFF are compared
// sorted (a hashtable's order differs). Skipped, with a notice, when redis-server is absent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair, type ReplyNormalizer } from "../support/redis-parity.ts";
import { sortedReply } from "./differential/gen-set.ts";

/** "#flush" empties both servers; everything else is a command. Replies of `sortedReply` commands are compared sorted. */
const SCRIPT: string[][] = [
  ["#flush"], ["sadd", "i", "5", "3", "10", "-1", "3"], ["smembers", "i"], ["object", "encoding", "i"], ["scard", "i"], ["sismember", "i", "3"],
  ["sismember", "i", "03"], ["smismember", "i", "5", "x", "-1"], ["sadd", "i", "9223372036854775807", "-9223372036854775808"], ["smembers", "i"], ["object", "encoding", "i"],
  ["sadd", "i", "9223372036854775808"], ["object", "encoding", "i"], ["smembers", "i"], ["srem", "i", "5", "nope", "10"], ["scard", "i"],
  ["sadd", "s", "a", "b", "c"], ["object", "encoding", "s"], ["sadd", "t", "b", "c", "d"], ["sinter", "s", "t"], ["sunion", "s", "t", "nosuch"], ["sdiff", "s", "t"],
  ["sinter", "s", "nosuch"], ["sdiff", "nosuch", "s"], ["sintercard", "2", "s", "t"], ["sintercard", "2", "s", "t", "limit", "1"], ["sintercard", "2", "s", "t", "limit", "0"],
  ["sintercard", "0", "s"], ["sintercard", "3", "s"], ["sintercard", "1", "s", "limit", "-1"], ["sintercard", "1", "s", "limit", "x"], ["sintercard", "x", "s"], ["sintercard", "1", "s", "bogus"],
  ["sinterstore", "d", "s", "t"], ["smembers", "d"], ["sunionstore", "s", "s", "t"], ["scard", "s"], ["sdiffstore", "e", "s", "t"], ["smembers", "e"], ["sinterstore", "e", "s", "nosuch"], ["exists", "e"],
  ["smove", "s", "t", "a"], ["smove", "s", "t", "zz"], ["smove", "nosuch", "t", "a"], ["smove", "t", "t", "a"], ["smembers", "t"],
  ["set", "str", "x"], ["sadd", "str", "a"], ["srem", "str", "a"], ["smembers", "str"], ["scard", "str"], ["sismember", "str", "a"], ["smismember", "str", "a"],
  ["spop", "str"], ["srandmember", "str"], ["smove", "str", "t", "a"], ["smove", "t", "str", "a"], ["sinter", "nosuch", "str"], ["sunion", "nosuch", "str"], ["sdiff", "nosuch", "str"],
  ["sinterstore", "d", "str"], ["sintercard", "1", "str"], ["sscan", "str", "0"], ["sadd", "s"], ["scard"], ["smove", "a", "b"],
  ["spop", "t", "0"], ["spop", "t", "-1"], ["spop", "t", "x"], ["spop", "t", "1", "2"], ["spop", "nosuch"], ["spop", "nosuch", "3"],
  ["srandmember", "nosuch"], ["srandmember", "nosuch", "3"], ["srandmember", "t", "0"], ["srandmember", "t", "x"], ["srandmember", "t", "1", "2"],
  ["sadd", "one", "only"], ["spop", "one", "5"], ["exists", "one"], ["sadd", "one", "7"], ["srandmember", "one", "-3"], ["srandmember", "one", "3"], ["spop", "one"], ["exists", "one"],
  ["sadd", "ints", "3", "1", "2"], ["sscan", "ints", "0"], ["sscan", "t", "x"], ["sscan", "t", "0", "count", "0"], ["sscan", "t", "0", "foo", "1"], ["sscan", "nosuch", "0"], ["type", "t"], ["type", "i"],
];


let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the set parity test");
});
afterAll(async () => {
  await pair?.stop();
});

/** An array or set reply of a `sortedReply` command, sorted (a hashtable's order differs from Redis's). */
const normalize: ReplyNormalizer = (argv, v) => {
  if (!sortedReply.has(argv[0]!)) return v;
  if (Array.isArray(v)) return [...v].sort();
  if (v instanceof Set) return new Set([...v].sort());
  return v;
};

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15 for the SET family", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp, normalize)).toEqual([]);
  });
});
