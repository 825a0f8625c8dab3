// The string family through the real command table over a real Keyspace with a fake clock.
// Expected replies were checked against redis-server 7.0.15 (RESP2 and RESP3).
import { describe, expect, test } from "bun:test";
import { argPreview, isKeyword, parseBigInt64, parseDouble, parseInt64 } from "../../src/commands/args.ts";
import { formatLongDoubleHuman, parseLongDouble } from "../../src/commands/long-double.ts";
import { ValueType } from "../../src/engine/types.ts";
import { createHarness, type Harness } from "../support/command-harness.ts";
import type { RespValue } from "../support/resp-decode.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const NOT_FLOAT = { error: "ERR value is not a valid float" };
const SYNTAX = { error: "ERR syntax error" };
const invalidExpire = (cmd: string) => ({ error: `ERR invalid expire time in '${cmd}' command` });

/** Runs each [argv, expected] in order on one harness. */
function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

/** A harness with `key` holding a non-string value (no such command exists yet). */
function withHash(key = "h"): Harness {
  const h = createHarness();
  h.keyspace.set(new TextEncoder().encode(key), new TextEncoder().encode("x"), 0, 0, ValueType.Hash);
  return h;
}

describe("GET and SET", () => {
  test("a value set is read back, and a missing key reads as null", () => {
    script(createHarness(), [
      [["get", "k"], null],
      [["set", "k", "v"], "OK"],
      [["get", "k"], "v"],
      [["set", "k", ""], "OK"],
      [["get", "k"], ""],
    ]);
  });

  test("binary values survive unchanged", () => {
    const h = createHarness({ decode: { buffers: true } });
    const value = new Uint8Array([0, 13, 10, 255, 36]);
    h.run(["set", "bin", value]);
    expect(h.run(["get", "bin"])).toEqual(value);
  });

  test("a missing key is null in RESP3 too", () => {
    const h = createHarness({ resp: 3 });
    expect(new TextDecoder().decode(h.runRaw(["get", "nokey"]))).toBe("_\r\n");
    expect(new TextDecoder().decode(createHarness().runRaw(["get", "nokey"]))).toBe("$-1\r\n");
  });

  test("GET of another type is WRONGTYPE while SET overwrites it", () => {
    const h = withHash();
    script(h, [
      [["get", "h"], WRONGTYPE],
      [["set", "h", "now a string"], "OK"],
      [["get", "h"], "now a string"],
    ]);
  });

  test("NX and XX decide by existence and reply null when they refuse", () => {
    script(createHarness(), [
      [["set", "k", "v", "xx"], null],
      [["set", "k", "v", "nx"], "OK"],
      [["set", "k", "v2", "NX"], null],
      [["set", "k", "v3", "Xx"], "OK"],
      [["get", "k"], "v3"],
    ]);
  });

  test("EX, PX, EXAT and PXAT set an absolute expiry from the clock", () => {
    const h = createHarness({ now: 1_000_000 });
    script(h, [
      [["set", "a", "1", "ex", "10"], "OK"],
      [["pttl", "a"], 10_000],
      [["set", "b", "1", "px", "1500"], "OK"],
      [["pttl", "b"], 1500],
      [["set", "c", "1", "exat", "1010"], "OK"],
      [["pexpiretime", "c"], 1_010_000],
      [["set", "d", "1", "pxat", "1000500"], "OK"],
      [["pttl", "d"], 500],
    ]);
    h.clock.advance(1500);
    script(h, [
      [["get", "b"], null],
      [["get", "d"], null],
      [["get", "a"], "1"],
    ]);
  });

  test("a plain SET clears the TTL and KEEPTTL keeps it", () => {
    script(createHarness(), [
      [["set", "k", "v", "ex", "100"], "OK"],
      [["set", "k", "v2", "keepttl"], "OK"],
      [["ttl", "k"], 100],
      [["set", "k", "v3"], "OK"],
      [["ttl", "k"], -1],
    ]);
  });

  test("an absolute expiry in the past stores nothing", () => {
    script(createHarness(), [
      [["set", "k", "v", "pxat", "1"], "OK"],
      [["exists", "k"], 0],
    ]);
  });

  test("GET returns the old value (or null) and obeys NX/XX", () => {
    script(createHarness(), [
      [["set", "k", "a", "get"], null],
      [["set", "k", "b", "GET"], "a"],
      [["set", "k", "c", "nx", "get"], "b"],
      [["get", "k"], "b"],
      [["set", "nokey", "c", "xx", "get"], null],
      [["exists", "nokey"], 0],
    ]);
  });

  test("SET GET on another type is WRONGTYPE and changes nothing", () => {
    const h = withHash();
    script(h, [
      [["set", "h", "v", "get"], WRONGTYPE],
      [["type", "h"], "hash"],
    ]);
  });

  test.each([
    [["set", "k", "v", "nx", "xx"]],
    [["set", "k", "v", "xx", "nx"]],
    [["set", "k", "v", "ex", "10", "px", "100"]],
    [["set", "k", "v", "px", "10", "exat", "100"]],
    [["set", "k", "v", "exat", "10", "pxat", "100"]],
    [["set", "k", "v", "keepttl", "ex", "10"]],
    [["set", "k", "v", "ex", "10", "keepttl"]],
    [["set", "k", "v", "ex"]],
    [["set", "k", "v", "persist"]],
    [["set", "k", "v", "foo"]],
  ])("%p is a syntax error", (argv) => {
    expect(createHarness().run(argv)).toEqual(SYNTAX);
  });

  test("repeating the same option is allowed, the last value wins", () => {
    script(createHarness(), [
      [["set", "k", "v", "ex", "10", "ex", "20", "nx", "nx"], "OK"],
      [["ttl", "k"], 20],
    ]);
  });

  test.each([
    [["set", "k", "v", "ex", "0"], invalidExpire("set")],
    [["set", "k", "v", "ex", "-5"], invalidExpire("set")],
    [["set", "k", "v", "px", "0"], invalidExpire("set")],
    [["set", "k", "v", "ex", "9223372036854775"], invalidExpire("set")],
    [["set", "k", "v", "ex", "9223372036854776"], invalidExpire("set")],
    [["set", "k", "v", "exat", "9223372036854776"], invalidExpire("set")],
    [["set", "k", "v", "ex", "abc"], NOT_INT],
    [["set", "k", "v", "ex", "1.5"], NOT_INT],
    [["setex", "k", "0", "v"], invalidExpire("setex")],
    [["setex", "k", "x", "v"], NOT_INT],
    [["psetex", "k", "-1", "v"], invalidExpire("psetex")],
  ])("%p is refused", (argv, error) => {
    const h = createHarness();
    expect(h.run(argv)).toEqual(error);
    expect(h.run(["exists", "k"])).toBe(0);
  });

  test("the largest absolute times are accepted", () => {
    script(createHarness(), [
      [["set", "k", "v", "exat", "9223372036854775"], "OK"],
      [["set", "k", "v", "pxat", "9223372036854775807"], "OK"],
      [["exists", "k"], 1],
    ]);
  });
});

