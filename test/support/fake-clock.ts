// A manual clock for tests: time moves only when a test says so, so expiry is checked at exact
// boundaries without sleeping.

/** A clock whose `now` is injected into a `Cache` or `Keyspace` and moved by hand. */
export interface FakeClock {
  /** Current time in epoch ms. A bound function, safe to pass as `now`. */
  readonly now: () => number;
  /** Moves time forward by `ms` (must be ≥ 0) and returns the new time. */
  advance(ms: number): number;
  /** Sets the absolute time (may not go backwards) and returns it. */
  set(at: number): number;
}

/** A fake clock starting at `start` ms (default 1_700_000_000_000, a realistic epoch value). */
export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance(ms: number): number {
      if (!(ms >= 0)) throw new RangeError(`fake clock: advance(${ms}) must be >= 0`);
      t += ms;
      return t;
    },
    set(at: number): number {
      if (!(at >= t)) throw new RangeError(`fake clock: set(${at}) would move time backwards from ${t}`);
      t = at;
      return t;
    },
  };
}

/** A deterministic PRNG (mulberry32) so randomized tests can print and replay their seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}
