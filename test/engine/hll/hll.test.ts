// The HyperLogLog engine: MurmurHash64A against a BigInt transcription of the algorithm, the
// sparse encoding against the dense one (the same elements give the same registers whichever
// way they were added), sparse values that stay well-formed as they grow, and the estimator.
import { describe, expect, test } from "bun:test";
import { hllCount, mergeInto, rawCount } from "../../../src/engine/hll/hll-count.ts";
import { HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, denseGet, emptySparse, isValidHll, isXZero, isZero, patternOf, valLen, xzeroLen, zeroLen } from "../../../src/engine/hll/hll-format.ts";
import { HllBuffer } from "../../../src/engine/hll/hll-sparse.ts";
import { hashHi, hashLo, murmurHash64A } from "../../../src/engine/hll/murmur64.ts";

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A with 64-bit BigInt arithmetic, straight from the algorithm's description. */
function murmurReference(d: Uint8Array, seed: bigint): bigint {
  let h = (seed ^ (BigInt(d.length) * M)) & MASK;
  const blocks = d.length - (d.length & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(d[i + j]!);
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const tail = d.length & 7;
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) h ^= BigInt(d[blocks + j]!) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

const enc = new TextEncoder();
const ele = (i: number): Uint8Array => enc.encode(`element:${i}`);

/** Registers of a value (either encoding) as one byte each. */
function registers(v: Uint8Array): Uint8Array {
  const max = new Uint8Array(HLL_REGISTERS);
  expect(mergeInto(max, v)).toBe(true);
  return max;
}

/** Checks a sparse value's opcodes cover exactly 16384 registers. */
function sparseSpan(v: Uint8Array): number {
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < v.length; ) {
    const b = v[p]!;
    if (isZero(b)) {
      idx += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      idx += xzeroLen(b, v[p + 1]!);
      p += 2;
    } else {
      idx += valLen(b);
      p++;
    }
  }
  return idx;
}

describe("MurmurHash64A", () => {
  test("equals the BigInt reference for lengths 0..40 and random bytes", () => {
    let seed = 1;
    for (let n = 0; n < 4000; n++) {
      const d = new Uint8Array(n % 41);
      for (let i = 0; i < d.length; i++) d[i] = (seed = (Math.imul(seed, 48271) + 11) >>> 0) >>> 23;
      murmurHash64A(d, 0xadc83b19);
      expect((BigInt(hashHi()) << 32n) | BigInt(hashLo())).toBe(murmurReference(d, 0xadc83b19n));
    }
  });

  test("the register index is the low 14 bits and the run length counts from bit 14", () => {
    for (let i = 0; i < 2000; i++) {
      const h = murmurReference(ele(i), 0xadc83b19n);
      const p = patternOf(ele(i));
      expect(p.index).toBe(Number(h & 0x3fffn));
      let rest = (h >> 14n) | (1n << 50n);
      let count = 1;
      while ((rest & 1n) === 0n) {
        rest >>= 1n;
        count++;
      }
      expect(p.count).toBe(count);
    }
  });
});

describe("sparse and dense encodings", () => {
  test("the same elements give the same registers sparse (kept sparse) and dense", () => {
    const sparse = new HllBuffer(emptySparse());
    const dense = new HllBuffer(emptySparse());
    expect(dense.toDense()).toBe(true);
    for (let i = 0; i < 3000; i++) {
      const p = patternOf(ele(i));
      const { index, count } = p;
      // Counts above 32 are not representable sparse; keep those out of this comparison.
      if (count > 32) continue;
      expect(sparse.sparseRaise(index, count, 1 << 30)).toBeGreaterThanOrEqual(0);
      dense.denseRaise(index, count);
      if (i % 250 === 0) expect(sparseSpan(sparse.value())).toBe(HLL_REGISTERS);
    }
    expect(sparse.dense).toBe(false);
    expect(registers(sparse.value())).toEqual(registers(dense.value()));
    expect(hllCount(sparse.value())).toBe(hllCount(dense.value()));
  });

  test("promotion to dense keeps the registers and the header", () => {
    const h = new HllBuffer(emptySparse());
    let promotedAt = -1;
    for (let i = 0; i < 5000 && promotedAt < 0; i++) {
      const p = patternOf(ele(i));
      h.sparseRaise(p.index, p.count, 3000);
      if (h.dense) promotedAt = i;
      else expect(h.len).toBeLessThanOrEqual(3000);
    }
    expect(promotedAt).toBeGreaterThan(0);
    const v = h.value();
    expect(v.length).toBe(HLL_DENSE_SIZE);
    expect(isValidHll(v)).toBe(true);
    expect([...v.subarray(0, 5)]).toEqual([72, 89, 76, 76, 0]);
    const check = new HllBuffer(emptySparse());
    check.toDense();
    for (let i = 0; i <= promotedAt; i++) {
      const p = patternOf(ele(i));
      check.denseRaise(p.index, p.count);
    }
    for (let r = 0; r < HLL_REGISTERS; r++) expect(denseGet(v, HLL_HDR_SIZE, r)).toBe(denseGet(check.value(), HLL_HDR_SIZE, r));
  });

  test("an empty HLL counts 0 and raw registers count as the dense value does", () => {
    expect(hllCount(emptySparse())).toBe(0);
    const h = new HllBuffer(emptySparse());
    h.toDense();
    for (let i = 0; i < 50_000; i++) {
      const p = patternOf(ele(i));
      h.denseRaise(p.index, p.count);
    }
    const n = hllCount(h.value());
    expect(rawCount(registers(h.value()))).toBe(n);
    // The standard error of 16384 registers is 0.81%: 50000 is well inside 5%.
    expect(Math.abs(n - 50_000)).toBeLessThan(2500);
  });
});
