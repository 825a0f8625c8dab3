// Keyspace basics: set/lookup/delete, flags, expiry at exact boundaries, byte-exact keys and values,
// and the usedBytes/entryBytes accounting.
import { describe, expect, test } from "bun:test";
import { ENTRY_OVERHEAD, Keyspace } from "../../src/engine/keyspace.ts";
import { SetFlag, Status, ValueType } from "../../src/engine/types.ts";
import { fakeClock } from "../support/fake-clock.ts";
import { allKeys, b, expectConsistent, keyspace, str } from "./keyspace-helpers.ts";

describe("Keyspace set, lookup and delete", () => {
  test("a stored value reads back byte for byte through every accessor", () => {
    const { ks } = keyspace();
    expect(ks.set(b("greeting"), b("hello"))).toBe(Status.Ok);
    const slot = ks.lookup(b("greeting"));
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(str(ks.valueView(slot))).toBe("hello");
    expect(str(ks.keyView(slot))).toBe("greeting");
    const page = ks.valuePage(slot);
    const off = ks.valueOffset(slot);
    expect(str(page.subarray(off, off + ks.valueLength(slot)))).toBe("hello");
    expect(ks.valueLength(slot)).toBe(5);
    expect(ks.typeOf(slot)).toBe(ValueType.String);
    expect(ks.expireAt(slot)).toBe(0);
    expect(str(ks.get(b("greeting")))).toBe("hello");
    expect(ks.size).toBe(1);
    expectConsistent(ks);
  });

  test("get returns a copy that later writes do not change", () => {
    const { ks } = keyspace();
    ks.set(b("k"), b("one"));
    const copy = ks.get(b("k"))!;
    ks.set(b("k"), b("two"));
    ks.set(b("other"), b("xxx"));
    expect(str(copy)).toBe("one");
    expect(str(ks.get(b("k")))).toBe("two");
  });

  test("a missing key gives -1 and undefined", () => {
    const { ks } = keyspace();
    expect(ks.lookup(b("nope"))).toBe(-1);
    expect(ks.peek(b("nope"))).toBe(-1);
    expect(ks.get(b("nope"))).toBeUndefined();
    expect(ks.delete(b("nope"))).toBe(false);
  });

  test("overwriting replaces the value, keeps one entry, and can grow or shrink it", () => {
    const { ks } = keyspace();
    ks.set(b("k"), b("short"));
    ks.set(b("k"), b("x".repeat(5000)));
    expect(str(ks.get(b("k")))).toBe("x".repeat(5000));
    ks.set(b("k"), b(""));
    expect(str(ks.get(b("k")))).toBe("");
    expect(ks.size).toBe(1);
    expectConsistent(ks);
  });

  test("delete removes the key and reports whether it existed", () => {
    const { ks } = keyspace();
    ks.set(b("a"), b("1"));
    ks.set(b("b"), b("2"));
    expect(ks.delete(b("a"))).toBe(true);
    expect(ks.delete(b("a"))).toBe(false);
    expect(ks.get(b("a"))).toBeUndefined();
    expect(str(ks.get(b("b")))).toBe("2");
    expect(ks.size).toBe(1);
    expectConsistent(ks);
  });

  test("NX sets only a missing key and XX only an existing one", () => {
    const { ks } = keyspace();
    expect(ks.set(b("k"), b("1"), 0, SetFlag.XX)).toBe(Status.NotFound);
    expect(ks.get(b("k"))).toBeUndefined();
    expect(ks.set(b("k"), b("1"), 0, SetFlag.NX)).toBe(Status.Ok);
    expect(ks.set(b("k"), b("2"), 0, SetFlag.NX)).toBe(Status.Exists);
    expect(str(ks.get(b("k")))).toBe("1");
    expect(ks.set(b("k"), b("3"), 0, SetFlag.XX)).toBe(Status.Ok);
    expect(str(ks.get(b("k")))).toBe("3");
  });

  test("NX succeeds on a key that has expired but was not reclaimed yet", () => {
    const { ks, clock } = keyspace();
    ks.set(b("k"), b("old"), clock.now() + 10);
    clock.advance(10);
    expect(ks.set(b("k"), b("new"), 0, SetFlag.NX)).toBe(Status.Ok);
    expect(str(ks.get(b("k")))).toBe("new");
    expect(ks.set(b("gone"), b("x"), clock.now() + 5)).toBe(Status.Ok);
    clock.advance(5);
    expect(ks.set(b("gone"), b("y"), 0, SetFlag.XX)).toBe(Status.NotFound);
    expectConsistent(ks);
  });

  test("KEEPTTL keeps the existing expiry and a plain set clears it", () => {
    const { ks, clock } = keyspace();
    const at = clock.now() + 1000;
    ks.set(b("k"), b("1"), at);
    ks.set(b("k"), b("2"), 0, SetFlag.KEEPTTL);
    expect(ks.expireAt(ks.peek(b("k")))).toBe(at);
    ks.set(b("k"), b("3"));
    expect(ks.expireAt(ks.peek(b("k")))).toBe(0);
    ks.set(b("fresh"), b("1"), 0, SetFlag.KEEPTTL);
    expect(ks.expireAt(ks.peek(b("fresh")))).toBe(0);
  });

  test("the type tag is stored and replaced with the value", () => {
    const { ks } = keyspace();
    ks.set(b("h"), b("x"), 0, 0, ValueType.Hash);
    expect(ks.typeOf(ks.peek(b("h")))).toBe(ValueType.Hash);
    ks.set(b("h"), b("y"));
    expect(ks.typeOf(ks.peek(b("h")))).toBe(ValueType.String);
  });

  test("clear removes everything and the keyspace stays usable", () => {
    const { ks } = keyspace();
    for (let i = 0; i < 3000; i++) ks.set(b(`k${i}`), b(`v${i}`));
    ks.clear();
    expect(ks.size).toBe(0);
    expect(ks.get(b("k1"))).toBeUndefined();
    expect(ks.stats().usedBytes).toBe(0);
    ks.set(b("k1"), b("again"));
    expect(str(ks.get(b("k1")))).toBe("again");
    expectConsistent(ks);
  });

  test("many keys survive index growth and deletes in between", () => {
    const { ks } = keyspace({ initialCapacity: 16 });
    for (let i = 0; i < 20_000; i++) ks.set(b(`key:${i}`), b(`value:${i}`));
    for (let i = 0; i < 20_000; i += 3) expect(ks.delete(b(`key:${i}`))).toBe(true);
    for (let i = 0; i < 20_000; i++) {
      expect(str(ks.get(b(`key:${i}`)))).toBe(i % 3 === 0 ? undefined : `value:${i}`);
    }
    expect(ks.size).toBe(20_000 - Math.ceil(20_000 / 3));
    expect(new Set(allKeys(ks)).size).toBe(ks.size);
    expectConsistent(ks);
  });
});

