// Where entries live: per-slot typed arrays (hash, record location, type and flags, expiry), the
// arena pages holding key and value bytes, and an open-addressing index of slot ids (linear
// probing, backward-shift deletion, no tombstones). No JS object exists per entry. The Keyspace
// (keyspace.ts) builds on it with limits, eviction, expiry, statistics and mutation records; this
// layer knows nothing of those.

import { Arena, lenBytes, readLen, recordBytes } from "./arena.ts";
import { equalsAt, hashBytes } from "./bytes.ts";
import type { Bytes, Milliseconds, ValueType } from "./types.ts";

export const NIL = 0xffffffff;
const EMPTY_PAGE = new Uint8Array(0);
/** meta bits: the value type in bits 0-2, then LIVE and HAS_EXP. */
export const TYPE_MASK = 7;
export const LIVE = 8;
export const HAS_EXP = 16;
/** The value is a large collection held by the keyspace's object table (the record keeps the key). */
export const LARGE = 32;
/** A record location: page id in the high 14 bits, offset in 4-byte units in the low 18. */
export const OFFSET_BITS = 18;
export const OFFSET_MASK = (1 << OFFSET_BITS) - 1;
/** Index load that triggers growth. */
const MAX_LOAD = 0.75;
/**
 * With a maxEntries limit the count sits at the limit for good, so the index is grown to stay
 * at most half full there: linear probing's clusters (walked by every delete's backward shift)
 * are about 4x shorter at 0.5 than at 0.75.
 */
const MAX_LOAD_BOUNDED = 0.5;

/** Node's (and Bun's) Buffer method behind toString("latin1"), without the encoding dispatch. */
interface Latin1Slicer {
  latin1Slice(start: number, end: number): string;
}

export abstract class SlotStore {
  // ---- per-slot arrays ----
  protected cap: number;
  protected hashes: Uint32Array;
  /** Record location; for a free slot, the next free slot. */
  protected locs: Uint32Array;
  /** Type in bits 0-2, LIVE, HAS_EXP. */
  protected meta: Uint8Array;
  /** Absolute expiry (ms), allocated on first use. */
  protected exp: Float64Array | null = null;
  protected highWater = 0;
  protected freeHead = NIL;
  protected count = 0;
  protected ttlCount = 0;
  // ---- index: open addressing, linear probing, backward-shift deletion ----
  protected table: Int32Array;
  protected tsize: number;
  protected tmax: number;
  protected readonly arena: Arena;
  protected readonly initialCap: number;
  /** True when the entry count is bounded (maxEntries): the index then stays at most half full. */
  protected bounded: boolean;

  constructor(initialCapacity: number, bounded: boolean, firstPageBytes?: number) {
    this.arena = new Arena(firstPageBytes);
    this.initialCap = Math.max(16, initialCapacity);
    this.cap = this.initialCap;
    this.hashes = new Uint32Array(this.cap);
    this.locs = new Uint32Array(this.cap);
    this.meta = new Uint8Array(this.cap);
    this.bounded = bounded;
    this.tsize = tableSizeFor(this.cap);
    this.table = new Int32Array(this.tsize).fill(-1);
    this.tmax = this.maxLoadOf(this.tsize);
  }

  /** Called after the per-slot arrays grew to `cap` slots (the keyspace grows its own). */
  protected abstract grew(cap: number): void;

  /** A fresh copy of the slot's value (a plain Uint8Array the caller owns). */
  copyValue(slot: number): Uint8Array {
    const off = this.valueStart(slot);
    const n = this.startedLength;
    const page = this.startedPage;
    const out = new Uint8Array(n);
    if (n < 64) for (let i = 0; i < n; i++) out[i] = page[off + i]!;
    else out.set(page.subarray(off, off + n));
    return out;
  }

  /** Set by `valueStart`: the length of the value and the page holding it. */
  private startedLength = 0;
  private startedPage: Uint8Array = EMPTY_PAGE;

