// The text lines of the export protocol (docs/EXPORT.md). A subscriber or collector sends at most
// two lines before the stream starts, each ending in "\n" (an "\r" before it is allowed) and at
// most MAX_LINE_BYTES long, the "\n" included:
//   FCWAL-AUTH/1 <token>     when a token is configured (first line)
//   FCWAL-FROM/1 <seq>|$     optional: resume after <seq>, or "$" = from now, start at once
//   FCWAL-FROM/2 <shard>:<seq>|$,...   optional, one position per shard (several workers); a
//                            shard not listed starts where the connection started; "$" alone = all now
// The server sends text only to say why it closes: `FCWAL-ERR/1 <reason>\n`. A reader tells it from
// a frame by its first four bytes ("FCWA" is neither "FCW4" nor "FCW2").
import { createHash, timingSafeEqual } from "node:crypto";
import { MAX_SEQ } from "../persistence/wal-format.ts";

export const AUTH_PREFIX = "FCWAL-AUTH/1 ";
export const FROM_PREFIX = "FCWAL-FROM/1 ";
export const FROM2_PREFIX = "FCWAL-FROM/2 ";
/** In a FROM/2 position: "$", start this shard from now. */
export const FROM_NOW = -1;
export const ERR_PREFIX = "FCWAL-ERR/1 ";
/** Longest accepted line, its "\n" included. */
export const MAX_LINE_BYTES = 1024;

// Reasons sent in FCWAL-ERR lines.
export const ERR_AUTH_FAILED = "authentication failed";
export const ERR_AUTH_REQUIRED = "authentication required";
export const ERR_TIMEOUT = "handshake timed out";
export const ERR_LINE_TOO_LONG = `line longer than ${MAX_LINE_BYTES} bytes`;
export const ERR_TOO_MANY = "too many subscribers";
export const ERR_BAD_LINE = "unknown line";
export const ERR_BAD_SEQ = "invalid sequence number";
export const ERR_NO_RESUME_FCW2 = "resume is not available in the fcw2 format";
export const ERR_NO_WAL_DIR = "resume is not available: no WAL directory";
export const ERR_FROM_TOO_LATE = "FCWAL-FROM must come before the stream starts";
export const ERR_SLOW = "subscriber too slow: pending bytes over the limit";
export const ERR_SEQ_TOO_OLD = (seq: number, oldest: number): string =>
  `sequence ${seq} is older than the retained WAL (oldest frame kept: ${oldest})`;
export const ERR_SEQ_AHEAD = (seq: number, last: number): string =>
  `sequence ${seq} is ahead of the stream (last sequence ${last})`;
export const ERR_NEED_FROM2 = "this stream has several shards: resume with FCWAL-FROM/2 <shard>:<seq>,...";
export const ERR_UNKNOWN_SHARD = (shard: number): string => `shard ${shard} is not in this stream`;
export const ERR_NOT_READY = (shard: number): string => `the stream is not ready: shard ${shard} has not reported its position`;
/** A FROM/2 error about one shard: the FROM/1 reason, prefixed with the shard. */
export const forShard = (shard: number, reason: string): string => `shard ${shard}: ${reason}`;

/** No "\n" yet and fewer than MAX_LINE_BYTES buffered: wait for more. */
export const LINE_INCOMPLETE = -1;
/** MAX_LINE_BYTES buffered without a "\n". */
export const LINE_TOO_LONG = -2;

/** Index of the "\n" ending the first line of `buf[0, len)`, LINE_INCOMPLETE or LINE_TOO_LONG. */
export function findLineEnd(buf: Uint8Array, len: number): number {
  const limit = Math.min(len, MAX_LINE_BYTES);
  const i = buf.subarray(0, limit).indexOf(0x0a);
  if (i >= 0) return i;
  return len >= MAX_LINE_BYTES ? LINE_TOO_LONG : LINE_INCOMPLETE;
}

