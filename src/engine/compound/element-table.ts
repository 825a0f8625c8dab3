// The large encoding of hashes and sets (Redis's `hashtable`): the same slot store the keyspace
// is built on — per-slot typed arrays, an open-addressing index of slot ids, element bytes in
// arena pages — nested inside one key. A record is (field, value) for hashes and (member, empty)
// for sets. Pages start at 4 KiB and double, so a hash just past the listpack threshold costs a
// few KiB, and a million-element one is a few dozen typed arrays and pages: one JS object for the
// garbage collector whatever its size. Per-element expiry (hash fields, Redis 7.4) uses the slot
// store's own expiry array.

import { recordBytes, writeRecord } from "../arena.ts";
import { hashBytes } from "../bytes.ts";
import { HAS_EXP, LIVE, OFFSET_BITS, OFFSET_MASK, SlotStore } from "../slot-store.ts";
import type { Bytes, LargeValue, Milliseconds } from "../types.ts";
import { PackedTag, PackedWriter } from "./packed.ts";

const EMPTY = new Uint8Array(0);
const FIRST_PAGE_BYTES = 4096;
const serializer = new PackedWriter();
/**
 * JS heap cells of a table beside its typed arrays' and pages' bytes (the table and arena objects,
 * their arrays, the typed-array and Buffer headers; measured with bun:jsc heapStats, about 0.6 KiB
 * per set of 100 members). Charged so maxmemory sees what a table really costs.
 */
export const TABLE_OBJECT_BYTES = 512;

export class ElementTable extends SlotStore implements LargeValue {
  charged: Bytes = 0;
  /** True for hashes (records carry a value), false for sets. */
  readonly pairs: boolean;

  constructor(pairs: boolean, initialCapacity = 16) {
    super(initialCapacity, false, FIRST_PAGE_BYTES);
    this.pairs = pairs;
  }

  protected grew(): void {}

  get size(): number {
    return this.count;
  }

  /** Elements that carry an expiry. */
  get volatileCount(): number {
    return this.ttlCount;
  }

  /** Slots are numbered below this (for walks and SCAN cursors). */
  get slotLimit(): number {
    return this.highWater;
  }

  isLive(slot: number): boolean {
    return slot < this.highWater && (this.meta[slot]! & LIVE) !== 0;
  }

  /** Slot of `field`, or -1. An element whose expiry is at or before `now` is removed first (0 = no check). */
  slotOf(field: Uint8Array, now: Milliseconds = 0, h: number = hashBytes(field)): number {
    const slot = this.find(field, h);
    if (slot >= 0 && now > 0 && this.meta[slot]! & HAS_EXP && this.exp![slot]! <= now) {
      this.removeAt(slot);
      return -1;
    }
    return slot;
  }

  /** True when the element at `slot` has expired by `now`. */
  expiredAt(slot: number, now: Milliseconds): boolean {
    return (this.meta[slot]! & HAS_EXP) !== 0 && this.exp![slot]! <= now;
  }

  /**
   * Sets field → value (value ignored for sets). Returns true when the field is new. Overwriting
   * clears the field's expiry, as HSET does in Redis 7.4.
   */
  put(field: Uint8Array, value: Uint8Array = EMPTY, expireAt: Milliseconds = 0): boolean {
    const h = hashBytes(field);
    const v = this.pairs ? value : EMPTY;
    const slot = this.find(field, h);
    if (slot >= 0) {
      this.rewrite(slot, field, v);
      this.setExpiry(slot, expireAt);
      return false;
    }
    const s = this.addNew(field, v, h);
    if (expireAt !== 0) this.setExpiry(s, expireAt);
    return true;
  }

  /** Adds `field` (hash `h`), which must be absent, with no expiry; returns its slot. */
  addNew(field: Uint8Array, value: Uint8Array, h: number): number {
    const need = recordBytes(field.length, value.length);
    const s = this.takeSlot();
    const loc = this.arena.alloc(need);
    writeRecord(this.arena.pages[loc >>> OFFSET_BITS]!, (loc & OFFSET_MASK) << 2, field, value);
    this.hashes[s] = h;
    this.locs[s] = loc;
    this.index(s, h);
    this.meta[s] = LIVE;
    this.count++;
    return s;
  }

  /** Replaces the value of a live slot, keeping its field and expiry. */
  setValueAt(slot: number, value: Uint8Array): void {
    const field = this.keyView(slot).slice();
    this.rewrite(slot, field, value);
  }

