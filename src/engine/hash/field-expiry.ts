// Active expiry of hash fields (Redis 7.4): the keys whose hashes hold fields with an expiry are
// remembered per keyspace, and the server's periodic tick reclaims their expired fields with a
// budget, as it reclaims expired keys. Reads reclaim lazily (hash-type.ts).

import type { Keyspace } from "../keyspace.ts";

const volatile = new WeakMap<Keyspace, Map<string, Uint8Array>>();

const keyName = (key: Uint8Array): string => Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("latin1");

export function noteVolatileHash(ks: Keyspace, key: Uint8Array): void {
  let m = volatile.get(ks);
  if (m === undefined) volatile.set(ks, (m = new Map()));
  const name = keyName(key);
  if (!m.has(name)) m.set(name, key.slice());
}

export function forgetVolatileHash(ks: Keyspace, key: Uint8Array): void {
  volatile.get(ks)?.delete(keyName(key));
}

/** Hashes with field expiries known for `ks` (tests, INFO). */
export function volatileHashCount(ks: Keyspace): number {
  return volatile.get(ks)?.size ?? 0;
}

/**
 * Reclaims up to `budget` expired fields across the volatile hashes of `ks`; returns how many.
 * `reclaim(ks, key, max)` answers the fields removed, -1 when the key no longer has volatile
 * fields, or -(n + 1) when it removed n and none is left.
 */
export function sweepHashFields(ks: Keyspace, budget: number, reclaim: (ks: Keyspace, key: Uint8Array, max: number) => number): number {
  const m = volatile.get(ks);
  if (m === undefined || m.size === 0) return 0;
  let removed = 0;
  for (const [name, key] of m) {
    if (removed >= budget) break;
    const r = reclaim(ks, key, budget - removed);
    if (r === -1) m.delete(name);
    else if (r < -1) {
      removed += -r - 1;
      m.delete(name);
    } else removed += r;
  }
  return removed;
}