describe("SETNX, SETEX, PSETEX, GETSET, GETDEL, GETEX", () => {
  test("SETNX replies 1 when it sets and 0 when the key exists", () => {
    script(createHarness(), [
      [["setnx", "k", "a"], 1],
      [["setnx", "k", "b"], 0],
      [["get", "k"], "a"],
    ]);
  });

  test("SETEX and PSETEX set the value with a relative TTL", () => {
    script(createHarness(), [
      [["setex", "k", "10", "v"], "OK"],
      [["pttl", "k"], 10_000],
      [["psetex", "p", "2500", "v"], "OK"],
      [["pttl", "p"], 2500],
    ]);
  });

  test("GETSET returns the old value, stores the new one and drops the TTL", () => {
    const h = withHash();
    script(h, [
      [["getset", "k", "1"], null],
      [["expire", "k", "100"], 1],
      [["getset", "k", "2"], "1"],
      [["get", "k"], "2"],
      [["ttl", "k"], -1],
      [["getset", "h", "x"], WRONGTYPE],
    ]);
  });

  test("GETDEL returns the value and removes the key", () => {
    script(withHash(), [
      [["set", "k", "v"], "OK"],
      [["getdel", "k"], "v"],
      [["getdel", "k"], null],
      [["exists", "k"], 0],
      [["getdel", "h"], WRONGTYPE],
    ]);
  });

  test("GETEX reads and changes or removes the expiry", () => {
    const h = createHarness({ now: 5_000_000 });
    script(h, [
      [["getex", "nokey", "ex", "10"], null],
      [["set", "k", "v"], "OK"],
      [["getex", "k"], "v"],
      [["ttl", "k"], -1],
      [["getex", "k", "ex", "100"], "v"],
      [["ttl", "k"], 100],
      [["getex", "k", "px", "5000"], "v"],
      [["pttl", "k"], 5000],
      [["getex", "k", "exat", "6000"], "v"],
      [["pexpiretime", "k"], 6_000_000],
      [["getex", "k", "pxat", "7000000"], "v"],
      [["pexpiretime", "k"], 7_000_000],
      [["getex", "k", "persist"], "v"],
      [["ttl", "k"], -1],
    ]);
  });

  test("GETEX with a time in the past replies the value and deletes the key", () => {
    script(createHarness(), [
      [["set", "k", "v"], "OK"],
      [["getex", "k", "exat", "1"], "v"],
      [["exists", "k"], 0],
    ]);
  });

  test.each([
    [["getex", "k", "ex", "10", "px", "10"], SYNTAX],
    [["getex", "k", "persist", "ex", "10"], SYNTAX],
    [["getex", "k", "nx"], SYNTAX],
    [["getex", "k", "keepttl"], SYNTAX],
    [["getex", "k", "ex"], SYNTAX],
  ])("GETEX %p is refused before the key is read", (argv, error) => {
    const h = withHash("k");
    expect(h.run(argv)).toEqual(error);
  });

  // Redis 7.0 checks the expiry only once the key was found and is a string.
  test.each([
    [["getex", "k", "ex", "0"], invalidExpire("getex")],
    [["getex", "k", "px", "x"], NOT_INT],
  ])("GETEX %p: the expiry is checked after the key was read", (argv, error) => {
    const h = withHash();
    expect(h.run(["getex", "k", "ex", "abc"])).toEqual(null);
    h.run(["set", "k", "v"]);
    expect(h.run(argv)).toEqual(error);
    expect(h.run(["hset", "hh", "f", "v"])).toEqual(1);
    expect(h.run(["getex", "hh", ...argv.slice(2)])).toEqual(WRONGTYPE);
  });

  test("GETEX on another type is WRONGTYPE", () => {
    expect(withHash().run(["getex", "h", "persist"])).toEqual(WRONGTYPE);
  });
});

