// Parses RESP2 multibulk and inline commands straight from received chunks, the way Redis's
// processMultibulkBuffer / processInlineBuffer do (networking.c), without building strings.
//
// - Arguments are Uint8Arrays: views into the chunk itself when a bulk arrives whole (Bun hands
//   us a fresh buffer per `data` event, so keeping views is safe) except small ones, which are
//   copied (SMALL_ARG_MAX: cheaper than a view); into a per-bulk buffer when a bulk spans chunks;
//   or into a per-line buffer for inline commands.
// - Parsing is resumable at any byte: only a partial header or inline line (≤ 64 KiB) is carried
//   over, plus the arguments already complete and the bulk being filled. A bulk split over many
//   chunks is copied once into a buffer of its declared length, never re-concatenated.
// - After a protocol error the parser is dead: the server replies the error and closes.

import { ERR_PROTOCOL } from "./errors.ts";

/** Longest inline request and longest header line (Redis PROTO_INLINE_MAX_SIZE). */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** Most arguments in one multibulk command (Redis 7.0 checks only `ll > INT_MAX`). */
export const PROTO_MAX_MULTIBULK_LEN = 2147483647;
/** Default `proto-max-bulk-len`. */
export const PROTO_MAX_BULK_LEN_DEFAULT = 512 * 1024 * 1024;
/** Limits for clients that still have to AUTH (Redis 7.0.15: a few args, small bulks). */
export const UNAUTH_MAX_MULTIBULK_LEN = 10;
export const UNAUTH_MAX_BULK_LEN = 16384;
/**
 * A bulk split across chunks gets a buffer of its declared length up to this size at once; a
 * larger declared length starts here and doubles (capped at the length) as bytes really arrive,
 * so a client cannot make us reserve 512 MB by sending one header. Copying stays linear.
 */
export const BULK_PREALLOC_MAX = 16 * 1024 * 1024;

// Protocol error details, word for word as Redis 7 prints them after "ERR Protocol error: ".
export const PROTO_TOO_BIG_INLINE = "too big inline request";
export const PROTO_UNBALANCED_QUOTES = "unbalanced quotes in request";
export const PROTO_TOO_BIG_MBULK_COUNT = "too big mbulk count string";
export const PROTO_INVALID_MBULK_LEN = "invalid multibulk length";
export const PROTO_TOO_BIG_BULK_COUNT = "too big bulk count string";
export const PROTO_INVALID_BULK_LEN = "invalid bulk length";
export const PROTO_UNAUTH_MBULK_LEN = "unauthenticated multibulk length";
export const PROTO_UNAUTH_BULK_LEN = "unauthenticated bulk length";
export const protoExpectedDollar = (b: number): string => `expected '$', got '${String.fromCharCode(b)}'`;

const CR = 13;
const LF = 10;
const DOLLAR = 36;
const STAR = 42;
const EMPTY = new Uint8Array(0);

/**
 * Whole bulks up to this length are copied into an array of their own rather than viewed in the
 * chunk: allocating and filling a small array (~7 ns for 3 bytes, ~25 ns for 16) is cheaper than
 * a `subarray` view (~45 ns).
 */
export const SMALL_ARG_MAX = 32;
/** Digits the header fast path reads (longer numbers take the general path). */
const FAST_DIGITS = 10;

function copySmall(src: Uint8Array, from: number, len: number): Uint8Array {
  const a = new Uint8Array(len);
  for (let k = 0; k < len; k++) a[k] = src[from + k]!;
  return a;
}

/** Receives one complete command (name included); returns false to stop parsing. */
export type CommandSink = (argv: Uint8Array[]) => boolean;

export interface RespParserOptions {
  /** `proto-max-bulk-len`: longest accepted bulk string, bytes. @default 512 MiB */
  maxBulkLen?: number;
}

export class RespParser {
  /** `proto-max-bulk-len` in bytes; may be changed at run time. */
  maxBulkLen: number;
  /** True while the client must still AUTH: Redis's tighter limits for unauthenticated clients apply. */
  restricted = false;

