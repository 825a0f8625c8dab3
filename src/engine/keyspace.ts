// The keyspace: the engine's public face. On top of the slot store (slot-store.ts: typed arrays,
// arena pages, the index) it adds limits and eviction, expiry (lazy and a bounded sweep), exact
// memory accounting, statistics and mutation records. No JS object, string or Uint8Array exists
// per entry, so a million entries cost the garbage collector nothing. It knows nothing about
// sockets or files; every mutation can be observed as a `MutationRecord` (for the WAL) at no cost
// when nobody listens.

import "./compound/all-types.ts"; // every collection type registers its codec
import { recordBytes, writeRecord, writeValueInPlace } from "./arena.ts";
import { hashBytes } from "./bytes.ts";
import { Lru, NoEviction, S3Fifo, VolatileTtl, type Policy } from "./eviction.ts";
import { checkOptions, ENTRY_OVERHEAD, type KeyspaceOptions } from "./keyspace-options.ts";
import { garbagePacer } from "./garbage-pacer.ts";
import { MemoryBudget, type ExternalBytes } from "./memory-budget.ts";
import { HotValues } from "./hot-values.ts";
import { growU32, HAS_EXP, LARGE, LIVE, OFFSET_BITS, OFFSET_MASK, SlotStore, TYPE_MASK } from "./slot-store.ts";
import {
  MutationCause,
  MutationOp,
  SetFlag,
  Status,
  ValueType,
  type Bytes,
  type EngineStats,
  type EvictionPolicy,
  type LargeValue,
  type Milliseconds,
  type MutationListener,
  type MutationRecord,
} from "./types.ts";

const EMPTY = new Uint8Array(0);

export { ENTRY_OVERHEAD, type KeyspaceOptions };

export class Keyspace extends SlotStore {
  /** Last access (coarse seconds), only for the lru policy (OBJECT IDLETIME). */
  private atime: Uint32Array | null = null;
  private used = 0;
  private pol: Policy;
  private maxMem: number;
  private maxEnt: number;
  private readonly clk: { now(): Milliseconds };
  private listener: MutationListener | null;
  private readonly rec: MutationRecord = {
    op: MutationOp.Set,
    db: 0,
    cause: MutationCause.Command,
    type: ValueType.String,
    key: EMPTY,
    value: EMPTY,
    expireAt: 0,
  };
  /** Large collections by slot (the slot's meta has LARGE). */
  private readonly objs = new Map<number, LargeValue>();
  /** Bytes the large collections allocate (part of memoryBytes). */
  private largeBytes = 0;
  private sweepCursor = 0;
  private coarseSec = 0;
  private compactCountdown = 1024;
  private hits = 0;
  private misses = 0;
  private sets = 0;
  private deletes = 0;
  private evictions = 0;
  private expiredCount = 0;
  /** Set by countAllocatedMemory: maxMemory then limits allocated bytes, not charged ones. */
  private budget: MemoryBudget | null = null;
  private readonly compactUnder = (maxLive: number): boolean => this.compactOnePage(maxLive);
  private readonly evictElsewhere: (() => boolean) | null;
  /** Decoded string values of hot slots (hot-values.ts); made by the first `valueStringHot`. */
  private hot: HotValues | null = null;

  constructor(opts: KeyspaceOptions = {}) {
    checkOptions(opts);
    super(opts.initialCapacity ?? 1024, (opts.maxEntries ?? 0) > 0);
    this.maxMem = opts.maxMemory ?? 0;
    this.maxEnt = opts.maxEntries ?? 0;
    this.clk = opts.clock ?? { now: opts.now ?? Date.now };
    this.listener = opts.onMutation ?? null;
    this.rec.db = opts.db ?? 0;
    this.evictElsewhere = opts.evictElsewhere ?? null;
    this.pol = this.makePolicy(opts.policy ?? "s3fifo");
    this.coarseSec = Math.floor(this.clk.now() / 1000);
  }

  protected grew(cap: number): void {
    if (this.atime !== null) this.atime = growU32(this.atime, cap);
    this.hot?.grow(cap);
    this.pol.grow(cap);
  }

  private makePolicy(name: EvictionPolicy): Policy {
    this.atime = null;
    if (this.maxMem === 0 && this.maxEnt === 0) return new NoEviction(name);
    switch (name) {
      case "noeviction":
        return new NoEviction();
      case "lru":
        this.atime = new Uint32Array(this.cap);
        return new Lru(this.cap);
      case "volatile-ttl":
        return new VolatileTtl(this.cap, (exclude) => this.nearestExpiry(exclude));
      default:
        return new S3Fifo(this.cap, (slot) => this.freeSlot(slot));
    }
  }

