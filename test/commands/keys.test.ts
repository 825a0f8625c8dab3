// The generic key family through the real command table over a real Keyspace with a fake clock.
// Expected replies were checked against redis-server 7.0.15.
import { describe, expect, test } from "bun:test";
import { ValueType } from "../../src/engine/types.ts";
import { createHarness, type Harness } from "../support/command-harness.ts";

const SYNTAX = { error: "ERR syntax error" };
const NOT_INT = { error: "ERR value is not an integer or out of range" };
const invalidExpire = (cmd: string) => ({ error: `ERR invalid expire time in '${cmd}' command` });
const enc = new TextEncoder();

function script(h: Harness, steps: [string[], unknown][]): void {
  for (const [argv, expected] of steps) expect([argv, h.run(argv)] as unknown[]).toEqual([argv, expected]);
}

function sorted(v: unknown): string[] {
  return [...(v as string[])].sort();
}

describe("DEL, UNLINK, EXISTS, TOUCH, TYPE", () => {
  test("DEL and UNLINK count the keys they removed", () => {
    script(createHarness(), [
      [["mset", "a", "1", "b", "2", "c", "3"], "OK"],
      [["del", "a", "b", "nokey", "a"], 2],
      [["unlink", "c", "c"], 1],
      [["dbsize"], 0],
    ]);
  });

  test("EXISTS and TOUCH count a repeated key each time", () => {
    script(createHarness(), [
      [["set", "a", "1"], "OK"],
      [["exists", "a", "a", "nokey"], 2],
      [["touch", "a", "nokey", "a"], 2],
    ]);
  });

  test("TYPE names the type, or none", () => {
    const h = createHarness();
    h.keyspace.set(enc.encode("h"), enc.encode("x"), 0, 0, ValueType.Hash);
    h.keyspace.set(enc.encode("z"), enc.encode("x"), 0, 0, ValueType.ZSet);
    script(h, [
      [["set", "s", "v"], "OK"],
      [["type", "s"], "string"],
      [["type", "h"], "hash"],
      [["type", "z"], "zset"],
      [["type", "nokey"], "none"],
    ]);
  });

  test("an expired key no longer exists", () => {
    const h = createHarness();
    h.run(["set", "k", "v", "px", "100"]);
    h.clock.advance(100);
    script(h, [
      [["exists", "k"], 0],
      [["type", "k"], "none"],
      [["del", "k"], 0],
    ]);
  });
});

