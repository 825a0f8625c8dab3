// Reads an export stream on the subscriber side: bytes arrive in any split, complete frames come
// out. FCW4 and FCW2 frames are told apart by their magic (a stream carries one of them); a
// `FCWAL-ERR/1 <reason>\n` line (the server's reason for closing) comes out as an error item and
// the server's `FCWAL-AUTH/1 <token>\n` (connect mode) as an auth item.
// Used by wal-tail and the tests; collectors in TypeScript can use it too.
import { decodeFrame, FRAME_BAD, newDecodedFrame, readU32, FRAME_MAGIC, type DecodedFrame } from "../persistence/wal-format.ts";
import { decodeFcw2Frame, FCW2_MAGIC, newFcw2Frame, type Fcw2Frame } from "./fcw2.ts";
import { AUTH_PREFIX, ERR_PREFIX, MAX_LINE_BYTES } from "./handshake.ts";

export type StreamItem =
  | { kind: "fcw4"; frame: DecodedFrame }
  | { kind: "fcw2"; frame: Fcw2Frame }
  | { kind: "error"; message: string }
  /** connect mode: the server's `FCWAL-AUTH/1 <token>` line, first in the stream when it has a token. */
  | { kind: "auth"; token: string };

export class WalStreamError extends Error {}

const ERR_MAGIC = readU32(new TextEncoder().encode("FCWA"), 0);

export class WalStreamReader {
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;
  private readonly f3: { kind: "fcw4"; frame: DecodedFrame } = { kind: "fcw4", frame: newDecodedFrame() };
  private readonly f2: { kind: "fcw2"; frame: Fcw2Frame } = { kind: "fcw2", frame: newFcw2Frame() };
  /** Total bytes consumed as complete items. */
  consumed = 0;

  /** Bytes received but not yet part of a complete item. */
  get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Appends `chunk` and calls `onItem` for each complete item, in order. Frame objects are reused
   * and their key/value views are valid only during the call. Throws WalStreamError on bytes that
   * are neither a valid frame nor an error line.
   */
  feed(chunk: Uint8Array, onItem: (item: StreamItem) => void): void {
    this.append(chunk);
    const buf = this.buf;
    while (this.end - this.start >= 4) {
      const magic = readU32(buf, this.start);
      let n: number;
      if (magic === FRAME_MAGIC) {
        n = decodeFrame(buf, this.start, this.end, this.f3.frame);
        if (n > 0) onItem(this.f3);
        else if (n === FRAME_BAD) throw new WalStreamError(`bad frame at stream offset ${this.consumed}: ${this.f3.frame.error}`);
      } else if (magic === FCW2_MAGIC) {
        n = decodeFcw2Frame(buf, this.start, this.end, this.f2.frame);
        if (n > 0) onItem(this.f2);
        else if (n === FRAME_BAD) throw new WalStreamError(`bad FCW2 frame at stream offset ${this.consumed}: ${this.f2.frame.error}`);
      } else if (magic === ERR_MAGIC) {
        n = this.errorLine(onItem);
      } else {
        throw new WalStreamError(`bad magic at stream offset ${this.consumed}`);
      }
      if (n <= 0) break;
      this.start += n;
      this.consumed += n;
    }
    if (this.start === this.end) this.start = this.end = 0;
  }

  private errorLine(onItem: (item: StreamItem) => void): number {
    const avail = this.buf.subarray(this.start, Math.min(this.end, this.start + MAX_LINE_BYTES));
    const nl = avail.indexOf(0x0a);
    if (nl < 0) {
      if (avail.length >= MAX_LINE_BYTES) throw new WalStreamError("unterminated text line in stream");
      return 0;
    }
    const text = new TextDecoder().decode(avail.subarray(0, nl)).replace(/\r$/, "");
    if (text.startsWith(ERR_PREFIX)) onItem({ kind: "error", message: text.slice(ERR_PREFIX.length) });
    else if (text.startsWith(AUTH_PREFIX)) onItem({ kind: "auth", token: text.slice(AUTH_PREFIX.length) });
    else throw new WalStreamError(`unexpected text line in stream: ${text.slice(0, 80)}`);
    return nl + 1;
  }

  private append(chunk: Uint8Array): void {
    const n = chunk.length;
    if (this.end + n > this.buf.length) {
      const live = this.end - this.start;
      if (live + n <= this.buf.length >>> 1) {
        this.buf.copyWithin(0, this.start, this.end);
      } else {
        const next = new Uint8Array(Math.max(this.buf.length * 2, live + n));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += n;
  }
}