describe("MGET, MSET, MSETNX", () => {
  test("MGET returns null for missing keys and other types", () => {
    const h = withHash();
    h.run(["mset", "a", "1", "b", "2"]);
    expect(h.run(["mget", "a", "nokey", "h", "b"])).toEqual(["1", null, null, "2"]);
  });

  test("MSET needs pairs", () => {
    expect(createHarness().run(["mset", "a", "1", "b"])).toEqual({ error: "ERR wrong number of arguments for 'mset' command" });
    expect(createHarness().run(["msetnx", "a", "1", "b"])).toEqual({ error: "ERR wrong number of arguments for 'msetnx' command" });
  });

  test("MSET overwrites and clears TTLs", () => {
    script(createHarness(), [
      [["set", "a", "x", "ex", "100"], "OK"],
      [["mset", "a", "1", "b", "2"], "OK"],
      [["ttl", "a"], -1],
      [["mget", "a", "b"], ["1", "2"]],
    ]);
  });

  test("MSETNX sets all keys or none", () => {
    script(createHarness(), [
      [["msetnx", "a", "1", "b", "2"], 1],
      [["msetnx", "b", "x", "c", "3"], 0],
      [["exists", "c"], 0],
      [["get", "b"], "2"],
    ]);
  });
});

describe("INCR, DECR, INCRBY, DECRBY", () => {
  test("counting starts at 0 and keeps the TTL", () => {
    script(createHarness(), [
      [["incr", "n"], 1],
      [["incrby", "n", "10"], 11],
      [["decr", "n"], 10],
      [["decrby", "n", "15"], -5],
      [["expire", "n", "100"], 1],
      [["incr", "n"], -4],
      [["ttl", "n"], 100],
      [["get", "n"], "-4"],
    ]);
  });

  test("the whole int64 range is exact, and overflow is refused", () => {
    script(createHarness(), [
      [["set", "n", "9223372036854775806"], "OK"],
      [["incr", "n"], 9223372036854775807n],
      [["incr", "n"], { error: "ERR increment or decrement would overflow" }],
      [["get", "n"], "9223372036854775807"],
      [["set", "n", "-9223372036854775807"], "OK"],
      [["decr", "n"], -9223372036854775808n],
      [["decr", "n"], { error: "ERR increment or decrement would overflow" }],
      [["set", "n", "9007199254740993"], "OK"],
      [["incr", "n"], 9007199254740994n],
      [["incrby", "n", "9007199254740993"], 18014398509481987n],
      [["decrby", "n", "-9223372036854775808"], { error: "ERR decrement would overflow" }],
    ]);
  });

  test.each([["1.5"], [" 1"], ["1 "], ["+1"], ["01"], ["-0"], ["abc"], [""], ["123456789012345678901"], ["9223372036854775808"]])(
    "a stored value of %p is not an integer",
    (value) => {
      const h = createHarness();
      h.run(["set", "n", value]);
      expect(h.run(["incr", "n"])).toEqual(NOT_INT);
      expect(h.run(["incrby", "k", value])).toEqual(NOT_INT);
    },
  );

  test("INCR on another type is WRONGTYPE", () => {
    expect(withHash().run(["incr", "h"])).toEqual(WRONGTYPE);
  });
});

