// A chunk is a run of whole frames in wire format, shared read-only by every subscriber queue it
// sits in: a published group is copied once into one chunk, then each subscriber queues a
// reference. `firstSeq`/`lastSeq` are the WAL sequence numbers the chunk covers (also for fcw2,
// whose frames carry none); a text chunk (auth or error line) has `frames` 0.
import { frameLengthAt, frameSeqAt } from "../persistence/wal-format.ts";

export interface Chunk {
  buf: Uint8Array;
  frames: number;
  firstSeq: number;
  lastSeq: number;
}

/** The frames of a group of FCW4 frames, found by walking their length fields (no CRC check). */
export interface GroupShape {
  frames: number;
  firstSeq: number;
  lastSeq: number;
}

/** Walks the frame headers of `buf`; throws if a length field runs past the end. */
export function groupShape(buf: Uint8Array): GroupShape {
  let frames = 0;
  let lastOff = 0;
  for (let off = 0; off < buf.length; ) {
    const len = frameLengthAt(buf, off, buf.length);
    if (len <= 0) throw new RangeError("export: truncated frame in published group");
    if (off + len > buf.length) throw new RangeError("export: bad frame length in published group");
    lastOff = off;
    off += len;
    frames++;
  }
  if (frames === 0) return { frames: 0, firstSeq: 0, lastSeq: 0 };
  return { frames, firstSeq: frameSeqAt(buf, 0), lastSeq: frameSeqAt(buf, lastOff) };
}

/**
 * The part of an FCW4 chunk after sequence `seq`: the chunk itself when it starts after `seq`,
 * undefined when nothing is left, else a new chunk over the tail of the same bytes.
 */
export function chunkAfter(c: Chunk, seq: number): Chunk | undefined {
  if (c.firstSeq > seq) return c;
  if (c.lastSeq <= seq) return undefined;
  let off = 0;
  let frames = c.frames;
  let first = c.firstSeq;
  while (first <= seq) {
    off += frameLengthAt(c.buf, off, c.buf.length);
    frames--;
    first = frameSeqAt(c.buf, off);
  }
  return { buf: c.buf.subarray(off), frames, firstSeq: first, lastSeq: c.lastSeq };
}

/** A chunk of text (auth or error line): no frames, no sequence. */
export const textChunk = (buf: Uint8Array): Chunk => ({ buf, frames: 0, firstSeq: -1, lastSeq: -1 });
