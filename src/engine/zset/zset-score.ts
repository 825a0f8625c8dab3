/**
 * Sorted-set scores: Redis 7.0's parsing (strtod rules, NaN rejected) and formatting
 * (`%.17g`, so ZSCORE of 1.1 is "1.1000000000000001", spelled `inf` / `-inf`), plus the
 * score and lex range items of ZRANGEBYSCORE / ZRANGEBYLEX.
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITE = /^([+-]?)inf(inity)?$/i;

/** Parses a score the way Redis's strtod-based parser does; undefined when not a valid float. */
export function parseScore(text: string): number | undefined {
  if (DECIMAL.test(text)) {
    const x = Number(text);
    return Number.isNaN(x) ? undefined : x;
  }
  const inf = INFINITE.exec(text);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  return undefined;
}

/**
 * Formats a score as C's `%.17g` (Redis 7.0's reply form of a zset score); -0 prints "-0" (a
 * listpack never holds one: it stores scores as text without the sign of zero).
 */
export function formatScore(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isNaN(x)) return "nan";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  // Integers below 2^53 print all their digits; other values with a decimal exponent in
  // [-4, 17) print in fixed notation — toPrecision(17) is then %.17g before zeros are stripped.
  if (Number.isSafeInteger(x)) return String(x);
  const ax = x < 0 ? -x : x;
  if (ax >= 1e-4 && ax < 1e16) {
    const p = x.toPrecision(17);
    if (!p.includes("e")) return stripZeros(p);
  }
  const exp = x.toExponential(16);
  const e = exp.indexOf("e");
  const power = Number(exp.slice(e + 1));
  if (power < -4 || power >= 17) {
    const mantissa = stripZeros(exp.slice(0, e));
    const sign = power < 0 ? "-" : "+";
    const digits = String(Math.abs(power)).padStart(2, "0");
    return `${mantissa}e${sign}${digits}`;
  }
  return stripZeros(x.toFixed(16 - power));
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/0+$/, "").replace(/\.$/, "");
}

/** One end of a score range: `(` makes it exclusive. */
export interface ScoreBound {
  readonly value: number;
  readonly exclusive: boolean;
}

export function parseScoreBound(text: string): ScoreBound | undefined {
  const exclusive = text.startsWith("(");
  const value = parseRangeScore(exclusive ? text.slice(1) : text);
  return value === undefined ? undefined : { value, exclusive };
}

const HEX_INT = /^([+-]?)0[xX]([0-9a-fA-F]+)$/;

/**
 * A range bound's number as zslParseRange reads it with bare strtod: leading whitespace skipped,
 * overflow giving ±inf, hex integers, the whole rest consumed; NaN refused.
 */
export function parseRangeScore(text: string): number | undefined {
  if (text.length === 0) return 0; // strtod converts nothing and stops at the end: 0
  const t = text.replace(/^[ \t\n\v\f\r]+/, "");
  const v = parseScore(t);
  if (v !== undefined) return v;
  const hex = HEX_INT.exec(t);
  if (hex === null) return undefined;
  const x = parseInt(hex[2]!, 16);
  return hex[1] === "-" ? -x : x;
}

/** True when `score` is above the lower bound. */
export function aboveMin(score: number, min: ScoreBound): boolean {
  return min.exclusive ? score > min.value : score >= min.value;
}

/** True when `score` is below the upper bound. */
export function belowMax(score: number, max: ScoreBound): boolean {
  return max.exclusive ? score < max.value : score <= max.value;
}

/** One end of a lex range: `-` / `+` are the open ends, `[` inclusive, `(` exclusive. */
export type LexBound =
  | { readonly kind: "min" }
  | { readonly kind: "max" }
  | { readonly kind: "value"; readonly bytes: Uint8Array; readonly exclusive: boolean };

export function parseLexBound(item: Uint8Array): LexBound | undefined {
  if (item.length === 1 && item[0] === 0x2d) return { kind: "min" };
  if (item.length === 1 && item[0] === 0x2b) return { kind: "max" };
  if (item[0] === 0x5b) return { kind: "value", bytes: item.subarray(1), exclusive: false };
  if (item[0] === 0x28) return { kind: "value", bytes: item.subarray(1), exclusive: true };
  return undefined;
}

/** Byte-wise comparison (memcmp then length), the order of members with equal scores. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** True when `member` is at or after the lex lower bound. */
export function lexAboveMin(member: Uint8Array, min: LexBound): boolean {
  if (min.kind === "min") return true;
  if (min.kind === "max") return false;
  const c = compareBytes(member, min.bytes);
  return min.exclusive ? c > 0 : c >= 0;
}

/** True when `member` is at or before the lex upper bound. */
export function lexBelowMax(member: Uint8Array, max: LexBound): boolean {
  if (max.kind === "max") return true;
  if (max.kind === "min") return false;
  const c = compareBytes(member, max.bytes);
  return max.exclusive ? c < 0 : c <= 0;
}
