// XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XREAD through the real command table over a real
// Keyspace with a fake clock. Replies and error strings were checked against redis-server 7.0.15
// (test/e2e/stream-redis-parity.test.ts runs the same kinds of calls against it).
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const INVALID_ID = { error: "ERR Invalid stream ID specified as stream command argument" };

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

describe("XADD", () => {
  test("explicit, partial and automatic IDs, always above the top item", () => {
    const h = createHarness({ now: 5_000 });
    script(h, [
      [["xadd", "s", "1-1", "a", "1"], "1-1"],
      [["xadd", "s", "1-*", "a", "2"], "1-2"],
      [["xadd", "s", "3", "a", "3"], "3-0"],
      [["xadd", "s", "*", "a", "4"], "5000-0"],
      [["xadd", "s", "*", "a", "5"], "5000-1"],
      [["xadd", "s", "5000-1", "a", "1"], { error: "ERR The ID specified in XADD is equal or smaller than the target stream top item" }],
      [["xadd", "s", "4-*", "a", "1"], { error: "ERR The ID specified in XADD is equal or smaller than the target stream top item" }],
      [["xadd", "s", "0-0", "a", "1"], { error: "ERR The ID specified in XADD must be greater than 0-0" }],
      [["xadd", "s", "007-1", "a", "1"], { error: "ERR The ID specified in XADD is equal or smaller than the target stream top item" }],
      [["xadd", "s", "x-1", "a", "1"], INVALID_ID],
      [["xadd", "s", "-1", "a", "1"], INVALID_ID],
      [["xadd", "s", "18446744073709551616-0", "a", "1"], INVALID_ID],
      [["xadd", "s", "9000-1", "a"], { error: "ERR wrong number of arguments for 'xadd' command" }],
      [["xadd", "s", "maxlen", "2"], { error: "ERR wrong number of arguments for 'xadd' command" }],
      [["xlen", "s"], 5],
    ]);
    h.clock.advance(1);
    expect(h.run(["xadd", "s", "*", "a", "6"])).toBe("5001-0");
  });

  test("the last possible ID exhausts the stream", () => {
    script(createHarness(), [
      [["xadd", "s", "18446744073709551615-18446744073709551614", "a", "1"], "18446744073709551615-18446744073709551614"],
      [["xadd", "s", "18446744073709551615-*", "a", "1"], "18446744073709551615-18446744073709551615"],
      [["xadd", "s", "*", "a", "1"], { error: "ERR The stream has exhausted the last possible ID, unable to add more items" }],
      [["xrange", "s", "(18446744073709551615-18446744073709551614", "+"], [["18446744073709551615-18446744073709551615", ["a", "1"]]]],
    ]);
  });

  test("NOMKSTREAM, MAXLEN and MINID with = and ~, LIMIT, and their errors", () => {
    script(createHarness(), [
      [["xadd", "s", "nomkstream", "1-1", "a", "1"], null],
      [["exists", "s"], 0],
      [["xadd", "s", "maxlen", "2", "1-1", "a", "1"], "1-1"],
      [["xadd", "s", "maxlen", "=", "2", "2-1", "a", "1"], "2-1"],
      [["xadd", "s", "MAXLEN", "2", "3-1", "a", "1"], "3-1"],
      [["xrange", "s", "-", "+"], [["2-1", ["a", "1"]], ["3-1", ["a", "1"]]]],
      [["xadd", "s", "minid", "3", "4-1", "a", "1"], "4-1"],
      [["xlen", "s"], 2],
      [["xadd", "s", "maxlen", "~", "0", "limit", "10", "5-1", "a", "1"], "5-1"],
      [["xlen", "s"], 0],
      [["exists", "s"], 1],
      [["xadd", "s", "maxlen", "-1", "6-1", "a", "1"], { error: "ERR The MAXLEN argument must be >= 0." }],
      [["xadd", "s", "maxlen", "x", "6-1", "a", "1"], { error: "ERR value is not an integer or out of range" }],
      [["xadd", "s", "maxlen", "1", "minid", "1", "6-1", "a", "1"], { error: "ERR syntax error, MAXLEN and MINID options at the same time are not compatible" }],
      [["xadd", "s", "limit", "5", "6-1", "a", "1"], { error: "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy" }],
      [["xadd", "s", "maxlen", "1", "limit", "5", "6-1", "a", "1"], { error: "ERR syntax error, LIMIT cannot be used without the special ~ option" }],
      [["xadd", "s", "maxlen", "~", "1", "limit", "-1", "6-1", "a", "1"], { error: "ERR The LIMIT argument must be >= 0." }],
      [["xadd", "s", "minid", "(1", "6-1", "a", "1"], INVALID_ID],
      [["set", "str", "v"], "OK"],
      [["xadd", "str", "1-1", "a", "1"], WRONGTYPE],
      [["xadd", "str", "0-0", "a", "1"], { error: "ERR The ID specified in XADD must be greater than 0-0" }],
    ]);
  });
});

