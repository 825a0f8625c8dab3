// The SET family through the real command table over a real Keyspace. Replies and error strings
// were checked against redis-server 7.0.15.
import { describe, expect, test } from "bun:test";
import { createHarness, type Harness } from "../../support/command-harness.ts";

const WRONGTYPE = { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
const sorted = (v: unknown): unknown => (Array.isArray(v) ? [...v].sort() : v instanceof Set ? [...v].sort() : v);

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

describe("SADD SREM SCARD SISMEMBER SMISMEMBER", () => {
  test("members are added once, removed, counted and looked up; an empty set is deleted", () => {
    script(createHarness(), [
      [["sadd", "s", "a", "b", "a"], 2],
      [["sadd", "s", "b", "c"], 1],
      [["scard", "s"], 3],
      [["sismember", "s", "a"], 1],
      [["sismember", "s", "z"], 0],
      [["smismember", "s", "a", "z", "c"], [1, 0, 1]],
      [["srem", "s", "a", "z"], 1],
      [["srem", "s", "b", "c"], 2],
      [["exists", "s"], 0],
      [["scard", "nosuch"], 0],
      [["srem", "nosuch", "a"], 0],
    ]);
  });

  test("integers stay an intset in ascending order until a string or the 513th member", () => {
    const h = createHarness();
    script(h, [
      [["sadd", "i", "5", "3", "10", "-1"], 4],
      [["object", "encoding", "i"], "intset"],
      [["smembers", "i"], ["-1", "3", "5", "10"]],
      [["sadd", "i", "007"], 1],
      [["object", "encoding", "i"], "hashtable"],
      [["sismember", "i", "007"], 1],
      [["sismember", "i", "7"], 0],
    ]);
    for (let n = 0; n < 512; n++) h.run(["sadd", "big", String(n)]);
    expect(h.run(["object", "encoding", "big"])).toBe("intset");
    h.run(["sadd", "big", "512"]);
    expect(h.run(["object", "encoding", "big"])).toBe("hashtable");
    expect(h.run(["scard", "big"])).toBe(513);
    script(h, [[["sadd", "str", "a"], 1], [["object", "encoding", "str"], "hashtable"]]);
  });

  test("every command answers WRONGTYPE on a string key", () => {
    const h = createHarness();
    h.run(["set", "str", "x"]);
    for (const argv of [["sadd", "str", "a"], ["srem", "str", "a"], ["smembers", "str"], ["sismember", "str", "a"],
      ["smismember", "str", "a"], ["scard", "str"], ["spop", "str"], ["srandmember", "str"], ["smove", "str", "d", "a"],
      ["sinter", "str"], ["sinter", "nosuch", "str"], ["sunion", "str"], ["sdiff", "str"], ["sintercard", "1", "str"], ["sscan", "str", "0"]]) {
      expect([argv, h.run(argv)]).toEqual([argv, WRONGTYPE]);
    }
    // Redis 7.0: SMOVE from a missing source answers 0 before checking the destination type.
    expect(h.run(["smove", "nosuch", "str", "a"])).toBe(0);
    h.run(["sadd", "s", "b"]);
    expect(h.run(["smove", "s", "str", "zz"])).toEqual(WRONGTYPE);
  });

  test("arity errors name the command", () => {
    expect(createHarness().run(["sadd", "s"])).toEqual({ error: "ERR wrong number of arguments for 'sadd' command" });
  });
});

describe("SMEMBERS in RESP2 and RESP3", () => {
  test("RESP3 answers a set type, RESP2 an array", () => {
    const h2 = createHarness();
    h2.run(["sadd", "s", "1", "2"]);
    expect(h2.run(["smembers", "s"])).toEqual(["1", "2"]);
    const h3 = createHarness({ resp: 3 });
    h3.run(["sadd", "s", "1", "2"]);
    expect(h3.run(["smembers", "s"])).toEqual(new Set(["1", "2"]));
    expect(new TextDecoder().decode(h3.runRaw(["smembers", "s"]))).toBe("~2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    expect(h3.run(["smembers", "nosuch"])).toEqual(new Set());
  });
});

describe("SPOP SRANDMEMBER SMOVE", () => {
  test("SPOP removes what it returns; counts and errors as Redis", () => {
    const h = createHarness();
    h.run(["sadd", "s", "a", "b", "c"]);
    const one = h.run(["spop", "s"]) as string;
    expect(["a", "b", "c"]).toContain(one);
    expect(h.run(["sismember", "s", one])).toBe(0);
    expect(sorted(h.run(["spop", "s", "10"]))).toEqual(["a", "b", "c"].filter((m) => m !== one));
    script(h, [
      [["exists", "s"], 0],
      [["spop", "s"], null],
      [["spop", "s", "2"], []],
      [["spop", "s", "-1"], { error: "ERR value is out of range, must be positive" }],
      [["spop", "s", "x"], { error: "ERR value is out of range, must be positive" }],
      [["spop", "s", "1", "2"], { error: "ERR syntax error" }],
    ]);
  });

  test("SRANDMEMBER: positive counts are distinct, negative counts repeat", () => {
    const h = createHarness();
    h.run(["sadd", "s", "a", "b"]);
    expect(sorted(h.run(["srandmember", "s", "5"]))).toEqual(["a", "b"]);
    const rep = h.run(["srandmember", "s", "-7"]) as string[];
    expect(rep.length).toBe(7);
    for (const m of rep) expect(["a", "b"]).toContain(m);
    script(h, [
      [["srandmember", "nosuch"], null],
      [["srandmember", "nosuch", "3"], []],
      [["srandmember", "s", "x"], { error: "ERR value is not an integer or out of range" }],
      [["scard", "s"], 2],
    ]);
  });

  test("SMOVE moves one member and checks both types", () => {
    const h = createHarness();
    h.run(["set", "str", "x"]);
    script(h, [
      [["sadd", "a", "m", "n"], 2],
      [["smove", "a", "b", "m"], 1],
      [["smove", "a", "b", "zz"], 0],
      [["smove", "a", "str", "n"], WRONGTYPE],
      [["smove", "nosuch", "b", "m"], 0],
      [["smove", "a", "a", "n"], 1],
      [["smembers", "b"], ["m"]],
      [["smove", "a", "b", "n"], 1],
      [["exists", "a"], 0],
      [["scard", "b"], 2],
    ]);
  });
});

describe("SINTER SUNION SDIFF SINTERCARD and STORE", () => {
  test("algebra over present and missing keys", () => {
    const h = createHarness();
    h.run(["sadd", "x", "a", "b", "c"]);
    h.run(["sadd", "y", "b", "c", "d"]);
    expect(sorted(h.run(["sinter", "x", "y"]))).toEqual(["b", "c"]);
    expect(sorted(h.run(["sunion", "x", "y", "nosuch"]))).toEqual(["a", "b", "c", "d"]);
    expect(sorted(h.run(["sdiff", "x", "y"]))).toEqual(["a"]);
    script(h, [
      [["sinter", "x", "nosuch"], []],
      [["sdiff", "nosuch", "x"], []],
      [["sintercard", "2", "x", "y"], 2],
      [["sintercard", "2", "x", "y", "limit", "1"], 1],
      [["sintercard", "0", "x"], { error: "ERR numkeys should be greater than 0" }],
      [["sintercard", "3", "x"], { error: "ERR Number of keys can't be greater than number of args" }],
      [["sintercard", "1", "x", "limit", "-1"], { error: "ERR LIMIT can't be negative" }],
      [["sintercard", "1", "x", "foo", "1"], { error: "ERR syntax error" }],
      [["sinterstore", "d", "x", "y"], 2],
      [["sunionstore", "x", "x", "y"], 4],
      [["sdiffstore", "e", "x", "y"], 1],
      [["smembers", "e"], ["a"]],
      [["sinterstore", "e", "x", "nosuch"], 0],
      [["exists", "e"], 0],
    ]);
  });
});

describe("SSCAN", () => {
  test("MATCH filters, every member is visited across cursors", () => {
    const h = createHarness();
    for (let i = 0; i < 300; i++) h.run(["sadd", "s", `m${i}`]);
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const [next, items] = h.run(["sscan", "s", cursor, "count", "50"]) as [string, string[]];
      for (const m of items) seen.add(m);
      cursor = next;
    } while (cursor !== "0");
    expect(seen.size).toBe(300);
    const [, matched] = h.run(["sscan", "s", "0", "match", "m1?", "count", "1000"]) as [string, string[]];
    expect(matched.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m1${i}`).sort());
    expect(h.run(["sscan", "s", "0", "count", "0"])).toEqual({ error: "ERR syntax error" });
    expect(h.run(["sscan", "nosuch", "0"])).toEqual(["0", []]);
    // Redis 7.0 looks the key up before parsing options: a missing key ignores a bad COUNT.
    expect(h.run(["sscan", "nosuch", "0", "count", "0"])).toEqual(["0", []]);
    h.run(["set", "str2", "v"]);
    expect(h.run(["sscan", "str2", "0", "count", "0"])).toEqual({ error: "WRONGTYPE Operation against a key holding the wrong kind of value" });
  });
});
