// Randomized operations under every policy and limit: eviction may drop keys, but a key that is
// present must hold the last value written, limits must hold, and the engine's own invariants
// (index ↔ slots ↔ accounting) must stay true after every few steps.
import { describe, expect, test } from "bun:test";
import { SetFlag, Status, type EvictionPolicy } from "../../src/engine/types.ts";
import { seededRandom } from "../support/fake-clock.ts";
import { b, expectConsistent, keyspace, str } from "./keyspace-helpers.ts";

interface Case {
  policy: EvictionPolicy;
  maxEntries: number;
  maxMemory: number;
}

const CASES: Case[] = [];
for (const policy of ["s3fifo", "lru", "volatile-ttl", "noeviction"] as const) {
  CASES.push({ policy, maxEntries: 64, maxMemory: 0 });
  CASES.push({ policy, maxEntries: 0, maxMemory: 32 * 1024 });
  CASES.push({ policy, maxEntries: 0, maxMemory: 0 });
}

function run(c: Case, seed: number, ops: number): number {
  const { ks, clock } = keyspace({ policy: c.policy, maxEntries: c.maxEntries, maxMemory: c.maxMemory, initialCapacity: 16 });
  const rnd = seededRandom(seed);
  /** Last value written per key and its expiry; a key may be missing (evicted) but never wrong. */
  const last = new Map<string, { value: string; expireAt: number }>();
  let checks = 0;
  const where = (i: number, op: string): string => `policy ${c.policy}, limits ${c.maxEntries}/${c.maxMemory}, seed ${seed}, op ${i}: ${op}`;
  for (let i = 0; i < ops; i++) {
    const key = `k${Math.floor(rnd() * 300)}`;
    const r = rnd();
    if (r < 0.45) {
      const value = `${key}=${i}:${"x".repeat(Math.floor(rnd() * (rnd() < 0.05 ? 3000 : 80)))}`;
      const expireAt = rnd() < 0.3 ? clock.now() + 1 + Math.floor(rnd() * 200) : 0;
      const flags = rnd() < 0.1 ? SetFlag.NX : rnd() < 0.1 ? SetFlag.XX : rnd() < 0.05 ? SetFlag.KEEPTTL : 0;
      const before = ks.peek(b(key)) >= 0;
      const st = ks.set(b(key), b(value), expireAt, flags);
      if (st === Status.Ok && !(flags & SetFlag.NX && before) && !(flags & SetFlag.XX && !before)) {
        last.set(key, { value, expireAt: flags & SetFlag.KEEPTTL ? (before ? last.get(key)!.expireAt : 0) : expireAt });
      } else if (st === Status.OutOfMemory) {
        if (c.policy !== "noeviction") throw new Error(where(i, `OutOfMemory under an evicting policy`));
      } else if (st !== Status.Exists && st !== Status.NotFound) {
        throw new Error(where(i, `set gave status ${st}`));
      }
    } else if (r < 0.75) {
      const got = str(ks.get(b(key)));
      const want = last.get(key);
      if (got !== undefined) {
        checks++;
        if (want === undefined || got !== want.value) throw new Error(where(i, `get ${key} gave ${got?.slice(0, 30)}, last written ${want?.value.slice(0, 30)}`));
        if (want.expireAt !== 0 && want.expireAt <= clock.now()) throw new Error(where(i, `${key} returned after its expiry`));
      }
    } else if (r < 0.85) {
      ks.delete(b(key));
      last.delete(key);
    } else if (r < 0.9) {
      const at = clock.now() + Math.floor(rnd() * 100) - 10;
      if (ks.expire(b(key), at)) {
        const e = last.get(key)!;
        if (at <= clock.now()) last.delete(key);
        else e.expireAt = at;
      }
    } else if (r < 0.95) {
      clock.advance(Math.floor(rnd() * 20));
    } else {
      ks.sweepExpired(Math.floor(rnd() * 50));
    }
    if (c.maxEntries > 0 && ks.size > c.maxEntries) throw new Error(where(i, `size ${ks.size} > maxEntries`));
    if (c.maxMemory > 0 && ks.stats().usedBytes > c.maxMemory) throw new Error(where(i, `usedBytes ${ks.stats().usedBytes} > maxMemory`));
    if (i % 97 === 0) expectConsistent(ks);
  }
  expectConsistent(ks);
  return checks;
}

describe("Keyspace under random operations", () => {
  test.each(CASES.map((c) => [c.policy, c.maxEntries, c.maxMemory, c] as const))(
    "%s with maxEntries %p and maxMemory %p keeps values right and limits held",
    (_p, _e, _m, c) => {
      let checks = 0;
      for (const seed of [1, 2, 3]) checks += run(c, seed, 6000);
      expect(checks).toBeGreaterThan(100);
    },
    30_000,
  );
});

describe("Keyspace slot reuse with policies that hold removed slots back", () => {
  test.each(["s3fifo", "lru", "volatile-ttl"] as const)(
    "%s: mass deletes, reinserts and evictions keep every value right and memory bounded",
    (policy) => {
      const { ks, clock } = keyspace({ policy, maxEntries: 5000 });
      const rnd = seededRandom(99);
      const value = (k: number, round: number): string => `v${k}:${round}:${"y".repeat(k % 50)}`;
      const current = new Map<number, string>();
      let peak = 0;
      for (let round = 0; round < 40; round++) {
        for (let i = 0; i < 5000; i++) {
          const k = Math.floor(rnd() * 20_000);
          const v = value(k, round);
          ks.set(b(`key:${k}`), b(v), rnd() < 0.2 ? clock.now() + 1 + Math.floor(rnd() * 50) : 0);
          current.set(k, v);
          if (rnd() < 0.3) ks.get(b(`key:${Math.floor(rnd() * 20_000)}`));
        }
        // delete most of what is there (more dead slots than live ones), then check the rest
        for (const k of [...current.keys()]) {
          if (rnd() < 0.85) {
            ks.delete(b(`key:${k}`));
            current.delete(k);
          }
        }
        clock.advance(Math.floor(rnd() * 30));
        for (const [k, v] of current) {
          const got = str(ks.get(b(`key:${k}`)));
          if (got !== undefined) expect(got).toBe(v); // evicted or expired is fine, wrong is not
        }
        expect(ks.size).toBeLessThanOrEqual(5000);
        expectConsistent(ks);
        peak = Math.max(peak, ks.stats().memoryBytes);
      }
      expect(peak).toBeLessThan(16 * 1024 * 1024);
    },
    60_000,
  );
});
