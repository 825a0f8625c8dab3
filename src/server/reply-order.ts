// Reply order for a connection whose commands may be answered elsewhere (another worker). Each
// forwarded command reserves a place; local replies produced since the last place are cut into
// their own segment; completed segments at the front are released in order. A connection that
// never forwards never creates one of these.

const EMPTY = new Uint8Array(0);

interface Segment {
  bytes: Uint8Array | null;
}

const RELEASED: Segment = { bytes: EMPTY };

export class ReplyOrder {
  private segs: Segment[] = [];
  private head = 0;
  /** Places still waiting for their reply. */
  pending = 0;
  /** Bytes held in segments not yet released (counted toward the client's output limit). */
  bytes = 0;

  /** Segments not yet released (complete or not). */
  get size(): number {
    return this.segs.length - this.head;
  }

  /** Moves the replies written so far (`buf[0, len)`) into a segment of their own. */
  cut(buf: Uint8Array, len: number): void {
    if (len === 0) return;
    this.segs.push({ bytes: buf.slice(0, len) });
    this.bytes += len;
  }

  /** Bytes of the complete segments at the front (what release() would hand out now). */
  readyBytes(): number {
    let n = 0;
    for (let i = this.head; i < this.segs.length; i++) {
      const b = this.segs[i]!.bytes;
      if (b === null) break;
      n += b.length;
    }
    return n;
  }

  /** Reserves the next place; call `fill` on the returned segment when its reply arrives. */
  reserve(): Segment {
    const s: Segment = { bytes: null };
    this.segs.push(s);
    this.pending++;
    return s;
  }

  fill(s: Segment, bytes: Uint8Array, discard: boolean): void {
    s.bytes = discard ? EMPTY : bytes.slice();
    this.bytes += s.bytes.length;
    this.pending--;
  }

  /** Hands every complete segment at the front to `out`, in order. */
  release(out: (bytes: Uint8Array) => void): void {
    const segs = this.segs;
    let i = this.head;
    while (i < segs.length) {
      const b = segs[i]!.bytes;
      if (b === null) break;
      if (b.length > 0) out(b);
      this.bytes -= b.length;
      segs[i] = RELEASED;
      i++;
    }
    if (i === segs.length) {
      this.segs = [];
      this.head = 0;
    } else {
      this.head = i;
      if (i > 256 && i * 2 > segs.length) {
        this.segs = segs.slice(i);
        this.head = 0;
      }
    }
  }
}
