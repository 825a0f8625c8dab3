// The embedded API: a fast, memory-dense in-process cache for Bun programs, on the same Keyspace
// engine the server uses. Keys and values are bytes; strings are accepted and encoded as UTF-8.

import { Utf8Scratch, decodeUtf8, hashBytes } from "./engine/bytes.ts";
import { CoarseClock } from "./engine/clock.ts";
import { globMatch } from "./engine/glob.ts";
import { hashDelete, hashEntries, hashExpireFields, hashGet, hashSet } from "./engine/hash/hash-type.ts";
import { Keyspace } from "./engine/keyspace.ts";
import { listElements, listLength, listPop, listPush, listRange } from "./engine/list/list-type.ts";
import { EVICTION_POLICIES, SetFlag, Status, ValueType, type Bytes, type EngineStats, type EvictionPolicy, type Milliseconds } from "./engine/types.ts";
import { WrongTypeError } from "./cache-errors.ts";
import { setAdd, setHas, setMembers, setRemove, setSize } from "./engine/set/set-type.ts";
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
export type CacheKey = string | Uint8Array;
export type CacheValue = string | Uint8Array;

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

export class Cache {
  private readonly ks: Keyspace;
  private readonly keyScratch = new Utf8Scratch();
  private readonly valueScratch = new Utf8Scratch();
  private readonly defaultTtl: Milliseconds;
  private readonly loads = new Map<string, Promise<Uint8Array>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly disk: Persistence | undefined;
  /** What recovery loaded at construction (undefined without persistence). */
  readonly recovered: RecoveryResult | undefined;

  constructor(opts: CacheOptions = {}) {
    if (opts === null || typeof opts !== "object") throw new TypeError("options must be an object");
    if (opts.ttl !== undefined) checkTtl("ttl", opts.ttl);
    if (opts.eviction !== undefined && !EVICTION_POLICIES.includes(opts.eviction)) {
      throw new TypeError(`eviction must be one of ${EVICTION_POLICIES.join(", ")}, got ${String(opts.eviction)}`);
    }
    const sweep = opts.sweepIntervalMs ?? 100;
    checkTtl("sweepIntervalMs", sweep);
    if (opts.persistence !== undefined) {
      const { fsync, ...rest } = opts.persistence;
      if (typeof rest.dir !== "string" || rest.dir === "") throw new TypeError("persistence.dir must be a non-empty string");
      this.disk = new Persistence({ ...rest, appendfsync: fsync ?? "everysec", now: rest.now ?? opts.now });
    }
    this.ks = new Keyspace({
      maxMemory: opts.maxMemory,
      maxEntries: opts.maxEntries,
      policy: opts.eviction,
      now: opts.now,
      clock: opts.now ? undefined : new CoarseClock(checkTtl("ttlResolution", opts.ttlResolution ?? 1)),
      onMutation: this.disk?.record,
    });
    if (this.disk !== undefined) this.recovered = this.disk.openSync(this.ks);
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
    const slot = this.ks.lookup(this.keyBytes(key), this.keyHash);
    return slot < 0 ? undefined : this.ks.copyValue(slot);
  }

  /** The value decoded as UTF-8, or undefined. */
  getString(key: CacheKey): string | undefined {
    const slot = this.ks.lookup(this.keyBytes(key), this.keyHash);
    return slot < 0 ? undefined : this.ks.valueString(slot);
  }

  has(key: CacheKey): boolean {
    return this.ks.peek(this.keyBytes(key), this.keyHash) >= 0;
  }

  delete(key: CacheKey): boolean {
    return this.ks.delete(this.keyBytes(key));
  }

  // ---- hashes (the same hash type API as HSET/HGET/HGETALL/HDEL/HINCRBY/HPEXPIREAT) ------------

