// The cardinality estimate of Redis 7.0 (hllCount in hyperloglog.c): a histogram of register
// values, then Otmar Ertl's improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", arXiv:1702.01284) with its sigma and tau series, rounded as llroundl
// rounds. Same registers, same double operations in the same order: the same count as Redis.
// Also the register-wise maximum of several HLLs (PFCOUNT of several keys, PFMERGE).
import {
  HLL_DENSE,
  HLL_HDR_SIZE,
  HLL_Q,
  HLL_REGISTERS,
  denseGet,
  isXZero,
  isZero,
  valLen,
  valValue,
  xzeroLen,
  zeroLen,
} from "./hll-format.ts";

const ALPHA_INF = 0.72134752044448170368; // 0.5 / ln(2)

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The estimate from a histogram of register values (index = value). */
function estimate(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * sigma(histo[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

const histo = new Int32Array(64);

/** Histogram of a value's registers, or false when a sparse value does not cover exactly 16384. */
function fillHistogram(v: Uint8Array): boolean {
  histo.fill(0);
  if (v[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = denseGet(v, HLL_HDR_SIZE, i);
      histo[r] = histo[r]! + 1;
    }
    return true;
  }
  let idx = 0;
  for (let p = HLL_HDR_SIZE; p < v.length; ) {
    const b = v[p]!;
    if (isZero(b)) {
      const run = zeroLen(b);
      idx += run;
      histo[0] = histo[0]! + run;
      p++;
    } else if (isXZero(b)) {
      const run = xzeroLen(b, v[p + 1] ?? 0);
      idx += run;
      histo[0] = histo[0]! + run;
      p += 2;
    } else {
      const run = valLen(b);
      idx += run;
      const val = valValue(b);
      histo[val] = histo[val]! + run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** The estimated cardinality of a valid HLL value, or -1 when its sparse registers are corrupt. */
export function hllCount(v: Uint8Array): number {
  if (!fillHistogram(v)) return -1;
  return estimate(histo);
}

/** The estimate of raw registers (one byte per register, as `mergeInto` builds them). */
export function rawCount(max: Uint8Array): number {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) {
    const r = max[i]! & 63;
    histo[r] = histo[r]! + 1;
  }
  return estimate(histo);
}

/** max[i] = MAX(max[i], register i of `v`); false when a sparse value is corrupt (hllMerge). */
export function mergeInto(max: Uint8Array, v: Uint8Array): boolean {
  if (v[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = denseGet(v, HLL_HDR_SIZE, i);
      if (r > max[i]!) max[i] = r;
    }
    return true;
  }
  let i = 0;
  for (let p = HLL_HDR_SIZE; p < v.length; ) {
    const b = v[p]!;
    if (isZero(b)) {
      i += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      i += xzeroLen(b, v[p + 1] ?? 0);
      p += 2;
    } else {
      const run = valLen(b);
      const val = valValue(b);
      if (run + i > HLL_REGISTERS) return false; // past the last register: corrupt
      for (let k = 0; k < run; k++, i++) if (val > max[i]!) max[i] = val;
      p++;
    }
  }
  return i === HLL_REGISTERS;
}