  // ---- options ------------------------------------------------------------------------------

  get size(): number {
    return this.count;
  }

  /** The database index its mutation records carry; SWAPDB renumbers the two keyspaces. */
  get db(): number {
    return this.rec.db ?? 0;
  }

  set db(index: number) {
    this.rec.db = index;
  }

  get maxMemory(): Bytes {
    return this.maxMem;
  }

  get maxEntries(): number {
    return this.maxEnt;
  }

  get policy(): EvictionPolicy {
    return this.pol.name;
  }

  /** Entries that carry an expiry. */
  get volatileCount(): number {
    return this.ttlCount;
  }

  now(): Milliseconds {
    return this.clk.now();
  }

  /** Changes limits and policy at run time (CONFIG SET); evicts at once if over the new limits. */
  configure(opts: { maxMemory?: Bytes; maxEntries?: number; policy?: EvictionPolicy }): void {
    checkOptions(opts);
    const wasLimited = this.maxMem > 0 || this.maxEnt > 0;
    if (opts.maxMemory !== undefined) this.maxMem = opts.maxMemory;
    if (opts.maxEntries !== undefined) this.maxEnt = opts.maxEntries;
    const limited = this.maxMem > 0 || this.maxEnt > 0;
    this.bounded = this.maxEnt > 0;
    this.tmax = this.maxLoadOf(this.tsize);
    const name = opts.policy ?? this.pol.name;
    if (name !== this.pol.name || limited !== wasLimited) {
      this.pol = this.makePolicy(name);
      for (let s = 0; s < this.highWater; s++) if (this.meta[s]! & LIVE) this.pol.insert(s, this.hashes[s]!);
      this.rebuildFreeList(); // slots the old policy was holding back
    }
    this.makeRoom(0, 0, -1);
  }

  /**
   * From now on maxMemory limits what the process spends on this keyspace (allocated bytes, see
   * memory-budget.ts) plus `external()` bytes held elsewhere, as Redis's maxmemory does.
   */
  countAllocatedMemory(external: ExternalBytes): void {
    this.budget = new MemoryBudget(() => this.memoryBytes(), external);
    this.arena.onDiscard = (bytes) => garbagePacer.noteGarbage(bytes, this.maxMem);
    this.makeRoom(0, 0, -1);
  }

  /** Bytes held outside the engine that count toward maxMemory (0 unless counting allocated memory). */
  externalMemory(): Bytes {
    return this.budget !== null ? this.budget.external() : 0;
  }

  /** The figure maxMemory is compared with: allocated plus external bytes once counted, else charged bytes. */
  usedMemory(): Bytes {
    return this.budget !== null ? this.budget.used() : this.used;
  }

  // ---- reads --------------------------------------------------------------------------------

  /**
   * Slot of `key` or -1; counts a hit or miss, expires lazily, records the access for eviction.
   * `hash` may be passed when the caller already has `hashBytes(key)`.
   */
  lookup(key: Uint8Array, hash: number = hashBytes(key)): number {
    return this.found(this.find(key, hash));
  }

  /** `lookup` of a short ASCII string key, `hash` from `hashAscii` (no encoding of the key). */
  lookupAscii(key: string, hash: number): number {
    return this.found(this.findAscii(key, hash));
  }

  /** `peek` of a short ASCII string key, `hash` from `hashAscii`. */
  peekAscii(key: string, hash: number): number {
    const slot = this.findAscii(key, hash);
    if (slot < 0) return -1;
    if (this.meta[slot]! & HAS_EXP && this.exp![slot]! <= this.clk.now()) {
      this.removeSlot(slot, MutationCause.Expired);
      return -1;
    }
    return slot;
  }

  /** The rest of a lookup once the index answered: stats, lazy expiry, the access for eviction. */
  private found(slot: number): number {
    if (slot < 0) {
      this.misses++;
      return -1;
    }
    if (this.meta[slot]! & HAS_EXP && this.exp![slot]! <= this.clk.now()) {
      this.removeSlot(slot, MutationCause.Expired);
      this.misses++;
      return -1;
    }
    this.hits++;
    this.pol.access(slot);
    if (this.atime !== null) this.atime[slot] = this.coarseSec;
    return slot;
  }

