// Editing an HLL value: setting a register in the sparse encoding (splitting the opcode that
// covers it, then merging equal neighbours), and the promotion to dense when a value passes 32 or
// the value would outgrow hll-sparse-max-bytes (hllSparseSet / hllSparseToDense in Redis's
// hyperloglog.c). The same edits in the same order give the same bytes as Redis.
import {
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE_VAL_MAX_LEN,
  HLL_SPARSE_VAL_MAX_VALUE,
  HLL_SPARSE_ZERO_MAX_LEN,
  denseGet,
  denseSet,
  invalidateCache,
  isVal,
  isXZero,
  isZero,
  valLen,
  valOp,
  valValue,
  xzeroLen,
  xzeroOps,
  zeroLen,
  zeroOp,
} from "./hll-format.ts";

/** An HLL value being edited: `bytes[0, len)` (capacity beyond `len` is scratch). */
export class HllBuffer {
  bytes: Uint8Array;
  len: number;

  constructor(value: Uint8Array) {
    this.len = value.length;
    this.bytes = new Uint8Array(value.length + 8);
    this.bytes.set(value);
  }

  /** The edited value (a view; copy before keeping it past the next edit). */
  value(): Uint8Array {
    return this.bytes.subarray(0, this.len);
  }

  get dense(): boolean {
    return this.bytes[4] === HLL_DENSE;
  }

  private reserve(extra: number): void {
    if (this.len + extra + 1 <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.len + extra + 8));
    next.set(this.bytes.subarray(0, this.len));
    this.bytes = next;
  }

  /** Converts a sparse value to dense (header and cached cardinality kept); false when corrupt. */
  toDense(): boolean {
    if (this.dense) return true;
    const src = this.bytes;
    const end = this.len;
    const dense = new Uint8Array(HLL_DENSE_SIZE);
    dense.set(src.subarray(0, HLL_HDR_SIZE));
    dense[4] = HLL_DENSE;
    let idx = 0;
    for (let p = HLL_HDR_SIZE; p < end; ) {
      const b = src[p]!;
      if (isZero(b)) {
        idx += zeroLen(b);
        p++;
      } else if (isXZero(b)) {
        idx += xzeroLen(b, src[p + 1] ?? 0);
        p += 2;
      } else {
        const run = valLen(b);
        const v = valValue(b);
        // Registers past the last one: corrupt (redis-server 7.0.15 answers INVALIDOBJ too).
        if (run + idx > HLL_REGISTERS) return false;
        for (let k = 0; k < run; k++) denseSet(dense, HLL_HDR_SIZE, idx++, v);
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.bytes = dense;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  /** Raises register `index` of a dense value to `count`; 1 when it changed, else 0. */
  denseRaise(index: number, count: number): number {
    if (denseGet(this.bytes, HLL_HDR_SIZE, index) >= count) return 0;
    denseSet(this.bytes, HLL_HDR_SIZE, index, count);
    return 1;
  }

  /**
   * Raises register `index` of a sparse value to `count` (promoting to dense when needed):
   * 1 when it changed, 0 when it already held as much, -1 when the value is corrupt.
   */
  sparseRaise(index: number, count: number, maxBytes: number): number {
    if (count > HLL_SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    this.reserve(3);
    const b = this.bytes;
    let end = this.len;
    // Step 1: the opcode covering `index`.
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p]!;
      let opLen = 1;
      if (isZero(op)) span = zeroLen(op);
      else if (isVal(op)) span = valLen(op);
      else {
        span = xzeroLen(op, b[p + 1]!);
        opLen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += opLen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = b[p]!;
    let next = isXZero(op) ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const zero = isZero(op);
    const xzero = isXZero(op);
    const runLen = zero ? zeroLen(op) : xzero ? xzeroLen(op, b[p + 1]!) : valLen(op);

    // Step 2: the trivial cases are edited in place.
    let trivial = false;
    if (!zero && !xzero) {
      if (valValue(op) >= count) return 0;
      if (runLen === 1) trivial = true;
    } else if (zero && runLen === 1) trivial = true;
    if (trivial) {
      b[p] = valOp(count, 1);
    } else {
      // General case: split the opcode into up to three (at most 5 bytes).
      const seq: number[] = [];
      const last = first + span - 1;
      const zeros = (n: number): void => {
        if (n > HLL_SPARSE_ZERO_MAX_LEN) seq.push(...xzeroOps(n));
        else seq.push(zeroOp(n));
      };
      if (zero || xzero) {
        if (index !== first) zeros(index - first);
        seq.push(valOp(count, 1));
        if (index !== last) zeros(last - index);
      } else {
        const cur = valValue(op);
        if (index !== first) seq.push(valOp(cur, index - first));
        seq.push(valOp(count, 1));
        if (index !== last) seq.push(valOp(cur, last - index));
      }
      // Step 3: put the new sequence in place of the old opcode.
      const delta = seq.length - (xzero ? 2 : 1);
      if (delta > 0 && this.len + delta > maxBytes) return this.promote(index, count);
      if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
      this.len += delta;
      b.set(seq, p);
      end += delta;
    }
    // Step 4: merge adjacent VAL opcodes of equal value, scanning up to 5 opcodes from `prev`.
    p = prev >= 0 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (p < end && scan-- > 0) {
      const o = b[p]!;
      if (isXZero(o)) {
        p += 2;
        continue;
      }
      if (isZero(o)) {
        p++;
        continue;
      }
      if (p + 1 < end && isVal(b[p + 1]!)) {
        const v1 = valValue(o);
        const v2 = valValue(b[p + 1]!);
        if (v1 === v2) {
          const len = valLen(o) + valLen(b[p + 1]!);
          if (len <= HLL_SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valOp(v1, len);
            b.copyWithin(p, p + 1, end);
            this.len--;
            end--;
            continue;
          }
        }
      }
      p++;
    }
    invalidateCache(b);
    return 1;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return this.denseRaise(index, count);
  }
}
