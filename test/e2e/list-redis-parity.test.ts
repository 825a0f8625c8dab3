// LIST parity with redis-server 7.0.15: the same list command script runs against a real redis-server and
// against our server process, over RESP2 and RESP3, and every reply must be identical. Commands
// whose replies depend on hash order or on the clock (KEYS order, SCAN cursors, PTTL) are left to
// the other tests. Skipped when redis-server is not installed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

/** "#flush" empties both servers; everything else is a command. */
const SCRIPT: string[][] = [
  ["#flush"], ["lpush", "l", "a", "b", "c"], ["rpush", "l", "d", "e"], ["lrange", "l", "0", "-1"], ["llen", "l"], ["llen", "nokey"],
  ["lpushx", "nokey", "x"], ["rpushx", "nokey", "x"], ["lpushx", "l", "x"], ["rpushx", "l", "y", "z"], ["lrange", "l", "-3", "-1"], ["lrange", "l", "5", "2"],
  ["lrange", "l", "-100", "100"], ["lrange", "l", "100", "200"], ["lrange", "l", "a", "1"], ["lrange", "nokey", "0", "-1"], ["lindex", "l", "0"], ["lindex", "l", "-1"],
  ["lindex", "l", "100"], ["lindex", "l", "x"], ["lindex", "nokey", "0"], ["lpop", "l"], ["rpop", "l"], ["lpop", "l", "2"],
  ["rpop", "l", "2"], ["lpop", "l", "0"], ["lpop", "l", "-1"], ["lpop", "l", "x"], ["lpop", "l", "1", "2"], ["lpop", "nokey"],
  ["lpop", "nokey", "2"], ["rpop", "nokey", "0"], ["lrange", "l", "0", "-1"], ["lpop", "l", "100"], ["exists", "l"], ["set", "s", "v"],
  ["lpush", "s", "x"], ["lpop", "s"], ["llen", "s"], ["lrange", "s", "0", "1"], ["lindex", "s", "0"], ["lset", "s", "0", "x"],
  ["rpush", "m", "a", "b", "a", "c", "a"], ["lset", "m", "1", "B"], ["lset", "m", "-1", "A"], ["lset", "m", "10", "x"], ["lset", "m", "x", "x"], ["lset", "nokey", "0", "x"],
  ["lrange", "m", "0", "-1"], ["lrem", "m", "1", "a"], ["lrem", "m", "-1", "A"], ["lrem", "m", "0", "zz"], ["lrem", "m", "x", "a"], ["lrem", "nokey", "0", "a"],
  ["lrange", "m", "0", "-1"], ["rpush", "r", "a", "b", "a", "a", "c", "a"], ["lrem", "r", "0", "a"], ["lrange", "r", "0", "-1"], ["lrem", "r", "-2", "b"], ["lrem", "r", "0", "c"],
  ["exists", "r"], ["rpush", "t", "1", "2", "3", "4", "5"], ["ltrim", "t", "1", "-2"], ["lrange", "t", "0", "-1"], ["ltrim", "t", "-100", "100"], ["ltrim", "t", "x", "1"],
  ["ltrim", "t", "5", "1"], ["exists", "t"], ["ltrim", "nokey", "0", "1"], ["rpush", "i", "a", "b", "c"], ["linsert", "i", "before", "b", "X"], ["linsert", "i", "AFTER", "c", "Y"],
  ["linsert", "i", "after", "zz", "Y"], ["linsert", "i", "middle", "b", "Y"], ["linsert", "nokey", "before", "a", "b"], ["lrange", "i", "0", "-1"], ["linsert", "s", "before", "a", "b"], ["#flush"],
  ["rpush", "p", "a", "b", "c", "1", "2", "3", "c", "c"], ["lpos", "p", "c"], ["lpos", "p", "c", "rank", "2"], ["lpos", "p", "c", "rank", "-1"], ["lpos", "p", "c", "count", "0"], ["lpos", "p", "c", "count", "2"],
  ["lpos", "p", "c", "count", "0", "rank", "-2"], ["lpos", "p", "c", "maxlen", "3"], ["lpos", "p", "c", "count", "0", "maxlen", "4"], ["lpos", "p", "zz"], ["lpos", "p", "zz", "count", "0"], ["lpos", "p", "c", "rank", "0"],
  ["lpos", "p", "c", "count", "-1"], ["lpos", "p", "c", "maxlen", "-1"], ["lpos", "p", "c", "rank"], ["lpos", "p", "c", "foo", "1"], ["lpos", "p", "c", "rank", "x"], ["lpos", "nokey", "c"],
  ["lpos", "nokey", "c", "count", "1"], ["lpos", "p", "c", "rank", "10"], ["rpush", "src", "1", "2", "3"], ["lmove", "src", "dst", "left", "right"], ["lmove", "src", "dst", "RIGHT", "LEFT"], ["lrange", "dst", "0", "-1"],
  ["lmove", "src", "dst", "up", "left"], ["lmove", "nokey", "dst", "left", "left"], ["rpoplpush", "src", "dst"], ["exists", "src"], ["rpoplpush", "nokey", "dst"], ["lrange", "dst", "0", "-1"],
  ["rpoplpush", "dst", "dst"], ["lrange", "dst", "0", "-1"], ["set", "str", "x"], ["rpoplpush", "dst", "str"], ["rpoplpush", "str", "dst"], ["rpoplpush", "nokey", "str"],
  ["lmpop", "2", "nokey", "dst", "left"], ["lmpop", "2", "nokey", "dst", "right", "count", "10"], ["lmpop", "1", "nokey", "left"], ["lmpop", "0", "dst", "left"], ["lmpop", "x", "dst", "left"], ["lmpop", "3", "dst", "left"],
  ["lmpop", "1", "dst", "middle"], ["lmpop", "1", "dst", "left", "count", "0"], ["lmpop", "1", "dst", "left", "count"], ["lmpop", "1", "dst", "left", "count", "1", "count", "1"], ["lmpop", "1", "dst", "left", "foo"], ["lmpop", "1", "str", "left"],
  ["rpush", "o", "a"], ["object", "encoding", "o"], ["type", "o"], ["lpush"], ["lpush", "l"], ["llen"],
];


let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the list parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("list replies match redis-server 7.0.15", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
