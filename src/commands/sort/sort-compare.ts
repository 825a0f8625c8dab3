// SORT's comparisons: numeric scores read as C's strtod does (sort.c), strings compared by bytes.
import { parseDouble } from "../args.ts";

/** Byte-wise comparison (memcmp, then length), as compareStringObjects. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const isSpace = (b: number): boolean => b === 32 || (b >= 9 && b <= 13);

/**
 * The score strtod gives `value` in sort.c, or NaN when Redis answers "One or more scores can't
 * be converted into double": the text up to its first NUL must be consumed whole (leading
 * spaces allowed, an empty text is 0), and NaN, overflow and underflow are refused. (Redis
 * does not clear errno first, so there an empty text fails after an earlier ERANGE; not copied.)
 */
export function parseSortScore(value: Uint8Array): number {
  let end = value.indexOf(0);
  if (end < 0) end = value.length;
  if (end === 0) return 0;
  let i = 0;
  while (i < end && isSpace(value[i]!)) i++;
  if (i === end) return NaN;
  const v = parseDouble(value, i, end - i);
  // glibc's strtod reports a subnormal result as ERANGE too.
  return v !== 0 && Math.abs(v) < MIN_NORMAL ? NaN : v;
}

const MIN_NORMAL = 2.2250738585072014e-308;
