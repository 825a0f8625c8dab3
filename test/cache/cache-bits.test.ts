// The embedded Cache's bitmaps and HyperLogLogs: the same engine modules as SETBIT/GETBIT/
// BITCOUNT and PFADD/PFCOUNT/PFMERGE, so a Cache and the server's commands build the same bytes.
import { expect, test } from "bun:test";
import { Cache, InvalidHllError, WrongTypeError } from "../../src/index.ts";
import { createHarness } from "../support/command-harness.ts";

const enc = new TextEncoder();

test("setbit, getbit and bitcount on string values, with byte and bit ranges", () => {
  const c = new Cache();
  expect(c.setbit("b", 1, 1)).toBe(0);
  expect(c.setbit("b", 1, 1)).toBe(1);
  expect(c.setbit("b", 17, 1)).toBe(0);
  expect([...c.get("b")!]).toEqual([0x40, 0, 0x40]);
  expect(c.getbit("b", 17)).toBe(1);
  expect(c.getbit("b", 18)).toBe(0);
  expect(c.getbit("b", 1_000_000)).toBe(0);
  expect(c.getbit("missing", 3)).toBe(0);
  expect(c.bitcount("b")).toBe(2);
  expect(c.bitcount("b", 1, -1)).toBe(1);
  expect(c.bitcount("b", 0, 8, "bit")).toBe(1);
  expect(c.bitcount("b", -7, -1, "bit")).toBe(1);
  expect(c.bitcount("missing")).toBe(0);
  c.set("s", "foobar");
  expect(c.bitcount("s")).toBe(26);
  expect(c.bitcount("s", 5, 30, "bit")).toBe(17);
});

test("bit arguments are checked; other types throw WrongTypeError", () => {
  const c = new Cache();
  expect(() => c.setbit("b", -1, 1)).toThrow(RangeError);
  expect(() => c.setbit("b", 2 ** 32, 1)).toThrow("bit offset is not an integer or out of range");
  expect(() => c.setbit("b", 1, 2 as 0)).toThrow("bit is not an integer or out of range");
  expect(() => c.getbit("b", 1.5)).toThrow(RangeError);
  expect(() => c.bitcount("b", 1)).toThrow(TypeError);
  c.sadd("set", "a");
  expect(() => c.setbit("set", 1, 1)).toThrow(WrongTypeError);
  expect(() => c.getbit("set", 1)).toThrow(WrongTypeError);
  expect(() => c.bitcount("set")).toThrow(WrongTypeError);
  expect(() => c.pfadd("set", "a")).toThrow(WrongTypeError);
});

test("pfadd, pfcount and pfmerge build the same bytes as the server's PFADD and PFMERGE", () => {
  const c = new Cache();
  const h = createHarness();
  const els = Array.from({ length: 3000 }, (_, i) => `u${i}`);
  for (let i = 0; i < els.length; i += 300) {
    const chunk = els.slice(i, i + 300);
    expect(c.pfadd(i < 1500 ? "a" : "b", ...chunk)).toBe(true);
    h.run(["pfadd", i < 1500 ? "a" : "b", ...chunk]);
  }
  expect(c.pfadd("a", "u0")).toBe(false);
  expect(c.get("a")).toEqual(h.keyspace.get(enc.encode("a")));
  expect(c.pfcount("a")).toBe(h.run(["pfcount", "a"]) as number);
  expect(c.pfcount("a", "b", "missing")).toBe(h.run(["pfcount", "a", "b", "missing"]) as number);
  c.pfmerge("m", "a", "b");
  h.run(["pfmerge", "m", "a", "b"]);
  expect(c.get("m")).toEqual(h.keyspace.get(enc.encode("m")));
  expect(Math.abs(c.pfcount("m") - 3000)).toBeLessThan(150);
  expect(c.pfcount("missing")).toBe(0);
  expect(c.pfadd("bytes", enc.encode("x"))).toBe(true);
});

test("a string that is not an HLL throws InvalidHllError with Redis's messages", () => {
  const c = new Cache();
  c.set("s", "not an hll");
  expect(() => c.pfadd("s", "a")).toThrow(InvalidHllError);
  expect(() => c.pfcount("s")).toThrow("WRONGTYPE Key is not a valid HyperLogLog string value.");
  const corrupt = new Uint8Array(18);
  corrupt.set([72, 89, 76, 76, 1]);
  corrupt[15] = 0x80;
  corrupt.set([0x7f, 0x00], 16);
  c.set("bad", corrupt);
  expect(() => c.pfcount("bad")).toThrow("INVALIDOBJ Corrupted HLL object detected");
  expect(() => c.pfmerge("d", "bad")).toThrow(InvalidHllError);
  expect(c.has("d")).toBe(false);
});
