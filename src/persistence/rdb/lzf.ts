// LZF (liblzf, as redis/src/lzf_c.c and lzf_d.c): compressed strings in RDB files.
//   literal run: 000LLLLL + L+1 bytes; back reference: LLLoooo oooooooo (len = LLL+2, 7 = one
//   more length byte), offset+1 back from the output position.

/** Decompresses `src[from, to)` into exactly `outLen` bytes; undefined when malformed. */
export function lzfDecompress(src: Uint8Array, from: number, to: number, outLen: number): Uint8Array | undefined {
  const out = new Uint8Array(outLen);
  let ip = from;
  let op = 0;
  while (ip < to) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (op + n > outLen || ip + n > to) return undefined;
      for (let k = 0; k < n; k++) out[op++] = src[ip++]!; // at most 32 bytes: no view object
      continue;
    }
    let len = ctrl >> 5;
    if (len === 7) {
      if (ip >= to) return undefined;
      len += src[ip++]!;
    }
    len += 2;
    if (ip >= to) return undefined;
    let ref = op - ((ctrl & 31) << 8) - src[ip++]! - 1;
    if (ref < 0 || op + len > outLen) return undefined;
    for (let i = 0; i < len; i++) out[op++] = out[ref++]!;
  }
  return op === outLen ? out : undefined;
}

const HLOG = 14;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);
/**
 * Positions of 3-byte prefixes, stamped with `base`: an entry below the call's base belongs to an
 * earlier call and counts as empty, so no call has to clear the table (clearing it cost more than
 * compressing a short string).
 */
const hashTable = new Int32Array(1 << HLOG);
let base = 0;

/**
 * Compresses `src` (liblzf's algorithm, one hash table of 3-byte prefixes); undefined when the
 * result would not be shorter than `src` (Redis then stores the string as is).
 */
export function lzfCompress(src: Uint8Array): Uint8Array | undefined {
  const n = src.length;
  if (n < 4) return undefined;
  const out = new Uint8Array(n);
  const limit = n - 1;
  if (base + n >= 0x3fffffff) {
    hashTable.fill(0);
    base = 0;
  }
  const b0 = base + 1;
  base = b0 + n;
  let ip = 0;
  let op = 1; // out[0] is the first literal run's control byte
  let lit = 0;
  const emitLiteral = (b: number): boolean => {
    if (op >= limit) return false;
    out[op++] = b;
    if (++lit === 32) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      if (op >= limit) return false;
      op++;
    }
    return true;
  };
  while (ip < n - 2) {
    const h = Math.imul((src[ip]! << 16) | (src[ip + 1]! << 8) | src[ip + 2]!, 0x9e3779b1) >>> (32 - HLOG);
    const ref = hashTable[h]! - b0; // < 0: empty (set by an earlier call)
    hashTable[h] = ip + b0;
    const off = ip - ref - 1;
    if (ref >= 0 && off < MAX_OFF && src[ref] === src[ip] && src[ref + 1] === src[ip + 1] && src[ref + 2] === src[ip + 2]) {
      let m = 3;
      const maxLen = Math.min(MAX_REF, n - ip);
      while (m < maxLen && src[ref + m] === src[ip + m]) m++;
      const code = m - 2;
      if (op + 4 >= limit) return undefined;
      if (lit > 0) out[op - lit - 1] = lit - 1;
      else op--; // no literal run open: drop its reserved control byte
      if (code < 7) out[op++] = (off >> 8) + (code << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = code - 7;
      }
      out[op++] = off & 255;
      lit = 0;
      op++; // the next literal run's control byte
      const end = ip + m;
      ip++;
      while (ip < end && ip < n - 2) {
        hashTable[Math.imul((src[ip]! << 16) | (src[ip + 1]! << 8) | src[ip + 2]!, 0x9e3779b1) >>> (32 - HLOG)] = ip + b0;
        ip++;
      }
      ip = end;
      continue;
    }
    if (!emitLiteral(src[ip++]!)) return undefined;
  }
  while (ip < n) if (!emitLiteral(src[ip++]!)) return undefined;
  if (lit > 0) out[op - lit - 1] = lit - 1;
  else op--;
  return op < n ? out.slice(0, op) : undefined;
}