describe("Keyspace expiry", () => {
  test("an entry with expiry t+T is alive at t+T-1 and gone at t+T", () => {
    const { ks, clock } = keyspace();
    const t = clock.now();
    ks.set(b("k"), b("v"), t + 100);
    clock.set(t + 99);
    expect(ks.lookup(b("k"))).toBeGreaterThanOrEqual(0);
    expect(ks.peek(b("k"))).toBeGreaterThanOrEqual(0);
    clock.set(t + 100);
    expect(ks.peek(b("k"))).toBe(-1);
    expect(ks.lookup(b("k"))).toBe(-1);
    expect(ks.get(b("k"))).toBeUndefined();
    expect(ks.size).toBe(0);
    expectConsistent(ks);
  });

  test("lookup of an expired key counts a miss and an expiry", () => {
    const { ks, clock } = keyspace();
    ks.set(b("k"), b("v"), clock.now() + 1);
    clock.advance(1);
    expect(ks.get(b("k"))).toBeUndefined();
    const s = ks.stats();
    expect(s.misses).toBe(1);
    expect(s.hits).toBe(0);
    expect(s.expired).toBe(1);
    expect(s.entries).toBe(0);
  });

  test("a set whose expiry is not in the future stores nothing and removes an old value", () => {
    const { ks, clock } = keyspace();
    expect(ks.set(b("k"), b("v"), clock.now())).toBe(Status.Ok);
    expect(ks.get(b("k"))).toBeUndefined();
    ks.set(b("k"), b("v"));
    expect(ks.set(b("k"), b("w"), clock.now() - 5)).toBe(Status.Ok);
    expect(ks.get(b("k"))).toBeUndefined();
    expect(ks.size).toBe(0);
    expectConsistent(ks);
  });

  test("expire sets an absolute time, and a time not in the future deletes", () => {
    const { ks, clock } = keyspace();
    expect(ks.expire(b("missing"), clock.now() + 10)).toBe(false);
    ks.set(b("k"), b("v"));
    expect(ks.expire(b("k"), clock.now() + 50)).toBe(true);
    expect(ks.expireAt(ks.peek(b("k")))).toBe(clock.now() + 50);
    clock.advance(49);
    expect(ks.peek(b("k"))).toBeGreaterThanOrEqual(0);
    expect(ks.expire(b("k"), clock.now())).toBe(true);
    expect(ks.peek(b("k"))).toBe(-1);
    expect(ks.expire(b("k"), clock.now() + 10)).toBe(false);
    expectConsistent(ks);
  });

  test("persist removes the expiry and reports whether there was one", () => {
    const { ks, clock } = keyspace();
    expect(ks.persist(b("missing"))).toBe(false);
    ks.set(b("k"), b("v"));
    expect(ks.persist(b("k"))).toBe(false);
    ks.expire(b("k"), clock.now() + 10);
    expect(ks.persist(b("k"))).toBe(true);
    clock.advance(1000);
    expect(str(ks.get(b("k")))).toBe("v");
    expect(ks.expireAt(ks.peek(b("k")))).toBe(0);
    expectConsistent(ks);
  });

  test("persist and expire on a key that has just expired act as if it were missing", () => {
    const { ks, clock } = keyspace();
    ks.set(b("k"), b("v"), clock.now() + 10);
    clock.advance(10);
    expect(ks.persist(b("k"))).toBe(false);
    ks.set(b("j"), b("v"), clock.now() + 10);
    clock.advance(10);
    expect(ks.expire(b("j"), clock.now() + 1000)).toBe(false);
    expect(ks.get(b("j"))).toBeUndefined();
    expect(ks.delete(b("j"))).toBe(false);
  });
});