describe("KEYS, SCAN, RANDOMKEY", () => {
  const setup = (): Harness => {
    const h = createHarness();
    h.run(["mset", "k1", "v", "k2", "v", "other", "v"]);
    h.keyspace.set(enc.encode("hash1"), enc.encode("x"), 0, 0, ValueType.Hash);
    return h;
  };

  test("KEYS returns every key matching the glob", () => {
    const h = setup();
    expect(sorted(h.run(["keys", "*"]))).toEqual(["hash1", "k1", "k2", "other"]);
    expect(sorted(h.run(["keys", "k?"]))).toEqual(["k1", "k2"]);
    expect(sorted(h.run(["keys", "k[^1]"]))).toEqual(["k2"]);
    expect(h.run(["keys", "nomatch*"])).toEqual([]);
  });

  test("KEYS skips expired keys", () => {
    const h = setup();
    h.run(["pexpire", "k1", "10"]);
    h.clock.advance(10);
    expect(sorted(h.run(["keys", "k*"]))).toEqual(["k2"]);
  });

  test("SCAN visits every key once across its cursors", () => {
    const h = createHarness();
    const want: string[] = [];
    for (let i = 0; i < 500; i++) {
      h.run(["set", `key:${i}`, "v"]);
      want.push(`key:${i}`);
    }
    const seen: string[] = [];
    let cursor = "0";
    let rounds = 0;
    do {
      const [next, keys] = h.run(["scan", cursor, "count", "37"]) as [string, string[]];
      seen.push(...keys);
      cursor = next;
      rounds++;
    } while (cursor !== "0" && rounds < 1000);
    expect(seen.sort()).toEqual(want.sort());
    expect(rounds).toBeGreaterThan(1);
  });

  test("SCAN filters by MATCH and TYPE", () => {
    const h = setup();
    const keys = (argv: string[]): string[] => sorted((h.run(argv) as [string, string[]])[1]);
    expect(keys(["scan", "0", "count", "100", "match", "k*"])).toEqual(["k1", "k2"]);
    expect(keys(["scan", "0", "count", "100", "type", "hash"])).toEqual(["hash1"]);
    expect(keys(["scan", "0", "count", "100", "TYPE", "STRING", "MATCH", "*1"])).toEqual(["k1"]);
    expect(keys(["scan", "0", "count", "100", "type", "nosuchtype"])).toEqual([]);
    expect(keys(["scan", "0", "count", "100", "match", "*"])).toEqual(["hash1", "k1", "k2", "other"]);
  });

  test.each([
    [["scan", "x"], { error: "ERR invalid cursor" }],
    [["scan", " 1"], { error: "ERR invalid cursor" }],
    [["scan", "-"], { error: "ERR invalid cursor" }],
    [["scan", "18446744073709551616"], { error: "ERR invalid cursor" }],
    [["scan", "0", "count", "0"], SYNTAX],
    [["scan", "0", "count", "x"], NOT_INT],
    [["scan", "0", "match"], SYNTAX],
    [["scan", "0", "foo", "bar"], SYNTAX],
  ])("%p is refused", (argv, error) => {
    expect(setup().run(argv)).toEqual(error);
  });

  test("a cursor past the end ends the scan", () => {
    expect(setup().run(["scan", "18446744073709551615"])).toEqual(["0", []]);
  });

  test("RANDOMKEY returns a live key, or null when empty", () => {
    const h = setup();
    expect(["k1", "k2", "other", "hash1"]).toContain(h.run(["randomkey"]) as string);
    h.run(["flushall"]);
    expect(h.run(["randomkey"])).toBeNull();
  });
});

describe("RENAME, RENAMENX, COPY", () => {
  test("RENAME moves the value and its TTL and overwrites the destination", () => {
    script(createHarness(), [
      [["rename", "nokey", "x"], { error: "ERR no such key" }],
      [["set", "a", "1"], "OK"],
      [["rename", "a", "a"], "OK"],
      [["set", "d", "x", "ex", "50"], "OK"],
      [["expire", "a", "100"], 1],
      [["rename", "a", "d"], "OK"],
      [["get", "d"], "1"],
      [["ttl", "d"], 100],
      [["exists", "a"], 0],
      [["set", "p", "v"], "OK"],
      [["rename", "p", "d"], "OK"],
      [["ttl", "d"], -1],
    ]);
  });

  test("RENAMENX refuses an existing destination", () => {
    script(createHarness(), [
      [["renamenx", "nokey", "x"], { error: "ERR no such key" }],
      [["mset", "a", "1", "b", "2"], "OK"],
      [["renamenx", "a", "a"], 0],
      [["renamenx", "a", "b"], 0],
      [["renamenx", "a", "c"], 1],
      [["mget", "a", "b", "c"], [null, "2", "1"]],
    ]);
  });

  test("RENAME keeps the type", () => {
    const h = createHarness();
    h.keyspace.set(enc.encode("h"), enc.encode("x"), 0, 0, ValueType.Hash);
    h.run(["rename", "h", "h2"]);
    expect(h.run(["type", "h2"])).toBe("hash");
  });

  test("COPY copies value and TTL, and REPLACE overwrites", () => {
    script(createHarness(), [
      [["copy", "nokey", "x"], 0],
      [["set", "c", "v", "ex", "100"], "OK"],
      [["copy", "c", "e"], 1],
      [["get", "e"], "v"],
      [["ttl", "e"], 100],
      [["set", "c", "w"], "OK"],
      [["copy", "c", "e"], 0],
      [["copy", "c", "e", "replace"], 1],
      [["get", "e"], "w"],
      [["ttl", "e"], -1],
      [["copy", "c", "f", "db", "0", "replace", "replace"], 1],
    ]);
  });

  test.each([
    [["copy", "c", "c"], { error: "ERR source and destination objects are the same" }],
    [["copy", "c", "f", "db"], SYNTAX],
    [["copy", "c", "f", "db", "x"], NOT_INT],
    [["copy", "c", "f", "db", "16"], { error: "ERR DB index is out of range" }],
    [["copy", "c", "f", "db", "-1"], { error: "ERR DB index is out of range" }],
    [["copy", "c", "f", "db", "99999999999"], { error: "ERR value is out of range, value must between -2147483648 and 2147483647" }],
    [["copy", "c", "f", "foo"], SYNTAX],
  ])("%p is refused", (argv, error) => {
    const h = createHarness();
    h.run(["set", "c", "v"]);
    expect(h.run(argv)).toEqual(error);
  });
});

