// Keyspace limits and eviction: exact capacity, LRU order, S3-FIFO scan resistance, volatile-ttl,
// noeviction, values too large for maxMemory, and configure() at run time.
import { describe, expect, test } from "bun:test";
import { ENTRY_OVERHEAD } from "../../src/engine/keyspace.ts";
import { EVICTION_POLICIES, Status, type EvictionPolicy } from "../../src/engine/types.ts";
import { seededRandom } from "../support/fake-clock.ts";
import { allKeys, b, expectConsistent, keyspace, str } from "./keyspace-helpers.ts";

const EVICTING: EvictionPolicy[] = ["s3fifo", "lru", "volatile-ttl"];

describe("Keyspace capacity", () => {
  test.each(EVICTING)("%s: maxEntries N holds N entries without eviction and the N+1th evicts exactly one", (policy) => {
    const { ks } = keyspace({ maxEntries: 50, policy });
    for (let i = 0; i < 50; i++) expect(ks.set(b(`k${i}`), b("v"))).toBe(Status.Ok);
    expect(ks.size).toBe(50);
    expect(ks.stats().evictions).toBe(0);
    expect(ks.set(b("k50"), b("v"))).toBe(Status.Ok);
    expect(ks.size).toBe(50);
    expect(ks.stats().evictions).toBe(1);
    expect(ks.peek(b("k50"))).toBeGreaterThanOrEqual(0);
    expect(allKeys(ks).length).toBe(50);
    expectConsistent(ks);
  });

  test.each(EVICTING)("%s: a stream of writes never holds more than maxEntries", (policy) => {
    const { ks } = keyspace({ maxEntries: 100, policy });
    const rnd = seededRandom(7);
    for (let i = 0; i < 20_000; i++) {
      const k = b(`k${Math.floor(rnd() * 1000)}`);
      if (rnd() < 0.3) ks.get(k);
      else ks.set(k, b("v"));
      expect(ks.size).toBeLessThanOrEqual(100);
    }
    expectConsistent(ks);
  });

  test.each(EVICTING)("%s: usedBytes never exceeds maxMemory", (policy) => {
    const { ks, clock } = keyspace({ maxMemory: 64 * 1024, policy });
    const rnd = seededRandom(11);
    for (let i = 0; i < 20_000; i++) {
      const k = b(`key:${Math.floor(rnd() * 2000)}`);
      const st = ks.set(k, new Uint8Array(Math.floor(rnd() * 2000)), rnd() < 0.5 ? clock.now() + 1 + Math.floor(rnd() * 1e6) : 0);
      expect(st).toBe(Status.Ok);
      if (rnd() < 0.2) ks.get(k);
      expect(ks.stats().usedBytes).toBeLessThanOrEqual(64 * 1024);
    }
    expect(ks.stats().evictions).toBeGreaterThan(0);
    expectConsistent(ks);
  });

  test.each(EVICTING)("%s: overwriting a key with a larger value evicts others, never the key itself", (policy) => {
    const { ks } = keyspace({ maxMemory: 4096, policy });
    for (let i = 0; i < 30; i++) ks.set(b(`k${i}`), new Uint8Array(64));
    expect(ks.set(b("k0"), new Uint8Array(3000))).toBe(Status.Ok);
    expect(ks.get(b("k0"))?.length).toBe(3000);
    expect(ks.stats().usedBytes).toBeLessThanOrEqual(4096);
    expectConsistent(ks);
  });

  test.each([...EVICTION_POLICIES])("%s: a value larger than maxMemory is TooLarge and changes nothing", (policy) => {
    const { ks } = keyspace({ maxMemory: 1000, policy });
    ks.set(b("k"), b("small"));
    ks.set(b("other"), b("x"));
    expect(ks.set(b("big"), new Uint8Array(2000))).toBe(Status.TooLarge);
    expect(ks.set(b("k"), new Uint8Array(2000))).toBe(Status.TooLarge);
    expect(str(ks.get(b("k")))).toBe("small");
    expect(ks.peek(b("big"))).toBe(-1);
    expect(ks.size).toBe(2);
    expect(ks.stats().evictions).toBe(0);
    expectConsistent(ks);
  });

  test("an entry of exactly maxMemory bytes fits in an empty keyspace", () => {
    const { ks } = keyspace({ maxMemory: 1024 });
    // record = header(1 + 4) + key(1) + value, padded to 4; + ENTRY_OVERHEAD
    const value = new Uint8Array(1024 - ENTRY_OVERHEAD - 8);
    expect(ks.set(b("k"), value)).toBe(Status.Ok);
    expect(ks.stats().usedBytes).toBeLessThanOrEqual(1024);
    expect(ks.set(b("j"), b("1"))).toBe(Status.Ok);
    expect(ks.peek(b("k"))).toBe(-1);
    expect(ks.stats().usedBytes).toBeLessThanOrEqual(1024);
  });
});

