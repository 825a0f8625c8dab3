// The integer-set encoding (Redis's intset): a packed record (PackedTag.IntSet) whose elements are
// canonical int64 decimals kept in ascending numeric order, so SMEMBERS answers in Redis's order.

import { elemNext, elemView, PACKED_HEADER, packedCount, PackedTag, PackedWriter } from "../compound/packed.ts";

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;
const dec = new TextDecoder();

/** The int64 value of `b` when it is a canonical decimal (Redis's string2ll), else undefined. */
export function canonicalInt(b: Uint8Array): bigint | undefined {
  const n = b.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  if (b[0] === 45) {
    if (n === 1) return undefined;
    i = 1;
  }
  if (b[i] === 48 && n > i + 1) return undefined; // leading zero
  if (b[i] === 48 && i === 1) return undefined; // "-0"
  for (let j = i; j < n; j++) if (b[j]! < 48 || b[j]! > 57) return undefined;
  const v = BigInt(dec.decode(b));
  return v < MIN || v > MAX ? undefined : v;
}

/** Decoded members of an intset record, ascending. */
export function intsetValues(buf: Uint8Array): bigint[] {
  const n = packedCount(buf);
  const out: bigint[] = new Array(n);
  let p = PACKED_HEADER;
  for (let i = 0; i < n; i++) {
    out[i] = BigInt(dec.decode(elemView(buf, p)));
    p = elemNext(buf, p);
  }
  return out;
}

const enc = new TextEncoder();
const writer = new PackedWriter();

/** A packed intset record of ascending, distinct `values` (a view valid until the next call). */
export function packIntset(values: readonly bigint[]): Uint8Array {
  const w = writer.begin(PackedTag.IntSet);
  for (const v of values) w.push(enc.encode(v.toString()));
  return w.finish();
}

/** Index of `v` in ascending `values`, or -(insertion point) - 1. */
export function searchSorted(values: readonly bigint[], v: bigint): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = values[mid]!;
    if (m === v) return mid;
    if (m < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}