describe("EXPIRE family", () => {
  test("relative and absolute forms set the same absolute time", () => {
    const h = createHarness({ now: 1_000_000 });
    h.run(["mset", "a", "1", "b", "1", "c", "1", "d", "1"]);
    script(h, [
      [["expire", "a", "10"], 1],
      [["pexpire", "b", "10000"], 1],
      [["expireat", "c", "1010"], 1],
      [["pexpireat", "d", "1010000"], 1],
      [["pexpiretime", "a"], 1_010_000],
      [["pexpiretime", "b"], 1_010_000],
      [["pexpiretime", "c"], 1_010_000],
      [["pexpiretime", "d"], 1_010_000],
      [["expiretime", "a"], 1010],
      [["expire", "nokey", "10"], 0],
    ]);
    h.clock.advance(9_999);
    expect(h.run(["exists", "a", "b", "c", "d"])).toBe(4);
    h.clock.advance(1);
    expect(h.run(["exists", "a", "b", "c", "d"])).toBe(0);
  });

  test("a time in the past deletes the key and replies 1", () => {
    const h = createHarness();
    h.run(["mset", "a", "1", "b", "1", "c", "1"]);
    script(h, [
      [["expire", "a", "-1"], 1],
      [["expireat", "b", "1"], 1],
      [["pexpire", "c", "0"], 1],
      [["exists", "a", "b", "c"], 0],
    ]);
  });

  test("NX, XX, GT and LT compare with the current expiry", () => {
    script(createHarness(), [
      [["set", "k", "v"], "OK"],
      [["expire", "k", "10", "xx"], 0],
      [["expire", "k", "10", "gt"], 0],
      [["expire", "k", "100", "nx"], 1],
      [["expire", "k", "200", "nx"], 0],
      [["expire", "k", "50", "XX"], 1],
      [["ttl", "k"], 50],
      [["expire", "k", "10", "gt"], 0],
      [["expire", "k", "100", "gt"], 1],
      [["expire", "k", "200", "lt"], 0],
      [["expire", "k", "20", "lt"], 1],
      [["ttl", "k"], 20],
      [["persist", "k"], 1],
      [["expire", "k", "10", "lt"], 1],
      [["expire", "k", "5", "xx", "lt"], 1],
      [["ttl", "k"], 5],
    ]);
  });

  test.each([
    [["expire", "k", "10", "nx", "xx"], { error: "ERR NX and XX, GT or LT options at the same time are not compatible" }],
    [["expire", "k", "10", "nx", "gt"], { error: "ERR NX and XX, GT or LT options at the same time are not compatible" }],
    [["expire", "k", "10", "gt", "lt"], { error: "ERR GT and LT options at the same time are not compatible" }],
    [["expire", "k", "10", "foo"], { error: "ERR Unsupported option foo" }],
    [["pexpire", "k", "10", "xx", "Bar"], { error: "ERR Unsupported option Bar" }],
    [["expire", "k", "abc"], NOT_INT],
    [["expire", "k", "9223372036854775"], invalidExpire("expire")],
    [["expire", "k", "-9223372036854776"], invalidExpire("expire")],
    [["pexpire", "k", "9223372036854775807"], invalidExpire("pexpire")],
    [["expireat", "k", "9223372036854776"], invalidExpire("expireat")],
  ])("%p is refused and changes nothing", (argv, error) => {
    const h = createHarness();
    h.run(["set", "k", "v"]);
    expect(h.run(argv)).toEqual(error);
    expect(h.run(["ttl", "k"])).toBe(-1);
  });

  test("the largest absolute times are accepted", () => {
    script(createHarness(), [
      [["set", "k", "v"], "OK"],
      [["expireat", "k", "9223372036854775"], 1],
      [["pexpireat", "k", "9223372036854775807"], 1],
      [["exists", "k"], 1],
    ]);
  });
});

