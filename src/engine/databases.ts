// The numbered databases of a server (`databases 16`, SELECT 0–15): one Keyspace per database,
// created on first use, sharing one memory limit. Database 0 is the keyspace the server was
// started with; the others are made by `create` with the same options.
//
// One limit for all: each keyspace compares maxmemory against its own allocated bytes plus what
// the others allocate (and the server's buffers), so INFO's used_memory is the same figure from
// any of them. A write that finds its own database with nothing left to evict frees memory in the
// others (the largest first), so a full database 0 does not make writes to database 1 fail with
// -OOM while allkeys eviction could make room — Redis samples eviction candidates across every
// database the same way.
//
// SWAPDB swaps the two keyspace objects and renumbers them: a client holds its database by index
// (Client.dbIndex), so every client of either database sees the swapped contents at once.
import type { Keyspace } from "./keyspace.ts";
import type { Bytes, EngineStats } from "./types.ts";

/** Redis's `databases` default. */
export const DEFAULT_DATABASES = 16;

export type KeyspaceFactory = (index: number, evictElsewhere: () => boolean) => Keyspace;

export class Databases {
  private readonly slots: (Keyspace | undefined)[];
  /** The databases created so far, in index order at creation (O(created) walks). */
  private created: Keyspace[];
  private absolute = false;

  constructor(
    zero: Keyspace,
    /** How many databases exist (SELECT accepts 0 .. count-1). */
    readonly count: number,
    private readonly create: KeyspaceFactory,
  ) {
    this.slots = new Array<Keyspace | undefined>(Math.max(1, count)).fill(undefined);
    this.slots[0] = zero;
    this.created = [zero];
  }

  /** Database `index` (0 ≤ index < count), created on first use. */
  at(index: number): Keyspace {
    const ks = this.slots[index];
    if (ks !== undefined) return ks;
    if (!(index >= 0 && index < this.count)) throw new RangeError(`database ${index} out of range`);
    // The factory may count memory at once and so call its hook before `made` is assigned.
    let made: Keyspace | undefined;
    made = this.create(index, () => made !== undefined && this.evictFor(made));
    made.db = index;
    made.absoluteFrames = this.absolute;
    this.slots[index] = made;
    this.created.push(made);
    return made;
  }

  /** Keyspace.absoluteFrames on every database, and on those created while it is on (a snapshot streams). */
  get absoluteFrames(): boolean {
    return this.absolute;
  }

  set absoluteFrames(on: boolean) {
    this.absolute = on;
    for (const ks of this.created) ks.absoluteFrames = on;
  }

  /** Database `index` if it was ever used (reads of an unused database see it empty). */
  peek(index: number): Keyspace | undefined {
    return this.slots[index];
  }

  /** Every database created so far, with its index, lowest index first. */
  each(visit: (index: number, ks: Keyspace) => void): void {
    for (let i = 0; i < this.slots.length; i++) {
      const ks = this.slots[i];
      if (ks !== undefined) visit(i, ks);
    }
  }

  /** True when a database other than 0 holds keys (or ever existed): callers may skip the walk. */
  get several(): boolean {
    return this.created.length > 1;
  }

  /** SWAPDB: the contents of `a` and `b` trade places (both are created if needed). */
  swap(a: number, b: number): void {
    if (a === b) return;
    const ka = this.at(a);
    const kb = this.at(b);
    ka.recordSwapWith(b);
    this.slots[a] = kb;
    this.slots[b] = ka;
    kb.db = a;
    ka.db = b;
  }

  /** Bytes allocated by every database but `self` (part of `self`'s maxmemory figure). */
  bytesBesides(self: Keyspace): Bytes {
    let n = 0;
    const all = this.created;
    for (let i = 0; i < all.length; i++) if (all[i] !== self) n += all[i]!.memoryBytes();
    return n;
  }

  /** Keys in every database. */
  get totalKeys(): number {
    let n = 0;
    for (const ks of this.created) n += ks.size;
    return n;
  }

  /** Engine counters summed over the databases. */
  stats(): EngineStats {
    const sum: EngineStats = { hits: 0, misses: 0, sets: 0, deletes: 0, evictions: 0, expired: 0, entries: 0, memoryBytes: 0, usedBytes: 0 };
    for (const ks of this.created) {
      const s = ks.stats();
      sum.hits += s.hits;
      sum.misses += s.misses;
      sum.sets += s.sets;
      sum.deletes += s.deletes;
      sum.evictions += s.evictions;
      sum.expired += s.expired;
      sum.entries += s.entries;
      sum.memoryBytes += s.memoryBytes;
      sum.usedBytes += s.usedBytes;
    }
    return sum;
  }

  /**
   * Frees memory for `needy` in the other databases, the largest first; false when none could.
   * Database 0 exists before this object: its keyspace's evictElsewhere calls this late-bound.
   */
  evictFor(needy: Keyspace): boolean {
    const others = this.created.filter((ks) => ks !== needy && ks.size > 0).sort((x, y) => y.memoryBytes() - x.memoryBytes());
    for (const ks of others) if (ks.shrinkForSibling()) return true;
    return false;
  }
}