describe("Keyspace noeviction", () => {
  test("a new key that does not fit is OutOfMemory and nothing changes", () => {
    const { ks } = keyspace({ maxEntries: 3, policy: "noeviction" });
    for (const k of ["a", "b", "c"]) ks.set(b(k), b(k));
    expect(ks.set(b("d"), b("d"))).toBe(Status.OutOfMemory);
    expect(ks.size).toBe(3);
    expect(ks.peek(b("d"))).toBe(-1);
    expect(ks.stats().evictions).toBe(0);
    expect(ks.set(b("a"), b("A"))).toBe(Status.Ok);
    expect(str(ks.get(b("a")))).toBe("A");
    ks.delete(b("b"));
    expect(ks.set(b("d"), b("d"))).toBe(Status.Ok);
    expectConsistent(ks);
  });

  test("growing a value past maxMemory is OutOfMemory and keeps the old value", () => {
    const { ks } = keyspace({ maxMemory: 2048, policy: "noeviction" });
    ks.set(b("a"), new Uint8Array(900).fill(1));
    ks.set(b("b"), new Uint8Array(900).fill(2));
    expect(ks.set(b("a"), new Uint8Array(1500))).toBe(Status.OutOfMemory);
    expect(ks.get(b("a"))).toEqual(new Uint8Array(900).fill(1));
    expect(ks.set(b("a"), new Uint8Array(10).fill(3))).toBe(Status.Ok);
    expectConsistent(ks);
  });
});

describe("Keyspace lru", () => {
  test("evicts the least recently used key, where a read or an overwrite counts as use", () => {
    const { ks } = keyspace({ maxEntries: 4, policy: "lru" });
    const evicted: string[] = [];
    const present = (): string[] => allKeys(ks).sort();
    for (const k of ["a", "b", "c", "d"]) ks.set(b(k), b(k));
    ks.get(b("a")); // order now b c d a
    ks.set(b("e"), b("e")); // evicts b
    expect(present()).toEqual(["a", "c", "d", "e"]);
    ks.lookup(b("c")); // d a e c
    ks.set(b("d"), b("D")); // overwrite: a e c d
    ks.set(b("f"), b("f")); // evicts a
    expect(present()).toEqual(["c", "d", "e", "f"]);
    ks.peek(b("e")); // peek does not count: e is still the oldest
    ks.set(b("g"), b("g")); // evicts e
    expect(present()).toEqual(["c", "d", "f", "g"]);
    for (const k of ["h", "i", "j"]) ks.set(b(k), b(k)); // evicts c d f
    expect(present()).toEqual(["g", "h", "i", "j"]);
    evicted.push(...["b", "a", "e"]);
    for (const k of evicted) expect(ks.peek(b(k))).toBe(-1);
    expect(ks.stats().evictions).toBe(6);
    expectConsistent(ks);
  });

  test("a deleted key leaves the order intact for the others", () => {
    const { ks } = keyspace({ maxEntries: 3, policy: "lru" });
    for (const k of ["a", "b", "c"]) ks.set(b(k), b(k));
    ks.delete(b("a"));
    ks.set(b("d"), b("d"));
    ks.set(b("e"), b("e")); // evicts b
    expect(allKeys(ks).sort()).toEqual(["c", "d", "e"]);
  });

  test("idleMs is tracked under lru once a limit is set", () => {
    const { ks } = keyspace({ policy: "lru", maxEntries: 1000 });
    ks.set(b("k"), b("v"));
    expect(ks.idleMs(ks.peek(b("k")))).toBeGreaterThanOrEqual(0);
  });
});

describe("Keyspace s3fifo", () => {
  function scanWithHotKeys(policy: EvictionPolicy): string[] {
    const { ks } = keyspace({ maxEntries: 100, policy });
    const hot = Array.from({ length: 10 }, (_, i) => `hot${i}`);
    for (const k of hot) ks.set(b(k), b("v"));
    for (const k of hot) ks.get(b(k));
    for (let i = 0; i < 20_000; i++) {
      ks.set(b(`once:${i}`), b("v"));
      if (i % 150 === 149) for (const k of hot) ks.get(b(k));
    }
    expect(ks.size).toBeLessThanOrEqual(100);
    expectConsistent(ks);
    return hot.filter((k) => ks.peek(b(k)) >= 0);
  }

  test("keys read often survive a long stream of one-hit keys", () => {
    expect(scanWithHotKeys("s3fifo").length).toBe(10);
  });

  test("the same stream flushes the hot keys out of lru (so the scenario is a real scan)", () => {
    expect(scanWithHotKeys("lru").length).toBe(0);
  });

  test("a key evicted recently and inserted again is remembered (ghost) and kept", () => {
    const { ks } = keyspace({ maxEntries: 20 });
    ks.set(b("again"), b("1"));
    for (let i = 0; i < 30; i++) ks.set(b(`fill${i}`), b("v"));
    expect(ks.peek(b("again"))).toBe(-1);
    ks.set(b("again"), b("2")); // back from the ghost queue: straight into main
    for (let i = 30; i < 200; i++) ks.set(b(`fill${i}`), b("v"));
    expect(str(ks.get(b("again")))).toBe("2");
  });

  test("frequency is reported and capped once a limit is set", () => {
    const { ks } = keyspace({ maxEntries: 1000 });
    ks.set(b("k"), b("v"));
    const f0 = ks.frequency(ks.peek(b("k")));
    for (let i = 0; i < 10; i++) ks.lookup(b("k"));
    const f1 = ks.frequency(ks.peek(b("k")));
    expect(f0).toBeGreaterThanOrEqual(0);
    expect(f1).toBeGreaterThan(f0);
    expect(f1).toBeLessThanOrEqual(255);
  });
});