  /** Partial header or inline line carried to the next chunk. */
  private line: Uint8Array = EMPTY;
  private lineLen = 0;
  /** Arguments of the multibulk command in progress and how many are still expected. */
  private argv: Uint8Array[] = [];
  private remaining = 0;
  /** Declared length of the bulk being read, -1 when a header is expected. */
  private bulkLen = -1;
  /** Buffer of a bulk split across chunks, its fill and the CRLF bytes still expected after it. */
  private bulk: Uint8Array | null = null;
  private bulkFill = 0;
  private trailer = 0;
  /** Bytes received for the command in progress (CLIENT LIST qbuf=, query buffer limit). */
  private pending = 0;
  private failed = false;

  constructor(opts: RespParserOptions = {}) {
    this.maxBulkLen = opts.maxBulkLen ?? PROTO_MAX_BULK_LEN_DEFAULT;
  }

  /**
   * Where the last feed() stopped because `sink` returned false: the offset in that chunk of the
   * first byte not parsed (the parser is between commands there, so feeding `chunk.subarray(at)`
   * later goes on exactly); -1 when the whole chunk was parsed.
   */
  stoppedAt = -1;

  private stop(pos: number): undefined {
    this.stoppedAt = pos;
    this.pending = 0;
    return undefined;
  }

  /** Bytes held for the command that is not complete yet. */
  bufferedBytes(): number {
    return this.pending;
  }

