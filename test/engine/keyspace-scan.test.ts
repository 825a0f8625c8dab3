// Iteration and upkeep: scan guarantees under growth, randomSlot, bounded sweepExpired, and space
// reuse under churn (memory must not grow without bound when keys keep changing).
import { describe, expect, test } from "bun:test";
import { seededRandom } from "../support/fake-clock.ts";
import { allKeys, b, expectConsistent, keyspace, str } from "./keyspace-helpers.ts";

const dec = new TextDecoder();

describe("Keyspace scan", () => {
  test("an empty keyspace finishes at once with cursor 0", () => {
    const { ks } = keyspace();
    const seen: number[] = [];
    expect(ks.scan(0, 10, (s) => seen.push(s))).toBe(0);
    expect(seen).toEqual([]);
  });

  test("a full scan returns every key exactly once", () => {
    const { ks } = keyspace();
    for (let i = 0; i < 5000; i++) ks.set(b(`k${i}`), b("v"));
    const keys = allKeys(ks);
    expect(keys.length).toBe(5000);
    expect(new Set(keys).size).toBe(5000);
  });

  test("every key present for the whole scan is returned even while thousands are inserted in between", () => {
    const { ks } = keyspace({ initialCapacity: 16 });
    const rnd = seededRandom(3);
    const stable = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      ks.set(b(`stable:${i}`), b("v"));
      stable.add(`stable:${i}`);
    }
    for (let i = 0; i < 500; i++) ks.set(b(`temp:${i}`), b("v"));
    const seen = new Set<string>();
    let cursor = 0;
    let calls = 0;
    let extra = 0;
    do {
      cursor = ks.scan(cursor, 20, (slot) => seen.add(dec.decode(ks.keyView(slot))));
      // Thousands of inserts between the first calls force growth and rehashing; Redis only
      // promises termination while the collection stays bounded, so growth stops after a while.
      if (calls < 10) for (let j = 0; j < 3000; j++) ks.set(b(`new:${extra++}`), b("v"));
      ks.delete(b(`temp:${Math.floor(rnd() * 500)}`)); // frees slots that new keys reuse
      ks.set(b(`late:${calls}`), b("v"));
      expect(++calls).toBeLessThan(100_000);
    } while (cursor !== 0);
    for (const k of stable) expect(seen.has(k)).toBe(true);
    expectConsistent(ks);
  });

  test("scan does not return expired keys and reclaims them", () => {
    const { ks, clock } = keyspace();
    for (let i = 0; i < 100; i++) ks.set(b(`k${i}`), b("v"), i % 2 ? clock.now() + 10 : 0);
    clock.advance(10);
    const keys = allKeys(ks);
    expect(keys.length).toBe(50);
    expect(keys.every((k) => Number(k.slice(1)) % 2 === 0)).toBe(true);
    expect(ks.size).toBe(50);
  });

  test("a scan over a sparse keyspace still terminates and finds the survivors", () => {
    const { ks } = keyspace();
    for (let i = 0; i < 50_000; i++) ks.set(b(`k${i}`), b("v"));
    for (let i = 0; i < 50_000; i++) if (i % 10_000 !== 0) ks.delete(b(`k${i}`));
    expect(allKeys(ks).sort()).toEqual(["k0", "k10000", "k20000", "k30000", "k40000"]);
  });
});

describe("Keyspace randomSlot", () => {
  test("is -1 when empty and a live slot otherwise", () => {
    const { ks } = keyspace();
    expect(ks.randomSlot()).toBe(-1);
    for (let i = 0; i < 100; i++) ks.set(b(`k${i}`), b(`v${i}`));
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = ks.randomSlot();
      expect(s).toBeGreaterThanOrEqual(0);
      const k = dec.decode(ks.keyView(s));
      expect(str(ks.valueView(s))).toBe(`v${k.slice(1)}`);
      seen.add(k);
    }
    expect(seen.size).toBeGreaterThan(50);
  });

  test("never returns an expired key, and is -1 when every key has expired", () => {
    const { ks, clock } = keyspace();
    for (let i = 0; i < 200; i++) ks.set(b(`t${i}`), b("v"), clock.now() + 5);
    ks.set(b("alive"), b("v"));
    clock.advance(5);
    for (let i = 0; i < 20; i++) expect(dec.decode(ks.keyView(ks.randomSlot()))).toBe("alive");
    ks.delete(b("alive"));
    expect(ks.randomSlot()).toBe(-1);
    expect(ks.size).toBe(0);
  });
});