describe("INCRBYFLOAT", () => {
  test.each([
    ["10.5", "0.1", "10.6"],
    ["10000000000", "0.1", "10000000000.09999999962747097"],
    ["0.1", "0.2", "0.3"],
    ["5.0e3", "2.0e2", "5200"],
    ["0", "1e-20", "0"],
    ["0", "1.5e-7", "0.00000015"],
    ["0", "0x10", "16"],
    ["0", "123456789.123456789", "123456789.12345678899873747"],
    ["5", "-5", "0"],
    ["-0.1", "0.0000000000000000001", "-0.1"],
    ["3", "0", "3"],
  ])("%p + %p = %p, digit for digit as Redis computes it", (start, by, expected) => {
    const h = createHarness();
    h.run(["set", "f", start]);
    expect(h.run(["incrbyfloat", "f", by])).toBe(expected);
    expect(h.run(["get", "f"])).toBe(expected);
  });

  test("1e308 + 1e308 does not overflow a long double", () => {
    const h = createHarness();
    h.run(["set", "f", "1e308"]);
    const r = h.run(["incrbyfloat", "f", "1e308"]) as string;
    expect(r.startsWith("19999999999999999999337175931169129132112019969483113441559")).toBe(true);
    expect(r.length).toBe(309);
  });

  test("a missing key starts at 0 and the TTL is kept", () => {
    script(createHarness(), [
      [["incrbyfloat", "f", "2.5"], "2.5"],
      [["expire", "f", "100"], 1],
      [["incrbyfloat", "f", "1"], "3.5"],
      [["ttl", "f"], 100],
    ]);
  });

  test.each([["abc"], ["nan"], [" 1"], ["1 "], ["1e5000"], ["1e-5000"], [""]])("an increment of %p is not a valid float", (by) => {
    const h = createHarness();
    h.run(["set", "f", "1"]);
    expect(h.run(["incrbyfloat", "f", by])).toEqual(NOT_FLOAT);
  });

  test("infinity is refused as a result", () => {
    const h = createHarness();
    expect(h.run(["incrbyfloat", "f", "inf"])).toEqual({ error: "ERR increment would produce NaN or Infinity" });
    expect(h.run(["incrbyfloat", "f", "1e4933"])).toEqual(NOT_FLOAT);
    // 1e400 overflows a double but not a long double: Redis accepts it.
    const big = h.run(["incrbyfloat", "g", "1e400"]) as string;
    expect([big.slice(0, 60), big.length]).toEqual(["100000000000000000002818806839475865145864534336290520386259", 401]);
  });

  test("a stored value that is not a float and another type are refused", () => {
    const h = withHash();
    h.run(["set", "f", "abc"]);
    expect(h.run(["incrbyfloat", "f", "1"])).toEqual(NOT_FLOAT);
    expect(h.run(["incrbyfloat", "h", "1"])).toEqual(WRONGTYPE);
  });
});

