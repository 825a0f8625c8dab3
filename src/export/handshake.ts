// The text lines of the export protocol (docs/EXPORT.md). A subscriber or collector sends at most
// two lines before the stream starts, each ending in "\n" (an "\r" before it is allowed) and at
// most MAX_LINE_BYTES long, the "\n" included:
//   FCWAL-AUTH/1 <token>     when a token is configured (first line)
//   FCWAL-FROM/1 <seq>|$     optional: resume after <seq>, or "$" = from now, start at once
// The server sends text only to say why it closes: `FCWAL-ERR/1 <reason>\n`. A reader tells it from
// a frame by its first four bytes ("FCWA" is neither "FCW4" nor "FCW2").
import { createHash, timingSafeEqual } from "node:crypto";
import { MAX_SEQ } from "../persistence/wal-format.ts";

export const AUTH_PREFIX = "FCWAL-AUTH/1 ";
export const FROM_PREFIX = "FCWAL-FROM/1 ";
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
  if (!startsWith(line, FROM_PREFIX)) return { kind: "other" };
  const arg = new TextDecoder().decode(line.subarray(FROM_PREFIX.length));
  if (arg === "$") return { kind: "from-now" };
  if (!/^\d{1,16}$/.test(arg)) return { kind: "bad-seq" };
  const seq = Number(arg);
  return seq <= MAX_SEQ ? { kind: "from", seq } : { kind: "bad-seq" };
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
export const errorLine = (reason: string): Uint8Array => enc.encode(`${ERR_PREFIX}${reason.replace(/[\r\n]/g, " ")}\n`);