describe("XRANGE XREVRANGE XLEN", () => {
  const filled = (): Harness => {
    const h = createHarness();
    for (let i = 1; i <= 5; i++) h.run(["xadd", "s", `${i}-1`, "n", String(i)]);
    return h;
  };

  test("inclusive and exclusive bounds, bare ms, COUNT, and reverse order", () => {
    script(filled(), [
      [["xrange", "s", "2", "3"], [["2-1", ["n", "2"]], ["3-1", ["n", "3"]]]],
      [["xrange", "s", "(2-1", "(4-1"], [["3-1", ["n", "3"]]]],
      [["xrange", "s", "-", "+", "count", "2"], [["1-1", ["n", "1"]], ["2-1", ["n", "2"]]]],
      [["xrevrange", "s", "+", "-", "count", "2"], [["5-1", ["n", "5"]], ["4-1", ["n", "4"]]]],
      [["xrevrange", "s", "(5-1", "4"], [["4-1", ["n", "4"]]]],
      [["xrange", "s", "4", "2"], []],
      [["xrange", "s", "-", "+", "count", "0"], null],
      [["xrange", "s", "-", "+", "count", "-3"], null],
      [["xrange", "nokey", "-", "+", "count", "0"], []],
      [["xrange", "s", "-", "+", "count"], { error: "ERR syntax error" }],
      [["xrange", "s", "-", "+", "count", "x"], { error: "ERR value is not an integer or out of range" }],
      [["xrange", "s", "(-", "+"], INVALID_ID],
      [["xrange", "s", "-", "(0-0"], { error: "ERR invalid end ID for the interval" }],
      [["xrange", "s", "(18446744073709551615-18446744073709551615", "+"], { error: "ERR invalid start ID for the interval" }],
      [["xlen", "s"], 5],
      [["xlen", "nokey"], 0],
      [["set", "str", "v"], "OK"],
      [["xrange", "str", "-", "+"], WRONGTYPE],
      [["xlen", "str"], WRONGTYPE],
      [["xrange", "s", "-"], { error: "ERR wrong number of arguments for 'xrange' command" }],
    ]);
  });

  test("RESP3 has the same nesting, with null for COUNT 0", () => {
    const h = filled();
    h.run(["hello", "3"]);
    expect(h.run(["xrange", "s", "-", "+", "count", "1"])).toEqual([["1-1", ["n", "1"]]]);
    expect(new TextDecoder().decode(h.runRaw(["xrange", "s", "-", "+", "count", "0"]))).toBe("_\r\n");
    expect(new TextDecoder().decode(h.runRaw(["xrange", "s", "-", "+", "count", "1"]))).toBe("*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n");
  });
});

describe("XDEL XTRIM XSETID", () => {
  test("XDEL counts what existed and keeps an empty stream; XTRIM by MAXLEN and MINID", () => {
    const h = createHarness();
    for (let i = 1; i <= 6; i++) h.run(["xadd", "s", `${i}-1`, "n", String(i)]);
    script(h, [
      [["xdel", "s", "2-1", "3-1", "9-9", "2-1"], 2],
      [["xdel", "s", "x"], INVALID_ID],
      [["xdel", "nokey", "1-1"], 0],
      [["xtrim", "s", "maxlen", "3"], 1],
      [["xrange", "s", "-", "+"], [["4-1", ["n", "4"]], ["5-1", ["n", "5"]], ["6-1", ["n", "6"]]]],
      [["xtrim", "s", "minid", "=", "6"], 2],
      [["xtrim", "s", "maxlen", "~", "0"], 1],
      [["xtrim", "s", "maxlen", "0"], 0],
      [["xlen", "s"], 0],
      [["exists", "s"], 1],
      [["xtrim", "nokey", "maxlen", "1"], 0],
      [["xtrim", "s", "foo", "1"], { error: "ERR syntax error" }],
      [["xtrim", "s", "maxlen", "1", "limit", "1"], { error: "ERR syntax error, LIMIT cannot be used without the special ~ option" }],
      [["xtrim", "s", "maxlen", "~"], { error: "ERR value is not an integer or out of range" }],
      [["xtrim", "s"], { error: "ERR wrong number of arguments for 'xtrim' command" }],
    ]);
  });

  test("XSETID moves the last ID, entries-added and max-deleted-entry-id with 7.0's checks", () => {
    const h = createHarness();
    h.run(["xadd", "s", "5-1", "a", "1"]);
    h.run(["xadd", "s", "6-1", "a", "1"]);
    script(h, [
      [["xsetid", "s", "5-9"], { error: "ERR The ID specified in XSETID is smaller than the target stream top item" }],
      [["xsetid", "s", "7-1", "entriesadded", "1"], { error: "ERR The entries_added specified in XSETID is smaller than the target stream length" }],
      [["xsetid", "s", "7-1", "entriesadded", "-1"], { error: "ERR entries_added must be positive" }],
      [["xsetid", "s", "7-1", "maxdeletedid", "8-1"], { error: "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id" }],
      [["xsetid", "s", "7-1", "foo", "1"], { error: "ERR syntax error" }],
      [["xsetid", "nokey", "7-1"], { error: "ERR no such key" }],
      [["xsetid", "s", "+"], INVALID_ID],
      [["xsetid", "s", "9-0", "entriesadded", "10", "maxdeletedid", "3-0"], "OK"],
      [["xadd", "s", "9-0", "a", "1"], { error: "ERR The ID specified in XADD is equal or smaller than the target stream top item" }],
      [["xadd", "s", "*", "a", "1"], "1700000000000-0"],
    ]);
    const info = h.run(["xinfo", "stream", "s"]) as unknown[];
    expect(info.slice(8, 14)).toEqual(["max-deleted-entry-id", "3-0", "entries-added", 11, "recorded-first-entry-id", "5-1"]);
  });
});

