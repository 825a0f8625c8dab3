// The embedded Cache API: round trips, input validation, expiry, incr, getOrSet, eviction, stats
// and scan. Every cache runs on a fake clock and is closed at the end of its test.
import { afterEach, describe, expect, test } from "bun:test";
import { Cache, type CacheOptions } from "../src/index.ts";
import { fakeClock, type FakeClock } from "./support/fake-clock.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const open: Cache[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function make(opts: Omit<CacheOptions, "now"> = {}): { cache: Cache; clock: FakeClock } {
  const clock = fakeClock();
  const cache = new Cache({ ...opts, now: clock.now });
  open.push(cache);
  return { cache, clock };
}

/** Every key, by scanning to the end. */
function scanAll(cache: Cache, match?: string): string[] {
  const keys: string[] = [];
  let cursor = 0;
  let calls = 0;
  do {
    const [next, batch] = cache.scan(cursor, { match, count: 50 });
    keys.push(...batch);
    cursor = next;
    if (++calls > 1_000_000) throw new Error("scan did not finish");
  } while (cursor !== 0);
  return keys;
}

describe("Cache round trips", () => {
  test("set, get, getString, has and delete", () => {
    const { cache } = make();
    expect(cache.set("k", "v")).toBe(true);
    expect(cache.get("k")).toEqual(enc.encode("v"));
    expect(cache.getString("k")).toBe("v");
    expect(cache.has("k")).toBe(true);
    expect(cache.size).toBe(1);
    expect(cache.delete("k")).toBe(true);
    expect(cache.delete("k")).toBe(false);
    expect(cache.get("k")).toBeUndefined();
    expect(cache.getString("k")).toBeUndefined();
    expect(cache.has("k")).toBe(false);
    expect(cache.size).toBe(0);
  });

  test("strings are UTF-8, and a string key and its UTF-8 bytes are the same key", () => {
    const { cache } = make();
    const s = "héllo wörld 日本 🎉 \u0000 end";
    cache.set(s, s);
    expect(cache.get(enc.encode(s))).toEqual(enc.encode(s));
    expect(cache.getString(s)).toBe(s);
    cache.set(enc.encode("bytes"), enc.encode("ü"));
    expect(cache.getString("bytes")).toBe("ü");
  });

  test("empty keys and values and zero bytes are kept exactly", () => {
    const { cache } = make();
    cache.set("", "");
    expect(cache.has("")).toBe(true);
    expect(cache.getString("")).toBe("");
    cache.set(new Uint8Array([0, 0]), new Uint8Array([0, 1, 0]));
    cache.set(new Uint8Array([0]), "single");
    expect(Array.from(cache.get(new Uint8Array([0, 0]))!)).toEqual([0, 1, 0]);
    expect(cache.getString(new Uint8Array([0]))).toBe("single");
    expect(cache.size).toBe(3);
  });

  test("keys and values may be subarray views or Buffers; only the viewed bytes count", () => {
    const { cache } = make();
    const big = enc.encode("0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    cache.set(big.subarray(3, 6), big.subarray(10, 60));
    expect(cache.getString("345")).toBe("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN");
    cache.set(Buffer.from("buf"), Buffer.from("value"));
    expect(cache.getString("buf")).toBe("value");
  });

  test("get returns a copy: later writes to the cache do not change it", () => {
    const { cache } = make();
    cache.set("k", "one");
    const v = cache.get("k")!;
    cache.set("k", "two"); // same size: may be rewritten in place
    for (let i = 0; i < 1000; i++) cache.set(`other${i}`, "x".repeat(100));
    expect(dec.decode(v)).toBe("one");
    v[0] = 0x7a; // and writing to the copy does not change the cache
    expect(cache.getString("k")).toBe("two");
  });

  test("set stores a copy of a Uint8Array value", () => {
    const { cache } = make();
    const value = enc.encode("abc");
    cache.set("k", value);
    value[0] = 0x7a;
    expect(cache.getString("k")).toBe("abc");
  });

  test("nx and xx make set return false without changing anything", () => {
    const { cache } = make();
    expect(cache.set("k", "1", { xx: true })).toBe(false);
    expect(cache.has("k")).toBe(false);
    expect(cache.set("k", "1", { nx: true })).toBe(true);
    expect(cache.set("k", "2", { nx: true })).toBe(false);
    expect(cache.set("k", "3", { xx: true })).toBe(true);
    expect(cache.getString("k")).toBe("3");
  });

  test("getMany keeps order and setMany sets every pair", () => {
    const { cache } = make();
    cache.setMany([["a", "1"], [enc.encode("b"), "2"], ["c", enc.encode("3")]]);
    expect(cache.getMany(["c", "missing", "a", "b"]).map((v) => (v === undefined ? undefined : dec.decode(v)))).toEqual(["3", undefined, "1", "2"]);
  });

  test("setMany with one bad pair stores nothing", () => {
    const { cache } = make();
    expect(() => cache.setMany([["a", "1"], [42 as unknown as string, "2"], ["c", "3"]])).toThrow(TypeError);
    expect(cache.size).toBe(0);
  });

  test("clear removes every entry and the cache stays usable; close may be called twice", () => {
    const { cache } = make();
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, "v");
    cache.clear();
    expect(cache.size).toBe(0);
    cache.close();
    cache.close();
    cache.set("after", "close");
    expect(cache.getString("after")).toBe("close");
  });
});