  /**
   * Offset of the slot's value in its page, reading the record header once; leaves the value's
   * length in `startedLength` and its page in `startedPage` (the read path's one-pass decode).
   */
  private valueStart(slot: number): number {
    const loc = this.locs[slot]!;
    const page = this.arena.pages[loc >>> OFFSET_BITS]!;
    let p = (loc & OFFSET_MASK) << 2;
    const b0 = page[p]!;
    let klen = b0;
    if (b0 < 128) p += 1;
    else {
      klen = readLen(page, p);
      p += 4;
    }
    const b1 = page[p]!;
    if (b1 < 128) {
      this.startedLength = b1;
      p += 1;
    } else {
      this.startedLength = readLen(page, p);
      p += 4;
    }
    this.startedPage = page;
    return p + klen;
  }

  typeOf(slot: number): ValueType {
    return (this.meta[slot]! & TYPE_MASK) as ValueType;
  }

  /** The page holding the slot's record; the value is page[valueOffset, valueOffset + valueLength). */
  valuePage(slot: number): Uint8Array {
    return this.arena.pages[this.locs[slot]! >>> OFFSET_BITS]!;
  }

  valueOffset(slot: number): number {
    const page = this.valuePage(slot);
    const off = (this.locs[slot]! & OFFSET_MASK) << 2;
    const kb = lenBytes(page, off);
    const klen = readLen(page, off);
    return off + kb + lenBytes(page, off + kb) + klen;
  }

  valueLength(slot: number): number {
    const page = this.valuePage(slot);
    const off = (this.locs[slot]! & OFFSET_MASK) << 2;
    return readLen(page, off + lenBytes(page, off));
  }