  /**
   * Parses `chunk`, calling `sink(argv)` for every complete command, in order, as soon as it is
   * complete (so a command's effects, like AUTH lifting the unauthenticated limits, apply to the
   * parsing of the next one). `sink` returns false to stop: `stoppedAt` says where, and the rest
   * may be fed later (or dropped). Returns the protocol error reply
   * (`ERR Protocol error: ...`) when the input is invalid, after the commands before it were
   * delivered; the parser then accepts nothing more.
   */
  feed(chunk: Uint8Array, sink: CommandSink): string | undefined {
    this.stoppedAt = -1;
    if (this.failed) return ERR_PROTOCOL(PROTO_INVALID_MBULK_LEN);
    const n = chunk.length;
    let pos = 0;
    let cmdStart = 0; // where the command in progress began in this chunk
    while (pos < n) {
      // ---- bulk data -------------------------------------------------------------------------
      if (this.bulkLen >= 0) {
        const len = this.bulkLen;
        let bulk = this.bulk;
        if (bulk === null) {
          if (n - pos >= len + 2) {
            // The whole bulk and its CRLF are here: a view, or a copy when small (cheaper). Like
            // Redis, the two bytes after the data are skipped unchecked (`$4 PINGxx` runs PING,
            // and the `\r\n` left over parses as an empty inline line).
            this.argv.push(len <= SMALL_ARG_MAX ? copySmall(chunk, pos, len) : chunk.subarray(pos, pos + len));
            pos += len + 2;
            this.bulkLen = -1;
            if (--this.remaining === 0) {
              const argv = this.argv;
              this.argv = [];
              cmdStart = pos;
              if (!sink(argv)) return this.stop(pos);
            }
            continue;
          }
          bulk = this.bulk = new Uint8Array(len <= BULK_PREALLOC_MAX ? len : BULK_PREALLOC_MAX);
          this.bulkFill = 0;
          this.trailer = 2;
        }
        if (this.bulkFill < len) {
          const take = Math.min(len - this.bulkFill, n - pos);
          if (this.bulkFill + take > bulk.length) bulk = this.growBulk(this.bulkFill + take);
          bulk.set(chunk.subarray(pos, pos + take), this.bulkFill);
          this.bulkFill += take;
          pos += take;
          if (pos === n) break;
        }
        if (this.trailer === 2) {
          this.trailer = 1; // the two bytes after the data: skipped unchecked, as Redis does
          if (++pos === n) break;
        }
        pos++;
        this.trailer = 0;
        this.argv.push(bulk.length === len ? bulk : bulk.subarray(0, len));
        this.bulk = null;
        this.bulkLen = -1;
        if (--this.remaining === 0) {
          const argv = this.argv;
          this.argv = [];
          cmdStart = pos;
          if (!sink(argv)) return this.stop(pos);
        }
        continue;
      }

      // ---- fast path: a short `$<len>\r\n` or `*<count>\r\n` header whole in this chunk --------
      // Parsed in one pass without indexOf; anything else (errors included) takes the general path.
      if (this.lineLen === 0) {
        const first = chunk[pos]!;
        if (first === DOLLAR ? this.remaining > 0 : first === STAR && this.remaining === 0) {
          let i = pos + 1;
          let v = chunk[i]! - 48; // NaN past the end
          if (v >= 1 && v <= 9) {
            const stop = Math.min(n, i + FAST_DIGITS);
            let d = 0;
            while (++i < stop && (d = chunk[i]! - 48) >= 0 && d <= 9) v = v * 10 + d;
            if (i + 1 < n && chunk[i] === CR && chunk[i + 1] === LF) {
              if (first === DOLLAR) {
                if (v <= this.maxBulkLen && (!this.restricted || v <= UNAUTH_MAX_BULK_LEN)) {
                  this.bulkLen = v;
                  pos = i + 2;
                  continue;
                }
              } else if (v <= PROTO_MAX_MULTIBULK_LEN && (!this.restricted || v <= UNAUTH_MAX_MULTIBULK_LEN)) {
                this.remaining = v;
                pos = i + 2;
                continue;
              }
            }
          } else if (v === 0 && first === DOLLAR && chunk[i + 1] === CR && chunk[i + 2] === LF && i + 2 < n) {
            this.bulkLen = 0;
            pos = i + 3;
            continue;
          }
        }
      }

      // ---- a line: multibulk header, bulk header or inline command ---------------------------
      let buf: Uint8Array;
      let s: number;
      let lf: number;
      if (this.lineLen > 0) {
        const at = chunk.indexOf(LF, pos);
        const end = at < 0 ? n : at + 1;
        this.appendLine(chunk, pos, end);
        if (at < 0) {
          if (this.lineLen > PROTO_INLINE_MAX_SIZE) return this.fail(this.tooBigDetail(this.line[0]!));
          pos = n;
          break;
        }
        buf = this.line;
        s = 0;
        lf = this.lineLen - 1;
        this.lineLen = 0;
        pos = end;
      } else {
        const first = chunk[pos]!;
        if (this.remaining > 0 && first !== DOLLAR) return this.fail(protoExpectedDollar(first));
        const at = chunk.indexOf(LF, pos);
        if (at < 0) {
          if (n - pos > PROTO_INLINE_MAX_SIZE) return this.fail(this.tooBigDetail(first));
          this.appendLine(chunk, pos, n);
          pos = n;
          break;
        }
        buf = chunk;
        s = pos;
        lf = at;
        pos = at + 1;
      }
      if (lf - s > PROTO_INLINE_MAX_SIZE) return this.fail(this.tooBigDetail(buf[s]!));

      if (this.remaining > 0) {
        // `$<len>\r\n`
        const len = parseHeaderNumber(buf, s + 1, lf);
        if (Number.isNaN(len) || len < 0 || len > this.maxBulkLen) return this.fail(PROTO_INVALID_BULK_LEN);
        if (this.restricted && len > UNAUTH_MAX_BULK_LEN) return this.fail(PROTO_UNAUTH_BULK_LEN);
        this.bulkLen = len;
      } else if (buf[s] === STAR) {
        // `*<count>\r\n`; a count ≤ 0 is an empty command that Redis skips.
        const count = parseHeaderNumber(buf, s + 1, lf);
        if (Number.isNaN(count) || count > PROTO_MAX_MULTIBULK_LEN) return this.fail(PROTO_INVALID_MBULK_LEN);
        if (this.restricted && count > UNAUTH_MAX_MULTIBULK_LEN) return this.fail(PROTO_UNAUTH_MBULK_LEN);
        if (count <= 0) cmdStart = pos;
        else this.remaining = count;
      } else {
        const end = lf > s && buf[lf - 1] === CR ? lf - 1 : lf;
        const args = splitInlineArgs(buf, s, end);
        if (args === null) return this.fail(PROTO_UNBALANCED_QUOTES);
        cmdStart = pos;
        if (args.length > 0 && !sink(args)) return this.stop(pos);
      }
    }
    // Bytes of the unfinished command: what came before this chunk plus what this chunk added.
    this.pending = cmdStart === 0 ? this.pending + n : n - cmdStart;
    if (this.remaining === 0 && this.lineLen === 0 && this.bulkLen < 0) this.pending = 0;
    return undefined;
  }

