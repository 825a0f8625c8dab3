// popcount / bitpos and the BITCOUNT / BITPOS range rules against a bit-by-bit reference model:
// every start/end pair (negative, past the end, inverted) in BYTE and BIT units, over values at
// every alignment in memory (the word paths start at the first 4-aligned byte), plus the edges
// Redis special-cases. The model is Redis's rules written the slow way, one bit at a time.
import { describe, expect, test } from "bun:test";
import { countBits, findBit } from "../../../src/engine/bits/bit-range.ts";
import { bitpos, popcount } from "../../../src/engine/bits/popcount.ts";

const bitAt = (v: Uint8Array, i: number): number => (v[i >> 3]! >> (7 - (i & 7))) & 1;

/** Clamps [start, end] over `total` units as Redis does; undefined for an empty range. */
function clamp(total: number, start: number, end: number): [number, number] | undefined {
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  start = Math.max(0, start);
  end = Math.max(0, end);
  if (end >= total) end = total - 1;
  return start > end ? undefined : [start, end];
}

function modelCount(v: Uint8Array, start: number, end: number, isBit: boolean): number {
  if (start < 0 && end < 0 && start > end) return 0;
  const r = clamp(isBit ? v.length * 8 : v.length, start, end);
  if (r === undefined) return 0;
  const [from, to] = isBit ? r : [r[0] * 8, r[1] * 8 + 7];
  let n = 0;
  for (let i = from; i <= to; i++) n += bitAt(v, i);
  return n;
}

function modelPos(v: Uint8Array, bit: number, start: number, end: number | undefined, isBit: boolean): number {
  const total = isBit ? v.length * 8 : v.length;
  const r = clamp(total, start, end ?? (isBit ? total + 7 : total - 1));
  if (r === undefined) return -1;
  const [from, to] = isBit ? r : [r[0] * 8, r[1] * 8 + 7];
  for (let i = from; i <= to; i++) if (bitAt(v, i) === bit) return i;
  // No explicit end: a search for 0 finds the first bit past the value.
  return bit === 0 && end === undefined ? to + 1 : -1;
}

/** `bytes` placed at byte offset `shift` of a larger buffer (so its view has that alignment). */
function shifted(bytes: number[], shift: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + 8);
  buf.set(bytes, shift);
  return buf.subarray(shift, shift + bytes.length);
}

describe("popcount and bitpos", () => {
  test("count and find bits in every sub-range at every alignment", () => {
    let seed = 7;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
    const patterns = [Array.from({ length: 37 }, rand), new Array(37).fill(0), new Array(37).fill(0xff), [...new Array(36).fill(0), 1], [...new Array(36).fill(0xff), 0xfe]];
    for (const bytes of patterns) {
      for (let shift = 0; shift < 4; shift++) {
        const v = shifted(bytes, shift);
        for (let s = 0; s <= v.length; s++) {
          for (let n = 0; s + n <= v.length; n += 3) {
            let want = 0;
            for (let i = s * 8; i < (s + n) * 8; i++) want += bitAt(v, i);
            expect(popcount(v, s, n)).toBe(want);
            for (const bit of [0, 1] as const) {
              let pos = bit === 1 ? -1 : n * 8;
              for (let i = s * 8; i < (s + n) * 8; i++) {
                if (bitAt(v, i) === bit) {
                  pos = i - s * 8;
                  break;
                }
              }
              expect(bitpos(v, s, n, bit)).toBe(pos);
            }
          }
        }
      }
    }
  });

  test("a 64 MB bitmap counts exactly", () => {
    const v = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < v.length; i += 4099) v[i] = 0b1011_0001;
    const expected = Math.ceil(v.length / 4099) * 4;
    expect(popcount(v, 0, v.length)).toBe(expected);
    expect(popcount(v.subarray(1), 0, v.length - 1)).toBe(expected - 4);
    expect(bitpos(v, 1, v.length - 1, 1)).toBe((4099 - 1) * 8);
  });
});

describe("BITCOUNT and BITPOS ranges", () => {
  const v = shifted([0x66, 0x6f, 0x00, 0xff, 0x80, 0x01, 0x7e], 1);
  const ends = [-60, -9, -8, -7, -2, -1, 0, 1, 2, 5, 6, 7, 8, 9, 30, 55, 56, 57, 100];

  test("BITCOUNT of every start/end pair in BYTE and BIT units equals the model", () => {
    for (const isBit of [false, true]) {
      for (const start of ends) for (const end of ends) expect([start, end, isBit, countBits(v, v.length, start, end, isBit)]).toEqual([start, end, isBit, modelCount(v, start, end, isBit)]);
    }
    expect(countBits(v, v.length)).toBe(modelCount(v, 0, -1, false));
  });

  test("BITPOS of every start/end pair, with and without an end, equals the model", () => {
    for (const isBit of [false, true]) {
      for (const bit of [0, 1] as const) {
        for (const start of ends) {
          expect(findBit(v, v.length, bit, start, undefined, isBit)).toBe(modelPos(v, bit, start, undefined, isBit));
          for (const end of ends) expect([bit, start, end, isBit, findBit(v, v.length, bit, start, end, isBit)]).toEqual([bit, start, end, isBit, modelPos(v, bit, start, end, isBit)]);
        }
      }
    }
  });

  test("Redis's special cases: empty values, all-ones without an end, inverted negative ranges", () => {
    const empty = new Uint8Array(0);
    expect(findBit(empty, 0, 0)).toBe(-1);
    expect(findBit(empty, 0, 1)).toBe(-1);
    expect(countBits(empty, 0, 0, -1)).toBe(0);
    const ones = new Uint8Array([0xff, 0xff]);
    expect(findBit(ones, 2, 0)).toBe(16);
    expect(findBit(ones, 2, 0, 0)).toBe(16);
    expect(findBit(ones, 2, 0, 0, -1)).toBe(-1);
    expect(findBit(ones, 2, 0, 3, 9, true)).toBe(-1);
    expect(countBits(ones, 2, -1, -5)).toBe(0);
    expect(countBits(ones, 2, -5, -1)).toBe(16);
  });
});