describe("Keyspace bytes", () => {
  test("binary keys with zero bytes are distinct from their prefixes", () => {
    const { ks } = keyspace();
    const k1 = new Uint8Array([0]);
    const k2 = new Uint8Array([0, 0]);
    const k3 = new Uint8Array([0x61, 0, 0x62]);
    const k4 = new Uint8Array([0x61]);
    ks.set(k1, b("one"));
    ks.set(k2, b("two"));
    ks.set(k3, new Uint8Array([0, 255, 0]));
    ks.set(k4, b("a"));
    expect(str(ks.get(k1))).toBe("one");
    expect(str(ks.get(k2))).toBe("two");
    expect(Array.from(ks.get(k3)!)).toEqual([0, 255, 0]);
    expect(str(ks.get(k4))).toBe("a");
    expect(ks.get(new Uint8Array([0x61, 0]))).toBeUndefined();
    expect(Array.from(ks.keyView(ks.peek(k3)))).toEqual([0x61, 0, 0x62]);
  });

  test("the empty key and the empty value are ordinary entries", () => {
    const { ks } = keyspace();
    expect(ks.set(new Uint8Array(0), new Uint8Array(0))).toBe(Status.Ok);
    const slot = ks.lookup(new Uint8Array(0));
    expect(slot).toBeGreaterThanOrEqual(0);
    expect(ks.valueLength(slot)).toBe(0);
    expect(ks.get(new Uint8Array(0))).toEqual(new Uint8Array(0));
    expect(ks.delete(new Uint8Array(0))).toBe(true);
  });

  test("values of 1 MiB, 1 MiB+1 and lengths around the header size boundaries read back exactly", () => {
    const { ks } = keyspace();
    const sizes = [127, 128, 129, 255, 256, 65_535, 65_536, 512 * 1024 - 1, 512 * 1024, 1 << 20, (1 << 20) + 1, 3 << 20];
    const pattern = (n: number, seed: number): Uint8Array => {
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) v[i] = (i * 31 + seed) & 255;
      return v;
    };
    sizes.forEach((n, i) => expect(ks.set(b(`v${n}`), pattern(n, i))).toBe(Status.Ok));
    sizes.forEach((n, i) => expect(ks.get(b(`v${n}`))).toEqual(pattern(n, i)));
    const longKey = pattern(300, 7);
    ks.set(longKey, b("long key"));
    expect(str(ks.get(longKey))).toBe("long key");
    expect(ks.keyView(ks.peek(longKey))).toEqual(longKey);
    for (const n of sizes) expect(ks.delete(b(`v${n}`))).toBe(true);
    expectConsistent(ks);
  });

  test("a value is stored as a copy: changing the caller's array later changes nothing", () => {
    const { ks } = keyspace();
    const key = b("k");
    const value = b("abc");
    ks.set(key, value);
    value[0] = 0x7a;
    key[0] = 0x7a;
    expect(str(ks.get(b("k")))).toBe("abc");
  });
});