describe("Keyspace volatile-ttl", () => {
  test("evicts keys with the nearest expiry first and keys without expiry last", () => {
    const { ks, clock } = keyspace({ maxEntries: 10, policy: "volatile-ttl" });
    const t = clock.now();
    for (let i = 0; i < 5; i++) ks.set(b(`p${i}`), b("v"));
    const order = [3, 1, 4, 0, 2];
    for (const i of order) ks.set(b(`t${i}`), b("v"), t + 1000 * (i + 1));
    for (let i = 0; i < 5; i++) {
      ks.set(b(`n${i}`), b("v"));
      for (let j = 0; j <= i; j++) expect(ks.peek(b(`t${j}`))).toBe(-1);
      for (let j = i + 1; j < 5; j++) expect(ks.peek(b(`t${j}`))).toBeGreaterThanOrEqual(0);
    }
    for (let i = 0; i < 5; i++) expect(ks.peek(b(`p${i}`))).toBeGreaterThanOrEqual(0);
    ks.set(b("n5"), b("v")); // nothing volatile left: the oldest key goes
    expect(ks.peek(b("p0"))).toBe(-1);
    expectConsistent(ks);
  });
});

describe("Keyspace volatile-ttl with few volatile keys", () => {
  test("while any key has an expiry, only keys with an expiry are evicted, however many keys have none", () => {
    const { ks, clock } = keyspace({ maxEntries: 20_010, policy: "volatile-ttl" });
    for (let i = 0; i < 20_000; i++) ks.set(b(`p${i}`), b("v"));
    for (let i = 0; i < 10; i++) ks.set(b(`t${i}`), b("v"), clock.now() + 1000 + i);
    for (let i = 0; i < 10; i++) ks.set(b(`n${i}`), b("v"));
    // the ten new keys push out exactly the ten volatile ones
    expect(Array.from({ length: 10 }, (_, i) => ks.peek(b(`t${i}`)))).toEqual(new Array(10).fill(-1));
    for (let i = 0; i < 20_000; i++) if (ks.peek(b(`p${i}`)) < 0) throw new Error(`persistent key p${i} was evicted`);
    expect(ks.size).toBe(20_010);
  });
});

describe("Keyspace configure", () => {
  test("shrinking maxMemory evicts at once down to the new limit", () => {
    const { ks } = keyspace();
    for (let i = 0; i < 1000; i++) ks.set(b(`k${i}`), new Uint8Array(100));
    expect(ks.stats().usedBytes).toBeGreaterThan(100_000);
    ks.configure({ maxMemory: 20_000 });
    expect(ks.maxMemory).toBe(20_000);
    expect(ks.stats().usedBytes).toBeLessThanOrEqual(20_000);
    expect(ks.stats().evictions).toBeGreaterThan(0);
    expectConsistent(ks);
  });

  test("shrinking maxEntries evicts at once", () => {
    const { ks } = keyspace({ policy: "lru" });
    for (let i = 0; i < 100; i++) ks.set(b(`k${i}`), b("v"));
    ks.configure({ maxEntries: 10 });
    expect(ks.size).toBe(10);
    expect(allKeys(ks).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `k${90 + i}`).sort());
    expectConsistent(ks);
  });

  test("switching policy keeps every entry, and the new policy applies afterwards", () => {
    const { ks } = keyspace({ maxEntries: 5 });
    for (const k of ["a", "b", "c", "d", "e"]) ks.set(b(k), b(k));
    ks.configure({ policy: "lru" });
    expect(ks.policy).toBe("lru");
    expect(ks.size).toBe(5);
    ks.configure({ policy: "noeviction" });
    expect(ks.set(b("f"), b("f"))).toBe(Status.OutOfMemory);
    ks.configure({ policy: "s3fifo" });
    expect(ks.set(b("f"), b("f"))).toBe(Status.Ok);
    expect(ks.size).toBe(5);
    expectConsistent(ks);
  });

  test("raising or removing a limit evicts nothing", () => {
    const { ks } = keyspace({ maxEntries: 10 });
    for (let i = 0; i < 10; i++) ks.set(b(`k${i}`), b("v"));
    ks.configure({ maxEntries: 0 });
    for (let i = 10; i < 100; i++) ks.set(b(`k${i}`), b("v"));
    expect(ks.size).toBe(100);
    expect(ks.stats().evictions).toBe(0);
  });
});
