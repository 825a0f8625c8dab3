// x87 80-bit long double arithmetic, exactly as Redis's INCRBYFLOAT / HINCRBYFLOAT compute it on
// x86-64 Linux: strtold to a 64-bit significand (round half to even), one addition rounded the
// same way, then printf("%.17Lf") with trailing zeros removed (ld2string, LD_STR_HUMAN). Done with
// BigInt so every digit matches Redis, e.g. 10000000000 + 0.1 = "10000000000.09999999962747097".
// Not a hot path: only the *BYFLOAT commands use it.

import { MAX_LONG_DOUBLE_CHARS, bytesToLatin1 } from "./args.ts";

/** A finite long double is `(neg ? -1 : 1) * m * 2^e` with m = 0 or 2^63 <= m < 2^64 (or smaller when subnormal). */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  /** ±infinity (m and e unused). */
  inf: boolean;
}

const MANT_BITS = 64;
/** Exponent of the smallest subnormal: 2^-16445. */
const E_MIN = -16445;
/** Values at or above 2^16384 overflow. */
const MAX_BITS = 16384;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF = /^([+-]?)(?:inf|infinity)$/i;

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  const top = parseInt(hex[0]!, 16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(top));
}

const ZERO: LongDouble = { neg: false, m: 0n, e: 0, inf: false };
const inf = (neg: boolean): LongDouble => ({ neg, m: 0n, e: 0, inf: true });

/** Rounds `(q + (sticky ? tiny : 0)) * 2^e` to a long double (half to even). */
function roundBits(neg: boolean, q: bigint, sticky: boolean, e: number): LongDouble {
  if (q === 0n) return { neg, m: 0n, e: 0, inf: false };
  const bl = bitLength(q);
  const shift = Math.max(bl - MANT_BITS, E_MIN - e);
  if (shift > 0) {
    const big = BigInt(shift);
    const drop = q & ((1n << big) - 1n);
    q >>= big;
    e += shift;
    const half = 1n << (big - 1n);
    if (drop > half || (drop === half && (sticky || (q & 1n) === 1n))) q += 1n;
    if (q === 1n << 64n) {
      q = 1n << 63n;
      e += 1;
    }
  }
  if (q !== 0n && bitLength(q) + e > MAX_BITS) return inf(neg);
  return { neg, m: q, e, inf: false };
}

/** num/den * 2^e2, rounded. */
function fromRational(neg: boolean, num: bigint, den: bigint, e2: number): LongDouble {
  const s = Math.max(0, bitLength(den) - bitLength(num) + MANT_BITS + 2);
  const scaled = num << BigInt(s);
  const q = scaled / den;
  return roundBits(neg, q, scaled - q * den !== 0n, e2 - s);
}

/**
 * Parses like Redis's string2ld (strtold): whole text, no leading space, decimal, hex or inf;
 * NaN, overflow and underflow to zero are rejected. Undefined when not a valid float.
 */
export function parseLongDouble(b: Uint8Array): LongDouble | undefined {
  if (b.length === 0 || b.length > MAX_LONG_DOUBLE_CHARS) return undefined;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c <= 32 || c >= 127) return undefined;
  }
  const s = bytesToLatin1(b);
  let m = DECIMAL.exec(s);
  if (m) {
    const int = m[2]!;
    const frac = m[3] ?? "";
    if (int.length === 0 && frac.length === 0) return undefined;
    const neg = m[1] === "-";
    const digits = (int + frac).replace(/^0+/, "");
    if (digits.length === 0) return { ...ZERO, neg };
    const k = (m[4] === undefined ? 0 : Number(m[4])) - frac.length;
    const magnitude = digits.length + k - 1; // floor(log10(value))
    if (magnitude > 4933) return undefined; // overflow (ERANGE, HUGE_VAL)
    if (magnitude < -4952) return undefined; // underflow to zero (ERANGE, 0)
    const d = BigInt(digits);
    const r = k >= 0 ? roundBits(neg, d * 10n ** BigInt(k), false, 0) : fromRational(neg, d, 10n ** BigInt(-k), 0);
    if (r.inf || r.m === 0n) return undefined;
    return r;
  }
  m = INF.exec(s);
  if (m) return inf(m[1] === "-");
  m = HEX.exec(s);
  if (m) {
    const int = m[2]!;
    const frac = m[3] ?? "";
    if (int.length === 0 && frac.length === 0) return undefined;
    const neg = m[1] === "-";
    const digits = (int + frac).replace(/^0+/, "");
    if (digits.length === 0) return { ...ZERO, neg };
    const e = (m[4] === undefined ? 0 : Number(m[4])) - 4 * frac.length;
    const top = digits.length * 4 + e;
    if (top > MAX_BITS + 4) return undefined;
    if (top < E_MIN - 4) return undefined;
    const r = roundBits(neg, BigInt("0x" + digits), false, e);
    if (r.inf || r.m === 0n) return undefined;
    return r;
  }
  return undefined;
}

/** a + b rounded to a long double; undefined when the result is NaN (inf + -inf). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | undefined {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return undefined;
    return a.inf ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? { ...ZERO, neg: a.neg && b.neg } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const av = (a.m << BigInt(a.e - e)) * (a.neg ? -1n : 1n);
  const bv = (b.m << BigInt(b.e - e)) * (b.neg ? -1n : 1n);
  const sum = av + bv;
  if (sum === 0n) return ZERO;
  return roundBits(sum < 0n, sum < 0n ? -sum : sum, false, e);
}

/** Whether the value is ±infinity. */
export function isInfinite(x: LongDouble): boolean {
  return x.inf;
}

/** printf("%.17Lf") with trailing zeros (and a bare '.') removed, "-0" → "0" (Redis's LD_STR_HUMAN). */
export function formatLongDoubleHuman(x: LongDouble): string {
  if (x.inf) return x.neg ? "-inf" : "inf";
  if (x.m === 0n) return "0";
  const TEN17 = 10n ** 17n;
  let q: bigint;
  if (x.e >= 0) {
    q = (x.m << BigInt(x.e)) * TEN17;
  } else {
    const num = x.m * TEN17;
    const sh = BigInt(-x.e);
    q = num >> sh;
    const rem = num - (q << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const str = q.toString().padStart(18, "0");
  const int = str.slice(0, -17);
  let frac = str.slice(-17);
  let l = frac.length;
  while (l > 0 && frac.charCodeAt(l - 1) === 48) l--;
  frac = frac.slice(0, l);
  const out = (x.neg ? "-" : "") + int + (frac.length > 0 ? "." + frac : "");
  return out === "-0" ? "0" : out;
}
