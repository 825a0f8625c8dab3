// Shared vocabulary of the engine: units, type tags, status codes and mutation records.
// The engine never throws for an expected outcome; it returns a `Status` and callers map it.

/** A duration or an absolute time in milliseconds. Absolute times are Unix epoch ms. */
export type Milliseconds = number;
/** A size in bytes. */
export type Bytes = number;

/** The type tag carried by every entry. Strings today; the others take the same keyspace later. */
export const ValueType = {
  String: 0,
  Hash: 1,
  List: 2,
  Set: 3,
  ZSet: 4,
  Stream: 5,
} as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** Redis's `TYPE` names, indexed by `ValueType`. */
export const TYPE_NAMES = ["string", "hash", "list", "set", "zset", "stream"] as const;

/** Outcomes of engine operations. */
export const Status = {
  Ok: 0,
  /** The key does not exist (or XX was given and the key is absent). */
  NotFound: 1,
  /** NX was given and the key exists. */
  Exists: 2,
  /** The entry holds another type. */
  WrongType: 3,
  /** The write does not fit and the policy is `noeviction` (or nothing is left to evict). */
  OutOfMemory: 4,
  /** One entry alone is larger than `maxMemory`. */
  TooLarge: 5,
} as const;
export type Status = (typeof Status)[keyof typeof Status];

/** Flags of `Keyspace.set`. */
export const SetFlag = {
  /** Only set when the key does not exist. */
  NX: 1,
  /** Only set when the key exists. */
  XX: 2,
  /** Keep the existing expiry (the `expireAt` argument is ignored when the key exists). */
  KEEPTTL: 4,
  /** Write without a Set mutation record: the caller records the change itself (a Delta). */
  QUIET: 8,
} as const;

/** Operation codes of mutation records (and, later, of WAL frames). */
export const MutationOp = {
  /** key now holds `value` of `type`, expiring at `expireAt` (0 = never). */
  Set: 1,
  /** key was removed. */
  Delete: 2,
  /** key's expiry changed to `expireAt` (0 = persist). */
  Expire: 3,
  /** every key was removed. */
  Clear: 4,
  /**
   * key's collection changed by one type operation; `value` is the operation as its type module
   * encodes it (src/engine/compound/codecs.ts applies it on recovery).
   */
  Delta: 5,
  /** databases `db` and `expireAt` (the other index) swapped contents (SWAPDB); no key. */
  SwapDb: 6,
} as const;
export type MutationOp = (typeof MutationOp)[keyof typeof MutationOp];

/** Why a mutation happened. Persistence logs all causes; replicas may treat them differently. */
export const MutationCause = { Command: 0, Expired: 1, Evicted: 2 } as const;
export type MutationCause = (typeof MutationCause)[keyof typeof MutationCause];

/**
 * One mutation, as persistence logs it. The engine reuses a single record object and fills it
 * only when a listener is installed; `key` and `value` are views that are valid only during the
 * listener call, so a listener copies what it keeps. Expiry is always absolute.
 */
export interface MutationRecord {
  op: MutationOp;
  /** The database (SELECT index) of the keyspace that changed; absent = 0. */
  db?: number;
  cause: MutationCause;
  type: ValueType;
  key: Uint8Array;
  value: Uint8Array;
  /** Absolute expiry in ms since the epoch; 0 = no expiry. */
  expireAt: Milliseconds;
}

/**
 * A collection too big for one packed record (a hash past hash-max-listpack-entries, a long list):
 * the keyspace holds it by slot, charges `bytes()` to the key, and drops it with the key. Its
 * elements live in its own typed arrays and byte pages, so it is one JS object however many
 * elements it has.
 */
export interface LargeValue {
  /** Bytes this structure allocates (charged to its key; what maxmemory sees). */
  bytes(): Bytes;
  /** The whole value in its type's packed format (snapshots, DUMP, COPY). */
  serialize(): Uint8Array;
  /** An independent deep copy (COPY). */
  clone(): LargeValue;
  /** Bytes currently charged for it; written by the keyspace only. */
  charged: Bytes;
}

export type MutationListener = (m: MutationRecord) => void;

/**
 * Eviction policies.
 * - `s3fifo` (default): S3-FIFO (Yang et al., SOSP 2023): a small probationary FIFO, a main FIFO
 *   with 2-bit frequencies and a ghost FIFO of recently evicted hashes. One-hit wonders leave from
 *   the small queue without disturbing the main one, which is why it beats LRU on skewed and
 *   scan-polluted traces, and a hit only bumps a counter (no list surgery).
 * - `lru`: least recently used, a doubly linked list over slot ids.
 * - `volatile-ttl`: evicts, among a sample, the key with the nearest expiry; keys without expiry
 *   are evicted (FIFO order) only when no sampled key has one.
 * - `noeviction`: a write that does not fit fails with `Status.OutOfMemory`.
 */
export type EvictionPolicy = "s3fifo" | "lru" | "volatile-ttl" | "noeviction";
export const EVICTION_POLICIES: readonly EvictionPolicy[] = ["s3fifo", "lru", "volatile-ttl", "noeviction"];

export interface EngineStats {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  evictions: number;
  expired: number;
  entries: number;
  /** Exact bytes the engine has allocated: typed arrays, index and arena pages. */
  memoryBytes: Bytes;
  /** Bytes charged to live entries (their records plus fixed per-entry overhead); what `maxMemory` limits. */
  usedBytes: Bytes;
}
