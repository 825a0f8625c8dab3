// The embedded API: a fast, memory-dense in-process cache for Bun programs, on the same Keyspace
// engine the server uses. Keys and values are bytes; strings are accepted and encoded as UTF-8.

import { describe, outOfMemory, type CacheKey, type CacheValue } from "./cache-base.ts";
import { CacheStreams } from "./cache-streams.ts";
import { WrongTypeError } from "./cache-errors.ts";
import { decodeUtf8, hashAscii } from "./engine/bytes.ts";
import { CoarseClock } from "./engine/clock.ts";
import { globMatch } from "./engine/glob.ts";
import { Keyspace } from "./engine/keyspace.ts";
import { EVICTION_POLICIES, SetFlag, Status, ValueType, type Bytes, type EngineStats, type EvictionPolicy, type Milliseconds } from "./engine/types.ts";
import "./engine/compound/all-types.ts";
import { Persistence, type FsyncPolicy, type PersistenceOptions, type RecoveryResult, type SnapshotResult } from "./persistence/index.ts";

/**
 * Durability for the embedded cache: the server's WAL, snapshots and recovery. `dir` is required;
 * `fsync` is appendfsync (always | everysec | no). Every other PersistenceOptions field may be given.
 */
export interface CachePersistenceOptions extends Omit<PersistenceOptions, "appendfsync" | "dir"> {
  /** Directory of WAL segments, snapshots and the lock file (created if missing). */
  dir: string;
  /** When WAL writes are fsynced. Under "always", `await cache.durable()` resolves once synced. @default "everysec" */
  fsync?: FsyncPolicy;
}

export { WrongTypeError };
export type { CacheKey, CacheValue };

export interface CacheOptions {
  /**
   * Limit on the bytes charged to entries (their key and value bytes, a small header and 24 bytes
   * of fixed per-entry overhead). @default 0 (unlimited)
   */
  maxMemory?: Bytes;
  /** Limit on the number of entries. @default 0 (unlimited) */
  maxEntries?: number;
  /** Default time to live of new entries, in ms; 0 means entries do not expire. @default 0 */
  ttl?: Milliseconds;
  /**
   * What to drop when a limit is reached: "s3fifo" (default; beats LRU on skewed and scan-heavy
   * traffic), "lru", "volatile-ttl" (nearest expiry first) or "noeviction" (a set that does not fit
   * throws a RangeError). @default "s3fifo"
   */
  eviction?: EvictionPolicy;
  /** Clock in epoch ms, for tests. When given, it is read on every expiry check. @default Date.now */
  now?: () => Milliseconds;
  /**
   * With the default clock, the system time is read at most once per this many ms (and at least
   * every 1024 reads), as lru-cache's `ttlResolution`: expiry may lag by up to this much. @default 1
   */
  ttlResolution?: Milliseconds;
  /** How often expired entries are reclaimed in the background, in ms; 0 turns it off. @default 100 */
  sweepIntervalMs?: Milliseconds;
  /**
   * Keep the data on disk: the constructor recovers what `dir` holds (synchronously), then every
   * change is logged. Call `await close()` to flush and release the directory. @default none
   */
  persistence?: CachePersistenceOptions;
}

export interface SetOptions {
  /** Time to live in ms (overrides the cache's default); 0 means no expiry. */
  ttl?: Milliseconds;
  /** Only set when the key is absent. */
  nx?: boolean;
  /** Only set when the key is present. */
  xx?: boolean;
}

export interface ScanOptions {
  /** Redis glob pattern the keys must match. */
  match?: string;
  /** How many entries to examine per call (a hint, as in Redis). @default 10 */
  count?: number;
}

export type CacheStats = Omit<EngineStats, "usedBytes"> & { usedBytes: Bytes };

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

export class Cache extends CacheStreams {
  private readonly defaultTtl: Milliseconds;
  private readonly loads = new Map<string, Promise<Uint8Array>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly disk: Persistence | undefined;
  /** What recovery loaded at construction (undefined without persistence). */
  readonly recovered: RecoveryResult | undefined;

  constructor(opts: CacheOptions = {}) {
    const { ks, disk, sweep } = openKeyspace(opts);
    super(ks);
    this.disk = disk;
    if (disk !== undefined) this.recovered = disk.openSync(ks);
    this.defaultTtl = opts.ttl ?? 0;
    if (sweep > 0) {
      this.timer = setInterval(() => this.ks.sweepExpired(2000), sweep);
      this.timer.unref?.();
    }
  }

  /** Number of entries (entries that expired but are not yet reclaimed may be counted). */
  get size(): number {
    return this.ks.size;
  }

