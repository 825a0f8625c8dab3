// STUB: the real implementation is being written. Signatures here are the contract.
import type { EngineStats, EvictionPolicy, Milliseconds, Bytes, MutationListener, Status, ValueType } from "./types.ts";

export interface KeyspaceOptions {
  /** Limit on `usedBytes` (records + fixed per-entry overhead). @default 0 (unlimited) */
  maxMemory?: Bytes;
  /** Limit on the number of entries. @default 0 (unlimited) */
  maxEntries?: number;
  /** @default "s3fifo" */
  policy?: EvictionPolicy;
  /** Clock in epoch ms. @default Date.now */
  now?: () => Milliseconds;
  /** Receives every mutation (sets, deletes, expiries, evictions). @default none (free) */
  onMutation?: MutationListener;
  /** Slots to allocate up front. @default 1024 */
  initialCapacity?: number;
}

export class Keyspace {
  constructor(_opts: KeyspaceOptions = {}) { throw new Error("stub"); }
  /** Number of live entries (expired-but-not-yet-reclaimed entries may be counted). */
  get size(): number { return 0; }
  now(): Milliseconds { return 0; }
  /** Slot of `key` or -1; counts a hit/miss, expires lazily, records the access for eviction. */
  lookup(_key: Uint8Array): number { return -1; }
  /** Slot of `key` or -1; expires lazily, no stats, no access recorded. */
  peek(_key: Uint8Array): number { return -1; }
  /** Copy of the value, counting a hit/miss. */
  get(_key: Uint8Array): Uint8Array | undefined { return undefined; }
  typeOf(_slot: number): ValueType { return 0; }
  /** The page holding the slot's record; value bytes are page[valueOffset(slot) .. + valueLength(slot)). */
  valuePage(_slot: number): Uint8Array { return new Uint8Array(0); }
  valueOffset(_slot: number): number { return 0; }
  valueLength(_slot: number): number { return 0; }
  /** View of the value; valid until the next mutation of this keyspace. */
  valueView(_slot: number): Uint8Array { return new Uint8Array(0); }
  /** View of the key; valid until the next mutation. */
  keyView(_slot: number): Uint8Array { return new Uint8Array(0); }
  /** Absolute expiry (ms), 0 when none. */
  expireAt(_slot: number): Milliseconds { return 0; }
  /** Bytes charged to this entry (MEMORY USAGE). */
  entryBytes(_slot: number): number { return 0; }
  /** Access frequency (OBJECT FREQ), or -1 when the policy does not track it. */
  frequency(_slot: number): number { return -1; }
  /** Ms since last access (OBJECT IDLETIME), or -1 when the policy does not track it. */
  idleMs(_slot: number): number { return -1; }
  /** Sets key → value. expireAt: absolute ms, 0 = none. flags: SetFlag bits. */
  set(_key: Uint8Array, _value: Uint8Array, _expireAt: Milliseconds = 0, _flags = 0, _type: ValueType = 0): Status { return 0; }
  delete(_key: Uint8Array): boolean { return false; }
  /** Sets an absolute expiry; a time not in the future deletes the key. False when missing. */
  expire(_key: Uint8Array, _at: Milliseconds): boolean { return false; }
  persist(_key: Uint8Array): boolean { return false; }
  clear(): void {}
  /** Visits up to ~count slots from `cursor`; returns the next cursor, 0 when done. */
  scan(_cursor: number, _count: number, _visit: (slot: number) => void): number { return 0; }
  /** A random live slot, -1 when empty. */
  randomSlot(): number { return -1; }
  /** Reclaims expired entries, checking at most `maxChecks` slots; returns how many it removed. */
  sweepExpired(_maxChecks: number): number { return 0; }
  /** Changes limits and policy at run time (CONFIG SET); evicts at once if over the new limits. */
  configure(_opts: { maxMemory?: Bytes; maxEntries?: number; policy?: EvictionPolicy }): void {}
  /** Current options. */
  get maxMemory(): Bytes { return 0; }
  get maxEntries(): number { return 0; }
  get policy(): EvictionPolicy { return "s3fifo"; }
  stats(): EngineStats { throw new Error("stub"); }
  resetStats(): void {}
}