  /** Slot of `key` or -1; expires lazily, no stats, no access recorded. */
  peek(key: Uint8Array, hash: number = hashBytes(key)): number {
    const slot = this.find(key, hash);
    if (slot < 0) return -1;
    if (this.meta[slot]! & HAS_EXP && this.exp![slot]! <= this.clk.now()) {
      this.removeSlot(slot, MutationCause.Expired);
      return -1;
    }
    return slot;
  }

  /** A copy of the value, counting a hit or miss. */
  get(key: Uint8Array): Uint8Array | undefined {
    const slot = this.lookup(key);
    if (slot < 0) return undefined;
    return this.copyValue(slot);
  }

  /** `valueString`, served from the front of decoded hot values when it holds the slot. */
  valueStringHot(slot: number): string {
    const hot = this.hot ?? (this.hot = new HotValues(this.cap));
    const cached = hot.get(slot);
    if (cached !== undefined) return cached;
    const s = this.valueString(slot);
    hot.put(slot, s, this.valueLength(slot));
    return s;
  }

  /** Bytes charged to this entry (MEMORY USAGE). */
  entryBytes(slot: number): number {
    const extra = this.meta[slot]! & LARGE ? this.objs.get(slot)!.charged : 0;
    return this.recordSize(slot) + ENTRY_OVERHEAD + extra;
  }

  // ---- collections ----------------------------------------------------------------------------

  /** The large collection held at `slot`, or undefined when its value is the packed record. */
  large(slot: number): LargeValue | undefined {
    return this.meta[slot]! & LARGE ? this.objs.get(slot) : undefined;
  }

  /**
   * Makes `v` the value of `slot` (whose record value should be empty: set it with QUIET first).
   * Its bytes are charged to the key from now on (evicting others if needed); `recharge` follows its growth.
   */
  attachLarge(slot: number, v: LargeValue): void {
    if (this.meta[slot]! & LARGE) this.dropLarge(slot);
    this.hot?.forget(slot);
    v.charged = v.bytes();
    this.used += v.charged;
    this.largeBytes += v.charged;
    this.objs.set(slot, v);
    this.meta[slot] = this.meta[slot]! | LARGE;
    // A table built at its full size (a conversion, a load) may not grow again: evict for it now.
    if (this.maxMem > 0) this.makeRoom(0, 0, slot);
  }

  /** Re-reads the size of the large collection at `slot` after it changed; evicts others if needed. */
  recharge(slot: number): void {
    const v = this.objs.get(slot);
    if (v === undefined) return;
    const now = v.bytes();
    const delta = now - v.charged;
    if (delta === 0) return;
    v.charged = now;
    this.used += delta;
    this.largeBytes += delta;
    // Shrinking frees arrays; growing replaced smaller ones (about as many bytes as it added).
    if (this.budget !== null) garbagePacer.noteGarbage(delta > 0 ? delta : -delta, this.maxMem);
    if (delta > 0 && (this.maxMem > 0 || this.maxEnt > 0)) this.makeRoom(0, 0, slot);
  }

  /** Replaces the mutation listener (replication adds itself beside persistence; null = none). */
  setMutationListener(fn: MutationListener | null): void {
    this.listener = fn;
  }

  /** True when mutations are recorded (a listener is installed): type modules build Deltas only then. */
  get recording(): boolean {
    return this.listener !== null || this.touched !== null;
  }

  /** Records SWAPDB of this database with database `other` (MutationOp.SwapDb); the caller swaps. */
  recordSwapWith(other: number): void {
    if (this.listener === null) return;
    const r = this.rec;
    r.op = MutationOp.SwapDb;
    r.cause = MutationCause.Command;
    r.type = ValueType.String;
    r.key = EMPTY;
    r.value = EMPTY;
    r.expireAt = other;
    this.listener(r);
  }

  /** Records one type operation on the collection at `slot` (MutationOp.Delta, `payload` as its type encodes it). */
  emitDelta(slot: number, payload: Uint8Array): void {
    if (this.touched !== null) this.touched(this.keyView(slot));
    if (this.listener === null) return;
    if (this.absoluteFrames) this.emitSet(this.keyView(slot), this.serializedValue(slot), this.expireAt(slot), this.typeOf(slot));
    else this.emit(MutationOp.Delta, MutationCause.Command, slot, payload, this.expireAt(slot));
  }

