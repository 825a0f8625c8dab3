// The embedded read path for string keys: short ASCII keys are hashed and compared straight from
// the JS string (hashAscii, findAscii), everything else is encoded; and getString's front of
// decoded hot values (src/engine/hot-values.ts) stays coherent with every way a value changes or
// leaves: set, delete, expiry (lazy and swept), eviction, collections, clear.
import { afterEach, expect, test } from "bun:test";
import { hashAscii, hashBytes, ASCII_KEY_MAX } from "../../src/engine/bytes.ts";
import { Cache, type CacheOptions } from "../../src/index.ts";
import { fakeClock, seededRandom, type FakeClock } from "../support/fake-clock.ts";

const enc = new TextEncoder();
const open: Cache[] = [];
afterEach(() => {
  for (const c of open.splice(0)) void c.close();
});

function make(opts: Omit<CacheOptions, "now"> = {}): { cache: Cache; clock: FakeClock } {
  const clock = fakeClock();
  const cache = new Cache({ sweepIntervalMs: 0, ...opts, now: clock.now });
  open.push(cache);
  return { cache, clock };
}

function randomKey(rnd: () => number, maxLen: number, exotic: number): string {
  const alphabet = ["é", "€", "😀", "\u0080", "\u00ff", "\u0000", "\u007f"];
  const len = Math.floor(rnd() * maxLen);
  let s = "";
  for (let i = 0; i < len; i++) s += rnd() < exotic ? alphabet[Math.floor(rnd() * alphabet.length)]! : String.fromCharCode(Math.floor(rnd() * 128));
  return s;
}

test("hashAscii equals hashBytes of the UTF-8 bytes for short ASCII keys and refuses the rest", () => {
  const rnd = seededRandom(7);
  let ascii = 0;
  let refused = 0;
  for (let n = 0; n < 5000; n++) {
    const s = randomKey(rnd, 90, 0.05);
    const bytes = enc.encode(s);
    const h = hashAscii(s);
    const isShortAscii = s.length <= ASCII_KEY_MAX && bytes.length === s.length;
    if (isShortAscii) {
      expect(h).toBe(hashBytes(bytes));
      ascii++;
    } else {
      expect(h).toBe(-1);
      refused++;
    }
  }
  expect(ascii).toBeGreaterThan(1000);
  expect(refused).toBeGreaterThan(1000);
});

test("a key given as a string or as its UTF-8 bytes is the same entry, ASCII or not, short or long", () => {
  const { cache } = make();
  const rnd = seededRandom(11);
  const model = new Map<string, string>();
  for (let n = 0; n < 3000; n++) {
    const k = randomKey(rnd, 100, 0.1);
    const v = `v${n}`;
    if (rnd() < 0.5) cache.set(k, v);
    else cache.set(enc.encode(k), enc.encode(v));
    model.set(k, v);
  }
  for (const [k, v] of model) {
    expect(cache.getString(k)).toBe(v);
    expect(cache.getString(enc.encode(k))).toBe(v);
    expect(new TextDecoder().decode(cache.get(k)!)).toBe(v);
    expect(cache.has(k)).toBe(true);
    expect(cache.has(enc.encode(k))).toBe(true);
  }
  // Keys of the same length and hash bucket that differ in one char are told apart.
  expect(cache.getString("k".repeat(16))).toBeUndefined();
  cache.set("abcdefgh", "1");
  expect(cache.getString("abcdefgi")).toBeUndefined();
  expect(cache.getString("abcdefgh")).toBe("1");
  expect(cache.keyspace.checkInvariants()).toEqual([]);
});

test("the hot front follows overwrites, deletes, expiry, persist and clear", () => {
  const { cache, clock } = make();
  cache.set("a", "one");
  expect(cache.getString("a")).toBe("one");
  expect(cache.getString("a")).toBe("one"); // second read from the front
  cache.set("a", "two");
  expect(cache.getString("a")).toBe("two");
  cache.set(enc.encode("a"), enc.encode("three-and-longer")); // a new record elsewhere
  expect(cache.getString("a")).toBe("three-and-longer");
  cache.incr("n", 5);
  expect(cache.getString("n")).toBe("5");
  cache.incr("n", 1);
  expect(cache.getString("n")).toBe("6");
  expect(cache.delete("a")).toBe(true);
  expect(cache.getString("a")).toBeUndefined();
  // The freed slot is reused by the next key: it must not see the old value.
  cache.set("b", "bee");
  expect(cache.getString("b")).toBe("bee");

  cache.set("t", "ttl-value", { ttl: 100 });
  expect(cache.getString("t")).toBe("ttl-value");
  clock.advance(99);
  expect(cache.getString("t")).toBe("ttl-value");
  clock.advance(1);
  expect(cache.getString("t")).toBeUndefined(); // exact: the front never answers alone
  cache.set("t", "again", { ttl: 50 });
  expect(cache.getString("t")).toBe("again");
  expect(cache.persist("t")).toBe(true);
  clock.advance(1000);
  expect(cache.getString("t")).toBe("again");
  expect(cache.expire("t", 0)).toBe(true);
  expect(cache.getString("t")).toBeUndefined();

  cache.set("s", "swept", { ttl: 10 });
  expect(cache.getString("s")).toBe("swept");
  clock.advance(10);
  expect(cache.keyspace.sweepExpired(10_000)).toBeGreaterThan(0);
  cache.set("s2", "fresh");
  expect(cache.getString("s")).toBeUndefined();
  expect(cache.getString("s2")).toBe("fresh");

  cache.clear();
  expect(cache.getString("b")).toBeUndefined();
  cache.set("b", "after clear");
  expect(cache.getString("b")).toBe("after clear");
});

test("a key turned into a collection or a bitmap is not served a stale string", () => {
  const { cache } = make();
  cache.set("k", "string");
  expect(cache.getString("k")).toBe("string");
  cache.delete("k");
  cache.hset("k", { f: "v" });
  expect(cache.hgetString("k", "f")).toBe("v");
  cache.delete("k");
  cache.set("k", "string again");
  expect(cache.getString("k")).toBe("string again");
  cache.set("bits", "\u0000");
  expect(cache.getString("bits")).toBe("\u0000");
  cache.setbit("bits", 1, 1);
  expect(cache.getString("bits")).toBe("@");
});

test("under eviction every getString answer matches a model, with the front hot", () => {
  for (const eviction of ["s3fifo", "lru"] as const) {
    const { cache, clock } = make({ maxEntries: 64, eviction });
    const rnd = seededRandom(eviction === "lru" ? 3 : 5);
    const written = new Map<string, string>(); // last value set per key (a key may be evicted)
    for (let n = 0; n < 20_000; n++) {
      const k = `k${Math.floor(rnd() * 200)}`;
      const r = rnd();
      if (r < 0.3) {
        const v = `v${n}`;
        cache.set(k, v, rnd() < 0.2 ? { ttl: 1 + Math.floor(rnd() * 20) } : undefined);
        written.set(k, v);
      } else if (r < 0.35) {
        cache.delete(k);
        written.delete(k);
      } else if (r < 0.37) {
        clock.advance(Math.floor(rnd() * 5));
      } else {
        const got = cache.getString(k);
        if (got !== undefined) expect(got).toBe(written.get(k)!);
        const bytes = cache.get(k);
        expect(bytes === undefined ? undefined : new TextDecoder().decode(bytes)).toBe(got);
      }
      expect(cache.size).toBeLessThanOrEqual(64);
    }
    expect(cache.stats().evictions).toBeGreaterThan(0);
    expect(cache.keyspace.checkInvariants()).toEqual([]);
  }
});
