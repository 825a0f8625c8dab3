// Record storage: key and value bytes live in large pages, never in one JS object per entry.
//
// A record is [key length][value length][key bytes][value bytes], padded to 4 bytes. Lengths use
// 1 byte below 128, else 4 bytes (top bit set). A record's location (`loc`) is one u32: the page id
// in the high 14 bits and the offset in 4-byte units in the low 18 bits (pages are 1 MiB).
// Records are bump-allocated in the current page; a record larger than half a page gets a page of
// its own. Freed bytes are counted per page; a page whose records are all gone is released, and
// pages that are mostly dead are compacted by the keyspace (which moves the live records out).
// Pages are Buffers so values decode to strings without an intermediate view (`toString`).

export const PAGE_BYTES = 1 << 20;
const UNIT_SHIFT = 2; // locations count 4-byte units
const OFFSET_BITS = 18; // 2^18 units * 4 bytes = 1 MiB
const OFFSET_MASK = (1 << OFFSET_BITS) - 1;
export const MAX_PAGES = 1 << 14; // 16384 page ids
const DEDICATED_MIN = PAGE_BYTES >>> 1;
/**
 * Released pages kept for reuse by the next page opened. Under eviction pages are released about
 * as fast as new ones open, so the pool turns freed pages straight into new ones instead of
 * leaving them to the garbage collector (whose delay is what RSS would otherwise show).
 */
const POOL_PAGES = 4;

/** Bytes of a record's header for these lengths. */
export const headerBytes = (klen: number, vlen: number): number => (klen < 128 ? 1 : 4) + (vlen < 128 ? 1 : 4);

/** Bytes a record occupies in a page (header + key + value, padded to 4). */
export const recordBytes = (klen: number, vlen: number): number => (headerBytes(klen, vlen) + klen + vlen + 3) & ~3;

export class Arena {
  /** Pages by id; null when released. */
  readonly pages: (Buffer | null)[] = [];
  /** Live record bytes per page id. */
  private live: Float64Array;
  /** Bytes handed out in each page (end of the last record). */
  private used: Float64Array;
  private freeIds: number[] = [];
  /** Released full-size pages waiting to be reused (at most POOL_PAGES; not in allocatedBytes). */
  private readonly pool: Buffer[] = [];
  private cur = -1;
  private top = 0;
  /** Bytes allocated for pages (exact). */
  allocatedBytes = 0;
  /** Bytes held by live records. */
  liveBytes = 0;
  /** Told of each released page left to the garbage collector (not kept in the pool). */
  onDiscard: ((bytes: number) => void) | null = null;

  /** Size of the next ordinary page: starts at `firstPageBytes` and doubles up to PAGE_BYTES. */
  private nextPageBytes: number;
  private readonly firstPageBytes: number;

  /**
   * `firstPageBytes` below PAGE_BYTES makes pages start small and double (a collection's own
   * arena: a 200-element hash must not cost a 1 MiB page). Locations address any page ≤ 1 MiB.
   */
  constructor(firstPageBytes: number = PAGE_BYTES) {
    this.firstPageBytes = Math.min(PAGE_BYTES, Math.max(64, firstPageBytes));
    this.nextPageBytes = this.firstPageBytes;
    this.live = new Float64Array(this.idsAtFirst());
    this.used = new Float64Array(this.idsAtFirst());
    this.openPage();
  }

  pageOf(loc: number): Buffer {
    return this.pages[loc >>> OFFSET_BITS]!;
  }

  static offsetOf(loc: number): number {
    return (loc & OFFSET_MASK) << UNIT_SHIFT;
  }

  static pageIdOf(loc: number): number {
    return loc >>> OFFSET_BITS;
  }

  /** Reserves `n` bytes (a multiple of 4) and returns their location. */
  alloc(n: number): number {
    if (n >= DEDICATED_MIN) {
      const id = this.takeId();
      this.pages[id] = Buffer.allocUnsafeSlow(n);
      this.live[id] = n;
      this.used[id] = n;
      this.allocatedBytes += n;
      this.liveBytes += n;
      return (id << OFFSET_BITS) >>> 0;
    }
    if (this.top + n > this.pages[this.cur]!.length) this.openPage(n);
    const off = this.top;
    this.top += n;
    this.used[this.cur] = this.top;
    this.live[this.cur]! += n;
    this.liveBytes += n;
    return ((this.cur << OFFSET_BITS) | (off >>> UNIT_SHIFT)) >>> 0;
  }

  /** Gives back a record's bytes. Releases its page when nothing live is left in it. */
  free(loc: number, n: number): void {
    const id = loc >>> OFFSET_BITS;
    const left = (this.live[id]! -= n);
    this.liveBytes -= n;
    if (left <= 0 && id !== this.cur) this.releasePage(id);
  }

  /** The most fragmented page other than the current one holding under `maxLive` live bytes, or -1. */
  compactionCandidate(maxLive = PAGE_BYTES / 2): number {
    let best = -1;
    let bestShare = maxLive / PAGE_BYTES;
    for (let id = 0; id < this.pages.length; id++) {
      const page = this.pages[id];
      if (page === null || page === undefined || id === this.cur) continue;
      const share = this.live[id]! / page.length;
      if (share < bestShare) {
        bestShare = share;
        best = id;
      }
    }
    return best;
  }

