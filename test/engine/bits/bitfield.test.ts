// BITFIELD's integer access at every width and bit offset, against a BigInt model of the bits,
// and the overflow rules at the type edges (WRAP/SAT/FAIL) against plain arithmetic.
import { describe, expect, test } from "bun:test";
import { Overflow, addSigned, addUnsigned, getSigned, getUnsigned, setBits } from "../../../src/engine/bits/bitfield.ts";

/** Bits [offset, offset+bits) of `v` read one by one, MSB first. */
function modelGet(v: Uint8Array, offset: number, bits: number): bigint {
  let out = 0n;
  for (let i = offset; i < offset + bits; i++) {
    const byte = i >> 3;
    const b = byte < v.length ? (v[byte]! >> (7 - (i & 7))) & 1 : 0;
    out = (out << 1n) | BigInt(b);
  }
  return out;
}

describe("bitfield integers", () => {
  test("set then get at every width 1..64 and offset 0..17 leaves the other bits alone", () => {
    for (let bits = 1; bits <= 64; bits++) {
      for (let offset = 0; offset < 18; offset++) {
        const v = new Uint8Array(12).fill(0xa5);
        const before = modelGet(v, 0, 96);
        const x = (0x9e3779b97f4a7c15n * BigInt(bits * 31 + offset)) & ((1n << BigInt(bits)) - 1n);
        setBits(v, offset, bits, x);
        expect(getUnsigned(v, offset, bits)).toBe(x);
        expect(getSigned(v, offset, bits)).toBe(BigInt.asIntN(bits, x));
        const mask = ((1n << BigInt(bits)) - 1n) << BigInt(96 - offset - bits);
        expect(modelGet(v, 0, 96) & ~mask).toBe(before & ~mask);
      }
    }
  });

  test("reads past the end are zeros", () => {
    const v = Uint8Array.of(0xff);
    expect(getUnsigned(v, 4, 8)).toBe(0xf0n);
    expect(getSigned(v, 0, 16)).toBe(-256n);
    expect(getUnsigned(v, 100, 63)).toBe(0n);
  });
});

describe("overflow", () => {
  test("unsigned: in range adds, WRAP is modular, SAT clamps to 0 or max, every case flags overflow", () => {
    for (const bits of [1, 4, 8, 63]) {
      const max = (1n << BigInt(bits)) - 1n;
      for (const [value, incr] of [[0n, 1n], [max, 1n], [max, -max], [0n, -1n], [3n, 100n], [max, -(max + 1n)]] as [bigint, bigint][]) {
        const v = value & max;
        const sum = v + incr;
        const over = sum < 0n || sum > max;
        expect(addUnsigned(v, incr, bits, Overflow.Wrap)).toEqual({ overflow: over, value: over ? BigInt.asUintN(bits, sum) : sum });
        expect(addUnsigned(v, incr, bits, Overflow.Sat)).toEqual({ overflow: over, value: over ? (sum < 0n ? 0n : max) : sum });
      }
    }
  });

  test("signed: WRAP is two's complement, SAT clamps to min or max", () => {
    for (const bits of [2, 8, 33, 64]) {
      const max = (1n << BigInt(bits - 1)) - 1n;
      const min = -max - 1n;
      for (const [value, incr] of [[0n, 1n], [max, 1n], [min, -1n], [min, 1n], [max, min], [-1n, max]] as [bigint, bigint][]) {
        const sum = value + incr;
        const over = sum < min || sum > max;
        expect(addSigned(value, incr, bits, Overflow.Wrap)).toEqual({ overflow: over, value: over ? BigInt.asIntN(bits, sum) : sum });
        expect(addSigned(value, incr, bits, Overflow.Sat)).toEqual({ overflow: over, value: over ? (sum < min ? min : max) : sum });
      }
    }
  });
});
