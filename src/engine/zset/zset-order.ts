// The order of a large sorted set: its members' slot ids (in the member table, zset-large.ts)
// sorted by (score, member bytes), kept in blocks of at most MAX_BLOCK entries — each block a
// typed array of slot ids and one of their scores — with a Fenwick tree of block sizes. That is a
// B-tree of depth two: finding a position is a binary search over the blocks' last entries and
// one inside a block, a rank is a Fenwick prefix sum, the entry at a rank is a Fenwick descent,
// and an insert or delete moves at most MAX_BLOCK entries inside one block. A million members
// are about 2,600 blocks: a few thousand typed arrays, not an object per member.

import type { Bytes } from "../types.ts";

/** Orders members with equal scores (their bytes, compared in the member table). */
export interface MemberOrder {
  /** memcmp-then-length order of the members at slots `a` and `b`. */
  compareSlots(a: number, b: number): number;
}

/** True while the entry (score, slot) lies before a searched position (monotone over the order). */
export type Before = (score: number, slot: number) => boolean;

const MAX_BLOCK = 512;
const FIRST_BLOCK = 16;

export class ZOrder {
  private slots: Int32Array[] = [];
  private scores: Float64Array[] = [];
  private sizes: number[] = [];
  /** Fenwick tree over `sizes` (1-based). */
  private fen = new Int32Array(2);
  private fenTop = 1;
  private total = 0;
  /** Bytes of all blocks' typed arrays, kept as they are made and dropped (bytes() is per write). */
  private blockBytes = 0;
  /** Position found by `locate`: block and index in it. */
  private atBlock = 0;
  private atIndex = 0;

  constructor(private readonly members: MemberOrder) {}

  get size(): number {
    return this.total;
  }

  /** Inserts (score, slot); the pair must not be present. */
  insert(score: number, slot: number): void {
    if (this.slots.length === 0) {
      this.slots.push(new Int32Array(FIRST_BLOCK));
      this.scores.push(new Float64Array(FIRST_BLOCK));
      this.sizes.push(0);
      this.blockBytes += FIRST_BLOCK * 12;
      this.rebuild();
    }
    this.locateExact(score, slot);
    let b = this.atBlock;
    let i = this.atIndex;
    const last = this.slots.length - 1;
    if (b > last) {
      b = last;
      i = this.sizes[b]!;
    }
    if (this.sizes[b] === MAX_BLOCK) {
      if (b === last && i === MAX_BLOCK) {
        // Appending past a full last block (ascending loads): start a new one, keep this one full.
        this.spliceBlock(b + 1, new Int32Array(MAX_BLOCK), new Float64Array(MAX_BLOCK), 0);
        b++;
        i = 0;
      } else {
        this.split(b);
        if (i > this.sizes[b]!) {
          i -= this.sizes[b]!;
          b++;
        }
      }
    }
    this.ensureRoom(b);
    const ids = this.slots[b]!;
    const sc = this.scores[b]!;
    const n = this.sizes[b]!;
    if (i < n) {
      ids.copyWithin(i + 1, i, n);
      sc.copyWithin(i + 1, i, n);
    }
    ids[i] = slot;
    sc[i] = score;
    this.sizes[b] = n + 1;
    this.total++;
    this.fenAdd(b, 1);
  }

  /** Removes (score, slot); returns false when it is not there. */
  remove(score: number, slot: number): boolean {
    if (this.total === 0) return false;
    this.locateExact(score, slot);
    const b = this.atBlock;
    const i = this.atIndex;
    if (b >= this.slots.length || this.slots[b]![i] !== slot || i >= this.sizes[b]!) return false;
    const n = this.sizes[b]!;
    this.slots[b]!.copyWithin(i, i + 1, n);
    this.scores[b]!.copyWithin(i, i + 1, n);
    this.sizes[b] = n - 1;
    this.total--;
    this.fenAdd(b, -1);
    if (n - 1 < MAX_BLOCK / 8) this.mergeSmall(b);
    return true;
  }

  /** Rank (0-based) of (score, slot), which must be present. */
  rankOf(score: number, slot: number): number {
    this.locateExact(score, slot);
    return this.prefix(this.atBlock) + this.atIndex;
  }