export type ClientLine =
  | { kind: "auth"; token: Uint8Array }
  | { kind: "from"; seq: number }
  | { kind: "from-now" }
  /** FCWAL-FROM/2: shard -> sequence number or FROM_NOW; shards not listed are absent. */
  | { kind: "from-shards"; from: Map<number, number> }
  | { kind: "bad-seq" }
  | { kind: "other" };

const startsWith = (line: Uint8Array, prefix: string): boolean => {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix.charCodeAt(i)) return false;
  return true;
};

/** Parses one line without its "\n" (a trailing "\r" is removed here). */
export function parseClientLine(raw: Uint8Array): ClientLine {
  const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
  if (startsWith(line, AUTH_PREFIX)) return { kind: "auth", token: line.subarray(AUTH_PREFIX.length) };
  if (startsWith(line, FROM2_PREFIX)) return parseFrom2(new TextDecoder().decode(line.subarray(FROM2_PREFIX.length)));
  if (!startsWith(line, FROM_PREFIX)) return { kind: "other" };
  const arg = new TextDecoder().decode(line.subarray(FROM_PREFIX.length));
  if (arg === "$") return { kind: "from-now" };
  const seq = parseSeq(arg);
  return seq >= 0 ? { kind: "from", seq } : { kind: "bad-seq" };
}

/** A decimal sequence number (<= MAX_SEQ), or -1. */
function parseSeq(text: string): number {
  if (!/^\d{1,16}$/.test(text)) return -1;
  const seq = Number(text);
  return seq <= MAX_SEQ ? seq : -1;
}

/**
 * The argument of FCWAL-FROM/2: "$" (every shard from now) or a comma-separated list of
 * `<shard>:<seq>` / `<shard>:$`, each shard at most once, shards in 0..65535.
 */
export function parseFrom2(arg: string): ClientLine {
  if (arg === "$") return { kind: "from-now" };
  const from = parseShardPositions(arg);
  return from === undefined ? { kind: "bad-seq" } : { kind: "from-shards", from };
}

/** `0:12,1:$,...` as a map (FROM_NOW for "$"); undefined when malformed. */
export function parseShardPositions(arg: string): Map<number, number> | undefined {
  const from = new Map<number, number>();
  if (arg === "") return undefined;
  for (const item of arg.split(",")) {
    const m = /^(\d{1,5}):(\$|\d+)$/.exec(item);
    if (m === null) return undefined;
    const shard = Number(m[1]);
    const now = m[2] === "$";
    const seq = now ? FROM_NOW : parseSeq(m[2]!);
    if (shard > 65535 || (!now && seq < 0) || from.has(shard)) return undefined;
    from.set(shard, seq);
  }
  return from;
}

const digest = (b: Uint8Array | string): Buffer => createHash("sha256").update(b).digest();

/** Checks tokens in constant time: both sides are hashed first, so their lengths leak nothing. */
export class TokenCheck {
  private readonly expected: Buffer;
  constructor(token: string) {
    this.expected = digest(token);
  }
  matches(given: Uint8Array): boolean {
    return timingSafeEqual(digest(given), this.expected);
  }
}

const enc = new TextEncoder();
export const authLine = (token: string): Uint8Array => enc.encode(`${AUTH_PREFIX}${token}\n`);
export const fromLine = (seq: number | "$"): Uint8Array => enc.encode(`${FROM_PREFIX}${seq}\n`);
/** `FCWAL-FROM/2 0:12,1:$\n` (shards in ascending order). */
export const fromShardsLine = (from: ReadonlyMap<number, number | "$">): Uint8Array =>
  enc.encode(`${FROM2_PREFIX}${[...from].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}:${v === FROM_NOW ? "$" : v}`).join(",")}\n`);
export const errorLine = (reason: string): Uint8Array => enc.encode(`${ERR_PREFIX}${reason.replace(/[\r\n]/g, " ")}\n`);