  /** Stores `value` under `key`. Returns false when `nx`/`xx` prevented it. */
  set(key: CacheKey, value: CacheValue, opts?: SetOptions): boolean {
    let flags = 0;
    let ttl = this.defaultTtl;
    if (opts !== undefined) {
      if (opts.ttl !== undefined) ttl = checkTtl("ttl", opts.ttl);
      if (opts.nx) flags |= SetFlag.NX;
      if (opts.xx) flags |= SetFlag.XX;
    }
    const k = this.keyBytes(key);
    const h = this.keyHash;
    const v = this.valueBytes(value);
    const st = this.ks.set(k, v, ttl > 0 ? this.ks.now() + ttl : 0, flags, ValueType.String, h);
    if (st === Status.Ok) return true;
    if (st === Status.Exists || st === Status.NotFound) return false;
    throw outOfMemory(st);
  }

  /** A copy of the value, or undefined when missing or expired. */
  get(key: CacheKey): Uint8Array | undefined {
    const slot = this.lookupSlot(key);
    return slot < 0 ? undefined : this.ks.copyValue(slot);
  }

  /** The value decoded as UTF-8, or undefined. Hot values come from a small front of decoded strings. */
  getString(key: CacheKey): string | undefined {
    const slot = this.lookupSlot(key);
    return slot < 0 ? undefined : this.ks.valueStringHot(slot);
  }

  has(key: CacheKey): boolean {
    if (typeof key === "string") {
      const h = hashAscii(key);
      if (h >= 0) return this.ks.peekAscii(key, h) >= 0;
    }
    return this.ks.peek(this.keyBytes(key), this.keyHash) >= 0;
  }

  /** The slot of `key` (a counted lookup); a short ASCII string key is hashed and compared as it is, unencoded. */
  private lookupSlot(key: CacheKey): number {
    if (typeof key === "string") {
      const h = hashAscii(key);
      if (h >= 0) return this.ks.lookupAscii(key, h);
    }
    return this.ks.lookup(this.keyBytes(key), this.keyHash);
  }

  delete(key: CacheKey): boolean {
    return this.ks.delete(this.keyBytes(key));
  }

  /** Ms left to live; -1 when the entry has no expiry, -2 when it is missing. */
  ttl(key: CacheKey): number {
    const slot = this.ks.peek(this.keyBytes(key));
    if (slot < 0) return -2;
    const at = this.ks.expireAt(slot);
    return at === 0 ? -1 : Math.max(0, at - this.ks.now());
  }

  /** Sets the time to live in ms; 0 or less removes the entry (as Redis's EXPIRE). False when missing. */
  expire(key: CacheKey, ms: Milliseconds): boolean {
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw new RangeError(`ms must be a finite number, got ${String(ms)}`);
    return this.ks.expire(this.keyBytes(key), ms <= 0 ? 0 : this.ks.now() + ms);
  }

  /** Removes the expiry. False when the key is missing or had none. */
  persist(key: CacheKey): boolean {
    return this.ks.persist(this.keyBytes(key));
  }

  getMany(keys: readonly CacheKey[]): (Uint8Array | undefined)[] {
    if (!Array.isArray(keys)) throw new TypeError("keys must be an array");
    return keys.map((k) => this.get(k));
  }

  /** Sets every pair; all pairs are checked before any is stored. */
  setMany(entries: readonly (readonly [CacheKey, CacheValue])[], opts?: SetOptions): void {
    if (!Array.isArray(entries)) throw new TypeError("entries must be an array of [key, value] pairs");
    for (const e of entries) {
      if (!Array.isArray(e) || e.length !== 2) throw new TypeError("entries must be an array of [key, value] pairs");
      this.keyBytes(e[0]);
      this.valueBytes(e[1]);
    }
    for (const [k, v] of entries) this.set(k, v, opts);
  }

  /** Adds `by` to the integer stored at `key` (missing = 0) and returns the result. Keeps the TTL. */
  incr(key: CacheKey, by = 1): number {
    if (!Number.isSafeInteger(by)) throw new TypeError(`by must be a safe integer, got ${String(by)}`);
    const k = this.keyBytes(key);
    const slot = this.ks.peek(k);
    let current = 0;
    if (slot >= 0) {
      const parsed = parseInteger(this.ks.valueView(slot));
      if (parsed === undefined) throw new TypeError("the value at key is not an integer");
      current = parsed;
    }
    const next = current + by;
    if (!Number.isSafeInteger(next)) throw new RangeError("incr would overflow the safe integer range");
    // An existing counter keeps its TTL (as Redis's INCR); a new one gets the default ttl.
    const st =
      slot >= 0 || this.defaultTtl === 0
        ? this.ks.set(k, this.valueScratch.encode(String(next)), 0, SetFlag.KEEPTTL)
        : this.ks.set(k, this.valueScratch.encode(String(next)), this.ks.now() + this.defaultTtl);
    if (st !== Status.Ok) throw outOfMemory(st);
    return next;
  }

  /** Removes every entry. */
  clear(): void {
    this.ks.clear();
  }