describe("Keyspace accounting", () => {
  test("entryBytes covers key, value and overhead, and usedBytes is their sum", () => {
    const { ks } = keyspace();
    ks.set(b("a"), b("x".repeat(100)));
    ks.set(b("bb"), b("y".repeat(1000)));
    const ea = ks.entryBytes(ks.peek(b("a")));
    const eb = ks.entryBytes(ks.peek(b("bb")));
    expect(ea).toBeGreaterThanOrEqual(1 + 100 + ENTRY_OVERHEAD);
    expect(eb).toBeGreaterThanOrEqual(2 + 1000 + ENTRY_OVERHEAD);
    expect(eb).toBeLessThan(2 + 1000 + ENTRY_OVERHEAD + 16);
    expect(ks.stats().usedBytes).toBe(ea + eb);
  });

  test("usedBytes returns to 0 after deleting, expiring or overwriting everything", () => {
    const { ks, clock } = keyspace();
    for (let i = 0; i < 5000; i++) ks.set(b(`k${i}`), b("v".repeat(i % 300)), i % 2 ? clock.now() + 100 : 0);
    for (let i = 0; i < 5000; i += 2) ks.set(b(`k${i}`), b("w".repeat((i * 7) % 500)));
    expect(ks.stats().usedBytes).toBeGreaterThan(0);
    expectConsistent(ks);
    clock.advance(100);
    let guard = 0;
    while (ks.sweepExpired(1000) > 0 || ks.size > 2500) if (++guard > 1000) break;
    for (let i = 0; i < 5000; i += 2) expect(ks.delete(b(`k${i}`))).toBe(true);
    expect(ks.size).toBe(0);
    expect(ks.stats().usedBytes).toBe(0);
    expectConsistent(ks);
  });

  test("memoryBytes is positive, grows with data and shrinks after clear", () => {
    const { ks } = keyspace();
    const empty = ks.stats().memoryBytes;
    expect(empty).toBeGreaterThan(0);
    for (let i = 0; i < 50_000; i++) ks.set(b(`key:${i}`), b("v".repeat(100)));
    const full = ks.stats().memoryBytes;
    expect(full).toBeGreaterThan(empty + 50_000 * 100);
    ks.clear();
    expect(ks.stats().memoryBytes).toBeLessThanOrEqual(empty * 2);
  });

  test("stats count hits, misses, sets and deletes", () => {
    const { ks } = keyspace();
    ks.set(b("a"), b("1"));
    ks.set(b("a"), b("2"));
    ks.get(b("a"));
    ks.lookup(b("a"));
    ks.get(b("zz"));
    ks.peek(b("a"));
    ks.peek(b("zz"));
    ks.delete(b("a"));
    ks.delete(b("a"));
    const s = ks.stats();
    expect([s.hits, s.misses, s.sets, s.deletes, s.evictions, s.expired, s.entries]).toEqual([2, 1, 2, 1, 0, 0, 0]);
    ks.resetStats();
    expect(ks.stats().hits).toBe(0);
  });

  test("options are checked in the constructor and errors name the option", () => {
    const clock = fakeClock();
    expect(() => new Keyspace({ maxMemory: -1, now: clock.now })).toThrow(/maxMemory/);
    expect(() => new Keyspace({ maxEntries: 1.5, now: clock.now })).toThrow(/maxEntries/);
    expect(() => new Keyspace({ maxEntries: Number.NaN, now: clock.now })).toThrow(/maxEntries/);
    expect(() => new Keyspace({ policy: "random" as "lru", now: clock.now })).toThrow(/policy/);
    expect(() => new Keyspace({ now: 5 as unknown as () => number })).toThrow(/now/);
    const ks = new Keyspace({ now: clock.now });
    expect(() => ks.configure({ maxEntries: -3 })).toThrow(/maxEntries/);
    expect(ks.maxEntries).toBe(0);
  });
});
