// Reply bytes the socket has not accepted yet. Bun's socket.write() takes what the kernel accepts
// and drops the rest, so the remainder lives here until `drain`; while anything is queued, new
// replies go behind it. One growable buffer with a read offset: appends are amortised O(1), the
// whole backlog goes out in one write() per drain.

const EMPTY = new Uint8Array(0);
/** A backlog buffer larger than this is released once it empties. */
const KEEP_MAX = 1024 * 1024;

export class OutputQueue {
  buf: Uint8Array = EMPTY;
  start = 0;
  end = 0;

  get size(): number {
    return this.end - this.start;
  }

  /** Makes room for `n` more bytes at `end` and returns the buffer (write, then advance `end`). */
  reserve(n: number): Uint8Array {
    if (this.end + n > this.buf.length) this.makeRoom(n);
    return this.buf;
  }

  append(src: Uint8Array): void {
    const n = src.length;
    if (n === 0) return;
    if (this.end + n > this.buf.length) this.makeRoom(n);
    this.buf.set(src, this.end);
    this.end += n;
  }

  private makeRoom(n: number): void {
    const live = this.end - this.start;
    if (live + n <= this.buf.length >>> 1) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      const next = new Uint8Array(Math.max(64 * 1024, (live + n) * 2));
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = live;
  }

  /** Marks `n` bytes from the front as sent. */
  consume(n: number): void {
    this.start += n;
    if (this.start >= this.end) this.clear();
  }

  clear(): void {
    this.start = 0;
    this.end = 0;
    if (this.buf.length > KEEP_MAX) this.buf = EMPTY;
  }
}
