// The embedded Cache's sorted set methods: the same zset type API as the ZSET commands, across
// both encodings, and kept by the Cache's own persistence (WAL Deltas) over a close and reopen.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cache, WrongTypeError } from "../../src/index.ts";

test("zadd, zincrby, zscore, zrank, zrange, zrem and zcard behave as their commands", () => {
  const c = new Cache();
  expect(c.zadd("z", { a: 1, b: 2.5, c: -Infinity })).toBe(3);
  expect(c.zadd("z", [["a", 3], [new TextEncoder().encode("d"), 0]])).toBe(1);
  expect(c.zscore("z", "a")).toBe(3);
  expect(c.zscore("z", "nope")).toBeUndefined();
  expect(c.zincrby("z", 0.5, "b")).toBe(3);
  expect(c.zincrby("z", 7, "new")).toBe(7);
  expect(c.zrange("z", 0, -1)).toEqual([
    { member: "c", score: -Infinity }, { member: "d", score: 0 }, { member: "a", score: 3 }, { member: "b", score: 3 }, { member: "new", score: 7 },
  ]);
  expect(c.zrange("z", 0, 1, { rev: true }).map((e) => e.member)).toEqual(["new", "b"]);
  expect(c.zrange("z", -2, 100).map((e) => e.member)).toEqual(["b", "new"]);
  expect(c.zrange("z", 3, 1)).toEqual([]);
  expect(c.zrank("z", "a")).toBe(2);
  expect(c.zrank("z", "a", { rev: true })).toBe(2);
  expect(c.zrank("z", "nope")).toBeUndefined();
  expect(c.zcard("z")).toBe(5);
  expect(c.zrem("z", "a", "b", "c", "d", "new", "nope")).toBe(5);
  expect(c.has("z")).toBe(false);
  expect(c.zcard("z")).toBe(0);
  expect(() => c.zadd("z", { a: NaN })).toThrow(RangeError);
  c.zadd("z", { a: Infinity });
  expect(() => c.zincrby("z", -Infinity, "a")).toThrow("resulting score is not a number (NaN)");
});

test("a zset method on a string key throws WrongTypeError", () => {
  const c = new Cache();
  c.set("s", "v");
  expect(() => c.zadd("s", { a: 1 })).toThrow(WrongTypeError);
  expect(() => c.zcard("s")).toThrow("WRONGTYPE Operation against a key holding the wrong kind of value");
});

test("a large zset (skiplist) answers the same, and persistence brings it back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-zset-cache-"));
  try {
    const a = new Cache({ persistence: { dir, fsync: "always", log: () => {} } });
    const scores: Record<string, number> = {};
    for (let i = 0; i < 1000; i++) scores[`m${i}`] = (i * 7) % 500;
    expect(a.zadd("big", scores)).toBe(1000);
    a.zincrby("big", 1000, "m3");
    a.zrem("big", "m0", "m1");
    expect(a.zrank("big", "m3", { rev: true })).toBe(0);
    const before = a.zrange("big", 0, -1);
    expect(before.length).toBe(998);
    await a.close();
    const b = new Cache({ persistence: { dir, fsync: "always", log: () => {} } });
    expect(b.zrange("big", 0, -1)).toEqual(before);
    expect(b.zscore("big", "m3")).toBe(1021);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