describe("Keyspace sweepExpired", () => {
  test("does bounded work per call but eventually removes every expired key and nothing else", () => {
    const { ks, clock } = keyspace();
    for (let i = 0; i < 10_000; i++) ks.set(b(`t${i}`), b("v"), clock.now() + 100 + (i % 7));
    for (let i = 0; i < 2000; i++) ks.set(b(`p${i}`), b("v"));
    for (let i = 0; i < 2000; i++) ks.set(b(`later${i}`), b("v"), clock.now() + 1_000_000);
    clock.advance(200);
    let total = 0;
    let calls = 0;
    while (total < 10_000) {
      const n = ks.sweepExpired(100);
      expect(n).toBeLessThanOrEqual(100);
      total += n;
      expect(++calls).toBeLessThan(10_000);
    }
    expect(total).toBe(10_000);
    expect(ks.sweepExpired(100_000)).toBe(0);
    expect(ks.size).toBe(4000);
    expect(ks.stats().expired).toBe(10_000);
    expectConsistent(ks);
  });

  test("returns 0 when nothing has expired yet", () => {
    const { ks, clock } = keyspace();
    for (let i = 0; i < 100; i++) ks.set(b(`t${i}`), b("v"), clock.now() + 100);
    expect(ks.sweepExpired(1000)).toBe(0);
    clock.advance(99);
    expect(ks.sweepExpired(1000)).toBe(0);
    clock.advance(1);
    expect(ks.sweepExpired(1000)).toBe(100);
  });
});

describe("Keyspace space reuse", () => {
  test("a sliding window of 1000 live keys over 1M distinct keys keeps memory bounded", () => {
    const { ks } = keyspace();
    const start = ks.stats().memoryBytes;
    for (let i = 0; i < 1_000_000; i++) {
      ks.set(b(`key:${i}`), b(`value:${i}`));
      if (i >= 1000) ks.delete(b(`key:${i - 1000}`));
    }
    expect(ks.size).toBe(1000);
    expect(ks.stats().memoryBytes).toBeLessThan(start + 8 * 1024 * 1024);
    for (let i = 999_000; i < 1_000_000; i++) expect(str(ks.get(b(`key:${i}`)))).toBe(`value:${i}`);
    expectConsistent(ks);
  }, 60_000);

  test("random deletes that leave every page partly live still keep memory bounded, and values stay intact", () => {
    const { ks } = keyspace();
    const rnd = seededRandom(42);
    const live: number[] = [];
    const start = ks.stats().memoryBytes;
    let peak = 0;
    for (let i = 0; i < 400_000; i++) {
      ks.set(b(`key:${i}`), b(`value:${i}:${"x".repeat(i % 40)}`));
      live.push(i);
      if (live.length > 1000) {
        const j = Math.floor(rnd() * live.length);
        const victim = live[j]!;
        live[j] = live[live.length - 1]!;
        live.pop();
        expect(ks.delete(b(`key:${victim}`))).toBe(true);
      }
      if (i % 1000 === 0) ks.sweepExpired(10); // the periodic tick also compacts
      if (i % 10_000 === 0) peak = Math.max(peak, ks.stats().memoryBytes);
    }
    expect(peak).toBeLessThan(start + 16 * 1024 * 1024);
    for (const i of live) expect(str(ks.get(b(`key:${i}`)))).toBe(`value:${i}:${"x".repeat(i % 40)}`);
    expect(ks.size).toBe(1000);
    expectConsistent(ks);
  }, 60_000);

  test("memoryBytes returns near its starting value after clear()", () => {
    const { ks } = keyspace();
    const start = ks.stats().memoryBytes;
    for (let i = 0; i < 100_000; i++) ks.set(b(`key:${i}`), b("v".repeat(50)));
    ks.clear();
    expect(ks.stats().memoryBytes).toBeLessThanOrEqual(start * 1.5);
  });
});