describe("Cache input validation", () => {
  const badKeys: unknown[] = [42, null, undefined, {}, ["a"], Symbol("k"), new ArrayBuffer(2)];

  test.each(badKeys.map((k) => [k]))("key %p is a TypeError naming the key, and changes nothing", (bad) => {
    const { cache } = make();
    cache.set("k", "v");
    const k = bad as string;
    for (const call of [() => cache.set(k, "x"), () => cache.get(k), () => cache.has(k), () => cache.delete(k), () => cache.incr(k), () => cache.ttl(k)]) {
      expect(call).toThrow(TypeError);
      expect(call).toThrow(/key/);
    }
    expect(cache.size).toBe(1);
    expect(cache.getString("k")).toBe("v");
  });

  test("a value that is not a string or bytes is a TypeError naming the value", () => {
    const { cache } = make();
    cache.set("k", "v");
    for (const bad of [1, null, undefined, { a: 1 }, [1]]) {
      expect(() => cache.set("k", bad as unknown as string)).toThrow(TypeError);
      expect(() => cache.set("k", bad as unknown as string)).toThrow(/value/);
    }
    expect(cache.getString("k")).toBe("v");
  });

  test("a negative or NaN ttl is rejected, names ttl, and changes nothing", () => {
    const { cache } = make();
    cache.set("k", "v");
    for (const ttl of [-1, Number.NaN, -Infinity]) {
      expect(() => cache.set("k", "new", { ttl })).toThrow(/ttl/);
      expect(() => cache.set("k2", "new", { ttl })).toThrow(RangeError);
    }
    expect(cache.getString("k")).toBe("v");
    expect(cache.ttl("k")).toBe(-1);
    expect(cache.has("k2")).toBe(false);
  });

  test("bad constructor options throw naming the option", () => {
    const clock = fakeClock();
    expect(() => new Cache({ maxMemory: -1, now: clock.now })).toThrow(/maxMemory/);
    expect(() => new Cache({ maxEntries: 2.5, now: clock.now })).toThrow(/maxEntries/);
    expect(() => new Cache({ ttl: -5, now: clock.now })).toThrow(/ttl/);
    expect(() => new Cache({ ttl: Number.NaN, now: clock.now })).toThrow(/ttl/);
    expect(() => new Cache({ eviction: "random" as "lru", now: clock.now })).toThrow(/eviction/);
  });

  test("a value larger than maxMemory is a RangeError and changes nothing", () => {
    const { cache } = make({ maxMemory: 4096 });
    cache.set("k", "small");
    cache.set("other", "x");
    expect(() => cache.set("k", new Uint8Array(10_000))).toThrow(RangeError);
    expect(() => cache.set("big", new Uint8Array(10_000))).toThrow(/value|maxMemory/);
    expect(cache.getString("k")).toBe("small");
    expect(cache.has("big")).toBe(false);
    expect(cache.size).toBe(2);
  });

  test("expire with NaN or a non-number is a TypeError/RangeError naming ms", () => {
    const { cache } = make();
    cache.set("k", "v");
    expect(() => cache.expire("k", Number.NaN)).toThrow(/ms/);
    expect(() => cache.expire("k", "10" as unknown as number)).toThrow(/ms/);
    expect(cache.ttl("k")).toBe(-1);
  });

  test("expire with Infinity is rejected like a set with ttl Infinity", () => {
    const { cache } = make();
    cache.set("k", "v");
    expect(() => cache.set("k", "v", { ttl: Infinity })).toThrow(RangeError);
    expect(() => cache.expire("k", Infinity)).toThrow(RangeError);
    expect(cache.ttl("k")).toBe(-1);
  });
});