  /**
   * While true, collection changes are recorded as whole-value Set frames instead of Deltas.
   * Persistence sets it while a snapshot is streamed: a key the snapshot visits after a change
   * already holds it, and a Delta (a push, say) replayed on top would apply twice; a Set frame
   * holds absolute state and replays safely.
   */
  absoluteFrames = false;

  /** The value in its type's packed format: the record for strings and small collections. */
  serializedValue(slot: number): Uint8Array {
    const v = this.large(slot);
    return v === undefined ? this.valueView(slot) : v.serialize();
  }

  private dropLarge(slot: number): void {
    const v = this.objs.get(slot);
    if (v !== undefined) {
      this.used -= v.charged;
      this.largeBytes -= v.charged;
      this.objs.delete(slot);
      if (this.budget !== null) garbagePacer.noteGarbage(v.charged, this.maxMem);
    }
    this.meta[slot] = this.meta[slot]! & ~LARGE;
  }

  /** Access frequency (OBJECT FREQ), or -1 when the policy does not track it. */
  frequency(slot: number): number {
    return this.pol.frequency(slot);
  }

  /** Ms since the last access (OBJECT IDLETIME, 1 s resolution), or -1 when not tracked. */
  idleMs(slot: number): number {
    if (this.atime === null) return -1;
    return Math.max(0, this.clk.now() - this.atime[slot]! * 1000);
  }

  // ---- writes -------------------------------------------------------------------------------

  /**
   * Sets key → value. `expireAt` is absolute ms (0 = none); a time not in the future removes the key.
   * `flags` are SetFlag bits. Returns Ok, Exists (NX), NotFound (XX), OutOfMemory or TooLarge.
   */
  set(
    key: Uint8Array,
    value: Uint8Array,
    expireAt: Milliseconds = 0,
    flags = 0,
    type: ValueType = ValueType.String,
    h: number = hashBytes(key),
  ): Status {
    let slot = this.find(key, h);
    if (slot >= 0 && this.meta[slot]! & HAS_EXP && this.exp![slot]! <= this.clk.now()) {
      this.removeSlot(slot, MutationCause.Expired);
      slot = -1;
    }
    if (slot >= 0) {
      if (flags & SetFlag.NX) return Status.Exists;
      if (flags & SetFlag.KEEPTTL) expireAt = this.expireAt(slot);
      else if (expireAt !== 0 && expireAt <= this.clk.now()) return this.deleteExpiredWrite(slot);
      return this.replace(slot, key, value, expireAt, type, (flags & SetFlag.QUIET) !== 0);
    }
    if (flags & SetFlag.XX) return Status.NotFound;
    if (expireAt !== 0 && !(flags & SetFlag.KEEPTTL) && expireAt <= this.clk.now()) return Status.Ok;
    if (flags & SetFlag.KEEPTTL) expireAt = 0;
    return this.insert(key, h, value, expireAt, type, (flags & SetFlag.QUIET) !== 0);
  }

  /** Removes `key`; false when it was missing. */
  delete(key: Uint8Array): boolean {
    const slot = this.peek(key);
    if (slot < 0) return false;
    this.deletes++;
    this.removeSlot(slot, MutationCause.Command);
    return true;
  }

  /** Sets an absolute expiry; a time not in the future deletes the key. False when missing. */
  expire(key: Uint8Array, at: Milliseconds): boolean {
    const slot = this.peek(key);
    if (slot < 0) return false;
    if (at <= this.clk.now()) {
      this.deleteExpiredWrite(slot);
      return true;
    }
    this.setExpiry(slot, at);
    if (this.listener !== null) this.emit(MutationOp.Expire, MutationCause.Command, slot, EMPTY, at);
    if (this.touched !== null) this.touched(this.keyView(slot));
    return true;
  }

  /** Removes the expiry; false when the key is missing or has none. */
  persist(key: Uint8Array): boolean {
    const slot = this.peek(key);
    if (slot < 0 || !(this.meta[slot]! & HAS_EXP)) return false;
    this.setExpiry(slot, 0);
    if (this.listener !== null) this.emit(MutationOp.Expire, MutationCause.Command, slot, EMPTY, 0);
    if (this.touched !== null) this.touched(this.keyView(slot));
    return true;
  }

