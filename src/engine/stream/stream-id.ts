// Stream entry IDs (Redis's streamID: two unsigned 64-bit numbers, ms and seq) held as one
// unsigned 128-bit bigint, ms in the high half: comparison is one `<`, and "the next ID" is `+ 1n`
// with the carry from seq into ms that Redis's streamIncrID does by hand.

/** An entry ID: (ms << 64) | seq. */
export type StreamId = bigint;

export const SEQ_MASK = (1n << 64n) - 1n;
export const MIN_ID: StreamId = 0n;
export const MAX_ID: StreamId = (1n << 128n) - 1n;
export const U64_MAX = SEQ_MASK;

export const makeId = (ms: bigint, seq: bigint): StreamId => (ms << 64n) | seq;
export const idMs = (id: StreamId): bigint => id >> 64n;
export const idSeq = (id: StreamId): bigint => id & SEQ_MASK;

/** "ms-seq", as Redis prints an ID. */
export function formatId(id: StreamId): string {
  const ms = id >> 64n;
  const seq = id & SEQ_MASK;
  // Numbers print faster than bigints; both halves are exact below 2^53.
  if (ms < SAFE && seq < SAFE) return `${Number(ms)}-${Number(seq)}`;
  return `${ms}-${seq}`;
}
const SAFE = 1n << 53n;

const enc = new TextEncoder();
export const idBytes = (id: StreamId): Uint8Array => enc.encode(formatId(id));

const scratch = new Uint8Array(48);
/** "ms-seq" as ASCII in a reused buffer: valid until the next call (for a copy made at once). */
export function idScratch(id: StreamId): Uint8Array {
  const s = formatId(id);
  for (let i = 0; i < s.length; i++) scratch[i] = s.charCodeAt(i);
  return scratch.subarray(0, s.length);
}

/** Parses "ms-seq" (both parts required, as the serialized form writes them); undefined when malformed. */
export function parseFullId(s: string): StreamId | undefined {
  const dash = s.indexOf("-");
  if (dash <= 0 || !/^\d+-\d+$/.test(s)) return undefined;
  const ms = BigInt(s.slice(0, dash));
  const seq = BigInt(s.slice(dash + 1));
  if (ms > U64_MAX || seq > U64_MAX) return undefined;
  return makeId(ms, seq);
}

/** strtoull over the whole string (leading spaces, a sign), or undefined. */
function strtoull(s: string): bigint | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(s);
  if (m === null) return undefined;
  const v = BigInt(m[2]!);
  if (v > U64_MAX) return undefined;
  return m[1] === "-" ? (U64_MAX + 1n - v) & U64_MAX : v;
}

/** Redis's string2ull: string2ll when it parses (negatives refused), else strtoull. */
function string2ull(s: string): bigint | undefined {
  if (/^-?[1-9]\d*$|^0$/.test(s) && s.length <= 20) {
    const v = BigInt(s);
    if (v >= -(1n << 63n) && v < 1n << 63n) return v < 0n ? undefined : v;
  }
  return strtoull(s);
}

/** A parsed ID argument: `seqGiven` false for `ms-*`. */
export interface ParsedId {
  id: StreamId;
  seqGiven: boolean;
}

/**
 * Parses an ID argument: `-`, `+` (unless strict), `ms`, `ms-seq`, and `ms-*` when `allowStar`.
 * `missingSeq` fills a bare `ms`. Undefined when malformed (no reply written).
 */
export function parseId(arg: Uint8Array, missingSeq: bigint, strict: boolean, allowStar = false): ParsedId | undefined {
  if (arg.length > 127) return undefined;
  const s = String.fromCharCode(...arg);
  if (s === "-" || s === "+") {
    if (strict) return undefined;
    return { id: s === "-" ? 0n : MAX_ID, seqGiven: true };
  }
  const dash = s.indexOf("-");
  const msPart = dash >= 0 ? s.slice(0, dash) : s;
  const ms = string2ull(msPart);
  if (ms === undefined) return undefined;
  if (dash < 0) return { id: makeId(ms, missingSeq), seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowStar && rest === "*") return { id: makeId(ms, 0n), seqGiven: false };
  const seq = string2ull(rest);
  if (seq === undefined) return undefined;
  return { id: makeId(ms, seq), seqGiven: true };
}