describe("Cache expiry", () => {
  test("an entry set with ttl T at time t is alive at t+T-1 and gone at t+T", () => {
    const { cache, clock } = make();
    const t = clock.now();
    cache.set("k", "v", { ttl: 100 });
    clock.set(t + 99);
    expect(cache.has("k")).toBe(true);
    expect(cache.ttl("k")).toBe(1);
    expect(cache.getString("k")).toBe("v");
    clock.set(t + 100);
    expect(cache.get("k")).toBeUndefined();
    expect(cache.getString("k")).toBeUndefined();
    expect(cache.has("k")).toBe(false);
    expect(cache.ttl("k")).toBe(-2);
    expect(cache.getMany(["k"])).toEqual([undefined]);
    expect(scanAll(cache)).toEqual([]);
  });

  test("ttl is -2 when missing, -1 without expiry, else the ms left", () => {
    const { cache, clock } = make();
    expect(cache.ttl("k")).toBe(-2);
    cache.set("k", "v");
    expect(cache.ttl("k")).toBe(-1);
    cache.set("k", "v", { ttl: 5000 });
    expect(cache.ttl("k")).toBe(5000);
    clock.advance(1234);
    expect(cache.ttl("k")).toBe(3766);
  });

  test("the default ttl applies to sets without one; ttl 0 in a set means no expiry", () => {
    const { cache, clock } = make({ ttl: 1000 });
    cache.set("default", "v");
    cache.set("own", "v", { ttl: 50 });
    cache.set("forever", "v", { ttl: 0 });
    expect(cache.ttl("default")).toBe(1000);
    clock.advance(50);
    expect(cache.has("own")).toBe(false);
    clock.advance(950);
    expect(cache.has("default")).toBe(false);
    expect(cache.ttl("forever")).toBe(-1);
  });

  test("a plain set clears an earlier expiry, as in Redis", () => {
    const { cache } = make();
    cache.set("k", "v", { ttl: 100 });
    cache.set("k", "w");
    expect(cache.ttl("k")).toBe(-1);
  });

  test("expire sets the ms left; 0 or less deletes and returns whether the key existed", () => {
    const { cache, clock } = make();
    expect(cache.expire("missing", 100)).toBe(false);
    cache.set("k", "v");
    expect(cache.expire("k", 100)).toBe(true);
    expect(cache.ttl("k")).toBe(100);
    clock.advance(99);
    expect(cache.has("k")).toBe(true);
    clock.advance(1);
    expect(cache.has("k")).toBe(false);
    cache.set("z", "v");
    expect(cache.expire("z", 0)).toBe(true);
    expect(cache.has("z")).toBe(false);
    cache.set("n", "v");
    expect(cache.expire("n", -50)).toBe(true);
    expect(cache.has("n")).toBe(false);
    expect(cache.expire("n", -50)).toBe(false);
  });

  test("persist removes the expiry", () => {
    const { cache, clock } = make();
    expect(cache.persist("missing")).toBe(false);
    cache.set("k", "v", { ttl: 10 });
    expect(cache.persist("k")).toBe(true);
    expect(cache.persist("k")).toBe(false);
    clock.advance(1000);
    expect(cache.getString("k")).toBe("v");
    expect(cache.ttl("k")).toBe(-1);
  });
});

describe("Cache background upkeep and the real clock", () => {
  test("expired entries are reclaimed in the background without being read", async () => {
    const clock = fakeClock();
    const cache = new Cache({ now: clock.now, sweepIntervalMs: 5 });
    open.push(cache);
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, "v", { ttl: 10 });
    cache.set("stays", "v");
    clock.advance(10);
    const deadline = Date.now() + 5000;
    while (cache.stats().expired < 100 && Date.now() < deadline) await Bun.sleep(5);
    expect(cache.stats().expired).toBe(100);
    expect(cache.size).toBe(1);
  });

  test("with the default clock an entry expires in real time", async () => {
    const cache = new Cache();
    open.push(cache);
    cache.set("k", "v", { ttl: 20 });
    expect(cache.getString("k")).toBe("v");
    const deadline = Date.now() + 5000;
    while (cache.has("k") && Date.now() < deadline) await Bun.sleep(5);
    expect(cache.has("k")).toBe(false);
    expect(cache.ttl("k")).toBe(-2);
  });
});

