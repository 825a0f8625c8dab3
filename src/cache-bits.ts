// The embedded Cache's bitmaps and HyperLogLogs: the same engine modules the server's SETBIT,
// GETBIT, BITCOUNT, PFADD, PFCOUNT and PFMERGE call (src/engine/bits/, src/engine/hll/), on
// ordinary string values. A key of another type throws WrongTypeError; a string that is not an
// HLL throws InvalidHllError with Redis's message.
import { outOfMemory, type CacheKey, type CacheValue } from "./cache-base.ts";
import { WrongTypeError } from "./cache-errors.ts";
import { CacheZSets } from "./cache-zsets.ts";
import { countBits } from "./engine/bits/bit-range.ts";
import { getBit, setBit, stringView } from "./engine/bits/bitmap-type.ts";
import { ERR_CORRUPT_HLL, ERR_NOT_HLL, HllResult, pfAdd, pfCountMany, pfCountOne, pfMerge } from "./engine/hll/hll-type.ts";
import { Status, ValueType } from "./engine/types.ts";

/** Thrown where Redis answers "WRONGTYPE Key is not a valid HyperLogLog string value." or INVALIDOBJ. */
export class InvalidHllError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = "InvalidHllError";
  }
}

/** Largest bit offset + 1 (Redis's limit with the default proto-max-bulk-len of 512 MB). */
const MAX_BITS = 2 ** 32;

function checkOffset(offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset >= MAX_BITS) throw new RangeError("bit offset is not an integer or out of range");
}

function hllResult(r: number | bigint): number {
  if (typeof r === "bigint") return Number(r);
  if (r === HllResult.NotHll) throw new InvalidHllError(ERR_NOT_HLL);
  if (r === HllResult.Corrupt) throw new InvalidHllError(ERR_CORRUPT_HLL);
  if (r === HllResult.OutOfMemory) throw outOfMemory(Status.OutOfMemory);
  return r;
}

export abstract class CacheBits extends CacheZSets {
  /** Slot of a string key, -1 when missing; throws WrongTypeError for another type. */
  protected stringSlot(k: Uint8Array): number {
    const slot = this.ks.peek(k);
    if (slot >= 0 && this.ks.typeOf(slot) !== ValueType.String) throw new WrongTypeError();
    return slot;
  }

  /** SETBIT: sets bit `offset` (0 = the first byte's most significant bit) to `value`; returns the old bit. */
  setbit(key: CacheKey, offset: number, value: 0 | 1): 0 | 1 {
    checkOffset(offset);
    if (value !== 0 && value !== 1) throw new RangeError("bit is not an integer or out of range");
    const k = this.keyBytes(key).slice();
    const old = setBit(this.ks, k, this.stringSlot(k), offset, value);
    if (old < 0) throw outOfMemory(-old as Status);
    return old as 0 | 1;
  }

  /** GETBIT: bit `offset` of the value (0 past its end or for a missing key). */
  getbit(key: CacheKey, offset: number): 0 | 1 {
    checkOffset(offset);
    const slot = this.stringSlot(this.keyBytes(key));
    return slot < 0 ? 0 : getBit(this.ks, slot, offset);
  }

  /**
   * BITCOUNT: set bits of the whole value, or of [start, end] (inclusive; negative counts from
   * the end) in bytes or, with unit "bit", in bits.
   */
  bitcount(key: CacheKey, start?: number, end?: number, unit: "byte" | "bit" = "byte"): number {
    if ((start === undefined) !== (end === undefined)) throw new TypeError("bitcount needs both start and end, or neither");
    if ((start !== undefined && !Number.isInteger(start)) || (end !== undefined && !Number.isInteger(end))) {
      throw new RangeError("value is not an integer or out of range");
    }
    const slot = this.stringSlot(this.keyBytes(key));
    if (slot < 0) return 0;
    const v = stringView(this.ks, slot);
    return countBits(v, v.length, start, end, unit === "bit");
  }

  /** PFADD: adds elements to the HyperLogLog at `key` (created if missing); true when its estimate may have changed. */
  pfadd(key: CacheKey, ...elements: CacheValue[]): boolean {
    const k = this.keyBytes(key).slice();
    const els = elements.map((e) => this.valueBytes(e).slice());
    return hllResult(pfAdd(this.ks, k, this.stringSlot(k), els)) === 1;
  }

  /** PFCOUNT: the estimated number of distinct elements of one HLL, or of the union of several. */
  pfcount(...keys: CacheKey[]): number {
    if (keys.length === 0) throw new TypeError("pfcount needs at least one key");
    if (keys.length === 1) {
      const k = this.keyBytes(keys[0]!).slice();
      return hllResult(pfCountOne(this.ks, k, this.stringSlot(k)));
    }
    const slots = keys.map((key) => this.stringSlot(this.keyBytes(key)));
    return hllResult(pfCountMany(this.ks, slots));
  }

  /** PFMERGE: `dest` becomes the union of itself and `sources`. */
  pfmerge(dest: CacheKey, ...sources: CacheKey[]): void {
    const d = this.keyBytes(dest).slice();
    const slots = [this.stringSlot(d), ...sources.map((s) => this.stringSlot(this.keyBytes(s)))];
    hllResult(pfMerge(this.ks, d, slots));
  }
}
