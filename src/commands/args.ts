// Argument parsing shared by every command family, in Redis's "...OrReply" style: a helper returns
// the parsed value, or writes the error reply itself and returns undefined so the handler just
// returns. Integers follow Redis's string2ll exactly, floats follow strtod as Redis's string2d /
// string2ld use it. Nothing here builds a string on the common path.

import { ERR_NOT_FLOAT, ERR_NOT_INTEGER } from "../protocol/errors.ts";
import type { Args, Client } from "./types.ts";

/** What the helpers need from a connection: somewhere to write the error. */
export type Replier = Pick<Client, "reply">;

export const ERR_NOT_POSITIVE = "ERR value is out of range, must be positive";

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

const utf8 = new TextDecoder("utf-8");

/** Decodes bytes as UTF-8 (for messages and names; invalid sequences become U+FFFD). */
export function bytesToString(b: Uint8Array): string {
  // Short ASCII (the usual case for options and names) without the decoder round trip.
  if (b.length <= 32) {
    let s = "";
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c >= 0x80) return utf8.decode(b);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(b);
}

/** One byte per character (binary-safe, reversible with `latin1Bytes`). */
export function bytesToLatin1(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = "";
  for (let i = off; i < off + len; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Inverse of `bytesToLatin1` for ASCII/latin1 strings. */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/**
 * The argument preview of Redis's "unknown command" / "unknown subcommand" errors:
 * `'a' 'b' ` for argv[from..], stopping once the text reaches 128 characters.
 */
export function argPreview(argv: Args, from = 1): string {
  let s = "";
  for (let i = from; i < argv.length && s.length < 128; i++) {
    const room = 128 - s.length;
    const a = bytesToString(argv[i]!);
    s += "'" + (a.length > room ? a.slice(0, room) : a) + "' ";
  }
  return s;
}

/**
 * True when `arg` equals `lower` ignoring ASCII case. `lower` must be a lower-case ASCII literal
 * ("ex", "keepttl"). Allocates nothing.
 */
export function isKeyword(arg: Uint8Array, lower: string): boolean {
  const n = lower.length;
  if (arg.length !== n) return false;
  for (let i = 0; i < n; i++) {
    let c = arg[i]!;
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

// ---- integers ---------------------------------------------------------------------------------

/**
 * Parses `b[off, off+len)` with Redis's string2ll rules: optional '-', no '+', no spaces, no
 * leading zeros (except "0" itself, and "-0" is rejected), within int64. Returns the value as a
 * number, exact when |v| <= 2^53-1 (use `parseBigInt64` when you need larger values exactly), or
 * NaN when the text is not a valid int64.
 */
export function parseInt64(b: Uint8Array, off = 0, len = b.length - off): number {
  if (len === 0 || len > 20) return NaN;
  let i = off;
  const end = off + len;
  let c = b[i]!;
  if (len === 1 && c === 48) return 0;
  let negative = false;
  if (c === 45) {
    negative = true;
    if (++i === end) return NaN;
    c = b[i]!;
  }
  if (c < 49 || c > 57) return NaN;
  let v = c - 48;
  i++;
  const digits = end - (negative ? off + 1 : off);
  if (digits <= 15) {
    for (; i < end; i++) {
      c = b[i]!;
      if (c < 48 || c > 57) return NaN;
      v = v * 10 + (c - 48);
    }
    return negative ? -v : v;
  }
  // 16..19 digits: check exactly against the int64 range (rare path).
  for (let j = i; j < end; j++) {
    c = b[j]!;
    if (c < 48 || c > 57) return NaN;
  }
  const big = BigInt(bytesToLatin1(b, off, len));
  if (big > INT64_MAX || big < INT64_MIN) return NaN;
  return Number(big);
}

/** Like `parseInt64` but exact for the whole int64 range; undefined when invalid. */
export function parseBigInt64(b: Uint8Array, off = 0, len = b.length - off): bigint | undefined {
  const n = parseInt64(b, off, len);
  if (Number.isNaN(n)) return undefined;
  if (Number.isSafeInteger(n)) return BigInt(n);
  return BigInt(bytesToLatin1(b, off, len));
}

/**
 * argv[i] as an int64 (see `parseInt64` for exactness), or replies `msg`
 * (`ERR value is not an integer or out of range` by default) and returns undefined.
 */
export function intArgOrReply(c: Replier, argv: Args, i: number, msg: string = ERR_NOT_INTEGER): number | undefined {
  const v = parseInt64(argv[i]!);
  if (Number.isNaN(v)) {
    c.reply.error(msg);
    return undefined;
  }
  return v;
}

/** argv[i] as an exact int64 bigint, or replies the integer error and returns undefined. */
export function bigIntArgOrReply(c: Replier, argv: Args, i: number, msg: string = ERR_NOT_INTEGER): bigint | undefined {
  const v = parseBigInt64(argv[i]!);
  if (v === undefined) c.reply.error(msg);
  return v;
}

/**
 * argv[i] as an integer in [min, max] (Redis's getRangeLongFromObjectOrReply). A non-integer gets
 * the integer error; an out-of-range value gets `msg`, or
 * `ERR value is out of range, value must between <min> and <max>` (Redis 7.0's wording) when no
 * message is given.
 */
export function intRangeArgOrReply(c: Replier, argv: Args, i: number, min: number, max: number, msg?: string): number | undefined {
  const v = parseInt64(argv[i]!);
  if (Number.isNaN(v)) {
    c.reply.error(msg ?? ERR_NOT_INTEGER);
    return undefined;
  }
  if (v < min || v > max) {
    c.reply.error(msg ?? `ERR value is out of range, value must between ${min} and ${max}`);
    return undefined;
  }
  return v;
}

/** argv[i] as an integer >= 0 (getPositiveLongFromObjectOrReply), or replies and returns undefined. */
export function nonNegativeIntArgOrReply(c: Replier, argv: Args, i: number, msg: string = ERR_NOT_POSITIVE): number | undefined {
  const v = parseInt64(argv[i]!);
  if (Number.isNaN(v)) {
    c.reply.error(ERR_NOT_INTEGER);
    return undefined;
  }
  if (v < 0) {
    c.reply.error(msg);
    return undefined;
  }
  return v;
}

// ---- floats -----------------------------------------------------------------------------------

/** Redis refuses long-double text longer than this (MAX_LONG_DOUBLE_CHARS). */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INF = /^[+-]?(?:inf|infinity)$/i;
const NONZERO_MANTISSA = /[1-9]/;

/**
 * Parses `b` as Redis's string2d does with strtod: the whole text must be consumed, no leading
 * space, decimal or hex notation, "inf"/"infinity" accepted; NaN, overflow to ±inf and underflow to
 * zero rejected. Returns NaN when invalid (a valid input never yields NaN).
 */
export function parseDouble(b: Uint8Array, off = 0, len = b.length - off): number {
  if (len === 0 || len > MAX_LONG_DOUBLE_CHARS) return NaN;
  // Fast path: a plain integer that fits exactly.
  if (len <= 15) {
    const n = parseInt64(b, off, len);
    if (!Number.isNaN(n)) return n;
  }
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    if (c <= 32 || c >= 127) return NaN; // spaces, NUL (strtod stops there), non-ASCII
  }
  const s = bytesToLatin1(b, off, len);
  if (DECIMAL.test(s)) {
    const v = Number(s);
    if (!Number.isFinite(v)) return NaN; // ERANGE overflow
    if (v === 0) {
      // Underflow to zero is ERANGE too; a literal zero is fine.
      const mantissa = s.replace(/[eE].*$/, "");
      if (NONZERO_MANTISSA.test(mantissa)) return NaN;
    }
    return v;
  }
  if (INF.test(s)) return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
  const m = HEX.exec(s);
  if (m) return parseHexFloat(m[1]!, m[2]!, m[3], m[4]);
  return NaN;
}

function parseHexFloat(sign: string, int: string, frac: string | undefined, exp: string | undefined): number {
  if (int.length === 0 && (frac === undefined || frac.length === 0)) return NaN;
  let v = 0;
  for (let i = 0; i < int.length; i++) v = v * 16 + parseInt(int[i]!, 16);
  let scale = 1 / 16;
  if (frac) {
    for (let i = 0; i < frac.length; i++) {
      v += parseInt(frac[i]!, 16) * scale;
      scale /= 16;
    }
  }
  if (exp) v *= 2 ** Number(exp);
  if (!Number.isFinite(v)) return NaN;
  return sign === "-" ? -v : v;
}

/** argv[i] as a double, or replies `ERR value is not a valid float` and returns undefined. */
export function floatArgOrReply(c: Replier, argv: Args, i: number, msg: string = ERR_NOT_FLOAT): number | undefined {
  const v = parseDouble(argv[i]!);
  if (Number.isNaN(v)) {
    c.reply.error(msg);
    return undefined;
  }
  return v;
}

/**
 * Formats a number the way Redis prints long doubles for humans (INCRBYFLOAT, HINCRBYFLOAT):
 * fixed notation, never an exponent, at most 17 decimals, trailing zeros removed, "-0" → "0".
 * The digits are the shortest ones that round-trip, so 10.5 + 0.1 prints "10.6" as in Redis.
 */
export function formatHumanDouble(x: number): string {
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Number.isNaN(x)) return "nan";
  if (x === 0) return "0";
  let s = String(x);
  const e = s.indexOf("e");
  if (e >= 0) {
    const exp = Number(s.slice(e + 1));
    if (exp < 0) {
      s = x.toFixed(17);
    } else {
      const negative = s.charCodeAt(0) === 45;
      const mant = s.slice(negative ? 1 : 0, e);
      const dot = mant.indexOf(".");
      const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
      const intDigits = (dot < 0 ? mant.length : dot) + exp;
      s = (negative ? "-" : "") + digits + "0".repeat(Math.max(0, intDigits - digits.length));
    }
  }
  if (s.includes(".")) {
    let l = s.length;
    while (s.charCodeAt(l - 1) === 48) l--;
    if (s.charCodeAt(l - 1) === 46) l--;
    s = s.slice(0, l);
  }
  if (s === "-0") s = "0";
  return s;
}
