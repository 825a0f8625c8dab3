// A subscriber's unsent bytes: references to shared chunks plus an offset into the first one.
// Bun's write() drops what the kernel does not accept, so the rest stays here and goes out next,
// never overtaken by newer bytes. One write takes the head chunk as it is (no copy) or, when several
// small chunks are queued, up to COALESCE_BYTES of them copied into a shared scratch buffer.
import { textChunk, type Chunk } from "./chunk.ts";

/** At most this many queued bytes are copied into one coalesced write. */
const COALESCE_BYTES = 1024 * 1024;
const NONE: Chunk = textChunk(new Uint8Array(0));

export class SendQueue {
  private q: Chunk[] = [];
  private head = 0;
  private headOff = 0;
  /** Bytes queued and not yet accepted by the kernel. */
  bytes = 0;

  /** The next byte to send starts a chunk (no chunk is half sent). */
  get atBoundary(): boolean {
    return this.headOff === 0;
  }

  push(c: Chunk): void {
    this.q.push(c);
    this.bytes += c.buf.length;
  }

  /** The bytes of the next write (call only when `bytes > 0`); `scratch` lends a buffer to copy into. */
  next(scratch: (min: number) => Uint8Array): Uint8Array {
    const head = this.q[this.head]!;
    if (this.head + 1 === this.q.length || head.buf.length - this.headOff >= COALESCE_BYTES) {
      return this.headOff === 0 ? head.buf : head.buf.subarray(this.headOff);
    }
    const total = Math.min(this.bytes, COALESCE_BYTES);
    const s = scratch(total);
    let o = 0;
    for (let i = this.head; o < total; i++) {
      const b = this.q[i]!.buf;
      const from = i === this.head ? this.headOff : 0;
      const n = Math.min(b.length - from, total - o);
      s.set(b.subarray(from, from + n), o);
      o += n;
    }
    return s.subarray(0, total);
  }

  /** The kernel accepted `n` bytes: drops them, calling `done` for every chunk now fully sent. */
  consume(n: number, done: (c: Chunk) => void): void {
    this.bytes -= n;
    while (n > 0) {
      const c = this.q[this.head]!;
      const rest = c.buf.length - this.headOff;
      if (n < rest) {
        this.headOff += n;
        break;
      }
      n -= rest;
      this.headOff = 0;
      this.q[this.head++] = NONE;
      done(c);
    }
    if (this.head === this.q.length) {
      this.q.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.q.splice(0, this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.q = [];
    this.head = this.headOff = this.bytes = 0;
  }
}