  /** The value decoded as UTF-8. */
  valueString(slot: number): string {
    const off = this.valueStart(slot);
    const end = off + this.startedLength;
    const page = this.startedPage as Buffer;
    if (end - off <= 128) {
      // Short ASCII values decode as latin1, about twice as fast as the UTF-8 decoder.
      let ascii = true;
      for (let i = off; i < end; i++) {
        if (page[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return (page as unknown as Latin1Slicer).latin1Slice(off, end);
    }
    return page.toString("utf8", off, end);
  }

  /** A view of the value; valid until the next mutation of this keyspace. */
  valueView(slot: number): Uint8Array {
    // A plain Uint8Array view, not a Buffer: Buffer's slice() is a view too, and callers copy with slice().
    const off = this.valueOffset(slot);
    const page = this.valuePage(slot);
    return new Uint8Array(page.buffer, page.byteOffset + off, this.valueLength(slot));
  }

  /** A view of the key; valid until the next mutation of this keyspace. */
  keyView(slot: number): Uint8Array {
    const page = this.valuePage(slot);
    const off = (this.locs[slot]! & OFFSET_MASK) << 2;
    const kb = lenBytes(page, off);
    const start = off + kb + lenBytes(page, off + kb);
    return new Uint8Array(page.buffer, page.byteOffset + start, readLen(page, off));
  }

  /** Absolute expiry (ms), 0 when none. */
  expireAt(slot: number): Milliseconds {
    return this.meta[slot]! & HAS_EXP ? this.exp![slot]! : 0;
  }

  protected find(key: Uint8Array, h: number): number {
    const table = this.table;
    const size = this.tsize;
    const hashes = this.hashes;
    let i = home(h, size);
    for (;;) {
      const s = table[i]!;
      if (s < 0) return -1;
      if (hashes[s] === h && this.keyEquals(s, key)) return s;
      if (++i === size) i = 0;
    }
  }

  /** `find` for a short ASCII string key (hashed by `hashAscii`): compares char codes with the page bytes. */
  protected findAscii(key: string, h: number): number {
    const table = this.table;
    const size = this.tsize;
    const hashes = this.hashes;
    let i = home(h, size);
    for (;;) {
      const s = table[i]!;
      if (s < 0) return -1;
      if (hashes[s] === h && this.keyEqualsAscii(s, key)) return s;
      if (++i === size) i = 0;
    }
  }

  private keyEqualsAscii(slot: number, key: string): boolean {
    const loc = this.locs[slot]!;
    const page = this.arena.pages[loc >>> OFFSET_BITS]!;
    const off = (loc & OFFSET_MASK) << 2;
    const n = key.length; // ≤ ASCII_KEY_MAX < 128: a matching key has a 1-byte length
    if (page[off] !== n) return false;
    const p = off + 1 + lenBytes(page, off + 1);
    for (let i = 0; i < n; i++) if (page[p + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  protected keyEquals(slot: number, key: Uint8Array): boolean {
    const loc = this.locs[slot]!;
    const page = this.arena.pages[loc >>> OFFSET_BITS]!;
    const off = (loc & OFFSET_MASK) << 2;
    const b = page[off]!;
    const klen = b < 128 ? b : readLen(page, off);
    if (klen !== key.length) return false;
    const kb = b < 128 ? 1 : 4;
    return equalsAt(page, off + kb + lenBytes(page, off + kb), key);
  }

  protected recordSize(slot: number): number {
    const loc = this.locs[slot]!;
    const page = this.arena.pages[loc >>> OFFSET_BITS]!;
    const off = (loc & OFFSET_MASK) << 2;
    return recordBytes(readLen(page, off), readLen(page, off + lenBytes(page, off)));
  }

  /** Puts a slot on the free list (the policy may hold a removed slot back for a while). */
  protected freeSlot(slot: number): void {
    this.locs[slot] = this.freeHead;
    this.freeHead = slot;
  }

  /** Rebuilds the free list from every slot that is not live (after a policy change). */
  protected rebuildFreeList(): void {
    this.freeHead = NIL;
    for (let s = this.highWater - 1; s >= 0; s--) if (!(this.meta[s]! & LIVE)) this.freeSlot(s);
  }

  protected setExpiry(slot: number, at: number): void {
    const had = (this.meta[slot]! & HAS_EXP) !== 0;
    if (at === 0) {
      if (had) {
        this.meta[slot] = this.meta[slot]! & ~HAS_EXP;
        this.ttlCount--;
      }
      return;
    }
    if (this.exp === null) this.exp = new Float64Array(this.cap);
    this.exp[slot] = at;
    if (!had) {
      this.meta[slot] = this.meta[slot]! | HAS_EXP;
      this.ttlCount++;
    }
  }

  protected takeSlot(): number {
    if (this.freeHead !== NIL) {
      const s = this.freeHead;
      this.freeHead = this.locs[s]!;
      return s;
    }
    if (this.highWater === this.cap) this.grow();
    return this.highWater++;
  }

  protected grow(): void {
    const cap = Math.ceil(this.cap * 1.5);
    this.hashes = growU32(this.hashes, cap);
    this.locs = growU32(this.locs, cap);
    const meta = new Uint8Array(cap);
    meta.set(this.meta);
    this.meta = meta;
    if (this.exp !== null) {
      const exp = new Float64Array(cap);
      exp.set(this.exp);
      this.exp = exp;
    }
    this.cap = cap;
    this.grew(cap);
  }

  protected index(slot: number, h: number): void {
    if (this.count + 1 > this.tmax) this.rehash(Math.ceil(this.tsize * 1.5));
    const table = this.table;
    const size = this.tsize;
    let i = home(h, size);
    while (table[i]! >= 0) if (++i === size) i = 0;
    table[i] = slot;
  }

  /** Entries the index may hold before it grows. */
  protected maxLoadOf(size: number): number {
    return Math.floor(size * (this.bounded ? MAX_LOAD_BOUNDED : MAX_LOAD));
  }

  protected rehash(size: number): void {
    const table = new Int32Array(size).fill(-1);
    for (let s = 0; s < this.highWater; s++) {
      if (!(this.meta[s]! & LIVE)) continue;
      let i = home(this.hashes[s]!, size);
      while (table[i]! >= 0) if (++i === size) i = 0;
      table[i] = s;
    }
    this.table = table;
    this.tsize = size;
    this.tmax = this.maxLoadOf(size);
  }

  /** Removes a slot from the index, shifting later cells of its run back (no tombstones). */
  protected unindex(slot: number): void {
    const table = this.table;
    const size = this.tsize;
    let i = home(this.hashes[slot]!, size);
    while (table[i] !== slot) if (++i === size) i = 0;
    let j = i;
    for (;;) {
      if (++j === size) j = 0;
      const s = table[j]!;
      if (s < 0) break;
      const k = home(this.hashes[s]!, size);
      if (i <= j ? k <= i || k > j : k <= i && k > j) {
        table[i] = s;
        i = j;
      }
    }
    table[i] = -1;
  }

  /** Moves the live records out of the sparsest page (under `maxLive` live bytes); false when none qualifies. */
  protected compactOnePage(maxLive?: number): boolean {
    const id = this.arena.compactionCandidate(maxLive);
    if (id < 0) return false;
    const page = this.arena.pages[id]!;
    const end = this.arena.usedBytesOf(id);
    // Walking the page costs a hash and a probe per record, dead ones included; under eviction a
    // page holds mostly dead records (a small cache cycles through a whole 1 MiB page), so when
    // the slots are fewer than the page's records, finding its live records from the slots'
    // locations (one typed-array read each) is far cheaper.
    const avgRecord = this.count > 0 ? Math.max(4, this.arena.liveBytes / this.count) : 64;
    if (this.highWater < (end / avgRecord) * 8) {
      this.moveLiveRecordsOf(id);
      return true;
    }
    let off = 0;
    while (off < end) {
      const kb = lenBytes(page, off);
      const klen = readLen(page, off);
      const vb = lenBytes(page, off + kb);
      const vlen = readLen(page, off + kb);
      const size = recordBytes(klen, vlen);
      const key = page.subarray(off + kb + vb, off + kb + vb + klen);
      const loc = ((id << OFFSET_BITS) | (off >>> 2)) >>> 0;
      const slot = this.find(key, hashBytes(key));
      if (slot >= 0 && this.locs[slot] === loc) {
        const to = this.arena.alloc(size);
        const dst = this.arena.pages[to >>> OFFSET_BITS]!;
        dst.set(page.subarray(off, off + size), (to & OFFSET_MASK) << 2);
        this.locs[slot] = to;
        this.arena.free(loc, size);
      }
      off += size;
    }
    return true;
  }

  /** Moves every live record of page `id` elsewhere, found through the slots' locations. */
  private moveLiveRecordsOf(id: number): void {
    const page = this.arena.pages[id]!;
    const locs = this.locs;
    const meta = this.meta;
    for (let s = 0; s < this.highWater; s++) {
      const loc = locs[s]!;
      if (loc >>> OFFSET_BITS !== id || !(meta[s]! & LIVE)) continue;
      const off = (loc & OFFSET_MASK) << 2;
      const size = this.recordSize(s);
      const to = this.arena.alloc(size);
      this.arena.pages[to >>> OFFSET_BITS]!.set(page.subarray(off, off + size), (to & OFFSET_MASK) << 2);
      this.locs[s] = to;
      this.arena.free(loc, size);
    }
  }

  /** Drops every entry and starts over at the initial capacity. */
  protected resetStorage(): void {
    this.cap = this.initialCap;
    this.hashes = new Uint32Array(this.cap);
    this.locs = new Uint32Array(this.cap);
    this.meta = new Uint8Array(this.cap);
    this.exp = null;
    this.tsize = tableSizeFor(this.cap);
    this.table = new Int32Array(this.tsize).fill(-1);
    this.tmax = this.maxLoadOf(this.tsize);
    this.highWater = 0;
    this.freeHead = NIL;
    this.count = 0;
    this.ttlCount = 0;
    this.arena.reset();
  }

  /** Exact bytes of the slot arrays, the index and the arena pages. */
  protected storageBytes(): Bytes {
    return (
      this.hashes.byteLength +
      this.locs.byteLength +
      this.meta.byteLength +
      (this.exp?.byteLength ?? 0) +
      this.table.byteLength +
      this.arena.allocatedBytes +
      this.arena.overheadBytes()
    );
  }
}

/** Index cell where a hash's probe starts (fast range reduction, no modulo). */
function home(h: number, size: number): number {
  const i = (h * size * INV_2_32) | 0; // exact scaling by a power of two; size < 2^31
  return i < size ? i : size - 1;
}
const INV_2_32 = 1 / 4294967296;

function tableSizeFor(capacity: number): number {
  return Math.max(64, Math.ceil(capacity / MAX_LOAD));
}

export function growU32(a: Uint32Array, cap: number): Uint32Array {
  const b = new Uint32Array(cap);
  b.set(a);
  return b;
}
