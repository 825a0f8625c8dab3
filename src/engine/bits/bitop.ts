// BITOP's bitwise AND / OR / XOR / NOT of string values (bitopCommand in bitops.c): a missing key
// or the part past a shorter value counts as zero bytes, and the result is as long as the longest
// source. The operation runs over 32-bit words; a source not 4-aligned in memory is copied to an
// aligned scratch first (one memcpy costs less than a byte-at-a-time loop).

export const BitOp = { And: 0, Or: 1, Xor: 2, Not: 3 } as const;
export type BitOp = (typeof BitOp)[keyof typeof BitOp];

let scratch = new Uint8Array(0);

/** `src` as 32-bit words (zero-padded to a whole word), aligned. */
function wordsOf(src: Uint8Array, words: number): Uint32Array {
  if ((src.byteOffset & 3) === 0 && src.length === words * 4) return new Uint32Array(src.buffer, src.byteOffset, words);
  if (scratch.length < words * 4) scratch = new Uint8Array(words * 4);
  scratch.set(src);
  scratch.fill(0, src.length, words * 4);
  return new Uint32Array(scratch.buffer, 0, words);
}

/**
 * The result of `op` over `sources` (undefined = a missing key), or undefined when every source
 * is empty (BITOP then deletes the destination). NOT takes exactly one source.
 */
export function bitop(op: BitOp, sources: readonly (Uint8Array | undefined)[]): Uint8Array | undefined {
  let maxLen = 0;
  for (const s of sources) if (s !== undefined && s.length > maxLen) maxLen = s.length;
  if (maxLen === 0) return undefined;
  const words = (maxLen + 3) >>> 2;
  const out = new Uint8Array(words * 4);
  const acc = new Uint32Array(out.buffer);
  const first = sources[0];
  if (first !== undefined) out.set(first);
  if (op === BitOp.Not) {
    for (let i = 0; i < words; i++) acc[i] = ~acc[i]!;
    return out.subarray(0, maxLen);
  }
  for (let j = 1; j < sources.length; j++) {
    const s = sources[j];
    if (s === undefined || s.length === 0) {
      if (op === BitOp.And) acc.fill(0);
      continue;
    }
    // Only the words the source covers; past its end it is zeros.
    const n = (s.length + 3) >>> 2;
    const w = wordsOf(s, n);
    if (op === BitOp.And) {
      for (let i = 0; i < n; i++) acc[i] = acc[i]! & w[i]!;
      acc.fill(0, n);
    } else if (op === BitOp.Or) {
      for (let i = 0; i < n; i++) acc[i] = acc[i]! | w[i]!;
    } else {
      for (let i = 0; i < n; i++) acc[i] = acc[i]! ^ w[i]!;
    }
  }
  return out.subarray(0, maxLen);
}