  /** Number of entries for which `before` holds (they come first). */
  countBefore(before: Before): number {
    if (this.total === 0) return 0;
    const nb = this.slots.length;
    let lo = 0;
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = this.sizes[mid]! - 1;
      if (before(this.scores[mid]![n]!, this.slots[mid]![n]!)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === nb) return this.total;
    const ids = this.slots[lo]!;
    const sc = this.scores[lo]!;
    let l = 0;
    let h = this.sizes[lo]!;
    while (l < h) {
      const mid = (l + h) >>> 1;
      if (before(sc[mid]!, ids[mid]!)) l = mid + 1;
      else h = mid;
    }
    return this.prefix(lo) + l;
  }

  /**
   * Visits entries from rank `from` towards the end (or the start when `reverse`) while `visit`
   * returns true (or nothing). `from` must be a valid rank.
   */
  walk(from: number, reverse: boolean, visit: (slot: number, score: number) => boolean | void): void {
    if (from < 0 || from >= this.total) return;
    this.seekRank(from);
    let b = this.atBlock;
    let i = this.atIndex;
    const nb = this.slots.length;
    while (b >= 0 && b < nb) {
      const ids = this.slots[b]!;
      const sc = this.scores[b]!;
      const n = this.sizes[b]!;
      if (reverse) {
        for (; i >= 0; i--) if (visit(ids[i]!, sc[i]!) === false) return;
        b--;
        if (b >= 0) i = this.sizes[b]! - 1;
      } else {
        for (; i < n; i++) if (visit(ids[i]!, sc[i]!) === false) return;
        b++;
        i = 0;
      }
    }
  }

  /** Slot id at `rank` (valid rank). */
  slotAt(rank: number): number {
    this.seekRank(rank);
    return this.slots[this.atBlock]![this.atIndex]!;
  }

  bytes(): Bytes {
    return this.fen.byteLength + this.slots.length * 8 + this.blockBytes;
  }

  /** Consistency check for tests: every block sorted, sizes and ranks agree. */
  check(): string[] {
    const errs: string[] = [];
    let prevScore = -Infinity;
    let prevSlot = -1;
    let sum = 0;
    for (let b = 0; b < this.slots.length; b++) {
      const n = this.sizes[b]!;
      if (n === 0 && this.slots.length > 1) errs.push(`empty block ${b}`);
      if (this.prefix(b) !== sum) errs.push(`prefix of block ${b}`);
      for (let i = 0; i < n; i++) {
        const s = this.scores[b]![i]!;
        const id = this.slots[b]![i]!;
        if (prevSlot >= 0 && (s < prevScore || (s === prevScore && this.members.compareSlots(prevSlot, id) >= 0))) errs.push(`order at block ${b} index ${i}`);
        prevScore = s;
        prevSlot = id;
      }
      sum += n;
    }
    if (sum !== this.total) errs.push("total");
    let bytes = 0;
    for (let b = 0; b < this.slots.length; b++) bytes += this.slots[b]!.byteLength + this.scores[b]!.byteLength;
    if (bytes !== this.blockBytes) errs.push(`block bytes ${this.blockBytes}, arrays hold ${bytes}`);
    return errs;
  }

