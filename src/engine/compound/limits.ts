// Encoding thresholds of the collection types, with Redis's parameter names (CONFIG SET changes
// them at run time, as in Redis they are process-wide). A collection converts from its packed
// form to its large form when it passes them, and never back (as Redis).

export interface CollectionLimits {
  /** Most fields of a packed hash. @default 512 (redis-server 7.0.15's built-in default) */
  "hash-max-listpack-entries": number;
  /** Longest field or value of a packed hash, in bytes. @default 64 */
  "hash-max-listpack-value": number;
  /** Most members of an integer set. @default 512 */
  "set-max-intset-entries": number;
  /** Most members of a packed set of strings. @default 128 */
  "set-max-listpack-entries": number;
  /** Longest member of a packed set, in bytes. @default 64 */
  "set-max-listpack-value": number;
  /** Packed list node size: positive = most elements, -1..-5 = 4..64 KiB. @default -2 (8 KiB) */
  "list-max-listpack-size": number;
  /** Most members of a packed sorted set. @default 128 */
  "zset-max-listpack-entries": number;
  /** Longest member of a packed sorted set, in bytes. @default 64 */
  "zset-max-listpack-value": number;
  /** Largest sparse HyperLogLog (header included) before it turns dense, in bytes. @default 3000 */
  "hll-sparse-max-bytes": number;
  /** Largest stream node, in bytes of its listpack estimate (0 = no limit). @default 4096 */
  "stream-node-max-bytes": number;
  /** Most entries a stream node takes, deleted ones included (0 = no limit). @default 100 */
  "stream-node-max-entries": number;
}

export const DEFAULT_COLLECTION_LIMITS: Readonly<CollectionLimits> = {
  "hash-max-listpack-entries": 512,
  "hash-max-listpack-value": 64,
  "set-max-intset-entries": 512,
  "set-max-listpack-entries": 128,
  "set-max-listpack-value": 64,
  "list-max-listpack-size": -2,
  "zset-max-listpack-entries": 128,
  "zset-max-listpack-value": 64,
  "hll-sparse-max-bytes": 3000,
  "stream-node-max-bytes": 4096,
  "stream-node-max-entries": 100,
};

/** The limits in force (one set per process, as in Redis). */
export const limits: CollectionLimits = { ...DEFAULT_COLLECTION_LIMITS };

export const COLLECTION_LIMIT_NAMES = Object.keys(DEFAULT_COLLECTION_LIMITS) as (keyof CollectionLimits)[];

/** Bytes of a list node for a negative list-max-listpack-size (-1 → 4 KiB ... -5 → 64 KiB). */
export function listNodeBytes(size: number): number {
  return size < 0 ? 4096 << (Math.min(5, -size) - 1) : Infinity;
}