describe("APPEND, STRLEN, GETRANGE, SUBSTR, SETRANGE", () => {
  test("APPEND creates, extends, keeps the TTL and replies the length", () => {
    script(withHash(), [
      [["append", "s", "hello"], 5],
      [["expire", "s", "100"], 1],
      [["append", "s", " world"], 11],
      [["get", "s"], "hello world"],
      [["ttl", "s"], 100],
      [["strlen", "s"], 11],
      [["strlen", "nokey"], 0],
      [["append", "h", "x"], WRONGTYPE],
      [["strlen", "h"], WRONGTYPE],
    ]);
  });

  test.each([
    ["0", "4", "hello"],
    ["-5", "-1", "world"],
    ["0", "-100", "h"],
    ["-100", "-200", ""],
    ["-1", "-5", ""],
    ["5", "3", ""],
    ["100", "200", ""],
    ["-3", "100", "rld"],
    ["6", "6", "w"],
  ])("GETRANGE hello world %p %p is %p", (start, end, expected) => {
    const h = createHarness();
    h.run(["set", "s", "hello world"]);
    expect(h.run(["getrange", "s", start, end])).toBe(expected);
    expect(h.run(["substr", "s", start, end])).toBe(expected);
  });

  test("GETRANGE of a missing key is empty and bad indexes are refused", () => {
    script(withHash(), [
      [["getrange", "nokey", "0", "5"], ""],
      [["getrange", "nokey", "0", "x"], NOT_INT],
      [["getrange", "h", "0", "1"], WRONGTYPE],
    ]);
  });

  test("SETRANGE overwrites, pads with zero bytes and keeps the TTL", () => {
    const h = createHarness();
    script(h, [
      [["set", "s", "hello world"], "OK"],
      [["expire", "s", "50"], 1],
      [["setrange", "s", "6", "WORLD"], 11],
      [["get", "s"], "hello WORLD"],
      [["setrange", "s", "13", "!"], 14],
      [["ttl", "s"], 50],
      [["setrange", "n", "2", "ab"], 4],
    ]);
    expect(h.run(["get", "s"])).toBe("hello WORLD\0\0!");
    expect(h.run(["get", "n"])).toBe("\0\0ab");
  });

  test("SETRANGE with an empty value creates nothing and reports the length", () => {
    script(createHarness(), [
      [["setrange", "n", "5", ""], 0],
      [["exists", "n"], 0],
      [["set", "s", "abc"], "OK"],
      [["setrange", "s", "10", ""], 3],
    ]);
  });

  test("SETRANGE and APPEND refuse results over 512 MB and bad offsets", () => {
    const TOO_BIG = { error: "ERR string exceeds maximum allowed size (proto-max-bulk-len)" };
    script(withHash(), [
      [["setrange", "s", "536870912", "x"], TOO_BIG],
      [["setrange", "s", "536870911", ""], 0],
      [["setrange", "s", "-1", "x"], { error: "ERR offset is out of range" }],
      [["setrange", "s", "x", "x"], NOT_INT],
      [["setrange", "h", "0", "x"], WRONGTYPE],
    ]);
    const h = createHarness({ config: { "proto-max-bulk-len": "1048576" } });
    h.run(["set", "s", "a".repeat(1048575)]);
    expect(h.run(["append", "s", "ab"])).toEqual(TOO_BIG);
    expect(h.run(["setrange", "s", "1048575", "ab"])).toEqual(TOO_BIG);
    expect(h.run(["append", "s", "b"])).toBe(1048576);
  });
});