  /** True when pages hold far more than the live records (worth compacting a page). */
  fragmented(): boolean {
    return this.allocatedBytes > 4 * this.firstPageBytes && this.allocatedBytes - this.liveBytes > this.allocatedBytes / 3;
  }

  /** Where records end in a page (for walking it). */
  usedBytesOf(id: number): number {
    return this.used[id]!;
  }

  /** Drops every page and starts over. */
  reset(): void {
    this.pages.length = 0;
    this.freeIds.length = 0;
    this.live = new Float64Array(this.idsAtFirst());
    this.used = new Float64Array(this.idsAtFirst());
    this.allocatedBytes = 0;
    this.liveBytes = 0;
    this.cur = -1;
    this.nextPageBytes = this.firstPageBytes;
    this.openPage();
  }

  /**
   * Page ids the bookkeeping arrays start with: a collection's arena (small first page) holds a
   * few pages for most keys, and 1 KiB of bookkeeping each would outweigh them.
   */
  private idsAtFirst(): number {
    return this.firstPageBytes < PAGE_BYTES ? 4 : 64;
  }

  private openPage(need = 0): void {
    const prev = this.cur;
    const id = this.takeId();
    let size = this.nextPageBytes;
    while (size < need) size *= 2;
    size = Math.min(PAGE_BYTES, size);
    if (this.nextPageBytes < PAGE_BYTES) this.nextPageBytes = Math.min(PAGE_BYTES, size * 2);
    this.pages[id] = (size === PAGE_BYTES ? this.pool.pop() : undefined) ?? Buffer.allocUnsafeSlow(size);
    this.allocatedBytes += size;
    this.live[id] = 0;
    this.used[id] = 0;
    this.cur = id;
    this.top = 0;
    if (prev >= 0 && this.live[prev]! <= 0) this.releasePage(prev);
  }

  private takeId(): number {
    if (this.freeIds.length > 0) return this.freeIds.pop()!;
    const id = this.pages.length;
    if (id >= MAX_PAGES) throw new RangeError("fast-cache: the arena is full (16384 pages)");
    this.pages.push(null);
    if (id >= this.live.length) {
      const live = new Float64Array(this.live.length * 2);
      live.set(this.live);
      this.live = live;
      const used = new Float64Array(this.used.length * 2);
      used.set(this.used);
      this.used = used;
    }
    return id;
  }

  private releasePage(id: number): void {
    const page = this.pages[id];
    if (!page) return;
    this.allocatedBytes -= page.length;
    if (page.length === PAGE_BYTES && this.pool.length < POOL_PAGES) this.pool.push(page);
    else if (this.onDiscard !== null) this.onDiscard(page.length);
    this.pages[id] = null;
    this.live[id] = 0;
    this.used[id] = 0;
    this.freeIds.push(id);
  }

  /** Bytes of released pages kept for reuse (at most POOL_PAGES pages). */
  pooledBytes(): number {
    return this.pool.length * PAGE_BYTES;
  }

  /** Bytes of the arena's own bookkeeping arrays. */
  overheadBytes(): number {
    return this.live.byteLength + this.used.byteLength;
  }
}

// ---- record encoding ---------------------------------------------------------------------------

/** Writes a record at `off` of `page`. */
export function writeRecord(page: Uint8Array, off: number, key: Uint8Array, value: Uint8Array): void {
  let p = writeLen(page, off, key.length);
  p = writeLen(page, p, value.length);
  if (key.length < 128) {
    for (let i = 0; i < key.length; i++) page[p + i] = key[i]!;
  } else page.set(key, p);
  p += key.length;
  if (value.length < 128) {
    for (let i = 0; i < value.length; i++) page[p + i] = value[i]!;
  } else page.set(value, p);
}

/**
 * Rewrites the value of the record at `off` whose key (of `klen` bytes) stays: the same key's
 * record of the same size (an overwrite in place), so only the value length and bytes change.
 */
export function writeValueInPlace(page: Uint8Array, off: number, klen: number, value: Uint8Array): void {
  const p = writeLen(page, off + (klen < 128 ? 1 : 4), value.length) + klen;
  if (value.length < 128) {
    for (let i = 0; i < value.length; i++) page[p + i] = value[i]!;
  } else page.set(value, p);
}

/** Writes a length at `p` (1 byte below 128, else 4 bytes, top bit set); returns the next offset. */
export function writeLen(page: Uint8Array, p: number, n: number): number {
  if (n < 128) {
    page[p] = n;
    return p + 1;
  }
  page[p] = 0x80 | (n >>> 24);
  page[p + 1] = (n >>> 16) & 255;
  page[p + 2] = (n >>> 8) & 255;
  page[p + 3] = n & 255;
  return p + 4;
}

/** Reads a length at `p`. */
export function readLen(page: Uint8Array, p: number): number {
  const b = page[p]!;
  if (b < 128) return b;
  return ((b & 0x7f) * 16777216) + (page[p + 1]! << 16) + (page[p + 2]! << 8) + page[p + 3]!;
}

/** Size of the length field at `p`. */
export const lenBytes = (page: Uint8Array, p: number): number => (page[p]! < 128 ? 1 : 4);