describe("XREAD", () => {
  test("entries after each ID, $, COUNT, several keys, and nothing as a null array", () => {
    const h = createHarness();
    h.run(["xadd", "a", "1-1", "x", "1"]);
    h.run(["xadd", "a", "2-1", "x", "2"]);
    h.run(["xadd", "b", "1-1", "y", "1"]);
    script(h, [
      [["xread", "streams", "a", "b", "1-1", "0"], [["a", [["2-1", ["x", "2"]]]], ["b", [["1-1", ["y", "1"]]]]]],
      [["xread", "count", "1", "streams", "a", "0"], [["a", [["1-1", ["x", "1"]]]]]],
      [["xread", "streams", "a", "$"], null],
      [["xread", "streams", "nokey", "0"], null],
      [["xread", "block", "10", "streams", "a", "$"], null],
      [["xread", "streams", "a", "b", "0"], { error: "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified." }],
      [["xread", "streams", "a", ">"], { error: "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option." }],
      [["xread", "group", "g", "c", "streams", "a", "0"], { error: "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead." }],
      [["xread", "noack", "streams", "a", "0"], { error: "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead." }],
      [["xread", "block", "-1", "streams", "a", "0"], { error: "ERR timeout is negative" }],
      [["xread", "block", "x", "streams", "a", "0"], { error: "ERR timeout is not an integer or out of range" }],
      [["xread", "count", "x", "streams", "a", "0"], { error: "ERR value is not an integer or out of range" }],
      [["xread", "foo", "streams", "a", "0"], { error: "ERR syntax error" }],
      [["xread", "streams", "a", "bad"], INVALID_ID],
      [["set", "str", "v"], "OK"],
      [["xread", "streams", "a", "str", "0", "0"], WRONGTYPE],
    ]);
  });

  test("RESP3 answers a map of stream → entries", () => {
    const h = createHarness({ resp: 3 });
    h.run(["xadd", "a", "1-1", "x", "1"]);
    expect(h.run(["xread", "streams", "a", "0"])).toEqual(new Map([["a", [["1-1", ["x", "1"]]]]]));
    expect(new TextDecoder().decode(h.runRaw(["xread", "streams", "a", "$"]))).toBe("_\r\n");
  });
});

describe("TYPE, OBJECT ENCODING, MEMORY USAGE, COPY and RENAME", () => {
  test("a stream is a stream; its charge grows with it; copies are independent", () => {
    const h = createHarness();
    h.run(["xadd", "s", "1-1", "a", "1"]);
    const small = h.run(["memory", "usage", "s"]) as number;
    for (let i = 2; i < 500; i++) h.run(["xadd", "s", `${i}-1`, "a", "x".repeat(50)]);
    script(h, [
      [["type", "s"], "stream"],
      [["object", "encoding", "s"], "stream"],
      [["xgroup", "create", "s", "g", "0"], "OK"],
      [["copy", "s", "t"], 1],
      [["xdel", "t", "1-1"], 1],
      [["xlen", "s"], 499],
      [["xlen", "t"], 498],
      [["xinfo", "groups", "t"], [["name", "g", "consumers", 0, "pending", 0, "last-delivered-id", "0-0", "entries-read", null, "lag", 498]]],
      [["rename", "t", "u"], "OK"],
      [["xrange", "u", "-", "+", "count", "1"], [["2-1", ["a", "x".repeat(50)]]]],
    ]);
    expect(h.run(["memory", "usage", "s"]) as number).toBeGreaterThan(small + 25_000);
  });
});