describe("TTL family and PERSIST", () => {
  test("-2 for a missing key, -1 without expiry", () => {
    const h = createHarness();
    h.run(["set", "k", "v"]);
    for (const cmd of ["ttl", "pttl", "expiretime", "pexpiretime"]) {
      expect(h.run([cmd, "nokey"])).toBe(-2);
      expect(h.run([cmd, "k"])).toBe(-1);
    }
  });

  test("TTL rounds to the nearest second", () => {
    const h = createHarness({ now: 1_000_000 });
    h.run(["set", "k", "v", "px", "1499"]);
    expect(h.run(["ttl", "k"])).toBe(1);
    h.run(["set", "k", "v", "px", "1500"]);
    expect(h.run(["ttl", "k"])).toBe(2);
    h.clock.advance(1400);
    expect([h.run(["pttl", "k"]), h.run(["ttl", "k"])]).toEqual([100, 0]);
    h.run(["pexpireat", "k", "4000000000499"]);
    expect(h.run(["expiretime", "k"])).toBe(4000000000);
  });

  test("PERSIST removes an expiry and replies 0 when there is none", () => {
    script(createHarness(), [
      [["persist", "nokey"], 0],
      [["set", "k", "v", "ex", "10"], "OK"],
      [["persist", "k"], 1],
      [["persist", "k"], 0],
      [["ttl", "k"], -1],
    ]);
  });
});

describe("FLUSHDB and FLUSHALL", () => {
  test.each([["flushdb"], ["flushall"]])("%s removes every key, with or without ASYNC/SYNC", (cmd) => {
    const h = createHarness();
    for (const mode of [[], ["async"], ["SYNC"]]) {
      h.run(["mset", "a", "1", "b", "2"]);
      expect(h.run([cmd, ...mode])).toBe("OK");
      expect(h.run(["dbsize"])).toBe(0);
    }
    expect(h.run([cmd, "foo"])).toEqual(SYNTAX);
    expect(h.run([cmd, "sync", "async"])).toEqual(SYNTAX);
  });
});