  /**
   * Called with the key of every change (set, delete, expiry change, collection change, expired
   * or evicted), and with `null` when everything is cleared: WATCH installs it while a client
   * watches a key of this keyspace. Null (the default) costs one test per change.
   */
  touched: ((key: Uint8Array | null) => void) | null = null;
  /** Told of each key the engine removes itself (expired, evicted): keyspace notifications. */
  removedByEngine: ((key: Uint8Array, cause: MutationCause) => void) | null = null;
  /** Told of each key created (keyspace notifications' `new`); null unless someone asked. */
  addedKey: ((key: Uint8Array) => void) | null = null;

  /** Removes every entry. */
  clear(): void {
    if (this.touched !== null) this.touched(null);
    if (this.budget !== null) garbagePacer.noteGarbage(this.memoryBytes(), this.maxMem);
    this.resetStorage();
    this.hot = null;
    this.objs.clear();
    this.largeBytes = 0;
    this.used = 0;
    this.sweepCursor = 0;
    this.pol = this.makePolicy(this.pol.name);
    if (this.listener !== null) {
      const r = this.rec;
      r.op = MutationOp.Clear;
      r.cause = MutationCause.Command;
      r.type = ValueType.String;
      r.key = EMPTY;
      r.value = EMPTY;
      r.expireAt = 0;
      this.listener(r);
    }
  }

  // ---- iteration and maintenance ------------------------------------------------------------

  /**
   * Visits up to `count` live entries starting at `cursor` and returns the next cursor (0 when
   * done). Cursors are slot ids, which never move (growth and compaction move index cells and
   * bytes, not slots), so every key present for a whole scan is visited exactly once.
   */
  scan(cursor: number, count: number, visit: (slot: number) => void): number {
    let i = cursor;
    const end = this.highWater;
    let seen = 0;
    const budget = Math.max(1, count) * 10 + 64;
    for (let examined = 0; i < end && seen < count && examined < budget; i++, examined++) {
      const m = this.meta[i]!;
      if (!(m & LIVE)) continue;
      if (m & HAS_EXP && this.exp![i]! <= this.clk.now()) {
        this.removeSlot(i, MutationCause.Expired);
        continue;
      }
      visit(i);
      seen++;
    }
    return i >= this.highWater ? 0 : i;
  }

  /** A random live slot, -1 when empty. */
  randomSlot(): number {
    while (this.count > 0) {
      const start = Math.floor(Math.random() * this.highWater);
      for (let n = 0; n < this.highWater; n++) {
        const s = (start + n) % this.highWater;
        if (!(this.meta[s]! & LIVE)) continue;
        if (this.meta[s]! & HAS_EXP && this.exp![s]! <= this.clk.now()) {
          this.removeSlot(s, MutationCause.Expired);
          break;
        }
        return s;
      }
    }
    return -1;
  }

  /**
   * Reclaims expired entries, examining at most `maxChecks` slots from where the last call
   * stopped; returns how many it removed. Also advances the coarse access clock and compacts one
   * fragmented arena page when it is worth it, so a caller's periodic tick does all upkeep.
   */
  sweepExpired(maxChecks: number): number {
    const now = this.clk.now();
    this.coarseSec = Math.floor(now / 1000);
    if (this.arena.fragmented()) this.compactOnePage();
    if (this.ttlCount === 0 || this.highWater === 0) return 0;
    let removed = 0;
    let i = this.sweepCursor;
    for (let n = 0; n < maxChecks; n++) {
      if (i >= this.highWater) i = 0;
      const m = this.meta[i]!;
      if (m & HAS_EXP && m & LIVE && this.exp![i]! <= now) {
        this.removeSlot(i, MutationCause.Expired);
        removed++;
        if (this.ttlCount === 0) break;
      }
      i++;
    }
    this.sweepCursor = i;
    return removed;
  }

  stats(): EngineStats {
    return {
      hits: this.hits,
      misses: this.misses,
      sets: this.sets,
      deletes: this.deletes,
      evictions: this.evictions,
      expired: this.expiredCount,
      entries: this.count,
      memoryBytes: this.memoryBytes(),
      usedBytes: this.used,
    };
  }

  resetStats(): void {
    this.hits = this.misses = this.sets = this.deletes = this.evictions = this.expiredCount = 0;
  }

  /** Exact bytes allocated by the engine (arrays, index, arena pages). */
  memoryBytes(): Bytes {
    return this.storageBytes() + (this.atime?.byteLength ?? 0) + this.pol.bytes() + this.largeBytes + (this.hot?.bytes() ?? 0);
  }

