// Hashes against redis-server 7.0.15: the same script over RESP2 and RESP3 on both servers, every
// reply identical — errors, WRONGTYPE, encodings and the listpack → hashtable conversion included.
// Replies that depend on hashtable order (HGETALL of a large hash) or randomness are left out.
// Skipped with a notice when redis-server is not installed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

const many = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]).flat();
const long = "x".repeat(65);

const SCRIPT: string[][] = [
  ["#flush"], ["hset", "h", "a", "1", "b", "2"], ["hset", "h", "a", "3", "c", "4"], ["hget", "h", "a"], ["hget", "h", "zz"], ["hget", "nokey", "a"],
  ["hmget", "h", "a", "zz", "c"], ["hmget", "nokey", "a"], ["hgetall", "h"], ["hkeys", "h"], ["hvals", "h"], ["hlen", "h"], ["hlen", "nokey"],
  ["hgetall", "nokey"], ["hkeys", "nokey"], ["hstrlen", "h", "a"], ["hstrlen", "h", "zz"], ["hexists", "h", "a"], ["hexists", "h", "zz"],
  ["hsetnx", "h", "a", "9"], ["hsetnx", "h", "d", "9"], ["hget", "h", "d"], ["hmset", "h", "e", "5", "f", "6"], ["hmset", "h", "e"], ["hset", "h", "a"],
  ["hset", "h", "a", "1", "b"], ["hset", "h"], ["hdel", "h", "a", "zz", "a"], ["hdel", "nokey", "a"], ["hgetall", "h"], ["object", "encoding", "h"],
  ["type", "h"], ["hincrby", "h", "n", "5"], ["hincrby", "h", "n", "-10"], ["hincrby", "h", "n", "x"], ["hincrby", "h", "e", "1.5"], ["hset", "h", "s", "abc"],
  ["hincrby", "h", "s", "1"], ["hset", "h", "big", "9223372036854775807"], ["hincrby", "h", "big", "1"], ["hincrby", "h", "n", "9223372036854775808"],
  ["hincrbyfloat", "h", "f", "0.5"], ["hincrbyfloat", "h", "fl", "10.5"], ["hincrbyfloat", "h", "fl", "0.1"], ["hincrbyfloat", "h", "s", "1"],
  ["hincrbyfloat", "h", "fl", "abc"], ["hincrbyfloat", "h", "fl", "inf"], ["hincrbyfloat", "h", "fl", "-5e3"], ["hincrbyfloat", "h", "nf", "1e-30"],
  ["set", "str", "v"], ["hset", "str", "a", "1"], ["hget", "str", "a"], ["hgetall", "str"], ["hlen", "str"], ["hdel", "str", "a"], ["hincrby", "str", "a", "1"],
  ["hincrby", "str", "a", "x"], ["hrandfield", "str"], ["hscan", "str", "0"], ["hstrlen", "str", "a"], ["hexists", "str", "a"], ["hmget", "str", "a"],
  ["hrandfield", "nokey"], ["hrandfield", "nokey", "5"], ["hrandfield", "h", "0"], ["hrandfield", "h", "5", "withvalue"], ["hrandfield", "h", "x"],
  ["hrandfield", "h", "1", "withvalues", "x"], ["hrandfield", "h", "-9223372036854775808"], ["hrandfield", "h", "-9223372036854775807", "withvalues"],
  ["hset", "one", "only", "1"], ["hrandfield", "one"], ["hrandfield", "one", "3"], ["hrandfield", "one", "-2"], ["hrandfield", "one", "-2", "withvalues"],
  ["hrandfield", "one", "2", "withvalues"], ["hscan", "one", "0"], ["hscan", "one", "0", "match", "o*"], ["hscan", "one", "0", "match", "x*"],
  ["hscan", "one", "0", "count", "0"], ["hscan", "one", "0", "count", "x"], ["hscan", "one", "x"], ["hscan", "one", "0", "foo"], ["hscan", "nokey", "0"],
  ["del", "h"], ["hset", "h", ...many(512, "f")], ["object", "encoding", "h"], ["hset", "h", "f512", "v"], ["object", "encoding", "h"], ["hlen", "h"],
  ["hget", "h", "f77"], ["hdel", "h", ...many(400, "f").filter((_, i) => i % 2 === 0)], ["hlen", "h"], ["object", "encoding", "h"], ["hget", "h", "f100"],
  ["hset", "lv", "a", long], ["object", "encoding", "lv"], ["hget", "lv", "a"], ["hset", "lf", long, "1"], ["object", "encoding", "lf"],
  ["config", "set", "hash-max-listpack-entries", "2"], ["hset", "cfg", "a", "1", "b", "2"], ["object", "encoding", "cfg"], ["hset", "cfg", "c", "3"],
  ["object", "encoding", "cfg"], ["config", "get", "hash-max-listpack-entries"], ["config", "set", "hash-max-listpack-entries", "512"],
  ["hset", "rn", "a", "1"], ["rename", "rn", "rn2"], ["hgetall", "rn2"], ["copy", "rn2", "rn3"], ["hgetall", "rn3"], ["copy", "h", "hc"], ["hlen", "hc"],
  ["hget", "hc", "f101"], ["rename", "h", "h2"], ["hlen", "h2"], ["hget", "h2", "f127"], ["exists", "h"], ["expire", "h2", "100"], ["ttl", "h2"],
  ["hdel", "one", "only"], ["exists", "one"], ["exists", "rn2", "rn3"], ["type", "rn3"], ["del", "rn3"], ["hlen", "rn3"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the hash parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("hash replies match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