  /** Sets atBlock/atIndex to the first entry not before (score, slot); atBlock = blocks when none. */
  private locateExact(score: number, slot: number): void {
    const m = this.members;
    const nb = this.slots.length;
    let lo = 0;
    let hi = nb;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = this.sizes[mid]! - 1;
      const s = this.scores[mid]![n]!;
      if (s < score || (s === score && m.compareSlots(this.slots[mid]![n]!, slot) < 0)) lo = mid + 1;
      else hi = mid;
    }
    this.atBlock = lo;
    if (lo === nb) {
      this.atIndex = 0;
      return;
    }
    const ids = this.slots[lo]!;
    const sc = this.scores[lo]!;
    let l = 0;
    let h = this.sizes[lo]!;
    while (l < h) {
      const mid = (l + h) >>> 1;
      const s = sc[mid]!;
      if (s < score || (s === score && m.compareSlots(ids[mid]!, slot) < 0)) l = mid + 1;
      else h = mid;
    }
    this.atIndex = l;
  }

  private seekRank(rank: number): void {
    let pos = 0;
    let rem = rank;
    const fen = this.fen;
    const nb = this.slots.length;
    for (let step = this.fenTop; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= nb && fen[next]! <= rem) {
        pos = next;
        rem -= fen[next]!;
      }
    }
    this.atBlock = pos;
    this.atIndex = rem;
  }

  private ensureRoom(b: number): void {
    const ids = this.slots[b]!;
    if (this.sizes[b]! < ids.length) return;
    const cap = Math.min(MAX_BLOCK, ids.length * 2);
    const nextIds = new Int32Array(cap);
    nextIds.set(ids);
    const nextScores = new Float64Array(cap);
    nextScores.set(this.scores[b]!);
    this.blockBytes += (cap - ids.length) * 12;
    this.slots[b] = nextIds;
    this.scores[b] = nextScores;
  }

  private split(b: number): void {
    const n = this.sizes[b]!;
    const half = n >>> 1;
    const ids = new Int32Array(MAX_BLOCK);
    const sc = new Float64Array(MAX_BLOCK);
    ids.set(this.slots[b]!.subarray(half, n));
    sc.set(this.scores[b]!.subarray(half, n));
    this.sizes[b] = half;
    this.spliceBlock(b + 1, ids, sc, n - half);
  }

  private mergeSmall(b: number): void {
    const nb = this.slots.length;
    if (nb === 1) return;
    const n = this.sizes[b]!;
    if (n === 0) {
      this.blockBytes -= this.slots[b]!.byteLength + this.scores[b]!.byteLength;
      this.slots.splice(b, 1);
      this.scores.splice(b, 1);
      this.sizes.splice(b, 1);
      this.rebuild();
      return;
    }
    const into = b + 1 < nb && this.sizes[b + 1]! + n <= MAX_BLOCK ? b + 1 : b > 0 && this.sizes[b - 1]! + n <= MAX_BLOCK ? b - 1 : -1;
    if (into < 0) return;
    const [lo, hi] = into < b ? [into, b] : [b, into];
    const total = this.sizes[lo]! + this.sizes[hi]!;
    const ids = new Int32Array(Math.max(FIRST_BLOCK, Math.min(MAX_BLOCK, total * 2)));
    const sc = new Float64Array(ids.length);
    ids.set(this.slots[lo]!.subarray(0, this.sizes[lo]!));
    sc.set(this.scores[lo]!.subarray(0, this.sizes[lo]!));
    ids.set(this.slots[hi]!.subarray(0, this.sizes[hi]!), this.sizes[lo]!);
    sc.set(this.scores[hi]!.subarray(0, this.sizes[hi]!), this.sizes[lo]!);
    this.blockBytes += ids.byteLength + sc.byteLength - this.slots[lo]!.byteLength - this.scores[lo]!.byteLength
      - this.slots[hi]!.byteLength - this.scores[hi]!.byteLength;
    this.slots.splice(lo, 2, ids);
    this.scores.splice(lo, 2, sc);
    this.sizes.splice(lo, 2, total);
    this.rebuild();
  }

  private spliceBlock(at: number, ids: Int32Array, sc: Float64Array, n: number): void {
    this.blockBytes += ids.byteLength + sc.byteLength;
    this.slots.splice(at, 0, ids);
    this.scores.splice(at, 0, sc);
    this.sizes.splice(at, 0, n);
    this.rebuild();
  }

  private rebuild(): void {
    const nb = this.slots.length;
    if (this.fen.length < nb + 1 || this.fen.length > 4 * (nb + 1)) this.fen = new Int32Array(Math.max(2, nb * 2 + 1));
    const fen = this.fen;
    fen.fill(0);
    for (let i = 1; i <= nb; i++) {
      fen[i] = fen[i]! + this.sizes[i - 1]!;
      const j = i + (i & -i);
      if (j <= nb) fen[j] = fen[j]! + fen[i]!;
    }
    let top = 1;
    while (top * 2 <= nb) top *= 2;
    this.fenTop = top;
  }

  private fenAdd(b: number, d: number): void {
    const nb = this.slots.length;
    for (let i = b + 1; i <= nb; i += i & -i) this.fen[i] = this.fen[i]! + d;
  }

  private prefix(b: number): number {
    let s = 0;
    for (let i = b; i > 0; i -= i & -i) s += this.fen[i]!;
    return s;
  }
}