  /** @internal Invariant checks for tests: index ↔ slots ↔ accounting agree. Returns problems found. */
  checkInvariants(): string[] {
    const problems: string[] = [];
    let live = 0;
    let used = 0;
    let ttl = 0;
    for (let s = 0; s < this.highWater; s++) {
      const m = this.meta[s]!;
      if (!(m & LIVE)) continue;
      live++;
      if (m & HAS_EXP) ttl++;
      used += this.entryBytes(s);
      if (this.find(this.keyView(s), this.hashes[s]!) !== s) problems.push(`slot ${s} not found by its key`);
    }
    let indexed = 0;
    for (let i = 0; i < this.tsize; i++) if (this.table[i]! >= 0) indexed++;
    if (live !== this.count) problems.push(`count ${this.count} but ${live} live slots`);
    if (indexed !== this.count) problems.push(`index holds ${indexed} for ${this.count} entries`);
    if (used !== this.used) problems.push(`usedBytes ${this.used} but entries add up to ${used}`);
    if (ttl !== this.ttlCount) problems.push(`ttlCount ${this.ttlCount} but ${ttl} entries expire`);
    return problems;
  }

  // ---- internals ----------------------------------------------------------------------------

  private insert(key: Uint8Array, h: number, value: Uint8Array, expireAt: number, type: ValueType, quiet: boolean): Status {
    const need = recordBytes(key.length, value.length);
    if (this.maxMem > 0 || this.maxEnt > 0) {
      const st = this.makeRoom(need + ENTRY_OVERHEAD, 1, -1);
      if (st !== Status.Ok) return st;
    }
    if (--this.compactCountdown <= 0) {
      this.compactCountdown = 1024;
      if (this.arena.fragmented()) this.compactOnePage();
    }
    const slot = this.takeSlot();
    const loc = this.arena.alloc(need);
    writeRecord(this.arena.pages[loc >>> OFFSET_BITS]!, (loc & OFFSET_MASK) << 2, key, value);
    this.hashes[slot] = h;
    this.locs[slot] = loc;
    this.index(slot, h); // before marking it live: a rehash inside re-indexes live slots only
    this.meta[slot] = LIVE | type;
    if (expireAt !== 0) this.setExpiry(slot, expireAt);
    this.count++;
    this.used += need + ENTRY_OVERHEAD;
    this.pol.insert(slot, h);
    if (this.atime !== null) this.atime[slot] = this.coarseSec;
    this.sets++;
    if (this.listener !== null && !quiet) this.emitSet(key, value, expireAt, type);
    if (this.touched !== null) this.touched(key);
    if (this.addedKey !== null) this.addedKey(key);
    return Status.Ok;
  }

  private replace(slot: number, key: Uint8Array, value: Uint8Array, expireAt: number, type: ValueType, quiet: boolean): Status {
    const oldNeed = this.recordSize(slot);
    const need = recordBytes(key.length, value.length);
    if (this.hot !== null) this.hot.forget(slot);
    if (need > oldNeed && (this.maxMem > 0 || this.maxEnt > 0)) {
      if (this.maxMem > 0 && need + ENTRY_OVERHEAD > this.maxMem) return Status.TooLarge;
      const st = this.makeRoom(need - oldNeed, 0, slot);
      if (st !== Status.Ok) return st;
    }
    if (need === oldNeed) {
      const loc = this.locs[slot]!;
      writeValueInPlace(this.arena.pages[loc >>> OFFSET_BITS]!, (loc & OFFSET_MASK) << 2, key.length, value);
    } else {
      const loc = this.arena.alloc(need);
      writeRecord(this.arena.pages[loc >>> OFFSET_BITS]!, (loc & OFFSET_MASK) << 2, key, value);
      this.arena.free(this.locs[slot]!, oldNeed);
      this.locs[slot] = loc;
      this.used += need - oldNeed;
    }
    if (this.meta[slot]! & LARGE) this.dropLarge(slot);
    this.meta[slot] = (this.meta[slot]! & ~TYPE_MASK) | type;
    this.setExpiry(slot, expireAt);
    this.pol.access(slot);
    if (this.atime !== null) this.atime[slot] = this.coarseSec;
    this.sets++;
    if (this.listener !== null && !quiet) this.emitSet(key, value, expireAt, type);
    if (this.touched !== null) this.touched(key);
    return Status.Ok;
  }