describe("LCS", () => {
  const setup = (): Harness => {
    const h = withHash();
    h.run(["mset", "a", "ohmytext", "b", "mynewtext"]);
    return h;
  };

  test("the common subsequence, its length and its ranges", () => {
    script(setup(), [
      [["lcs", "a", "b"], "mytext"],
      [["lcs", "a", "b", "len"], 6],
      [["lcs", "a", "b", "idx"], ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]],
      [["lcs", "a", "b", "idx", "minmatchlen", "4"], ["matches", [[[4, 7], [5, 8]]], "len", 6]],
      [["lcs", "a", "b", "IDX", "WITHMATCHLEN"], ["matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], "len", 6]],
      [["lcs", "a", "b", "idx", "minmatchlen", "-5"], ["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]],
      [["lcs", "a", "nokey"], ""],
      [["lcs", "a", "nokey", "idx"], ["matches", [], "len", 0]],
    ]);
  });

  test("IDX is a map in RESP3", () => {
    const h = createHarness({ resp: 3 });
    h.run(["mset", "a", "ohmytext", "b", "mynewtext"]);
    expect(h.run(["lcs", "a", "b", "idx", "minmatchlen", "3"])).toEqual(new Map<RespValue, RespValue>([["matches", [[[4, 7], [5, 8]]]], ["len", 6]]));
  });

  test("a longer pair matches Redis range for range", () => {
    const h = createHarness();
    h.run(["mset", "x", "ACCGGTCGAGTGCGCGGAAGCCGGCCGAA", "y", "GTCGTTCGGAATGCCGTTGCTCTGTAAA"]);
    expect(h.run(["lcs", "x", "y"])).toBe("GTCGTCGGAAGCCGGCCGAA");
    const idx = h.run(["lcs", "x", "y", "idx", "withmatchlen"]) as unknown[];
    expect(idx[3]).toBe(20);
    expect((idx[1] as unknown[]).length).toBeGreaterThan(1);
  });

  test.each([
    [["lcs", "a", "b", "len", "idx"], { error: "ERR If you want both the length and indexes, please just use IDX." }],
    [["lcs", "a", "b", "foo"], SYNTAX],
    [["lcs", "a", "b", "minmatchlen"], SYNTAX],
    [["lcs", "a", "b", "minmatchlen", "x"], NOT_INT],
    [["lcs", "a", "h"], { error: "ERR The specified keys must contain string values" }],
  ])("%p is refused", (argv, error) => {
    expect(setup().run(argv)).toEqual(error);
  });
});

describe("the string table", () => {
  test("GET and SET count hits and misses through the engine", () => {
    const h = createHarness();
    h.run(["set", "k", "v"]);
    h.run(["get", "k"]);
    h.run(["get", "nokey"]);
    const s = h.keyspace.stats();
    expect([s.hits, s.misses, s.sets]).toEqual([1, 1, 1]);
  });

  test("arity is checked before the handler runs", () => {
    const h = createHarness();
    expect(h.run(["get"])).toEqual({ error: "ERR wrong number of arguments for 'get' command" });
    expect(h.run(["set", "k"])).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
    expect(h.run(["lcs", "a"])).toEqual({ error: "ERR wrong number of arguments for 'lcs' command" });
  });
});

// The parse helpers every family shares (src/commands/args.ts), tested here with their first user.
describe("argument helpers", () => {
  const b = (s: string): Uint8Array => new TextEncoder().encode(s);

  test.each([
    ["0", 0],
    ["-1", -1],
    ["123", 123],
    ["9007199254740991", 9007199254740991],
    ["-9223372036854775808", -9223372036854775808],
    ["9223372036854775807", 9223372036854775807],
  ])("parseInt64 accepts %p", (text, value) => {
    expect(parseInt64(b(text))).toBe(value);
  });

  test.each([[""], ["-"], ["-0"], ["01"], ["+1"], [" 1"], ["1 "], ["1.0"], ["9223372036854775808"], ["-9223372036854775809"], ["1e3"]])(
    "parseInt64 refuses %p",
    (text) => {
      expect(parseInt64(b(text))).toBeNaN();
    },
  );

  test("parseBigInt64 is exact at the edges", () => {
    expect(parseBigInt64(b("9223372036854775807"))).toBe(9223372036854775807n);
    expect(parseBigInt64(b("-9223372036854775808"))).toBe(-9223372036854775808n);
    expect(parseBigInt64(b("x"))).toBeUndefined();
  });

  test.each([
    ["1.5", 1.5],
    [".5", 0.5],
    ["5.", 5],
    ["-1e3", -1000],
    ["inf", Infinity],
    ["-Infinity", -Infinity],
    ["0x10", 16],
    ["0x1p-2", 0.25],
    ["1e-310", 1e-310],
  ])("parseDouble accepts %p like strtod", (text, value) => {
    expect(parseDouble(b(text))).toBe(value);
  });

  test.each([["nan"], [""], [" 1"], ["1 "], ["1e400"], ["1e-400"], ["abc"], ["1e"], ["0x"]])("parseDouble refuses %p", (text) => {
    expect(parseDouble(b(text))).toBeNaN();
  });

  test("isKeyword ignores ASCII case only", () => {
    expect(isKeyword(b("KeepTTL"), "keepttl")).toBe(true);
    expect(isKeyword(b("keepttl "), "keepttl")).toBe(false);
    expect(isKeyword(b("e@"), "e`")).toBe(false);
  });

  test("argPreview quotes arguments and stops near 128 characters", () => {
    expect(argPreview([b("cmd"), b("a"), b("b c")])).toBe("'a' 'b c' ");
    const long = argPreview([b("cmd"), b("x".repeat(200)), b("y")]);
    expect(long).toBe(`'${"x".repeat(128)}' `);
  });

  test("formatLongDoubleHuman never uses an exponent", () => {
    const ld = parseLongDouble(b("1e21"))!;
    expect(formatLongDoubleHuman(ld)).toBe("1000000000000000000000");
    expect(formatLongDoubleHuman(parseLongDouble(b("-1e-30"))!)).toBe("0");
  });
});
