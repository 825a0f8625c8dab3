// Options of the Keyspace, each documented where it is declared and checked up front.

import { EVICTION_POLICIES, type Bytes, type EvictionPolicy, type Milliseconds, type MutationListener } from "./types.ts";

/**
 * Bytes charged to every entry on top of its record: the per-slot arrays (hash 4, location 4,
 * flags 1, eviction links and state 9) and its share of the index (about 6). `maxMemory` limits
 * records plus this.
 */
export const ENTRY_OVERHEAD = 24;

export interface KeyspaceOptions {
  /** Limit on `usedBytes` (records + ENTRY_OVERHEAD per entry), in bytes. @default 0 (unlimited) */
  maxMemory?: Bytes;
  /** Limit on the number of entries. @default 0 (unlimited) */
  maxEntries?: number;
  /** What to evict when a limit is reached. @default "s3fifo" */
  policy?: EvictionPolicy;
  /** Clock in epoch ms (tests inject a fake one). @default Date.now */
  now?: () => Milliseconds;
  /** A clock object instead of `now` (e.g. a CoarseClock); a method call is cheaper than a closure. */
  clock?: { now(): Milliseconds };
  /** Receives every mutation (sets, deletes, expiries, evictions). @default none (costs nothing) */
  onMutation?: MutationListener;
  /** The database index its mutation records carry (SELECT n). @default 0 */
  db?: number;
  /**
   * Called when this keyspace is over its memory limit and has nothing left to evict: frees
   * memory elsewhere (a sibling database) and returns true when it did. @default none
   */
  evictElsewhere?: () => boolean;
  /** Slots allocated up front (grows by 1.5x). @default 1024 */
  initialCapacity?: number;
}

/** Checks options up front; throws naming the option. */
export function checkOptions(o: KeyspaceOptions): void {
  const count = (name: string, v: number | undefined): void => {
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new TypeError(`${name} must be a non-negative integer, got ${String(v)}`);
    }
  };
  count("maxMemory", o.maxMemory);
  count("maxEntries", o.maxEntries);
  count("initialCapacity", o.initialCapacity);
  if (o.policy !== undefined && !EVICTION_POLICIES.includes(o.policy)) {
    throw new TypeError(`policy must be one of ${EVICTION_POLICIES.join(", ")}, got ${String(o.policy)}`);
  }
  if (o.now !== undefined && typeof o.now !== "function") throw new TypeError("now must be a function");
}

