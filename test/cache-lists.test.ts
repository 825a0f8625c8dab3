// The embedded Cache's list methods: the same list type API as the LIST commands.
import { expect, test } from "bun:test";
import { Cache, WrongTypeError } from "../src/cache.ts";

const dec = new TextDecoder();
const strs = (xs: Uint8Array[] | undefined): string[] | undefined => xs?.map((x) => dec.decode(x));

test("lpush, rpush, lrange, llen, lpop and rpop behave as Redis's list commands", () => {
  const c = new Cache();
  expect(c.rpush("l", "a", "b")).toBe(2);
  expect(c.lpush("l", "x", new TextEncoder().encode("y"))).toBe(4);
  expect(strs(c.lrange("l", 0, -1))).toEqual(["y", "x", "a", "b"]);
  expect(strs(c.lrange("l", -2, 100))).toEqual(["a", "b"]);
  expect(c.llen("l")).toBe(4);
  expect(dec.decode(c.lpop("l")!)).toBe("y");
  expect(strs(c.rpop("l", 2))).toEqual(["b", "a"]);
  expect(strs(c.lpop("l", 5))).toEqual(["x"]);
  expect(c.has("l")).toBe(false);
  expect(c.lpop("l")).toBeUndefined();
  expect(c.llen("l")).toBe(0);
});

test("a list method on a string key throws WrongTypeError with Redis's text", () => {
  const c = new Cache();
  c.set("s", "v");
  expect(() => c.lpush("s", "x")).toThrow(WrongTypeError);
  expect(() => c.llen("s")).toThrow("WRONGTYPE Operation against a key holding the wrong kind of value");
});

test("a list past one node keeps its order through the quicklist encoding", () => {
  const c = new Cache();
  const want: string[] = [];
  for (let i = 0; i < 5000; i++) {
    want.push(`element-${i}`);
    c.rpush("big", `element-${i}`);
  }
  expect(c.llen("big")).toBe(5000);
  expect(strs(c.lrange("big", 0, -1))).toEqual(want);
  expect(strs(c.lrange("big", 2500, 2502))).toEqual(want.slice(2500, 2503));
});
