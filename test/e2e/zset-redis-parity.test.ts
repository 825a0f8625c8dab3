// Sorted set parity with redis-server 7.0.15: one script against a real redis-server and our
// server process, over RESP2 and RESP3 (RESP3 doubles and [member, score] pairs included).
// Only deterministic replies: ZRANDMEMBER with a count at least the size (the whole set, in
// order), ZSCAN of listpacks (returned whole). Skipped, with a notice, when redis-server is absent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parityDiffs, REDIS_SERVER, startParityPair, type ParityPair } from "../support/redis-parity.ts";

const big = (key: string, n: number, score: (i: number) => string): string[] => {
  const argv = ["zadd", key];
  for (let i = 0; i < n; i++) argv.push(score(i), `m${String(i).padStart(4, "0")}`);
  return argv;
};

/** "#flush" empties both servers; everything else is a command. */
const SCRIPT: string[][] = [
  ["#flush"],
  // ZADD and its flags
  ["zadd", "z", "1", "a", "2", "b", "3", "c"], ["zadd", "z", "1", "a"], ["zadd", "z", "ch", "5", "a", "2", "b"], ["zrange", "z", "0", "-1", "withscores"],
  ["zadd", "z", "nx", "9", "a", "4", "d"], ["zadd", "z", "xx", "9", "a", "4", "e"], ["zadd", "z", "xx", "ch", "gt", "1", "a", "10", "b"], ["zadd", "z", "lt", "ch", "0", "a", "100", "c"],
  ["zadd", "z", "incr", "1.5", "a"], ["zadd", "z", "incr", "nx", "1", "a"], ["zadd", "z", "incr", "xx", "1", "nosuch"], ["zadd", "z", "gt", "incr", "-1", "a"],
  ["zadd", "z", "1", "dup", "2", "dup"], ["zscore", "z", "dup"], ["zadd", "z", "gt", "ch", "5", "g", "3", "g"], ["zscore", "z", "g"],
  ["zadd", "z", "incr", "1", "a", "2", "b"], ["zadd", "z", "nx", "xx", "1", "a"], ["zadd", "z", "gt", "lt", "1", "a"], ["zadd", "z", "gt", "nx", "1", "a"], ["zadd", "z", "1", "a", "2"],
  ["zadd", "z", "nan", "a"], ["zadd", "z", "x", "a"], ["zadd", "z", "1e400", "a"], ["zadd", "z", " 1", "a"], ["zadd", "z", "0x10", "hex"], ["zadd", "z", "-inf", "lo", "+inf", "hi", "inf", "hi2"],
  ["zadd", "z", "1.1", "f1", "0.1", "f2", "1e20", "f3", "1.5e-7", "f4", "-0", "f5", "123456789012345678", "f6"], ["zrange", "z", "0", "-1", "withscores"],
  ["zadd", "nokey", "xx", "1", "a"], ["exists", "nokey"], ["zadd", "nokey", "xx", "incr", "1", "a"],
  ["zincrby", "z", "2.5", "a"], ["zincrby", "z", "1", "new"], ["zincrby", "z", "x", "a"], ["zincrby", "z", "-inf", "hi"], ["zincrby", "z", "1", "hi"], ["zincrby", "nokey2", "-3", "q"],
  // reads
  ["zcard", "z"], ["zcard", "nokey"], ["zscore", "z", "f1"], ["zscore", "z", "nosuch"], ["zscore", "nokey", "a"], ["zmscore", "z", "a", "nosuch", "hi"], ["zmscore", "nokey", "a", "b"],
  ["zrank", "z", "a"], ["zrevrank", "z", "a"], ["zrank", "z", "nosuch"], ["zrank", "nokey", "a"], ["zcount", "z", "-inf", "+inf"], ["zcount", "z", "(1", "5"], ["zcount", "z", "1", "(5"],
  ["zcount", "z", "5", "1"], ["zcount", "z", " 1", "0x5"], ["zcount", "z", "a", "b"], ["zcount", "z", "(", "1"], ["zcount", "z", "1e400", "inf"], ["zcount", "nokey", "0", "1"],
  // ranges by rank, score and lex
  ["zrange", "z", "0", "2"], ["zrange", "z", "-3", "-1", "withscores"], ["zrange", "z", "5", "2"], ["zrange", "z", "100", "200"], ["zrange", "z", "-100", "1"], ["zrange", "z", "0", "1", "rev", "withscores"],
  ["zrevrange", "z", "0", "3", "withscores"], ["zrange", "z", "x", "1"], ["zrange", "z", "0", "1", "limit", "0", "1"], ["zrevrange", "z", "0", "1", "rev"],
  ["zrange", "z", "1", "5", "byscore", "withscores"], ["zrange", "z", "(1", "(5", "byscore"], ["zrange", "z", "5", "1", "byscore", "rev", "withscores"], ["zrange", "z", "-inf", "+inf", "byscore", "limit", "2", "3"],
  ["zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "3"], ["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "-1"], ["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "0"],
  ["zrange", "z", "+inf", "-inf", "byscore", "rev", "limit", "1", "2", "withscores"], ["zrange", "z", "a", "b", "byscore"], ["zrange", "z", "0", "1", "byscore", "bylex"], ["zrange", "z", "0", "1", "bogus"],
  ["zrangebyscore", "z", "1", "3", "withscores", "limit", "0", "2"], ["zrangebyscore", "z", "1", "3", "rev"], ["zrevrangebyscore", "z", "3", "1", "withscores"], ["zrevrangebyscore", "z", "(3", "-inf", "limit", "1", "1"],
  ["zrangebyscore", "z", "1", "3", "limit", "x", "1"], ["zrangebyscore", "z", "1", "3", "limit", "0"],
  ["zadd", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "apple"], ["zrangebylex", "lex", "-", "+"], ["zrangebylex", "lex", "[b", "(d"], ["zrangebylex", "lex", "(a", "[c", "limit", "1", "2"],
  ["zrevrangebylex", "lex", "+", "-"], ["zrevrangebylex", "lex", "[d", "(a", "limit", "0", "2"], ["zrange", "lex", "[a", "[c", "bylex"], ["zrange", "lex", "[c", "[a", "bylex", "rev"],
  ["zrange", "lex", "-", "+", "bylex", "withscores"], ["zrangebylex", "lex", "a", "b"], ["zrangebylex", "lex", "+x", "-"], ["zrangebylex", "lex", "+", "-"], ["zrangebylex", "lex", "[", "[b"],
  ["zrangebylex", "lex", "-", "+", "withscores"], ["zlexcount", "lex", "-", "+"], ["zlexcount", "lex", "[b", "[d"], ["zlexcount", "lex", "(e", "+"], ["zlexcount", "lex", "a", "b"], ["zlexcount", "nokey", "-", "+"],
  ["zrange", "nokey", "0", "-1"], ["zrangebyscore", "nokey", "0", "1"],
  // stores
  ["zrangestore", "dst", "z", "0", "2"], ["zrange", "dst", "0", "-1", "withscores"], ["zrangestore", "dst", "z", "5", "1", "byscore", "rev", "limit", "0", "2"], ["zrange", "dst", "0", "-1", "withscores"],
  ["zrangestore", "dst", "lex", "[b", "[c", "bylex"], ["zrange", "dst", "0", "-1"], ["zrangestore", "dst", "nokey", "0", "-1"], ["exists", "dst"], ["zrangestore", "dst", "z", "0", "-1", "withscores"],
  ["object", "encoding", "z"],
  // removals
  ["zrem", "z", "a", "nosuch", "b"], ["zrem", "nokey", "a"], ["zremrangebyrank", "z", "0", "1"], ["zremrangebyrank", "z", "-1", "-1"], ["zremrangebyrank", "z", "5", "1"], ["zremrangebyrank", "z", "x", "1"],
  ["zremrangebyscore", "z", "(1", "3"], ["zremrangebyscore", "z", "a", "3"], ["zremrangebylex", "lex", "[b", "[c"], ["zremrangebylex", "lex", "x", "[c"], ["zrange", "lex", "0", "-1"],
  ["zremrangebylex", "lex", "-", "+"], ["exists", "lex"], ["zremrangebyscore", "nokey", "0", "1"], ["zrange", "z", "0", "-1", "withscores"],
  // pops
  ["zadd", "p", "1", "a", "2", "b", "3", "c", "4", "d"], ["zpopmin", "p"], ["zpopmax", "p"], ["zpopmin", "p", "1"], ["zpopmax", "p", "5"], ["exists", "p"], ["zpopmin", "p"], ["zpopmin", "p", "3"],
  ["zpopmin", "p", "0"], ["zpopmin", "p", "-1"], ["zpopmin", "p", "x"], ["zpopmin", "p", "1", "2"],
  ["zadd", "p", "1", "a", "2", "b", "3", "c"], ["zmpop", "2", "nokey", "p", "min"], ["zmpop", "1", "p", "max", "count", "5"], ["zmpop", "1", "p", "max"], ["zmpop", "0", "p", "min"], ["zmpop", "2", "p", "min"],
  ["zmpop", "1", "p", "mid"], ["zmpop", "1", "p", "min", "count", "0"], ["zmpop", "1", "p", "min", "count", "1", "count", "1"], ["zmpop", "x", "p", "min"], ["zmpop", "1", "p", "min", "bogus"],
  // random members: only the deterministic answers
  ["zadd", "r", "1", "a", "2", "b", "3", "c"], ["zrandmember", "r", "3"], ["zrandmember", "r", "10", "withscores"], ["zrandmember", "r", "0"], ["zrandmember", "nokey"], ["zrandmember", "nokey", "5"],
  ["zrandmember", "r", "5", "withscore"], ["zrandmember", "r", "x"], ["zrandmember", "r", "-9223372036854775808"], ["zrandmember", "r", "9223372036854775807", "withscores"], ["zrandmember", "r", "1", "2", "3"],
  // scan of a listpack (whole, in order)
  ["zscan", "r", "0"], ["zscan", "r", "0", "match", "b*"], ["zscan", "r", "0", "count", "0"], ["zscan", "r", "x"], ["zscan", "nokey", "0"], ["zscan", "r", "0", "bogus", "1"],
  // algebra, sets as inputs
  ["zadd", "za", "1", "a", "2", "b", "3", "c"], ["zadd", "zb", "10", "b", "20", "c", "30", "d"], ["sadd", "sa", "a", "d", "x"],
  ["zunion", "2", "za", "zb", "withscores"], ["zunion", "3", "za", "zb", "sa", "weights", "1", "2", "3", "withscores"], ["zunion", "2", "za", "zb", "aggregate", "max", "withscores"],
  ["zunion", "2", "za", "zb", "aggregate", "min"], ["zinter", "2", "za", "zb", "withscores"], ["zinter", "3", "za", "zb", "sa"], ["zinter", "2", "za", "sa", "weights", "2", "0.5", "withscores"],
  ["zdiff", "2", "za", "zb", "withscores"], ["zdiff", "2", "zb", "sa"], ["zdiff", "1", "nokey"], ["zinter", "2", "za", "nokey"], ["zunion", "2", "nokey", "nokey2", "withscores"],
  ["zunionstore", "out", "2", "za", "zb"], ["zrange", "out", "0", "-1", "withscores"], ["object", "encoding", "out"], ["zinterstore", "out", "2", "za", "zb", "aggregate", "max"], ["zrange", "out", "0", "-1", "withscores"],
  ["zdiffstore", "out", "2", "za", "zb"], ["zrange", "out", "0", "-1", "withscores"], ["zinterstore", "out", "2", "za", "nokey"], ["exists", "out"], ["zunionstore", "za", "2", "za", "za"], ["zrange", "za", "0", "-1", "withscores"],
  ["zintercard", "2", "za", "zb"], ["zintercard", "2", "za", "zb", "limit", "1"], ["zintercard", "2", "za", "zb", "limit", "0"], ["zintercard", "0", "za"], ["zintercard", "3", "za"], ["zintercard", "x", "za"],
  ["zintercard", "1", "za", "limit", "-1"], ["zintercard", "1", "za", "limit", "x"], ["zintercard", "1", "za", "withscores"],
  ["zunion", "0", "za"], ["zunionstore", "d", "0", "za"], ["zunion", "2", "za"], ["zinter", "1", "za", "weights"], ["zinter", "1", "za", "weights", "x"], ["zinter", "1", "za", "aggregate", "foo"],
  ["zdiff", "1", "za", "weights", "1"], ["zinterstore", "d", "1", "za", "withscores"], ["zdiffstore", "d", "0", "za"], ["zdiff", "0", "za"],
  ["zadd", "inf1", "inf", "a"], ["zadd", "inf2", "-inf", "a"], ["zunion", "2", "inf1", "inf2", "withscores"], ["zinter", "2", "inf1", "inf2", "weights", "0", "1", "withscores"],
  // wrong types
  ["set", "str", "x"], ["zadd", "str", "1", "a"], ["zadd", "str", "x", "a"], ["zscore", "str", "a"], ["zrange", "str", "0", "1"], ["zrange", "str", "x", "1"], ["zcard", "str"], ["zrem", "str", "a"],
  ["zpopmin", "str"], ["zpopmin", "str", "0"], ["zmpop", "1", "str", "min"], ["zunion", "2", "za", "str"], ["zrangestore", "d", "str", "0", "1"], ["zrandmember", "str"], ["zscan", "str", "0"], ["zincrby", "str", "1", "a"],
  ["zrangestore", "str", "za", "0", "0"], ["type", "str"], ["type", "za"], ["zadd", "z"], ["zcard"],
  // past the listpack thresholds: 200 members, and a member longer than 64 bytes
  ["#flush"], big("L", 200, (i) => String(i % 37)), ["object", "encoding", "L"], ["zcard", "L"], ["zrank", "L", "m0100"], ["zrevrank", "L", "m0100"], ["zscore", "L", "m0150"],
  ["zrange", "L", "90", "110", "withscores"], ["zrange", "L", "-5", "-1"], ["zrange", "L", "5", "10", "byscore", "limit", "3", "7", "withscores"], ["zrange", "L", "10", "5", "byscore", "rev", "limit", "2", "4"],
  ["zcount", "L", "(3", "9"], ["zrangebyscore", "L", "36", "+inf"], ["zrem", "L", "m0000", "m0001"], ["zremrangebyrank", "L", "0", "9"], ["zremrangebyscore", "L", "30", "33"], ["zcard", "L"],
  ["zpopmin", "L", "3"], ["zpopmax", "L", "2"], ["zmpop", "1", "L", "min", "count", "2"], ["zincrby", "L", "100", "m0150"], ["zrevrange", "L", "0", "2", "withscores"], ["zadd", "L", "gt", "ch", "1", "m0150", "200", "m0151"],
  ["zrandmember", "L", "1000"], ["zunionstore", "U", "2", "L", "L", "weights", "1", "-1"], ["zcard", "U"], ["object", "encoding", "U"], ["zrangestore", "S", "L", "0", "9"], ["object", "encoding", "S"],
  big("X", 150, () => "0"), ["zrangebylex", "X", "[m0050", "(m0060"], ["zrevrangebylex", "X", "(m0060", "[m0050", "limit", "2", "3"], ["zlexcount", "X", "[m0100", "+"], ["zremrangebylex", "X", "-", "[m0099"], ["zcard", "X"],
  ["zadd", "long", "1", "x".repeat(65)], ["object", "encoding", "long"], ["zadd", "short", "1", "x".repeat(64)], ["object", "encoding", "short"],
  ["config", "set", "zset-max-listpack-entries", "4"], ["zadd", "cfg", "1", "a", "2", "b", "3", "c", "4", "d"], ["object", "encoding", "cfg"], ["zadd", "cfg", "5", "e"], ["object", "encoding", "cfg"],
  ["config", "set", "zset-max-listpack-entries", "128"], ["config", "set", "zset-max-listpack-value", "3"], ["zadd", "cfg2", "1", "abcd"], ["object", "encoding", "cfg2"], ["config", "set", "zset-max-listpack-value", "64"],
  // -0: a listpack stores it as 0, a skiplist keeps it, and so do STOREs whose result stays a skiplist
  ["zadd", "N", "1", "x".repeat(70)], ["zadd", "N", "-0", "neg"], ["zscore", "N", "neg"], big("N", 150, (i) => String(i)), ["zunionstore", "NU", "1", "N"], ["zscore", "NU", "neg"],
  ["zrangestore", "NR", "N", "0", "-1"], ["zscore", "NR", "neg"], ["zunionstore", "NW", "1", "N", "weights", "-1"], ["zscore", "NW", "neg"], ["zrangestore", "NS", "N", "0", "5"], ["zscore", "NS", "neg"],
  ["zadd", "P", "-0", "neg"], ["zscore", "P", "neg"], ["zincrby", "P", "-0", "neg"], ["zadd", "P", "incr", "-0", "neg2"], ["zscore", "P", "neg2"],
  // SORT over sorted sets: sorted by value, or (BY nosort) in zset order with LIMIT and DESC
  ["zadd", "so", "3", "10", "1", "2", "2", "33", "4", "1"], ["sort", "so"], ["sort", "so", "desc", "limit", "1", "2"], ["sort", "so", "by", "nosort"], ["sort", "so", "by", "nosort", "desc"],
  ["sort", "so", "by", "nosort", "limit", "1", "2"], ["sort", "so", "by", "nosort", "desc", "limit", "1", "2"], ["sort", "so", "by", "nosort", "limit", "10", "2"], ["sort_ro", "so", "alpha"],
  ["mset", "w_10", "4", "w_2", "3", "w_33", "2", "w_1", "1"], ["sort", "so", "by", "w_*", "get", "#", "get", "w_*"], ["sort", "so", "by", "nosort", "store", "sorted"], ["lrange", "sorted", "0", "-1"],
  ["sort", "L", "by", "nosort", "limit", "0", "5"], ["sort", "L", "limit", "0", "3", "alpha"],
];

let pair: ParityPair | undefined;
beforeAll(async () => {
  if (REDIS_SERVER) pair = await startParityPair();
  else console.log("notice: redis-server not installed; skipping the zset parity test");
});
afterAll(async () => {
  await pair?.stop();
});

describe.skipIf(!REDIS_SERVER)("replies match redis-server 7.0.15 for the sorted set family", () => {
  test.each([2, 3] as const)("over RESP%d", async (resp) => {
    expect(await parityDiffs(pair!, SCRIPT, resp)).toEqual([]);
  });
});
