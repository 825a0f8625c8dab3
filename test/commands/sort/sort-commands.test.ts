// SORT and SORT_RO through the real command table over a real Keyspace (one worker). Replies and
// error strings were checked against redis-server 7.0.15 (see test/e2e/sort-redis-parity.test.ts).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const SYNTAX = { error: "ERR syntax error" };
const NOT_DOUBLE = { error: "ERR One or more scores can't be converted into double" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

function withData(resp: 2 | 3 = 2): Harness {
  const h = createHarness({ resp });
  h.run(["rpush", "n", "3", "10", "-2", "1.5", "0"]);
  h.run(["rpush", "w", "pear", "apple", "fig", "kiwi"]);
  h.run(["sadd", "s", "9", "4", "12", "-1"]);
  for (const [k, v] of [["pear", "2"], ["apple", "9"], ["fig", "5"]]) h.run(["set", `wt_${k}`, v!]);
  for (const [k, r] of [["pear", "30"], ["apple", "10"], ["kiwi", "20"]]) h.run(["hset", `h_${k}`, "rank", r!, "up", k!.toUpperCase()]);
  return h;
}

describe("SORT ordering", () => {
  test("numeric by default, ASC or DESC; ALPHA compares bytes; SORT_RO reads the same", () => {
    script(withData(), [
      [["sort", "n"], ["-2", "0", "1.5", "3", "10"]],
      [["sort", "n", "desc"], ["10", "3", "1.5", "0", "-2"]],
      [["sort", "n", "desc", "asc"], ["-2", "0", "1.5", "3", "10"]],
      [["sort_ro", "n", "desc"], ["10", "3", "1.5", "0", "-2"]],
      [["sort", "s"], ["-1", "4", "9", "12"]],
      [["sort", "w", "alpha"], ["apple", "fig", "kiwi", "pear"]],
      [["sort", "w", "alpha", "desc"], ["pear", "kiwi", "fig", "apple"]],
      [["sort", "n", "alpha"], ["-2", "0", "1.5", "10", "3"]],
      [["sort", "nosuch"], []],
      [["sort_ro", "nosuch", "alpha"], []],
    ]);
  });

  test("equal scores fall back to the element bytes, as Redis's sortCompare", () => {
    const h = createHarness();
    h.run(["rpush", "d", "2", "b", "10", "a", "2", "01", "1", "1.0"]);
    script(h, [[["sort", "d", "alpha"], ["01", "1", "1.0", "10", "2", "2", "a", "b"]]]);
    h.run(["del", "d"]);
    h.run(["rpush", "d", "1.0", "01", "1", "2"]);
    script(h, [
      [["sort", "d"], ["01", "1", "1.0", "2"]],
      [["sort", "d", "desc"], ["2", "1.0", "1", "01"]],
    ]);
  });

  test("scores are read as strtod does; anything else is an error", () => {
    const h = createHarness();
    h.run(["rpush", "o", " 5", "0x10", "1e2", "inf", "-inf", "+3", ".5", "\t2"]);
    h.run(["rpush", "e", "3", ""]);
    h.run(["rpush", "bad1", "1", "5 "]);
    h.run(["rpush", "bad2", "nan"]);
    h.run(["rpush", "bad3", "1e400"]);
    h.run(["rpush", "bad4", "4.9e-324"]);
    h.run(["rpush", "bad5", "abc", "1"]);
    script(h, [
      [["sort", "o"], ["-inf", ".5", "\t2", "+3", " 5", "0x10", "1e2", "inf"]],
      [["sort", "e"], ["", "3"]],
      [["sort", "bad1"], NOT_DOUBLE],
      [["sort", "bad2"], NOT_DOUBLE],
      [["sort", "bad3"], NOT_DOUBLE],
      [["sort", "bad4"], NOT_DOUBLE],
      [["sort", "bad5"], NOT_DOUBLE],
      [["sort", "bad5", "alpha"], ["1", "abc"]],
      [["sort", "bad5", "store", "dst"], NOT_DOUBLE],
      [["exists", "dst"], 0],
    ]);
  });
});

describe("SORT LIMIT", () => {
  test("offset and count are clamped as sort.c does", () => {
    script(withData(), [
      [["sort", "n", "limit", "1", "2"], ["0", "1.5"]],
      [["sort", "n", "limit", "-5", "2"], ["-2", "0"]],
      [["sort", "n", "limit", "0", "-1"], ["-2", "0", "1.5", "3", "10"]],
      [["sort", "n", "limit", "3", "100"], ["3", "10"]],
      [["sort", "n", "limit", "5", "1"], []],
      [["sort", "n", "limit", "0", "0"], []],
      [["sort", "n", "limit", "9223372036854775807", "9223372036854775807"], []],
      [["sort", "n", "limit", "-9223372036854775808", "2"], ["-2", "0"]],
      [["sort", "n", "desc", "limit", "1", "1"], ["3"]],
      [["sort", "n", "limit", "x", "1"], NOT_INT],
      [["sort", "n", "limit", "1", "1.5"], NOT_INT],
      [["sort", "n", "limit", "1"], SYNTAX],
    ]);
  });
});

describe("SORT BY and GET", () => {
  test("BY substitutes the first * in a key or a hash field; missing targets score 0", () => {
    script(withData(), [
      [["sort", "w", "by", "wt_*"], ["kiwi", "pear", "fig", "apple"]],
      [["sort", "w", "by", "wt_*", "desc"], ["apple", "fig", "pear", "kiwi"]],
      [["sort", "w", "by", "h_*->rank"], ["fig", "apple", "kiwi", "pear"]],
      [["sort", "w", "by", "h_*->rank", "limit", "1", "2"], ["apple", "kiwi"]],
      [["sort", "w", "by", "h_*->up", "alpha"], ["fig", "apple", "kiwi", "pear"]],
      [["sort", "w", "by", "h_*->nofield"], ["apple", "fig", "kiwi", "pear"]],
      [["sort", "w", "by", "wt_*->rank"], ["apple", "fig", "kiwi", "pear"]],
      [["sort", "w", "by", "h_*"], ["apple", "fig", "kiwi", "pear"]],
    ]);
  });

  test("BY without a * keeps the source's order (nosort); a list reads only the LIMIT range", () => {
    script(withData(), [
      [["sort", "w", "by", "nosort"], ["pear", "apple", "fig", "kiwi"]],
      [["sort", "w", "by", "nosort", "desc"], ["kiwi", "fig", "apple", "pear"]],
      [["sort", "w", "by", "nosort", "limit", "1", "2"], ["apple", "fig"]],
      [["sort", "w", "by", "nosort", "desc", "limit", "1", "2"], ["fig", "apple"]],
      [["sort", "w", "by", "nosort", "limit", "-1", "100"], ["pear", "apple", "fig", "kiwi"]],
      [["sort", "w", "by", "nosort", "limit", "9", "1"], []],
      [["sort", "s", "by", "nosort"], ["-1", "4", "9", "12"]],
    ]);
  });

  test("GET # is the element, GET pattern a key or a field (nil when missing), several GETs interleave", () => {
    script(withData(), [
      [["sort", "w", "alpha", "get", "wt_*"], ["9", "5", null, "2"]],
      [["sort", "w", "alpha", "get", "#", "get", "h_*->up"], ["apple", "APPLE", "fig", null, "kiwi", "KIWI", "pear", "PEAR"]],
      [["sort", "w", "alpha", "get", "nostar"], [null, null, null, null]],
      [["sort", "w", "alpha", "limit", "0", "1", "get", "h_*->"], [null]],
      [["sort", "w", "by", "wt_*", "get", "h_*->rank"], ["20", "30", null, "10"]],
      [["sort_ro", "w", "by", "nosort", "get", "#", "limit", "0", "2"], ["pear", "apple"]],
    ]);
  });

  test("a BY or GET target of another type reads as missing; a bad BY value is an error", () => {
    const h = withData();
    h.run(["rpush", "wt_kiwi", "x"]);
    script(h, [
      [["sort", "w", "by", "wt_*"], ["kiwi", "pear", "fig", "apple"]],
      [["sort", "w", "alpha", "get", "wt_*"], ["9", "5", null, "2"]],
      [["set", "wt_kiwi", "heavy"], "OK"],
      [["sort", "w", "by", "wt_*"], NOT_DOUBLE],
      [["sort", "w", "by", "wt_*", "alpha"], ["pear", "fig", "apple", "kiwi"]],
    ]);
  });

  test("RESP3 answers an array with _ for a missing GET target", () => {
    const h = withData(3);
    expect(h.run(["sort", "w", "alpha", "get", "wt_*"])).toEqual(["9", "5", null, "2"]);
    const raw = new TextDecoder().decode(h.runRaw(["sort", "w", "alpha", "limit", "2", "1", "get", "wt_*"]));
    expect(raw).toBe("*1\r\n_\r\n");
    const raw2 = new TextDecoder().decode(createHarness().runRaw(["sort", "w", "alpha", "limit", "2", "1", "get", "wt_*"]));
    expect(raw2).toBe("*0\r\n");
  });
});

describe("SORT STORE", () => {
  test("writes a list, answers its length, replaces any type and drops the TTL; empty deletes", () => {
    const h = withData();
    script(h, [
      [["sort", "n", "store", "d1"], 5],
      [["lrange", "d1", "0", "-1"], ["-2", "0", "1.5", "3", "10"]],
      [["sort", "w", "alpha", "get", "#", "get", "wt_*", "store", "d2"], 8],
      [["lrange", "d2", "0", "-1"], ["apple", "9", "fig", "5", "kiwi", "", "pear", "2"]],
      [["set", "d3", "old", "ex", "100"], "OK"],
      [["sort", "w", "alpha", "limit", "0", "2", "store", "d3"], 2],
      [["type", "d3"], "list"],
      [["ttl", "d3"], -1],
      [["sort", "nosuch", "store", "d3"], 0],
      [["exists", "d3"], 0],
      [["sort", "n", "limit", "0", "0", "store", "d1"], 0],
      [["exists", "d1"], 0],
      [["sort", "n", "store", "n"], 5],
      [["lrange", "n", "0", "-1"], ["-2", "0", "1.5", "3", "10"]],
      [["sort", "w", "store", "x", "alpha", "store", "d4"], 4],
      [["exists", "x"], 0],
    ]);
  });

  test("a set with BY nosort and STORE is sorted ALPHA so the result is deterministic", () => {
    const h = createHarness();
    h.run(["sadd", "s", "b", "10", "a", "9"]);
    script(h, [
      [["sort", "s", "by", "nosort", "store", "d"], 4],
      [["lrange", "d", "0", "-1"], ["10", "9", "a", "b"]],
    ]);
  });

  test("a long result becomes a quicklist and survives DUMP-free reads", () => {
    const h = createHarness();
    const els = Array.from({ length: 300 }, (_, i) => String((i * 7919) % 1000));
    h.run(["rpush", "big", ...els]);
    expect(h.run(["sort", "big", "store", "out"])).toBe(300);
    expect(h.run(["object", "encoding", "out"])).toBe("quicklist");
    expect(h.run(["lrange", "out", "0", "-1"])).toEqual([...els].sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe("SORT errors and key specs", () => {
  test("WRONGTYPE, syntax errors, arity, SORT_RO without STORE", () => {
    const h = withData();
    h.run(["set", "str", "x"]);
    h.run(["hset", "hh", "a", "1"]);
    script(h, [
      [["sort", "str"], WRONGTYPE],
      [["sort_ro", "str"], WRONGTYPE],
      [["sort", "hh"], WRONGTYPE],
      [["sort", "str", "store", "d"], WRONGTYPE],
      [["sort", "n", "bogus"], SYNTAX],
      [["sort", "str", "bogus"], SYNTAX],
      [["sort_ro", "n", "store", "d"], SYNTAX],
      [["sort", "n", "by"], SYNTAX],
      [["sort", "n", "get"], SYNTAX],
      [["sort", "n", "store"], SYNTAX],
      [["sort", "n", "limit", "0", "x", "bogus"], NOT_INT],
      [["sort", "n", "bogus", "limit", "0", "x"], SYNTAX],
      [["sort"], { error: "ERR wrong number of arguments for 'sort' command" }],
      [["sort_ro"], { error: "ERR wrong number of arguments for 'sort_ro' command" }],
      [["sort", "w", "by", "wt_*", "get", "x_*", "limit", "0", "1", "desc"], [null]],
    ]);
  });

  test("COMMAND GETKEYS names the source and the last STORE destination; COMMAND INFO the flags", () => {
    const h = createHarness();
    script(h, [
      [["command", "getkeys", "sort", "a", "store", "b", "by", "x", "store", "c", "get", "y"], ["a", "c"]],
      [["command", "getkeys", "sort", "a", "limit", "0", "1", "get", "store"], ["a"]],
      [["command", "getkeys", "sort_ro", "a", "by", "x"], ["a"]],
    ]);
    const info = h.run(["command", "info", "sort", "sort_ro"]) as unknown[][];
    expect(info[0]!.slice(0, 6)).toEqual(["sort", -2, ["write", "denyoom", "movablekeys"], 1, 1, 1]);
    expect(info[1]!.slice(0, 6)).toEqual(["sort_ro", -2, ["readonly", "movablekeys"], 1, 1, 1]);
  });
});
