// The sorted set family through the real command table over a real Keyspace, RESP2 and RESP3.
// Replies and error strings were checked against redis-server 7.0.15 (see also
// test/e2e/zset-redis-parity.test.ts, which runs a longer script against the real server).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

describe("ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE", () => {
  test("flags NX XX GT LT CH INCR, scores formatted as %.17g, the empty zset deleted", () => {
    script(createHarness(), [
      [["zadd", "z", "1", "a", "2", "b", "1.1", "c"], 3],
      [["zscore", "z", "c"], "1.1000000000000001"],
      [["zadd", "z", "nx", "5", "a", "3", "d"], 1],
      [["zadd", "z", "xx", "ch", "5", "a", "9", "nosuch"], 1],
      [["zadd", "z", "gt", "ch", "1", "a", "10", "b"], 1],
      [["zadd", "z", "lt", "ch", "100", "a", "0", "d"], 1],
      [["zadd", "z", "incr", "2.5", "a"], "7.5"],
      [["zadd", "z", "incr", "nx", "1", "a"], null],
      [["zadd", "z", "1", "dup", "2", "dup"], 1],
      [["zscore", "z", "dup"], "2"],
      [["zincrby", "z", "-inf", "b"], "-inf"],
      [["zincrby", "z", "inf", "b"], { error: "ERR resulting score is not a number (NaN)" }],
      [["zmscore", "z", "a", "nosuch", "d"], ["7.5", null, "0"]],
      [["zcard", "z"], 5],
      [["zrem", "z", "a", "b", "c", "nosuch"], 3],
      [["zrem", "z", "dup", "d"], 2],
      [["exists", "z"], 0],
      [["zadd", "z", "xx", "1", "a"], 0],
      [["exists", "z"], 0],
    ]);
  });

  test("argument errors, in Redis's order", () => {
    script(createHarness(), [
      [["zadd", "z", "1"], { error: "ERR wrong number of arguments for 'zadd' command" }],
      [["zadd", "z", "1", "a", "2"], { error: "ERR syntax error" }],
      [["zadd", "z", "incr", "1", "a", "2", "b"], { error: "ERR INCR option supports a single increment-element pair" }],
      [["zadd", "z", "nx", "xx", "1", "a"], { error: "ERR XX and NX options at the same time are not compatible" }],
      [["zadd", "z", "gt", "lt", "1", "a"], { error: "ERR GT, LT, and/or NX options at the same time are not compatible" }],
      [["zadd", "z", "nan", "a"], { error: "ERR value is not a valid float" }],
      [["zadd", "z", "1e400", "a"], { error: "ERR value is not a valid float" }],
      [["zadd", "z", "0x10", "hex"], 1],
      [["zscore", "z", "hex"], "16"],
      [["set", "s", "x"], "OK"],
      [["zadd", "s", "x", "a"], { error: "ERR value is not a valid float" }],
      [["zadd", "s", "1", "a"], WRONGTYPE],
      [["zscore", "s", "a"], WRONGTYPE],
      [["zcard", "s"], WRONGTYPE],
    ]);
  });

  test("RESP3 answers doubles", () => {
    const h = createHarness({ resp: 3 });
    script(h, [
      [["zadd", "z", "1.5", "a", "inf", "b"], 2],
      [["zscore", "z", "a"], 1.5],
      [["zscore", "z", "b"], Infinity],
      [["zincrby", "z", "1", "a"], 2.5],
      [["zrange", "z", "0", "-1", "withscores"], [["a", 2.5], ["b", Infinity]]],
      [["zpopmin", "z"], ["a", 2.5]],
      [["zpopmin", "z", "1"], [["b", Infinity]]],
    ]);
  });
});

