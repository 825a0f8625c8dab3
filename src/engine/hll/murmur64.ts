// MurmurHash64A (Austin Appleby's MurmurHash2, 64-bit, the endian-neutral variant Redis uses in
// hyperloglog.c) over 32-bit halves, so no bigint is made per element. The 64x64-bit multiply
// modulo 2^64 is done with 16-bit limbs for the low word's full product.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** The 64-bit result of the last `mul64` / `murmurHash64A` (high and low 32 bits, unsigned). */
let hi = 0;
let lo = 0;

/** (ahi:alo) * (bhi:blo) mod 2^64 into hi:lo. */
function mul64(ahi: number, alo: number, bhi: number, blo: number): void {
  const a0 = alo & 0xffff;
  const a1 = alo >>> 16;
  const b0 = blo & 0xffff;
  const b1 = blo >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  lo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  hi = (carry + Math.imul(ahi, blo) + Math.imul(alo, bhi)) >>> 0;
}

/** MurmurHash64A of `data` with a 32-bit `seed`; read the result with `hashHi` / `hashLo`. */
export function murmurHash64A(data: Uint8Array, seed: number): void {
  const len = data.length;
  mul64(0, len >>> 0, M_HI, M_LO);
  let hHi = hi;
  let hLo = (lo ^ seed) >>> 0;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
    const kHi = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
    mul64(kHi, kLo, M_HI, M_LO);
    // k ^= k >> 47
    mul64(hi, (lo ^ (hi >>> 15)) >>> 0, M_HI, M_LO);
    hHi = (hHi ^ hi) >>> 0;
    hLo = (hLo ^ lo) >>> 0;
    mul64(hHi, hLo, M_HI, M_LO);
    hHi = hi;
    hLo = lo;
  }
  const tail = len & 7;
  if (tail !== 0) {
    // The last 1..7 bytes, little-endian, into the hash's low bytes.
    for (let j = 0; j < tail; j++) {
      const byte = data[blocks + j]!;
      if (j < 4) hLo ^= byte << (8 * j);
      else hHi ^= byte << (8 * (j - 4));
    }
    mul64(hHi >>> 0, hLo >>> 0, M_HI, M_LO);
    hHi = hi;
    hLo = lo;
  }
  hLo = (hLo ^ (hHi >>> 15)) >>> 0;
  mul64(hHi >>> 0, hLo, M_HI, M_LO);
  hi = hi >>> 0;
  lo = (lo ^ (hi >>> 15)) >>> 0;
}

/** High 32 bits of the last hash. */
export const hashHi = (): number => hi;
/** Low 32 bits of the last hash. */
export const hashLo = (): number => lo;