  /** Removes `field`; false when absent. */
  remove(field: Uint8Array): boolean {
    const slot = this.find(field, hashBytes(field));
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  removeAt(slot: number): void {
    const size = this.recordSize(slot);
    this.unindex(slot);
    this.arena.free(this.locs[slot]!, size);
    if (this.meta[slot]! & HAS_EXP) this.ttlCount--;
    this.meta[slot] = 0;
    this.count--;
    this.freeSlot(slot);
    if (this.arena.fragmented()) this.compactOnePage();
  }

  /** Absolute expiry of the element (0 = none). */
  elementExpireAt(slot: number): Milliseconds {
    return this.expireAt(slot);
  }

  setElementExpiry(slot: number, at: Milliseconds): void {
    this.setExpiry(slot, at);
  }

  /** Removes every element whose expiry is at or before `now`; returns the fields removed (copies). */
  removeExpired(now: Milliseconds, max = Infinity): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.ttlCount === 0) return out;
    for (let s = 0; s < this.highWater && out.length < max; s++) {
      if ((this.meta[s]! & (LIVE | HAS_EXP)) === (LIVE | HAS_EXP) && this.exp![s]! <= now) {
        out.push(this.keyView(s).slice());
        this.removeAt(s);
      }
    }
    return out;
  }

  /**
   * Visits up to `count` live elements from `cursor` (a slot id) and returns the next cursor (0 when
   * done). Slot ids never move, so an element present for a whole scan is visited exactly once.
   */
  scan(cursor: number, count: number, visit: (slot: number) => void): number {
    let i = cursor;
    let seen = 0;
    for (; i < this.highWater && seen < count; i++) {
      if (!(this.meta[i]! & LIVE)) continue;
      visit(i);
      seen++;
    }
    return i >= this.highWater ? 0 : i;
  }

  /** A random live slot, -1 when empty. */
  randomSlot(): number {
    if (this.count === 0) return -1;
    // Dense enough (slots are reused first), so rejection sampling ends fast; fall back to a walk.
    for (let tries = 0; tries < 64; tries++) {
      const s = Math.floor(Math.random() * this.highWater);
      if (this.meta[s]! & LIVE) return s;
    }
    const start = Math.floor(Math.random() * this.highWater);
    for (let n = 0; n < this.highWater; n++) {
      const s = (start + n) % this.highWater;
      if (this.meta[s]! & LIVE) return s;
    }
    return -1;
  }

  bytes(): Bytes {
    return this.storageBytes() + TABLE_OBJECT_BYTES;
  }

  /**
   * The packed form: fields and values alternating (hashes), members (sets). A hash with field
   * expiries uses PackedTag.HashWithExpiry: field, value, expireAt (decimal ms, "0" for none).
   */
  serialize(): Uint8Array {
    const withExp = this.pairs && this.ttlCount > 0;
    const w = serializer.begin(withExp ? PackedTag.HashWithExpiry : PackedTag.List);
    for (let s = 0; s < this.highWater; s++) {
      if (!(this.meta[s]! & LIVE)) continue;
      w.push(this.keyView(s));
      if (this.pairs) w.push(this.valueView(s));
      if (withExp) w.push(asciiInt(this.expireAt(s)));
    }
    return w.finish().slice();
  }

  clone(): ElementTable {
    const t = new ElementTable(this.pairs, Math.max(16, this.count));
    for (let s = 0; s < this.highWater; s++) {
      if (!(this.meta[s]! & LIVE)) continue;
      t.put(this.keyView(s), this.pairs ? this.valueView(s) : EMPTY, this.expireAt(s));
    }
    return t;
  }

  private rewrite(slot: number, field: Uint8Array, value: Uint8Array): void {
    const oldNeed = this.recordSize(slot);
    const need = recordBytes(field.length, value.length);
    if (need === oldNeed) {
      const loc = this.locs[slot]!;
      writeRecord(this.arena.pages[loc >>> OFFSET_BITS]!, (loc & OFFSET_MASK) << 2, field, value);
      return;
    }
    const loc = this.arena.alloc(need);
    writeRecord(this.arena.pages[loc >>> OFFSET_BITS]!, (loc & OFFSET_MASK) << 2, field, value);
    this.arena.free(this.locs[slot]!, oldNeed);
    this.locs[slot] = loc;
  }
}

const enc = new TextEncoder();
export function asciiInt(n: number): Uint8Array {
  return enc.encode(String(n));
}