  /** Slot of a hash key, -1 when missing; throws WrongTypeError for another type. */
  private hashSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.Hash) throw new WrongTypeError();
    return slot;
  }

  /** HSET: sets `fields` (an object of field → value); returns how many fields are new. */
  hset(key: CacheKey, fields: Readonly<Record<string, CacheValue>>): number {
    const k = this.keyBytes(key).slice();
    const pairs: Uint8Array[] = [];
    for (const f of Object.keys(fields)) pairs.push(this.keyBytes(f).slice(), this.valueBytes(fields[f]!).slice());
    if (pairs.length === 0) return 0;
    const n = hashSet(this.ks, k, this.hashSlot(k), pairs);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** HGET: the field's value (a copy), or undefined. */
  hget(key: CacheKey, field: string): Uint8Array | undefined {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    return slot < 0 ? undefined : hashGet(this.ks, k, slot, this.keyBytes(field).slice())?.slice();
  }

  /** HGET decoded as UTF-8. */
  hgetString(key: CacheKey, field: string): string | undefined {
    const v = this.hget(key, field);
    return v === undefined ? undefined : decodeUtf8(v);
  }

  /** HGETALL: every live field and its value (UTF-8 decoded); {} when missing. */
  hgetall(key: CacheKey): Record<string, string> {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    const out: Record<string, string> = {};
    if (slot >= 0) for (const [f, v] of hashEntries(this.ks, slot)) out[decodeUtf8(f)] = decodeUtf8(v);
    return out;
  }

  /** HDEL: removes fields; returns how many existed (the key goes with its last field). */
  hdel(key: CacheKey, ...fields: string[]): number {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    return slot < 0 ? 0 : hashDelete(this.ks, k, slot, fields.map((f) => this.keyBytes(f).slice()));
  }

  /** HINCRBY: adds `by` to the field's integer (0 when missing); throws TypeError when it is not one. */
  hincrby(key: CacheKey, field: string, by: number): number {
    if (!Number.isSafeInteger(by)) throw new TypeError(`fast-cache: hincrby's 'by' must be a safe integer, got ${by}`);
    const cur = this.hgetString(key, field);
    const n = cur === undefined ? 0 : /^-?(0|[1-9][0-9]*)$/.test(cur) ? Number(cur) : NaN;
    if (!Number.isSafeInteger(n)) throw new TypeError("ERR hash value is not an integer");
    const next = n + by;
    this.hset(key, { [field]: String(next) });
    return next;
  }

  /**
   * HPEXPIRE: the fields expire after `ttl` ms. Returns one code per field as Redis: -2 no such
   * field, 1 set, 2 deleted (ttl ≤ 0).
   */
  hexpire(key: CacheKey, ttl: Milliseconds, ...fields: string[]): number[] {
    const k = this.keyBytes(key).slice();
    const slot = this.hashSlot(k);
    if (slot < 0) return fields.map(() => -2);
    return hashExpireFields(this.ks, k, slot, fields.map((f) => this.keyBytes(f).slice()), this.ks.now() + ttl, "");
  }

  // ---- lists (the same list type API as LPUSH/RPUSH/LPOP/RPOP/LRANGE/LLEN) ----------------------

  /** Slot of a list key, -1 when missing; throws WrongTypeError for another type. */
  private listSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.List) throw new WrongTypeError();
    return slot;
  }

  private listPushGeneric(key: CacheKey, values: CacheValue[], left: boolean): number {
    const els = values.map((v) => this.valueBytes(v).slice());
    const k = this.keyBytes(key).slice();
    const n = listPush(this.ks, k, this.listSlot(k), els, left);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** LPUSH: prepends `values` (each pushed to the head in turn); returns the new length. */
  lpush(key: CacheKey, ...values: CacheValue[]): number {
    return this.listPushGeneric(key, values, true);
  }

  /** RPUSH: appends `values`; returns the new length. */
  rpush(key: CacheKey, ...values: CacheValue[]): number {
    return this.listPushGeneric(key, values, false);
  }

  private listPopGeneric(key: CacheKey, count: number | undefined, left: boolean): Uint8Array | Uint8Array[] | undefined {
    const k = this.keyBytes(key).slice();
    const slot = this.listSlot(k);
    if (slot < 0) return undefined;
    const out = listPop(this.ks, k, slot, count ?? 1, left);
    return count === undefined ? out[0] : out;
  }

  /** LPOP: the first element (or the first `count`), or undefined when the list is missing. */
  lpop(key: CacheKey): Uint8Array | undefined;
  lpop(key: CacheKey, count: number): Uint8Array[] | undefined;
  lpop(key: CacheKey, count?: number): Uint8Array | Uint8Array[] | undefined {
    return this.listPopGeneric(key, count, true);
  }

  /** RPOP: the last element (or the last `count`, last first), or undefined when missing. */
  rpop(key: CacheKey): Uint8Array | undefined;
  rpop(key: CacheKey, count: number): Uint8Array[] | undefined;
  rpop(key: CacheKey, count?: number): Uint8Array | Uint8Array[] | undefined {
    return this.listPopGeneric(key, count, false);
  }

  /** LRANGE with Redis's inclusive, negative-from-the-tail indexes. */
  lrange(key: CacheKey, start: number, stop: number): Uint8Array[] {
    const slot = this.listSlot(this.keyBytes(key));
    if (slot < 0) return [];
    const n = listLength(this.ks, slot);
    if (start < 0) start = Math.max(0, n + start);
    if (stop < 0) stop = n + stop;
    if (stop >= n) stop = n - 1;
    if (start > stop || start >= n) return [];
    return start === 0 && stop === n - 1 ? listElements(this.ks, slot) : listRange(this.ks, slot, start, stop);
  }

  /** LLEN: 0 when missing. */
  llen(key: CacheKey): number {
    const slot = this.listSlot(this.keyBytes(key));
    return slot < 0 ? 0 : listLength(this.ks, slot);
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

  /** Slot of `key` when it holds a set, -1 when missing; throws WrongTypeError for another type. */
  private setSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.Set) throw new WrongTypeError();
    return slot;
  }

  /** Adds members to the set at `key` (created when missing); returns how many were new (SADD). */
  sadd(key: CacheKey, ...members: CacheValue[]): number {
    const k = this.keyBytes(key).slice();
    const ms = members.map((m) => this.valueBytes(m).slice());
    const n = setAdd(this.ks, k, this.setSlot(k), ms);
    if (n < 0) throw outOfMemory(-n as Status);
    return n;
  }

  /** Removes members; returns how many were there (SREM). An emptied set is deleted. */
  srem(key: CacheKey, ...members: CacheValue[]): number {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot < 0 ? 0 : setRemove(this.ks, k, slot, members.map((m) => this.valueBytes(m).slice()));
  }

  /** True when `member` is in the set at `key` (SISMEMBER). */
  sismember(key: CacheKey, member: CacheValue): boolean {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot >= 0 && setHas(this.ks, slot, this.valueBytes(member));
  }

  /** Members as copies (SMEMBERS); an empty array when the key is missing. */
  smembers(key: CacheKey): Uint8Array[] {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot < 0 ? [] : setMembers(this.ks, slot);
  }

  /** Members decoded as UTF-8. */
  smembersStrings(key: CacheKey): string[] {
    return this.smembers(key).map((m) => decodeUtf8(m));
  }

  /** Number of members (SCARD). */
  scard(key: CacheKey): number {
    const k = this.keyBytes(key).slice();
    const slot = this.setSlot(k);
    return slot < 0 ? 0 : setSize(this.ks, slot);
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

  /** `hashBytes` of the key `keyBytes` returned last. */
  private keyHash = 0;

  /** The key as bytes; also sets `keyHash` (computed in the same pass for string keys). */
  private keyBytes(key: CacheKey): Uint8Array {
    if (typeof key === "string") {
      const k = this.keyScratch.encodeHashed(key);
      this.keyHash = this.keyScratch.hash;
      return k;
    }
    if (key instanceof Uint8Array) {
      this.keyHash = hashBytes(key);
      return key;
    }
    throw new TypeError(`key must be a string or Uint8Array, got ${describe(key)}`);
  }

  private valueBytes(value: CacheValue): Uint8Array {
    if (typeof value === "string") return this.valueScratch.encode(value);
    if (value instanceof Uint8Array) return value;
    throw new TypeError(`value must be a string or Uint8Array, got ${describe(value)}`);
  }
}

function checkTtl(name: string, ms: unknown): number {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`${name} must be a finite number of ms >= 0, got ${String(ms)}`);
  }
  return ms;
}

function outOfMemory(st: Status): RangeError {
  if (st === Status.TooLarge) return new RangeError("value is larger than maxMemory allows for one entry");
  return new RangeError("out of memory: the entry does not fit in maxMemory/maxEntries and eviction is 'noeviction'");
}

const describe = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

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
