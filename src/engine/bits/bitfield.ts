// BITFIELD's integers of 1..64 bits at any bit offset (bitops.c: getUnsignedBitfield,
// setUnsignedBitfield, checkSignedBitfieldOverflow, checkUnsignedBitfieldOverflow). Values are
// bigints so every int64 / uint63 is exact; the overflow checks emulate Redis's int64 arithmetic,
// wrap-around included, so SAT/WRAP/FAIL answer as Redis does even at the edges.

export const Overflow = { Wrap: 0, Sat: 1, Fail: 2 } as const;
export type Overflow = (typeof Overflow)[keyof typeof Overflow];

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const INT64_MAX = (1n << 63n) - 1n;

/** The `bits`-wide unsigned integer at bit `offset` of `v` (bits past the end read as 0). */
export function getUnsigned(v: Uint8Array, offset: number, bits: number): bigint {
  let out = 0n;
  let small = 0;
  let smallBits = 0;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = Math.floor(offset / 8);
    const bit = 7 - (offset & 7);
    const b = byte < v.length ? (v[byte]! >> bit) & 1 : 0;
    small = small * 2 + b;
    if (++smallBits === 32) {
      out = (out << 32n) | BigInt(small);
      small = 0;
      smallBits = 0;
    }
  }
  return smallBits === 0 ? out : (out << BigInt(smallBits)) | BigInt(small);
}

/** The `bits`-wide two's complement integer at bit `offset` of `v`. */
export function getSigned(v: Uint8Array, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsigned(v, offset, bits));
}

/** Writes the low `bits` bits of `value` at bit `offset` of `v` (which must be long enough). */
export function setBits(v: Uint8Array, offset: number, bits: number, value: bigint): void {
  const x = BigInt.asUintN(bits, value);
  for (let j = 0; j < bits; j++, offset++) {
    const on = (x >> BigInt(bits - 1 - j)) & 1n;
    const byte = Math.floor(offset / 8);
    const mask = 1 << (7 - (offset & 7));
    v[byte] = on === 1n ? v[byte]! | mask : v[byte]! & ~mask;
  }
}

/** Outcome of an overflow check: whether it overflowed and the value to store under WRAP/SAT. */
export interface OverflowResult {
  overflow: boolean;
  value: bigint;
}

const result: OverflowResult = { overflow: false, value: 0n };

/** value + incr as an unsigned `bits`-wide integer (checkUnsignedBitfieldOverflow); `value` is a uint64. */
export function addUnsigned(value: bigint, incr: bigint, bits: number, mode: Overflow): OverflowResult {
  const max = (1n << BigInt(bits)) - 1n;
  const maxIncr = i64(max - value);
  const minIncr = i64(-value);
  result.overflow = true;
  if (value > max || (incr > 0n && incr > maxIncr)) result.value = mode === Overflow.Sat ? max : BigInt.asUintN(bits, value + incr);
  else if (incr < 0n && incr < minIncr) result.value = mode === Overflow.Sat ? 0n : BigInt.asUintN(bits, value + incr);
  else {
    result.overflow = false;
    result.value = u64(value + incr);
  }
  return result;
}

/** value + incr as a signed `bits`-wide integer (checkSignedBitfieldOverflow); `value` is an int64. */
export function addSigned(value: bigint, incr: bigint, bits: number, mode: Overflow): OverflowResult {
  const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  // Redis computes these in int64 and lets them wrap; the checks below depend on that.
  const maxIncr = i64(u64(max) - u64(value));
  const minIncr = i64(min - value);
  const wrap = (): bigint => (bits === 64 ? i64(value + incr) : BigInt.asIntN(bits, value + incr));
  result.overflow = true;
  if (value > max || (bits !== 64 && incr > maxIncr) || (value >= 0n && incr > 0n && incr > maxIncr)) {
    result.value = mode === Overflow.Sat ? max : wrap();
  } else if (value < min || (bits !== 64 && incr < minIncr) || (value < 0n && incr < 0n && incr < minIncr)) {
    result.value = mode === Overflow.Sat ? min : wrap();
  } else {
    result.overflow = false;
    result.value = i64(value + incr);
  }
  return result;
}