describe("Cache incr", () => {
  test("starts a missing key from 0 and adds by", () => {
    const { cache } = make();
    expect(cache.incr("n")).toBe(1);
    expect(cache.incr("n", 10)).toBe(11);
    expect(cache.incr("n", -20)).toBe(-9);
    expect(cache.getString("n")).toBe("-9");
    expect(cache.incr("n", 0)).toBe(-9);
  });

  test("a counter created by incr gets the cache's default ttl, like any new entry", () => {
    const { cache } = make({ ttl: 1000 });
    expect(cache.incr("n")).toBe(1);
    expect(cache.ttl("n")).toBe(1000);
  });

  test("works on an integer stored as a string and keeps its expiry", () => {
    const { cache } = make();
    cache.set("n", "41", { ttl: 5000 });
    expect(cache.incr("n")).toBe(42);
    expect(cache.ttl("n")).toBe(5000);
  });

  test.each(["abc", "", "1.5", " 1", "1 ", "+1", "01", "-0", "1e3", "0x10", "99999999999999999999"])(
    "a value of %p is not an integer: it throws and changes nothing",
    (bad) => {
      const { cache } = make();
      cache.set("n", bad);
      expect(() => cache.incr("n")).toThrow(/integer/);
      expect(cache.getString("n")).toBe(bad);
    },
  );

  test("overflow past the safe integer range is a RangeError and changes nothing", () => {
    const { cache } = make();
    cache.set("n", String(Number.MAX_SAFE_INTEGER - 1));
    expect(cache.incr("n")).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => cache.incr("n")).toThrow(RangeError);
    expect(cache.getString("n")).toBe(String(Number.MAX_SAFE_INTEGER));
    cache.set("m", String(-Number.MAX_SAFE_INTEGER));
    expect(() => cache.incr("m", -1)).toThrow(RangeError);
    expect(cache.getString("m")).toBe(String(-Number.MAX_SAFE_INTEGER));
  });

  test("a non-integer by is rejected naming by", () => {
    const { cache } = make();
    for (const by of [1.5, Number.NaN, Infinity, "1" as unknown as number]) expect(() => cache.incr("n", by)).toThrow(/by/);
    expect(cache.has("n")).toBe(false);
  });
});

describe("Cache getOrSet", () => {
  test("concurrent callers share one loader call and get the same bytes; later calls hit", async () => {
    const { cache } = make();
    let calls = 0;
    const gate = Promise.withResolvers<string>();
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const waiters = [cache.getOrSet("k", loader), cache.getOrSet("k", loader), cache.getOrSet(enc.encode("k"), loader)];
    gate.resolve("loaded");
    const results = await Promise.all(waiters);
    expect(calls).toBe(1);
    for (const r of results) expect(dec.decode(r)).toBe("loaded");
    expect(cache.getString("k")).toBe("loaded");
    expect(dec.decode(await cache.getOrSet("k", loader))).toBe("loaded");
    expect(calls).toBe(1);
  });

  test("a synchronous loader works and its ttl option applies", async () => {
    const { cache, clock } = make();
    expect(dec.decode(await cache.getOrSet("k", () => enc.encode("sync"), { ttl: 10 }))).toBe("sync");
    expect(cache.ttl("k")).toBe(10);
    clock.advance(10);
    expect(dec.decode(await cache.getOrSet("k", () => "again"))).toBe("again");
  });

  test("a rejected loader rejects every waiter and caches nothing; the next call loads again", async () => {
    const { cache } = make();
    let calls = 0;
    const gate = Promise.withResolvers<string>();
    const failing = () => {
      calls++;
      return gate.promise;
    };
    const a = cache.getOrSet("k", failing);
    const b = cache.getOrSet("k", failing);
    gate.reject(new Error("backend down"));
    expect(a).rejects.toThrow("backend down");
    expect(b).rejects.toThrow("backend down");
    await Promise.allSettled([a, b]);
    expect(calls).toBe(1);
    expect(cache.has("k")).toBe(false);
    expect(dec.decode(await cache.getOrSet("k", () => "ok"))).toBe("ok");
  });

  test("a loader that throws synchronously rejects and caches nothing", async () => {
    const { cache } = make();
    const p = cache.getOrSet("k", () => {
      throw new Error("sync failure");
    });
    expect(p).rejects.toThrow("sync failure");
    await Promise.allSettled([p]);
    expect(cache.has("k")).toBe(false);
  });

  test("a loader that resolves to something other than a string or bytes rejects with a TypeError", async () => {
    const { cache } = make();
    const p = cache.getOrSet("k", () => 42 as unknown as string);
    expect(p).rejects.toThrow(TypeError);
    await Promise.allSettled([p]);
    expect(cache.has("k")).toBe(false);
  });

  test("a loader that is not a function is a TypeError", async () => {
    const { cache } = make();
    let error: unknown;
    try {
      await cache.getOrSet("k", "value" as unknown as () => string);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/loader/);
  });
});

