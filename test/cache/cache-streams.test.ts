// The embedded Cache's stream methods: the same stream type as XADD/XRANGE/XLEN/XTRIM, with the
// same ID rules and error texts, persisted through the server's WAL when persistence is on.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cache, WrongTypeError } from "../../src/index.ts";

test("xadd with explicit, partial and automatic IDs; xrange forward and back; xlen", () => {
  let now = 1_000;
  const c = new Cache({ now: () => now });
  expect(c.xadd("s", { a: "1", b: "2" }, { id: "1-1" })).toBe("1-1");
  expect(c.xadd("s", { a: "3" }, { id: "1-*" })).toBe("1-2");
  expect(c.xadd("s", { a: "4" })).toBe("1000-0");
  expect(c.xadd("s", { a: "5" })).toBe("1000-1");
  now = 2_000;
  expect(c.xadd("s", { a: new TextEncoder().encode("6") })).toBe("2000-0");
  expect(c.xlen("s")).toBe(5);
  expect(c.xrange("s", "1-2", "1000")).toEqual([
    { id: "1-2", fields: { a: "3" } },
    { id: "1000-0", fields: { a: "4" } },
    { id: "1000-1", fields: { a: "5" } },
  ]);
  expect(c.xrange("s", "-", "+", 2, true).map((e) => e.id)).toEqual(["2000-0", "1000-1"]);
  expect(c.xrange("nokey")).toEqual([]);
  expect(c.xlen("nokey")).toBe(0);
});

test("trimming by MAXLEN and MINID, exact and approximate, on xadd and xtrim", () => {
  const c = new Cache();
  for (let i = 1; i <= 250; i++) c.xadd("s", { n: String(i) }, { id: `${i}-0` });
  expect(c.xtrim("s", { maxlen: 120, approx: true })).toBe(100);
  expect(c.xtrim("s", { maxlen: 100 })).toBe(50);
  expect(c.xtrim("s", { minid: "200" })).toBe(49);
  expect(c.xrange("s", "-", "+", 1)).toEqual([{ id: "200-0", fields: { n: "200" } }]);
  expect(c.xadd("s", { n: "x" }, { id: "300-0", maxlen: 2 })).toBe("300-0");
  expect(c.xrange("s").map((e) => e.id)).toEqual(["250-0", "300-0"]);
  expect(c.xadd("nokey", { n: "x" }, { nomkstream: true })).toBeUndefined();
  expect(c.has("nokey")).toBe(false);
});

test("Redis's errors, as exceptions with its text", () => {
  const c = new Cache();
  c.xadd("s", { a: "1" }, { id: "5-0" });
  expect(() => c.xadd("s", { a: "1" }, { id: "5-0" })).toThrow("ERR The ID specified in XADD is equal or smaller than the target stream top item");
  expect(() => c.xadd("s", { a: "1" }, { id: "0-0" })).toThrow("ERR The ID specified in XADD must be greater than 0-0");
  expect(() => c.xadd("s", { a: "1" }, { id: "nope" })).toThrow("ERR Invalid stream ID specified as stream command argument");
  expect(() => c.xadd("s", {})).toThrow("ERR wrong number of arguments for 'xadd' command");
  expect(() => c.xadd("s", { a: "1" }, { maxlen: 1, minid: "1" })).toThrow("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
  expect(() => c.xadd("s", { a: "1" }, { maxlen: 1, limit: 5 })).toThrow("ERR syntax error, LIMIT cannot be used without the special ~ option");
  expect(() => c.xtrim("s", {})).toThrow("ERR syntax error, XTRIM must be called with a trimming strategy");
  expect(() => c.xrange("s", "(-")).toThrow("ERR Invalid stream ID specified as stream command argument");
  c.set("str", "v");
  expect(() => c.xadd("str", { a: "1" })).toThrow(WrongTypeError);
  expect(() => c.xlen("str")).toThrow("WRONGTYPE Operation against a key holding the wrong kind of value");
});

test("with persistence a stream comes back after close and reopen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fc-cache-streams-"));
  const log = (): void => {};
  try {
    const a = new Cache({ persistence: { dir, fsync: "always", log } });
    const ids = [a.xadd("s", { n: "1" }), a.xadd("s", { n: "2" }), a.xadd("s", { n: "3" }, { id: "99999999999999-*" })];
    a.xtrim("s", { maxlen: 2 });
    await a.durable();
    await a.close();
    const b = new Cache({ persistence: { dir, log } });
    expect(b.xrange("s")).toEqual([
      { id: ids[1]!, fields: { n: "2" } },
      { id: ids[2]!, fields: { n: "3" } },
    ]);
    expect(b.xadd("s", { n: "4" })).toBe("99999999999999-1");
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