describe("ranks, counts and ranges", () => {
  const fill = (h: Harness): void => void h.run(["zadd", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"]);

  test("ZRANK ZREVRANK ZCOUNT ZRANGE by rank, score and REV with LIMIT", () => {
    const h = createHarness();
    fill(h);
    script(h, [
      [["zrank", "z", "c"], 2],
      [["zrevrank", "z", "c"], 2],
      [["zrank", "z", "nosuch"], null],
      [["zcount", "z", "(1", "4"], 3],
      [["zcount", "z", "-inf", "+inf"], 5],
      [["zcount", "z", "x", "1"], { error: "ERR min or max is not a float" }],
      [["zrange", "z", "-2", "-1", "withscores"], ["d", "4", "e", "5"]],
      [["zrange", "z", "0", "1", "rev"], ["e", "d"]],
      [["zrevrange", "z", "0", "1"], ["e", "d"]],
      [["zrange", "z", "2", "(5", "byscore", "limit", "1", "2"], ["c", "d"]],
      [["zrange", "z", "(5", "2", "byscore", "rev", "limit", "0", "2"], ["d", "c"]],
      [["zrangebyscore", "z", "-inf", "2", "withscores"], ["a", "1", "b", "2"]],
      [["zrevrangebyscore", "z", "+inf", "(4"], ["e"]],
      [["zrange", "z", "0", "1", "limit", "0", "1"], { error: "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX" }],
      [["zrangebyscore", "z", "0", "1", "rev"], { error: "ERR syntax error" }],
      [["zrange", "nosuch", "0", "-1"], []],
    ]);
  });

  test("lex ranges over equal scores", () => {
    const h = createHarness();
    h.run(["zadd", "l", "0", "a", "0", "b", "0", "c", "0", "d"]);
    script(h, [
      [["zrangebylex", "l", "[b", "+"], ["b", "c", "d"]],
      [["zrevrangebylex", "l", "(d", "-", "limit", "1", "5"], ["b", "a"]],
      [["zlexcount", "l", "(a", "[c"], 2],
      [["zrange", "l", "[a", "[b", "bylex", "withscores"], { error: "ERR syntax error, WITHSCORES not supported in combination with BYLEX" }],
      [["zrangebylex", "l", "a", "+"], { error: "ERR min or max not valid string range item" }],
      [["zremrangebylex", "l", "-", "(c"], 2],
      [["zrange", "l", "0", "-1"], ["c", "d"]],
    ]);
  });

  test("ZRANGESTORE, ZREMRANGEBYRANK / BYSCORE, ZPOPMIN / ZPOPMAX, ZMPOP", () => {
    const h = createHarness();
    fill(h);
    script(h, [
      [["zrangestore", "d", "z", "1", "3", "byscore"], 3],
      [["zrange", "d", "0", "-1", "withscores"], ["a", "1", "b", "2", "c", "3"]],
      [["zrangestore", "d", "nosuch", "0", "-1"], 0],
      [["exists", "d"], 0],
      [["zremrangebyrank", "z", "0", "0"], 1],
      [["zremrangebyscore", "z", "(4", "+inf"], 1],
      [["zpopmax", "z"], ["d", "4"]],
      [["zpopmin", "z", "5"], ["b", "2", "c", "3"]],
      [["exists", "z"], 0],
      [["zpopmin", "z", "-1"], { error: "ERR value is out of range, must be positive" }],
      [["zadd", "z", "1", "a", "2", "b"], 2],
      [["zmpop", "2", "nosuch", "z", "max", "count", "5"], ["z", [["b", "2"], ["a", "1"]]]],
      [["zmpop", "1", "z", "min"], null],
      [["zmpop", "0", "z", "min"], { error: "ERR numkeys should be greater than 0" }],
      [["zmpop", "1", "z", "min", "count", "0"], { error: "ERR count should be greater than 0" }],
    ]);
  });
});

describe("algebra, scan and random members", () => {
  test("ZUNION ZINTER ZDIFF with WEIGHTS and AGGREGATE, sets counted with score 1, STORE and ZINTERCARD", () => {
    const h = createHarness();
    h.run(["zadd", "a", "1", "x", "2", "y"]);
    h.run(["zadd", "b", "10", "y", "20", "z"]);
    h.run(["sadd", "s", "x", "z"]);
    script(h, [
      [["zunion", "2", "a", "b", "withscores"], ["x", "1", "y", "12", "z", "20"]],
      [["zunion", "3", "a", "b", "s", "weights", "1", "1", "2", "aggregate", "max", "withscores"], ["x", "2", "y", "10", "z", "20"]],
      [["zinter", "2", "a", "b", "aggregate", "min", "withscores"], ["y", "2"]],
      [["zdiff", "2", "a", "s"], ["y"]],
      [["zunionstore", "out", "2", "a", "s"], 3],
      [["zrange", "out", "0", "-1", "withscores"], ["z", "1", "x", "2", "y", "2"]],
      [["zintercard", "2", "a", "b"], 1],
      [["zintercard", "2", "a", "b", "limit", "-1"], { error: "ERR LIMIT can't be negative" }],
      [["zunion", "0", "a"], { error: "ERR at least 1 input key is needed for 'zunion' command" }],
      [["zinter", "1", "a", "weights", "x"], { error: "ERR weight value is not a float" }],
      [["set", "str", "v"], "OK"],
      [["zunion", "2", "a", "str"], WRONGTYPE],
    ]);
  });

  test("ZSCAN of a listpack is whole; ZRANDMEMBER's determined answers", () => {
    const h = createHarness();
    h.run(["zadd", "z", "1", "a", "2", "b", "3", "c"]);
    script(h, [
      [["zscan", "z", "0"], ["0", ["a", "1", "b", "2", "c", "3"]]],
      [["zscan", "z", "0", "match", "b*"], ["0", ["b", "2"]]],
      [["zrandmember", "z", "10", "withscores"], ["c", "3", "b", "2", "a", "1"]],
      [["zrandmember", "z", "0"], []],
      [["zrandmember", "nosuch"], null],
      [["zrandmember", "z", "-9223372036854775808"], { error: "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807" }],
    ]);
    const picks = h.run(["zrandmember", "z", "-20"]) as string[];
    expect(picks.length).toBe(20);
    for (const p of picks) expect(["a", "b", "c"]).toContain(p);
    const distinct = h.run(["zrandmember", "z", "2"]) as string[];
    expect(new Set(distinct).size).toBe(2);
  });

  test("the skiplist encoding past 128 members answers the same, and TYPE / OBJECT ENCODING / COPY / RENAME keep it", () => {
    const h = createHarness();
    const argv = ["zadd", "big"];
    for (let i = 0; i < 300; i++) argv.push(String(i % 50), `m${String(i).padStart(3, "0")}`);
    h.run(argv);
    script(h, [
      [["object", "encoding", "big"], "skiplist"],
      [["type", "big"], "zset"],
      [["zcard", "big"], 300],
      [["zrank", "big", "m049"], 294],
      [["zrange", "big", "0", "2", "withscores"], ["m000", "0", "m050", "0", "m100", "0"]],
      [["zcount", "big", "(48", "+inf"], 6],
      [["copy", "big", "big2"], 1],
      [["object", "encoding", "big2"], "skiplist"],
      [["rename", "big2", "big3"], "OK"],
      [["zremrangebyrank", "big3", "0", "-3"], 298],
      [["object", "encoding", "big3"], "skiplist"],
      [["zrange", "big3", "0", "-1", "withscores"], ["m249", "49", "m299", "49"]],
      [["scan", "0", "type", "zset", "count", "100"], ["0", expect.arrayContaining(["big", "big3"])]],
    ]);
    // MEMORY USAGE sees the skiplist; a write keeps the key's expiry.
    script(h, [
      [["copy", "big", "big4"], 1],
      [["zadd", "small", "1", "a"], 1],
      [["pexpire", "big4", "100000"], 1],
      [["zadd", "big4", "7", "m000"], 0],
      [["ttl", "big4"], 100],
    ]);
    // ZSCAN of a skiplist walks the member table by cursor: every member once, with its score.
    const seen = new Map<string, string>();
    let cursor = "0";
    do {
      const [next, flat] = h.run(["zscan", "big", cursor, "count", "7"]) as [string, string[]];
      for (let i = 0; i < flat.length; i += 2) {
        expect(seen.has(flat[i]!)).toBe(false);
        seen.set(flat[i]!, flat[i + 1]!);
      }
      cursor = next;
    } while (cursor !== "0");
    expect(seen.size).toBe(300);
    expect(seen.get("m049")).toBe("49");
    expect(h.run(["memory", "usage", "big"]) as number).toBeGreaterThan(300 * 10);
    expect(h.run(["memory", "usage", "small"]) as number).toBeLessThan(200);
  });
});