describe("Cache eviction", () => {
  test("with maxEntries N the cache never holds more than N entries", () => {
    const { cache } = make({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) {
      cache.set(`k${i}`, `v${i}`);
      if (i % 3 === 0) cache.get(`k${i >> 1}`);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.stats().evictions).toBe(10_000 - 100);
  });

  test("noeviction: a set that does not fit throws a RangeError about memory and changes nothing", () => {
    const { cache } = make({ maxEntries: 3, eviction: "noeviction" });
    cache.set("a", "1");
    cache.set("b", "2");
    cache.set("c", "3");
    expect(() => cache.set("d", "4")).toThrow(RangeError);
    expect(() => cache.set("d", "4")).toThrow(/memory|capacity/i);
    expect(() => cache.incr("counter")).toThrow(RangeError);
    expect(cache.size).toBe(3);
    expect(cache.has("d")).toBe(false);
    expect(cache.set("a", "updated")).toBe(true);
    expect(cache.getString("a")).toBe("updated");
  });

  test("lru evicts the least recently used key, where get counts as use and has does not", () => {
    const { cache } = make({ maxEntries: 3, eviction: "lru" });
    cache.set("a", "1");
    cache.set("b", "2");
    cache.set("c", "3");
    cache.get("a"); // b c a
    cache.set("d", "4"); // evicts b
    expect(scanAll(cache).sort()).toEqual(["a", "c", "d"]);
    cache.getString("c"); // a d c
    cache.has("a"); // no change
    cache.set("e", "5"); // evicts a
    expect(scanAll(cache).sort()).toEqual(["c", "d", "e"]);
    cache.set("d", "4'"); // c e d
    cache.set("f", "6"); // evicts c
    expect(scanAll(cache).sort()).toEqual(["d", "e", "f"]);
  });

  test("the default policy keeps a frequently read key through a stream of one-hit keys", () => {
    const { cache } = make({ maxEntries: 100 });
    cache.set("hot", "v");
    cache.get("hot");
    for (let i = 0; i < 50_000; i++) {
      cache.set(`once:${i}`, "v");
      if (i % 250 === 0) cache.get("hot");
    }
    expect(cache.getString("hot")).toBe("v");
  });

  test("maxMemory is respected by the stats' usedBytes", () => {
    const { cache } = make({ maxMemory: 100_000 });
    for (let i = 0; i < 5000; i++) cache.set(`key:${i}`, "x".repeat(i % 500));
    expect(cache.stats().usedBytes).toBeLessThanOrEqual(100_000);
    expect(cache.stats().evictions).toBeGreaterThan(0);
  });
});

describe("Cache stats", () => {
  test("hits and misses count get and getString, not has", () => {
    const { cache } = make();
    cache.set("a", "1");
    cache.get("a");
    cache.getString("a");
    cache.get("missing");
    cache.has("a");
    cache.has("missing");
    const s = cache.stats();
    expect(s.hits).toBe(2);
    expect(s.misses).toBe(1);
  });

  test("sets, deletes, evictions, expired and entries are counted", () => {
    const { cache, clock } = make({ maxEntries: 2 });
    cache.set("a", "1", { ttl: 10 });
    cache.set("b", "2");
    cache.set("b", "3");
    cache.set("c", "4"); // evicts one
    cache.delete("b");
    cache.delete("b");
    cache.set("d", "5", { ttl: 10 });
    clock.advance(10);
    cache.get("d"); // expired
    const s = cache.stats();
    expect(s.sets).toBe(5);
    expect(s.deletes).toBeGreaterThanOrEqual(1);
    expect(s.evictions).toBe(1);
    expect(s.expired).toBeGreaterThanOrEqual(1);
    expect(s.entries).toBe(cache.size);
  });

  test("memoryBytes is positive, grows with data and comes back near the start after clear", () => {
    const { cache } = make();
    const start = cache.stats().memoryBytes;
    expect(start).toBeGreaterThan(0);
    for (let i = 0; i < 20_000; i++) cache.set(`key:${i}`, "v".repeat(200));
    expect(cache.stats().memoryBytes).toBeGreaterThan(start + 20_000 * 200);
    cache.clear();
    for (let i = 0; i < 1000; i++) {
      cache.set(`again:${i}`, "v");
      cache.delete(`again:${i}`);
    }
    expect(cache.stats().memoryBytes).toBeLessThanOrEqual(start * 1.5);
  });

  test("1M sets and deletes of changing keys in a window of 1000 do not grow memory without bound", () => {
    const { cache } = make();
    const start = cache.stats().memoryBytes;
    let peak = 0;
    for (let i = 0; i < 1_000_000; i++) {
      cache.set(`session:${i}`, `payload for ${i}`);
      if (i >= 1000) cache.delete(`session:${i - 1000}`);
      if (i % 50_000 === 0) peak = Math.max(peak, cache.stats().memoryBytes);
    }
    expect(cache.size).toBe(1000);
    expect(peak).toBeLessThan(start + 8 * 1024 * 1024);
    expect(cache.getString("session:999999")).toBe("payload for 999999");
  }, 60_000);
});

describe("Cache scan", () => {
  test("returns every key once and ends with cursor 0", () => {
    const { cache } = make();
    for (let i = 0; i < 3000; i++) cache.set(`k${i}`, "v");
    const keys = scanAll(cache);
    expect(keys.length).toBe(3000);
    expect(new Set(keys).size).toBe(3000);
    const [cursor, batch] = make().cache.scan(0);
    expect([cursor, batch]).toEqual([0, []]);
  });

  test("match uses Redis glob rules", () => {
    const { cache } = make();
    for (const k of ["user:1", "user:2", "user:10", "admin:1", "user:x", "user*", "User:3"]) cache.set(k, "v");
    expect(scanAll(cache, "user:*").sort()).toEqual(["user:1", "user:10", "user:2", "user:x"]);
    expect(scanAll(cache, "user:?").sort()).toEqual(["user:1", "user:2", "user:x"]);
    expect(scanAll(cache, "user:[0-9]").sort()).toEqual(["user:1", "user:2"]);
    expect(scanAll(cache, "user:[^0-9]")).toEqual(["user:x"]);
    expect(scanAll(cache, "user\\*")).toEqual(["user*"]);
    expect(scanAll(cache, "[uU]ser:3")).toEqual(["User:3"]);
    expect(scanAll(cache, "nothing*")).toEqual([]);
  });

  test("keys present for the whole scan are returned even while thousands are inserted between calls", () => {
    const { cache } = make();
    for (let i = 0; i < 1000; i++) cache.set(`stable:${i}`, "v");
    const seen = new Set<string>();
    let cursor = 0;
    let calls = 0;
    do {
      const [next, keys] = cache.scan(cursor, { count: 25 });
      for (const k of keys) seen.add(k);
      cursor = next;
      if (calls < 10) for (let j = 0; j < 2000; j++) cache.set(`grow:${calls}:${j}`, "v");
      expect(++calls).toBeLessThan(100_000);
    } while (cursor !== 0);
    for (let i = 0; i < 1000; i++) expect(seen.has(`stable:${i}`)).toBe(true);
  });

  test("UTF-8 keys, with zero bytes and multi-byte characters, come back from scan usable as keys", () => {
    const { cache } = make();
    const keys = ["plain", "é", "日本", "🎉", "a\u0000b", ""];
    for (const k of keys) cache.set(k, `value of ${k}`);
    const scanned = scanAll(cache);
    expect(scanned.sort()).toEqual([...keys].sort());
    for (const k of scanned) expect(cache.getString(k)).toBe(`value of ${k}`);
  });

  test("a bad cursor or count is rejected naming it", () => {
    const { cache } = make();
    expect(() => cache.scan(-1)).toThrow(/cursor/);
    expect(() => cache.scan(1.5)).toThrow(/cursor/);
    expect(() => cache.scan(0, { count: 0 })).toThrow(/count/);
  });
});