  /**
   * The cached value, or the loader's result stored under `key`. Concurrent callers for the same
   * key share one load; a failed load rejects every waiter and caches nothing.
   */
  getOrSet(key: CacheKey, loader: () => Promise<CacheValue> | CacheValue, opts?: SetOptions): Promise<Uint8Array> {
    if (typeof loader !== "function") throw new TypeError("loader must be a function");
    const hit = this.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const id = latin1(this.keyBytes(key)); // the same key as a string or as bytes shares one load
    const pending = this.loads.get(id);
    if (pending !== undefined) return pending;
    const keyCopy = typeof key === "string" ? key : key.slice();
    const load = (async () => {
      try {
        const value = await loader();
        const bytes = typeof value === "string" ? new TextEncoder().encode(value) : this.valueBytes(value).slice();
        this.set(keyCopy, bytes, opts);
        return bytes;
      } finally {
        this.loads.delete(id);
      }
    })();
    this.loads.set(id, load);
    return load;
  }

  stats(): CacheStats {
    return this.ks.stats();
  }

  /** One step of a Redis-style scan: [next cursor (0 when done), keys]. */
  scan(cursor: number, opts: ScanOptions = {}): [number, string[]] {
    if (!Number.isSafeInteger(cursor) || cursor < 0) throw new TypeError(`cursor must be a non-negative integer, got ${String(cursor)}`);
    const count = opts.count ?? 10;
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${String(count)}`);
    const pattern = opts.match === undefined ? null : new TextEncoder().encode(opts.match);
    const keys: string[] = [];
    const next = this.ks.scan(cursor, count, (slot) => {
      const k = this.ks.keyView(slot);
      if (pattern === null || globMatch(pattern, k)) keys.push(decodeUtf8(k));
    });
    return [next, keys];
  }

  /**
   * Stops the background sweep. With persistence, also writes and syncs the WAL and releases the
   * directory (await it; later changes are not persisted). The cache stays usable in memory.
   */
  close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    return this.disk?.close() ?? Promise.resolve();
  }

  /** Resolves once every change made so far is durable under the fsync policy (at once without persistence). */
  durable(): Promise<void> {
    return this.disk?.durable() ?? Promise.resolve();
  }

  /** Writes a snapshot now (blocking) and prunes the WAL it covers. Needs persistence. */
  save(): SnapshotResult {
    if (this.disk === undefined) throw new Error("save() needs the persistence option");
    return this.disk.save();
  }

  /** Writes a snapshot in slices between other work. Needs persistence. */
  saveInBackground(): Promise<SnapshotResult> {
    if (this.disk === undefined) return Promise.reject(new Error("saveInBackground() needs the persistence option"));
    return this.disk.bgsave();
  }

  /** The persistence underneath (INFO fields, state), undefined without one. */
  get persistence(): Persistence | undefined {
    return this.disk;
  }

  /** @internal The engine underneath, for tests and the server. */
  get keyspace(): Keyspace {
    return this.ks;
  }


}

/** Checks the options and builds the keyspace (and persistence, not yet opened) they describe. */
function openKeyspace(opts: CacheOptions): { ks: Keyspace; disk: Persistence | undefined; sweep: number } {
  if (opts === null || typeof opts !== "object") throw new TypeError("options must be an object");
  if (opts.ttl !== undefined) checkTtl("ttl", opts.ttl);
  if (opts.eviction !== undefined && !EVICTION_POLICIES.includes(opts.eviction)) {
    throw new TypeError(`eviction must be one of ${EVICTION_POLICIES.join(", ")}, got ${String(opts.eviction)}`);
  }
  const sweep = opts.sweepIntervalMs ?? 100;
  checkTtl("sweepIntervalMs", sweep);
  let disk: Persistence | undefined;
  if (opts.persistence !== undefined) {
    const { fsync, ...rest } = opts.persistence;
    if (typeof rest.dir !== "string" || rest.dir === "") throw new TypeError("persistence.dir must be a non-empty string");
    disk = new Persistence({ ...rest, appendfsync: fsync ?? "everysec", now: rest.now ?? opts.now });
  }
  const ks = new Keyspace({
    maxMemory: opts.maxMemory,
    maxEntries: opts.maxEntries,
    policy: opts.eviction,
    now: opts.now,
    clock: opts.now ? undefined : new CoarseClock(checkTtl("ttlResolution", opts.ttlResolution ?? 1)),
    onMutation: disk?.record,
  });
  return { ks, disk, sweep };
}

function checkTtl(name: string, ms: unknown): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`${name} must be a finite number of ms >= 0, got ${String(ms)}`);
  }
  return ms;
}

const latin1 = (b: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/** Parses a canonical decimal integer (Redis rules: optional '-', no '+', no leading zeros). */
function parseInteger(b: Uint8Array): number | undefined {
  const n = b.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  const neg = b[0] === 45;
  if (neg) i = 1;
  if (i === n || (b[i] === 48 && n > i + 1) || (neg && b[i] === 48)) return undefined;
  let v = 0n;
  for (; i < n; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10n + BigInt(d);
  }
  if (v > SAFE_MAX) return undefined;
  return neg ? -Number(v) : Number(v);
}
