// The embedded Cache's set methods: the same set type API as the SET commands.
import { expect, test } from "bun:test";
import { Cache, WrongTypeError } from "../../src/index.ts";

test("sadd, srem, sismember, smembers and scard take strings or bytes", () => {
  const c = new Cache();
  expect(c.sadd("s", "3", "1", new TextEncoder().encode("2"), "1")).toBe(3);
  expect(c.smembersStrings("s")).toEqual(["1", "2", "3"]);
  expect(c.sismember("s", "2")).toBe(true);
  expect(c.sismember("s", new TextEncoder().encode("9"))).toBe(false);
  expect(c.sadd("s", "x")).toBe(1);
  expect(c.scard("s")).toBe(4);
  expect(c.smembers("s").map((m) => new TextDecoder().decode(m)).sort()).toEqual(["1", "2", "3", "x"]);
  expect(c.srem("s", "1", "2", "3", "x", "nope")).toBe(4);
  expect(c.has("s")).toBe(false);
  expect(c.scard("s")).toBe(0);
  expect(c.smembers("s")).toEqual([]);
});

test("a set method on a string key throws WrongTypeError with Redis's text", () => {
  const c = new Cache();
  c.set("str", "v");
  expect(() => c.sadd("str", "a")).toThrow(WrongTypeError);
  expect(() => c.scard("str")).toThrow("WRONGTYPE Operation against a key holding the wrong kind of value");
});
