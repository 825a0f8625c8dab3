// The replication backlog: the last `repl-backlog-size` bytes of the replication stream, kept in
// a ring so a replica that lost its link can resume (PSYNC replid offset → +CONTINUE) without a
// full sync. Offsets are Redis's: the stream's first byte is offset 1 (master_repl_offset counts
// the bytes produced so far). With a DiskBacklog (disk-backlog.ts), what would fall out of the ring
// is written there first, so every byte since the disk's first offset is held by one or the other.
import type { DiskBacklog } from "./disk-backlog.ts";

export class ReplBacklog {
  private buf: Uint8Array;
  /** Bytes in the ring (≤ buf.length). */
  private histlen = 0;
  /** Where the next byte goes. */
  private head = 0;

  constructor(
    size: number,
    /** master_repl_offset when the backlog was made (nothing before it is held). */
    public offset: number,
    /** Where the ring's oldest bytes go before they are overwritten. */
    public disk?: DiskBacklog,
  ) {
    this.buf = new Uint8Array(size);
  }

  get size(): number {
    return this.buf.length;
  }

  get historyBytes(): number {
    return this.histlen;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held. */
  get firstByteOffset(): number {
    return this.offset - this.histlen + 1;
  }

  append(b: Uint8Array, start = 0, end = b.length): void {
    const cap = this.buf.length;
    let n = end - start;
    if (this.disk !== undefined && this.offset + n - this.disk.endOffset >= cap) this.spill(b, start, end);
    this.offset += n;
    if (n >= cap) {
      this.buf.set(b.subarray(end - cap, end));
      this.head = 0;
      this.histlen = cap;
      return;
    }
    let p = start;
    while (n > 0) {
      const k = Math.min(n, cap - this.head);
      this.buf.set(b.subarray(p, p + k), this.head);
      this.head = (this.head + k) % cap;
      p += k;
      n -= k;
    }
    this.histlen = Math.min(cap, this.histlen + (end - start));
  }

  /** Writes every ring byte not yet on disk, and what of b[start, end) the ring will not hold. */
  private spill(b: Uint8Array, start: number, end: number): void {
    const disk = this.disk!;
    const unsaved = this.since(Math.max(disk.endOffset, this.firstByteOffset));
    if (unsaved !== undefined) disk.write(unsaved);
    const cap = this.buf.length;
    if (end - start > cap) disk.write(b.subarray(start, end - cap));
  }

  /** The oldest offset held by the ring or the disk behind it. */
  get heldFrom(): number {
    return this.disk !== undefined && this.disk.bytes > 0 ? this.disk.firstOffset : this.firstByteOffset;
  }

  /** The bytes from offset `from` (inclusive) to the end, or undefined when they are not all held. */
  since(from: number): Uint8Array | undefined {
    if (from > this.offset + 1 || from < this.firstByteOffset) return undefined;
    const n = this.offset + 1 - from;
    const out = new Uint8Array(n);
    const cap = this.buf.length;
    const start = (this.head - n + cap * 2) % cap;
    const first = Math.min(n, cap - start);
    out.set(this.buf.subarray(start, start + first));
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    return out;
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that fit. */
  resize(size: number): void {
    if (size === this.buf.length) return;
    if (this.disk !== undefined) this.spill(this.buf, 0, 0);
    const keep = Math.min(size, this.histlen);
    const tail = this.since(this.offset + 1 - keep) ?? new Uint8Array(0);
    this.buf = new Uint8Array(size);
    this.buf.set(tail);
    this.head = tail.length % size;
    this.histlen = tail.length;
  }
}