  /** A write whose expiry is already past: the key is removed (logged as a delete). */
  private deleteExpiredWrite(slot: number): Status {
    this.deletes++;
    this.removeSlot(slot, MutationCause.Command);
    return Status.Ok;
  }

  /** Evicts until `extraBytes` and `extraEntries` fit. Never evicts `exclude`. */
  private makeRoom(extraBytes: number, extraEntries: number, exclude: number): Status {
    const maxMem = this.maxMem;
    const maxEnt = this.maxEnt;
    if (maxMem > 0 && extraBytes > maxMem) return Status.TooLarge;
    const budget = this.budget;
    while ((maxMem > 0 && (budget !== null ? budget.used() : this.used) + extraBytes > maxMem) || (maxEnt > 0 && this.count + extraEntries > maxEnt)) {
      if (budget !== null && budget.reclaim(this.arena, this.compactUnder)) continue;
      const victim = this.pol.victim(exclude);
      if (victim < 0) {
        if (this.evictElsewhere !== null && budget !== null && this.evictElsewhere()) continue;
        return Status.OutOfMemory;
      }
      this.evictVictim(victim);
    }
    return Status.Ok;
  }

  private evictVictim(victim: number): void {
    this.evictions++;
    this.pol.evicted(victim, this.hashes[victim]!);
    this.removeSlot(victim, MutationCause.Evicted);
  }

  /**
   * Frees memory for a sibling database over the shared limit: compacts a page when enough dead
   * space is there, else evicts one entry by the policy. False when it has nothing to give.
   */
  shrinkForSibling(): boolean {
    if (this.budget !== null && this.budget.reclaim(this.arena, this.compactUnder)) return true;
    if (this.count === 0 || this.pol.name === "noeviction") return false;
    const victim = this.pol.victim(-1);
    if (victim < 0) return false;
    this.evictVictim(victim);
    return true;
  }

  private removeSlot(slot: number, cause: MutationCause): void {
    if (this.listener !== null) this.emit(MutationOp.Delete, cause, slot, EMPTY, 0);
    if (this.touched !== null) this.touched(this.keyView(slot));
    if (cause !== MutationCause.Command && this.removedByEngine !== null) this.removedByEngine(this.keyView(slot), cause);
    if (cause === MutationCause.Expired) this.expiredCount++;
    if (this.hot !== null) this.hot.forget(slot);
    if (this.meta[slot]! & LARGE) this.dropLarge(slot);
    const size = this.recordSize(slot);
    this.unindex(slot);
    this.arena.free(this.locs[slot]!, size);
    this.used -= size + ENTRY_OVERHEAD;
    if (this.meta[slot]! & HAS_EXP) this.ttlCount--;
    this.meta[slot] = 0;
    this.count--;
    if (this.pol.remove(slot)) this.freeSlot(slot);
  }

  /** volatile-ttl's sample: the entry with the nearest expiry among up to 16 candidates. */
  private nearestExpiry(exclude: number): number {
    if (this.ttlCount === 0 || this.exp === null) return -1;
    let best = -1;
    let bestAt = Infinity;
    let found = 0;
    const start = Math.floor(Math.random() * this.highWater);
    // Examine enough slots to expect 16 with an expiry (all of them when expiring keys are rare),
    // so keys without expiry are evicted only when none has one, as in Redis.
    const budget = Math.min(this.highWater, Math.ceil((16 * this.highWater) / this.ttlCount) + 64);
    for (let n = 0; n < budget && found < 16; n++) {
      const s = (start + n) % this.highWater;
      if (s === exclude || (this.meta[s]! & (LIVE | HAS_EXP)) !== (LIVE | HAS_EXP)) continue;
      found++;
      if (this.exp[s]! < bestAt) {
        bestAt = this.exp[s]!;
        best = s;
      }
    }
    return best;
  }

  private emitSet(key: Uint8Array, value: Uint8Array, expireAt: number, type: ValueType): void {
    const r = this.rec;
    r.op = MutationOp.Set;
    r.cause = MutationCause.Command;
    r.type = type;
    r.key = key;
    r.value = value;
    r.expireAt = expireAt;
    this.listener!(r);
  }

  private emit(op: MutationOp, cause: MutationCause, slot: number, value: Uint8Array, expireAt: number): void {
    const r = this.rec;
    r.op = op;
    r.cause = cause;
    r.type = this.typeOf(slot);
    r.key = this.keyView(slot);
    r.value = value;
    r.expireAt = expireAt;
    this.listener!(r);
  }
}