  private fail(detail: string): string {
    this.failed = true;
    this.argv = [];
    this.bulk = null;
    this.line = EMPTY;
    this.lineLen = 0;
    return ERR_PROTOCOL(detail);
  }

  private tooBigDetail(first: number): string {
    if (this.remaining > 0) return PROTO_TOO_BIG_BULK_COUNT;
    return first === STAR ? PROTO_TOO_BIG_MBULK_COUNT : PROTO_TOO_BIG_INLINE;
  }

  private appendLine(src: Uint8Array, from: number, to: number): void {
    const add = to - from;
    const need = this.lineLen + add;
    if (need > this.line.length) {
      const next = new Uint8Array(Math.max(need, this.line.length * 2, 256));
      next.set(this.line.subarray(0, this.lineLen));
      this.line = next;
    }
    this.line.set(src.subarray(from, to), this.lineLen);
    this.lineLen = need;
  }

  private growBulk(need: number): Uint8Array {
    const old = this.bulk!;
    let size = old.length * 2;
    while (size < need) size *= 2;
    if (size > this.bulkLen) size = this.bulkLen;
    const next = new Uint8Array(size);
    next.set(old.subarray(0, this.bulkFill));
    this.bulk = next;
    return next;
  }
}

/** Parses `input` (in one piece) with a fresh parser: every command, and the error if any. For tests and tools. */
export function parseAll(input: Uint8Array, opts: RespParserOptions = {}): { commands: Uint8Array[][]; error?: string } {
  const commands: Uint8Array[][] = [];
  const error = new RespParser(opts).feed(input, (argv) => {
    commands.push(argv);
    return true;
  });
  return error === undefined ? { commands } : { commands, error };
}

/**
 * Parses the decimal in `buf[s, lf-1)` and requires `buf[lf-1]` to be CR, like Redis's string2ll:
 * an optional `-`, no `+`, no leading zeros, at most 20 characters. NaN when invalid.
 */
export function parseHeaderNumber(buf: Uint8Array, s: number, lf: number): number {
  const e = lf - 1;
  if (e < s || buf[e] !== CR) return NaN;
  let i = s;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  const digits = e - i;
  if (digits <= 0 || digits > 19) return NaN;
  if (buf[i] === 48 && digits > 1) return NaN; // leading zero
  if (neg && buf[i] === 48) return NaN; // "-0"
  let v = 0;
  for (; i < e; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const hexValue = (c: number): number => (c <= 57 ? c - 48 : (c | 32) - 87);

/**
 * Splits an inline request like Redis's sdssplitargs: blanks separate arguments; "double quotes"
 * take \n \r \t \b \a \xHH and \<any> escapes; 'single quotes' take \'; a closing quote must be
 * followed by a blank or the end. A NUL byte ends the input, as in C. Null on unbalanced quotes.
 * The arguments are views into one fresh buffer.
 */
export function splitInlineArgs(buf: Uint8Array, s: number, e: number): Uint8Array[] | null {
  const at = (i: number): number => (i < e ? buf[i]! : 0);
  const out = new Uint8Array(e - s);
  const args: Uint8Array[] = [];
  let o = 0;
  let p = s;
  for (;;) {
    while (p < e && isSpace(buf[p]!)) p++;
    if (at(p) === 0) return args;
    let inq = false;
    let insq = false;
    let done = false;
    const start = o;
    while (!done) {
      const c = at(p);
      if (inq) {
        if (c === 92 && at(p + 1) === 120 && isHex(at(p + 2)) && isHex(at(p + 3))) {
          out[o++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
          p += 3;
        } else if (c === 92 && at(p + 1) !== 0) {
          p++;
          const d = at(p);
          out[o++] = d === 110 ? 10 : d === 114 ? 13 : d === 116 ? 9 : d === 98 ? 8 : d === 97 ? 7 : d;
        } else if (c === 34) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          out[o++] = c;
        }
      } else if (insq) {
        if (c === 92 && at(p + 1) === 39) {
          p++;
          out[o++] = 39;
        } else if (c === 39) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          out[o++] = c;
        }
      } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 0) {
        done = true;
      } else if (c === 34) {
        inq = true;
      } else if (c === 39) {
        insq = true;
      } else {
        out[o++] = c;
      }
      if (at(p) !== 0) p++;
    }
    args.push(out.subarray(start, o));
  }
}
