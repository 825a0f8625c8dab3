// Reply bytes the socket has not accepted yet. Bun's socket.write() takes what the kernel accepts
// and drops the rest, so the remainder lives here until `drain`; while anything is queued, new
// replies go behind it. A list of segments, never one buffer grown by doubling: a backlog of N
// bytes holds about N bytes (plus one partly filled segment), with no copies of the whole backlog
// and no garbage of outgrown buffers (which, for a client at a 256 MiB output limit, cost
// hundreds of MiB of RSS).

/** Small appends are packed into segments of this size (one write() per segment on drain). */
const SEGMENT_BYTES = 64 * 1024;

interface Segment {
  buf: Uint8Array;
  start: number;
  end: number;
}

export class ClientBacklog {
  private segs: Segment[] = [];
  private head = 0;
  size = 0;

  append(src: Uint8Array): void {
    let n = src.length;
    if (n === 0) return;
    let from = 0;
    const tail = this.segs.length > this.head ? this.segs[this.segs.length - 1]! : undefined;
    if (tail !== undefined && tail.end < tail.buf.length) {
      const k = Math.min(n, tail.buf.length - tail.end);
      tail.buf.set(src.subarray(0, k), tail.end);
      tail.end += k;
      from = k;
      n -= k;
    }
    if (n > 0) {
      const buf = new Uint8Array(Math.max(SEGMENT_BYTES, n));
      buf.set(src.subarray(from));
      this.segs.push({ buf, start: 0, end: n });
    }
    this.size += src.length;
  }

  /** The first queued bytes (a view, valid until the next consume/clear); empty when none. */
  front(): Uint8Array {
    const s = this.segs[this.head];
    return s === undefined ? EMPTY : s.buf.subarray(s.start, s.end);
  }

  /** Marks `n` bytes from the front as sent. */
  consume(n: number): void {
    this.size -= n;
    while (n > 0) {
      const s = this.segs[this.head]!;
      const k = Math.min(n, s.end - s.start);
      s.start += k;
      n -= k;
      if (s.start === s.end) this.segs[this.head++] = DONE;
    }
    if (this.size <= 0) this.clear();
    else if (this.head > 64 && this.head * 2 > this.segs.length) {
      this.segs = this.segs.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.segs = [];
    this.head = 0;
    this.size = 0;
  }
}

const EMPTY = new Uint8Array(0);
const DONE: Segment = { buf: EMPTY, start: 0, end: 0 };
