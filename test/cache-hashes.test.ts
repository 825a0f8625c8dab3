// The embedded Cache's hash methods: the same hash type as the HSET family, in-process.
import { expect, test } from "bun:test";
import { Cache, WrongTypeError } from "../src/index.ts";
import { fakeClock } from "./support/fake-clock.ts";

test("hset, hget, hgetall, hdel and hincrby behave as their Redis commands", () => {
  const c = new Cache();
  expect(c.hset("h", { a: "1", b: "two" })).toBe(2);
  expect(c.hset("h", { a: "one", c: new Uint8Array([51]) })).toBe(1);
  expect(c.hgetString("h", "a")).toBe("one");
  expect(c.hget("h", "c")).toEqual(new Uint8Array([51]));
  expect(c.hget("h", "zz")).toBeUndefined();
  expect(c.hgetall("h")).toEqual({ a: "one", b: "two", c: "3" });
  expect(c.hincrby("h", "n", 5)).toBe(5);
  expect(c.hincrby("h", "n", -7)).toBe(-2);
  expect(() => c.hincrby("h", "b", 1)).toThrow("ERR hash value is not an integer");
  expect(c.hdel("h", "a", "zz", "b", "c", "n")).toBe(4);
  expect(c.has("h")).toBe(false); // the key goes with its last field
  expect(c.hgetall("nokey")).toEqual({});
});

test("a hash past 512 fields keeps every field, and a string key is a WrongTypeError", () => {
  const c = new Cache();
  const fields: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) fields[`f${i}`] = `v${i}`;
  expect(c.hset("big", fields)).toBe(2000);
  expect(c.hgetString("big", "f1999")).toBe("v1999");
  expect(Object.keys(c.hgetall("big")).length).toBe(2000);
  c.set("s", "x");
  expect(() => c.hset("s", { a: "1" })).toThrow(WrongTypeError);
  expect(() => c.hget("s", "a")).toThrow(WrongTypeError);
});

test("hexpire removes fields once their time passes", () => {
  const clock = fakeClock(1_000_000);
  const c = new Cache({ now: clock.now });
  c.hset("h", { a: "1", b: "2" });
  expect(c.hexpire("h", 100, "a", "zz")).toEqual([1, -2]);
  clock.advance(99);
  expect(c.hgetString("h", "a")).toBe("1");
  clock.advance(1);
  expect(c.hget("h", "a")).toBeUndefined();
  expect(c.hgetall("h")).toEqual({ b: "2" });
  expect(c.hexpire("h", 0, "b")).toEqual([2]);
  expect(c.has("h")).toBe(false);
});
