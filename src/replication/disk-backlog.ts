// The replication backlog's older part, on disk: what falls out of the in-memory ring
// (repl-backlog.ts) is appended to segment files, so a replica that was away for longer than the
// ring covers still resumes with PSYNC (+CONTINUE) instead of a full sync, while the files hold
// its offset. Bounded by `repl-backlog-disk-size`: the oldest segment goes when the total passes
// it. The files belong to this process's history only (the replid is new at every start), so the
// folder is emptied when the backlog is made and when its history is replaced.
//
// Why its own files and not the WAL: the stream has bytes the WAL does not (PING, SELECT, the
// effects of other workers spliced in), and a replica's offset counts exactly the bytes it was
// sent, so resuming means resending those very bytes. Writes are large and rare: the ring spills
// about once per `repl-backlog-size` of stream, one write of that size.
import * as fs from "node:fs";
import * as path from "node:path";

/** A segment is closed and a new one begun past this many bytes. */
const SEGMENT_BYTES = 64 << 20;

interface Segment {
  /** Stream offset of the segment's first byte (Redis's offsets: the stream's first byte is 1). */
  readonly first: number;
  bytes: number;
  readonly file: string;
  fd: number;
}

export class DiskBacklog {
  private readonly segments: Segment[] = [];
  private total = 0;
  /** The next write begins a new segment. */
  private roll = false;

  /**
   * `dir`: a folder of its own (emptied here). `next`: the offset of the first byte to be written.
   * `limit`: most bytes kept on disk.
   */
  constructor(
    private readonly dir: string,
    private next: number,
    private limit: number,
  ) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Offset of the oldest byte held (next when nothing is). */
  get firstOffset(): number {
    return this.segments.length === 0 ? this.next : this.segments[0]!.first;
  }

  /** Offset of the byte that the next write starts with (one past the newest held). */
  get endOffset(): number {
    return this.next;
  }

  get bytes(): number {
    return this.total;
  }

  /** Appends stream bytes, which must start at `endOffset`. A failed write empties the backlog. */
  write(b: Uint8Array): void {
    if (b.length === 0) return;
    try {
      let seg = this.segments[this.segments.length - 1];
      if (seg === undefined || seg.bytes >= this.segmentBytes || this.roll) seg = this.open();
      this.roll = false;
      let done = 0;
      while (done < b.length) done += fs.writeSync(seg.fd, b, done, b.length - done, seg.bytes + done);
      seg.bytes += b.length;
      this.total += b.length;
      this.next += b.length;
      this.prune();
    } catch {
      // A full or failing disk: the older history is lost, never half-kept.
      this.next += b.length;
      this.dropAll();
    }
  }

  /** Up to `max` bytes from offset `from`, or undefined when `from` is not held. */
  read(from: number, max: number): Uint8Array | undefined {
    if (from < this.firstOffset || from >= this.next) return undefined;
    let i = this.segments.length - 1;
    while (this.segments[i]!.first > from) i--;
    const seg = this.segments[i]!;
    const at = from - seg.first;
    const n = Math.min(max, seg.bytes - at);
    const out = new Uint8Array(n);
    let got = 0;
    try {
      while (got < n) {
        const k = fs.readSync(seg.fd, out, got, n - got, at + got);
        if (k === 0) return undefined;
        got += k;
      }
    } catch {
      return undefined;
    }
    return out;
  }

  /** CONFIG SET repl-backlog-disk-size. */
  setLimit(limit: number): void {
    this.limit = limit;
    // A smaller limit: the segment being written is closed, so the older ones can go.
    this.roll = true;
    this.prune();
  }

  /** Drops every file (the folder stays). */
  close(): void {
    this.dropAll();
  }

  /** A quarter of the limit, between 1 and 64 MiB, so pruning keeps close to the limit. */
  private get segmentBytes(): number {
    return Math.max(1 << 20, Math.min(SEGMENT_BYTES, Math.floor(this.limit / 4)));
  }

  private open(): Segment {
    const file = path.join(this.dir, `${String(this.next).padStart(16, "0")}.replog`);
    const seg: Segment = { first: this.next, bytes: 0, file, fd: fs.openSync(file, "w+") };
    this.segments.push(seg);
    return seg;
  }

  /** The oldest segments go while the total is over the limit (never the one being written). */
  private prune(): void {
    const keepLast = !this.roll;
    while (this.segments.length > (keepLast ? 1 : 0) && this.total > this.limit) this.drop(this.segments.shift()!);
    if (this.limit === 0) this.dropAll();
  }

  private dropAll(): void {
    for (const s of this.segments.splice(0)) this.drop(s);
  }

  private drop(s: Segment): void {
    this.total -= s.bytes;
    try {
      fs.closeSync(s.fd);
      fs.rmSync(s.file, { force: true });
    } catch {
      // already gone
    }
  }
}
