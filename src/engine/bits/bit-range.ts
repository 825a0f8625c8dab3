// BITCOUNT's and BITPOS's ranges over a string value, with Redis 7.0's rules (bitcountCommand and
// bitposCommand in bitops.c): negative indexes count from the end, out-of-range ends are clamped,
// and a BIT range is a byte range with the bits outside it masked off at both edges. The server's
// commands and the embedded Cache both call these.
import { BYTE_BITS, bitpos, popcount } from "./popcount.ts";

/** A byte range [start, end] with the masks of the bits to leave out of its first and last bytes. */
interface ByteRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

const range: ByteRange = { start: 0, end: 0, firstMask: 0, lastMask: 0 };

/** Clamps [start, end] (bytes or bits of a `len`-byte value) and turns it into `range`. */
function resolve(len: number, start: number, end: number, isBit: boolean): ByteRange {
  const total = isBit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  range.firstMask = 0;
  range.lastMask = 0;
  if (isBit && start <= end) {
    // Bits before `start` in its byte, and after `end` in its byte.
    range.firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
    range.lastMask = (1 << (7 - (end & 7))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  range.start = start;
  range.end = end;
  return range;
}

/** BITCOUNT of v[0, len) over [start, end] (bytes, or bits when `isBit`); the whole value without a range. */
export function countBits(v: Uint8Array, len: number, start?: number, end?: number, isBit = false): number {
  if (start === undefined || end === undefined) return popcount(v, 0, len);
  if (start < 0 && end < 0 && start > end) return 0;
  const r = resolve(len, start, end, isBit);
  if (r.start > r.end) return 0;
  let n = popcount(v, r.start, r.end - r.start + 1);
  if (r.firstMask !== 0) n -= BYTE_BITS[v[r.start]! & r.firstMask]!;
  if (r.lastMask !== 0) n -= BYTE_BITS[v[r.end]! & r.lastMask]!;
  return n;
}

/**
 * BITPOS of `bit` in v[0, len) from `start` (default 0) to `end` (default: the end of the value).
 * A missing end lets a search for 0 run past the value (its bits are zeros beyond); a given end
 * answers -1 when the range holds no 0.
 */
export function findBit(v: Uint8Array, len: number, bit: 0 | 1, start?: number, end?: number, isBit = false): number {
  const endGiven = end !== undefined;
  if (start === undefined) return len === 0 ? -1 : bitpos(v, 0, len, bit);
  const r = resolve(len, start, end ?? (isBit ? len * 8 + 7 : len - 1), isBit);
  if (r.start > r.end) return -1;
  let from = r.start;
  let bytes = r.end - r.start + 1;
  const { firstMask, lastMask } = r;
  let pos: number;
  found: {
    if (firstMask !== 0) {
      let b = bit === 1 ? v[from]! & ~firstMask : v[from]! | firstMask;
      if (lastMask !== 0 && bytes === 1) b = bit === 1 ? b & ~lastMask : b | lastMask;
      pos = bitpos(Uint8Array.of(b & 0xff), 0, 1, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break found;
      from++;
      bytes--;
    }
    // A last byte with bits outside the range is searched on its own, masked.
    const middle = bytes - (lastMask !== 0 ? 1 : 0);
    if (middle > 0) {
      pos = bitpos(v, from, middle, bit);
      if (bytes === middle || (pos !== -1 && pos !== middle * 8)) break found;
      from += middle;
      bytes -= middle;
    }
    const b = bit === 1 ? v[r.end]! & ~lastMask : v[r.end]! | lastMask;
    pos = bitpos(Uint8Array.of(b & 0xff), 0, 1, bit);
  }
  // An explicit range without a 0 in it: the bit just past it does not count.
  if (endGiven && bit === 0 && pos === bytes * 8) return -1;
  return pos === -1 ? -1 : pos + from * 8;
}
