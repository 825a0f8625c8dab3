// Redis's HyperLogLog value layout (hyperloglog.c), byte for byte, so values move between Redis
// and fast-cache with GET/SET:
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (u64 LE; the top
//   bit of its last byte set = stale) | registers
// Dense: 16384 registers of 6 bits, packed from the least significant bit of each byte.
// Sparse: opcodes ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx xxxxxxxx (1..16384),
// VAL 1vvvvvxx (1..4 registers of value 1..32).
import { hashHi, hashLo, murmurHash64A } from "./murmur64.ts";

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >>> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
export const HLL_SPARSE_VAL_MAX_VALUE = 32;
export const HLL_SPARSE_VAL_MAX_LEN = 4;
export const HLL_SPARSE_ZERO_MAX_LEN = 64;
export const HLL_SPARSE_XZERO_MAX_LEN = 16384;
/** Byte holding the cached cardinality's validity bit (0x80 set = must recompute). */
export const CARD_FLAG_BYTE = 15;
const HASH_SEED = 0xadc83b19;

// ---- sparse opcodes -----------------------------------------------------------------------------

export const isZero = (b: number): boolean => (b & 0xc0) === 0;
export const isXZero = (b: number): boolean => (b & 0xc0) === 0x40;
export const isVal = (b: number): boolean => (b & 0x80) !== 0;
export const zeroLen = (b: number): number => (b & 0x3f) + 1;
export const xzeroLen = (b0: number, b1: number): number => (((b0 & 0x3f) << 8) | b1) + 1;
export const valValue = (b: number): number => ((b >> 2) & 0x1f) + 1;
export const valLen = (b: number): number => (b & 3) + 1;
export const valOp = (value: number, len: number): number => (((value - 1) << 2) | (len - 1) | 0x80) & 0xff;
export const zeroOp = (len: number): number => len - 1;
export const xzeroOps = (len: number): [number, number] => [((len - 1) >> 8) | 0x40, (len - 1) & 0xff];

// ---- dense registers ------------------------------------------------------------------------------

/** Register `i` of the dense registers starting at `base` in `b`. */
export function denseGet(b: Uint8Array, base: number, i: number): number {
  const bitPos = i * 6;
  const byte = base + (bitPos >>> 3);
  const fb = bitPos & 7;
  return ((b[byte]! >> fb) | ((b[byte + 1] ?? 0) << (8 - fb))) & 63;
}

/** Sets register `i` of the dense registers starting at `base` in `b` to `val` (0..63). */
export function denseSet(b: Uint8Array, base: number, i: number, val: number): void {
  const bitPos = i * 6;
  const byte = base + (bitPos >>> 3);
  const fb = bitPos & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte]! & ~(63 << fb)) | (val << fb);
  if (byte + 1 < b.length) b[byte + 1] = (b[byte + 1]! & ~(63 >> fb8)) | (val >> fb8);
}

// ---- values -----------------------------------------------------------------------------------------

/** A new empty HLL as PFADD creates it: sparse, one XZERO covering every register, cache valid (0). */
export function emptySparse(): Uint8Array {
  const b = new Uint8Array(HLL_HDR_SIZE + 2);
  b.set([72, 89, 76, 76, HLL_SPARSE]);
  const [x0, x1] = xzeroOps(HLL_REGISTERS);
  b[16] = x0;
  b[17] = x1;
  return b;
}

/** Redis's isHLLObjectOrReply: the "HYLL" magic, a known encoding, and a dense value's exact size. */
export function isValidHll(v: Uint8Array): boolean {
  if (v.length < HLL_HDR_SIZE) return false;
  if (v[0] !== 72 || v[1] !== 89 || v[2] !== 76 || v[3] !== 76) return false;
  const enc = v[4]!;
  if (enc > HLL_SPARSE) return false;
  return enc !== HLL_DENSE || v.length === HLL_DENSE_SIZE;
}

export const isDense = (v: Uint8Array): boolean => v[4] === HLL_DENSE;

export const cacheValid = (v: Uint8Array): boolean => (v[CARD_FLAG_BYTE]! & 0x80) === 0;

export function invalidateCache(v: Uint8Array): void {
  v[CARD_FLAG_BYTE] = v[CARD_FLAG_BYTE]! | 0x80;
}

/** The cached cardinality (little-endian u64 at bytes 8..15). */
export function readCachedCard(v: Uint8Array): bigint {
  let n = 0n;
  for (let i = 15; i >= 8; i--) n = (n << 8n) | BigInt(v[i]!);
  return n;
}

/** Stores `card` as the cached cardinality, which makes the cache valid. */
export function writeCachedCard(v: Uint8Array, card: number): void {
  let n = card;
  for (let i = 8; i < 16; i++) {
    v[i] = n % 256;
    n = Math.floor(n / 256);
  }
}

/** Register index and the length of the 000..1 run of an element's hash (Redis's hllPatLen). */
export const pattern = { index: 0, count: 0 };

export function patternOf(ele: Uint8Array): typeof pattern {
  murmurHash64A(ele, HASH_SEED);
  const hi = hashHi();
  const lo = hashLo();
  pattern.index = lo & (HLL_REGISTERS - 1);
  // The hash without its index bits, with bit Q set so the run ends by it at the latest.
  const rlo = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0;
  const rhi = ((hi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  pattern.count = rlo !== 0 ? 32 - Math.clz32(rlo & -rlo) : 64 - Math.clz32(rhi & -rhi);
  return pattern;
}
