// What an element would take in a Redis listpack (listpack.c: lpEncodeGetType, lpEncodeBacklen),
// so a stream node fills up at the same entry as it does in Redis: stream-node-max-bytes compares
// against this estimate, and nodes split where Redis splits them (XTRIM ~, XINFO radix-tree-keys).

/** Listpack header (total bytes u32, count u16) and end byte. */
export const LP_EMPTY_BYTES = 7;

const backlen = (n: number): number => (n <= 127 ? 1 : n < 16383 ? 2 : n < 2097151 ? 3 : n < 268435455 ? 4 : 5);

/** Bytes of an integer element. */
export function lpIntBytes(v: number): number {
  const enc = v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= -32768 && v <= 32767 ? 3 : v >= -8388608 && v <= 8388607 ? 4 : v >= -2147483648 && v <= 2147483647 ? 5 : 9;
  return enc + backlen(enc);
}

/** The value of `b` when listpack would store it as an integer (string2ll rules), else undefined. */
function asInt64(b: Uint8Array): number | undefined {
  const n = b.length;
  if (n === 0 || n > 20) return undefined;
  let i = 0;
  const neg = b[0] === 45;
  if (neg) {
    i = 1;
    if (n === 1) return undefined;
  }
  if (b[i] === 48) return n === i + 1 && !neg ? 0 : undefined;
  if (n - i <= 15) {
    let x = 0;
    for (; i < n; i++) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) return undefined;
      x = x * 10 + d;
    }
    return neg ? -x : x;
  }
  let v = 0n;
  for (; i < n; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10n + BigInt(d);
  }
  if (neg) v = -v;
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return Number(v);
}

/** Bytes of a string element (stored as an integer when it is one). */
export function lpStringBytes(b: Uint8Array): number {
  if (b.length <= 20 && b.length > 0 && (b[0] === 45 || (b[0]! >= 48 && b[0]! <= 57))) {
    const v = asInt64(b);
    if (v !== undefined) return lpIntBytes(v);
  }
  const L = b.length;
  const enc = L < 64 ? 1 + L : L < 4096 ? 2 + L : 5 + L;
  return enc + backlen(enc);
}
