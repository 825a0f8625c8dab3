// The randomized differential test against redis-server 7.0.15 (run.test.ts) draws commands from
// one generator per command family. A generator returns one random command at a time, over a
// small shared key space so that families meet on the same keys (WRONGTYPE paths) and
// collections cross their encoding thresholds (conversions).

/** A seeded pseudo-random source: the same seed gives the same stream (failures are replayable). */
export interface Rng {
  /** An integer in [0, n). */
  int(n: number): number;
  /** One of `items`. */
  pick<T>(items: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

export interface FamilyGenerator {
  /** Family name, used in failure messages and to pick families (`DIFF_FAMILIES=hash,list`). */
  readonly name: string;
  /** One random command (name first). Replies must not depend on hash order or the clock. */
  next(rng: Rng): string[];
}

/** Key names every generator shares (so types collide). */
export const SHARED_KEYS = ["k1", "k2", "k3", "k4", "{t}a", "{t}b"] as const;