describe("OBJECT and MEMORY", () => {
  const setup = (opts: Parameters<typeof createHarness>[0] = {}): Harness => {
    const h = createHarness(opts);
    h.run(["mset", "i", "123", "e", "hello", "e44", "a".repeat(44), "r", "a".repeat(45), "neg0", "-0", "big", "9223372036854775807"]);
    return h;
  };

  test("ENCODING is int, embstr or raw as Redis picks it", () => {
    const h = setup();
    h.keyspace.set(enc.encode("h"), enc.encode("x"), 0, 0, ValueType.Hash);
    script(h, [
      [["object", "encoding", "i"], "int"],
      [["object", "encoding", "big"], "int"],
      [["object", "encoding", "neg0"], "embstr"],
      [["object", "encoding", "e"], "embstr"],
      [["object", "encoding", "e44"], "embstr"],
      [["object", "encoding", "r"], "raw"],
      [["object", "encoding", "h"], "listpack"],
      [["object", "encoding", "nokey"], null],
    ]);
  });

  test("REFCOUNT shows shared small integers like Redis", () => {
    script(setup({ keyspace: { policy: "noeviction" } }), [
      [["object", "refcount", "i"], 2147483647],
      [["object", "refcount", "e"], 1],
      [["object", "refcount", "big"], 1],
      [["object", "refcount", "nokey"], null],
    ]);
  });

  test("FREQ and IDLETIME follow what the eviction policy tracks", () => {
    const noLfu =
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
    // The engine tracks access data only when a limit makes eviction possible.
    const h = setup({ keyspace: { policy: "lru", maxEntries: 1000 } });
    expect(h.run(["object", "freq", "i"])).toEqual({ error: noLfu });
    expect(h.run(["object", "freq", "nokey"])).toBeNull();
    const idle = h.run(["object", "idletime", "i"]);
    expect(typeof idle).toBe("number");
    h.clock.advance(5000);
    h.keyspace.sweepExpired(1); // advances the engine's coarse access clock
    expect(h.run(["object", "idletime", "i"])).toBeGreaterThanOrEqual(4);

    // S3-FIFO keeps a frequency (like LFU) and no access time.
    const s3 = setup({ keyspace: { policy: "s3fifo", maxEntries: 1000 } });
    s3.run(["get", "i"]);
    expect(s3.run(["object", "freq", "i"])).toBeGreaterThanOrEqual(1);
    expect(s3.run(["object", "idletime", "i"])).toEqual({
      error:
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    });
  });

  test("OBJECT HELP and MEMORY HELP list their subcommands", () => {
    const h = createHarness();
    const help = h.run(["object", "help"]) as string[];
    expect(help[0]).toBe("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(help).toContain("REFCOUNT <key>");
    const mem = h.run(["memory", "help"]) as string[];
    expect(mem).toContain("USAGE <key> [SAMPLES <count>]");
  });

  test("MEMORY USAGE reports the bytes charged to a key", () => {
    const h = setup();
    const small = h.run(["memory", "usage", "e"]) as number;
    const large = h.run(["memory", "usage", "r"]) as number;
    expect(small).toBeGreaterThan(5);
    expect(large).toBeGreaterThan(small);
    script(h, [
      [["memory", "usage", "e", "samples", "0"], small],
      [["memory", "usage", "nokey"], null],
      [["memory", "usage", "e", "samples"], SYNTAX],
      [["memory", "usage", "e", "samples", "x"], NOT_INT],
      [["memory", "usage", "e", "samples", "-1"], SYNTAX],
      [["memory", "usage", "e", "foo"], SYNTAX],
      [["memory", "usage"], { error: "ERR wrong number of arguments for 'memory|usage' command" }],
    ]);
  });

  test("an unknown subcommand names its container", () => {
    expect(createHarness().run(["object", "foo", "k"])).toEqual({ error: "ERR unknown subcommand 'foo'. Try OBJECT HELP." });
  });
});

describe("the key table", () => {
  test("every entry declares categories, a summary and a version", () => {
    const h = createHarness();
    for (const name of ["del", "exists", "expire", "object", "memory", "scan", "copy", "rename"]) {
      const e = h.server.commands.get(name)!;
      expect(e.categories.length).toBeGreaterThan(0);
      expect(e.summary.length).toBeGreaterThan(0);
      expect(e.since).toMatch(/^\d+\.\d+\.\d+$/);
    }
    const rename = h.server.commands.get("rename")!;
    expect([rename.firstKey, rename.lastKey, rename.step]).toEqual([1, 2, 1]);
    const del = h.server.commands.get("del")!;
    expect([del.firstKey, del.lastKey, del.step, del.arity]).toEqual([1, -1, 1, -2]);
  });
});
