// The large encoding of sorted sets (Redis's `skiplist`): the members in an ElementTable (member
// bytes in arena pages, an open-addressing index of slot ids), each member's score in a
// Float64Array by slot id, and the order by (score, member) in a ZOrder of those slot ids. Slot
// ids never move (compaction moves only the bytes), so the order stays valid across deletes.

import { lenBytes, readLen } from "../arena.ts";
import { hashBytes } from "../bytes.ts";
import { ElementTable } from "../compound/element-table.ts";
import { PackedWriter } from "../compound/packed.ts";
import { OFFSET_BITS, OFFSET_MASK } from "../slot-store.ts";
import type { Bytes } from "../types.ts";
import { ZOrder, type Before, type MemberOrder } from "./zset-order.ts";
import { scoreBytes, ZSET_SKIPLIST_TAG } from "./zset-packed.ts";

const serializer = new PackedWriter();
const NO_VALUE = new Uint8Array(0);

export const SetResult = { Unchanged: 0, Updated: 1, Added: 2 } as const;
export type SetResult = (typeof SetResult)[keyof typeof SetResult];

export class ZSetLarge extends ElementTable implements MemberOrder {
  private scoreBySlot: Float64Array;
  readonly order: ZOrder;

  constructor(initialCapacity = 16) {
    super(false, initialCapacity);
    this.scoreBySlot = new Float64Array(this.cap);
    this.order = new ZOrder(this);
  }

  protected override grew(): void {
    const cap = this.cap;
    const old = this.scoreBySlot as Float64Array | undefined;
    if (old === undefined || old.length >= cap) return;
    const next = new Float64Array(cap);
    next.set(old);
    this.scoreBySlot = next;
  }

  /** Score of the member at a live slot. */
  scoreAt(slot: number): number {
    return this.scoreBySlot[slot]!;
  }

  /** Score of `member`, or undefined. */
  scoreOf(member: Uint8Array): number | undefined {
    const s = this.slotOf(member);
    return s < 0 ? undefined : this.scoreBySlot[s]!;
  }

  /** Sets member → score; true when the member is new. */
  set(member: Uint8Array, score: number): boolean {
    return this.setScore(member, score) === SetResult.Added;
  }

  /** Sets member → score: Unchanged when it already had that score (== as Redis: -0 is 0). */
  setScore(member: Uint8Array, score: number): SetResult {
    const h = hashBytes(member);
    let s = this.slotOf(member, 0, h);
    if (s >= 0) {
      const old = this.scoreBySlot[s]!;
      if (old === score) return SetResult.Unchanged;
      this.order.remove(old, s);
      this.scoreBySlot[s] = score;
      this.order.insert(score, s);
      return SetResult.Updated;
    }
    s = this.addNew(member, NO_VALUE, h);
    this.scoreBySlot[s] = score;
    this.order.insert(score, s);
    return SetResult.Added;
  }

  /** Removes `member`; false when absent. */
  delete(member: Uint8Array): boolean {
    const s = this.slotOf(member);
    if (s < 0) return false;
    this.order.remove(this.scoreBySlot[s]!, s);
    this.removeAt(s);
    return true;
  }

  /** 0-based rank of `member`, -1 when absent. */
  rankOf(member: Uint8Array): number {
    const s = this.slotOf(member);
    return s < 0 ? -1 : this.order.rankOf(this.scoreBySlot[s]!, s);
  }

  /** Number of members (in order) for which `before(member, score)` holds. */
  countBefore(before: (member: Uint8Array, score: number) => boolean): number {
    const pred: Before = (score, slot) => before(this.keyView(slot), score);
    return this.order.countBefore(pred);
  }

  /** Number of members with a score for which `before(score)` holds (no member views made). */
  countBeforeScore(before: (score: number) => boolean): number {
    return this.order.countBefore((score) => before(score));
  }

  /**
   * Visits members from rank `from` as (bytes, offset, length, score) without making a view
   * (`src` is an arena page: valid until the next write), while `visit` does not return false.
   */
  walkRefs(from: number, reverse: boolean, visit: (src: Uint8Array, off: number, len: number, score: number) => boolean | void): void {
    const pages = this.arena.pages;
    const locs = this.locs;
    this.order.walk(from, reverse, (slot, score) => {
      const loc = locs[slot]!;
      const page = pages[loc >>> OFFSET_BITS]!;
      const off = (loc & OFFSET_MASK) << 2;
      return visit(page, off + lenBytes(page, off) + 1, readLen(page, off), score);
    });
  }

  compareSlots(a: number, b: number): number {
    const pages = this.arena.pages;
    const la = this.locs[a]!;
    const lb = this.locs[b]!;
    const pa = pages[la >>> OFFSET_BITS]!;
    const pb = pages[lb >>> OFFSET_BITS]!;
    let oa = (la & OFFSET_MASK) << 2;
    let ob = (lb & OFFSET_MASK) << 2;
    const na = readLen(pa, oa);
    const nb = readLen(pb, ob);
    oa += lenBytes(pa, oa) + 1; // a set member's record has an empty value: one length byte
    ob += lenBytes(pb, ob) + 1;
    const n = na < nb ? na : nb;
    for (let i = 0; i < n; i++) {
      const d = pa[oa + i]! - pb[ob + i]!;
      if (d !== 0) return d;
    }
    return na - nb;
  }

  override bytes(): Bytes {
    return this.storageBytes() + this.scoreBySlot.byteLength + this.order.bytes();
  }

  /** The packed form: member, score (8 bytes), ... in order, tagged as from a skiplist. */
  override serialize(): Uint8Array {
    const w = serializer.begin(ZSET_SKIPLIST_TAG as 0);
    this.order.walk(0, false, (slot, score) => {
      w.push(this.keyView(slot));
      w.push(scoreBytes(score));
    });
    return w.finish().slice();
  }

  override clone(): ZSetLarge {
    const t = new ZSetLarge(Math.max(16, this.size));
    this.order.walk(0, false, (slot, score) => {
      t.set(this.keyView(slot), score);
    });
    return t;
  }
}
