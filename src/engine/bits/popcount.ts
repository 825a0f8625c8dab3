// Counting and finding bits in byte ranges (Redis's redisPopcount and redisBitpos in bitops.c).
// Bits are numbered from the most significant bit of the first byte, as Redis numbers them.
// Both walk whole 32-bit words through a Uint32Array view of the aligned middle of the range and
// touch single bytes only at the unaligned edges, so a 64 MB bitmap is counted in tens of ms.

/** Set bits of every byte value. */
export const BYTE_BITS = new Uint8Array(256);
for (let i = 1; i < 256; i++) BYTE_BITS[i] = (i & 1) + BYTE_BITS[i >>> 1]!;

/** Set bits of a 32-bit word (SWAR). */
function wordBits(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** A Uint32Array over bytes [from, to) of `b` (4-aligned in memory), or undefined when too short. */
function wordsOf(b: Uint8Array, from: number, to: number): Uint32Array | undefined {
  const n = (to - from) >>> 2;
  if (n < 4) return undefined;
  return new Uint32Array(b.buffer, b.byteOffset + from, n);
}

/** The first index ≥ `i` whose address in memory is a multiple of 4. */
const alignUp = (b: Uint8Array, i: number): number => i + ((4 - ((b.byteOffset + i) & 3)) & 3);

/** Number of set bits in b[start, start + count). */
export function popcount(b: Uint8Array, start: number, count: number): number {
  const end = start + count;
  let i = start;
  let bits = 0;
  const aligned = Math.min(end, alignUp(b, i));
  for (; i < aligned; i++) bits += BYTE_BITS[b[i]!]!;
  const words = wordsOf(b, i, end);
  if (words !== undefined) {
    const n = words.length;
    let w = 0;
    // Unrolled by four words.
    for (; w + 4 <= n; w += 4) bits += wordBits(words[w]!) + wordBits(words[w + 1]!) + wordBits(words[w + 2]!) + wordBits(words[w + 3]!);
    for (; w < n; w++) bits += wordBits(words[w]!);
    i += n << 2;
  }
  for (; i < end; i++) bits += BYTE_BITS[b[i]!]!;
  return bits;
}

/** Position (MSB first) of the first `bit` in byte `v`, or -1. */
function bitInByte(v: number, bit: 0 | 1): number {
  const x = bit === 1 ? v : ~v & 0xff;
  return x === 0 ? -1 : Math.clz32(x) - 24;
}

/**
 * Position of the first bit equal to `bit` in b[start, start + count), counted from bit 0 of
 * b[start]. Not found: -1 when looking for 1, count * 8 (the bit just past the range) when
 * looking for 0, as redisBitpos answers.
 */
export function bitpos(b: Uint8Array, start: number, count: number, bit: 0 | 1): number {
  const end = start + count;
  const skip = bit === 1 ? 0 : 0xff;
  let i = start;
  const aligned = Math.min(end, alignUp(b, i));
  for (; i < aligned; i++) if (b[i] !== skip) return (i - start) * 8 + bitInByte(b[i]!, bit);
  const words = wordsOf(b, i, end);
  if (words !== undefined) {
    const skipWord = bit === 1 ? 0 : 0xffffffff;
    let w = 0;
    while (w < words.length && words[w] === skipWord) w++;
    i += w << 2;
  }
  for (; i < end; i++) if (b[i] !== skip) return (i - start) * 8 + bitInByte(b[i]!, bit);
  return bit === 1 ? -1 : count * 8;
}
