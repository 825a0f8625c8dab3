// A chunk is a run of whole frames in wire format, shared read-only by every subscriber queue it
// sits in: a published group is copied once into one chunk, then each subscriber queues a
// reference. `firstSeq`/`lastSeq` are the WAL sequence numbers the chunk covers (also for fcw2,
// whose frames carry none); a text chunk (auth or error line) has `frames` 0.
import { FRAME_HEADER_BYTES, readU32, readU53 } from "../persistence/wal-format.ts";

export interface Chunk {
  buf: Uint8Array;
  frames: number;
  firstSeq: number;
  lastSeq: number;
}

/** The frames of a group of FCW3 frames, found by walking their length fields (no CRC check). */
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
    if (buf.length - off < FRAME_HEADER_BYTES) throw new RangeError("export: truncated frame in published group");
    const len = readU32(buf, off + 8);
    if (len < FRAME_HEADER_BYTES || off + len > buf.length) throw new RangeError("export: bad frame length in published group");
    lastOff = off;
    off += len;
    frames++;
  }
  if (frames === 0) return { frames: 0, firstSeq: 0, lastSeq: 0 };
  return { frames, firstSeq: readU53(buf, 12), lastSeq: readU53(buf, lastOff + 12) };
}

/**
 * The part of an FCW3 chunk after sequence `seq`: the chunk itself when it starts after `seq`,
 * undefined when nothing is left, else a new chunk over the tail of the same bytes.
 */
export function chunkAfter(c: Chunk, seq: number): Chunk | undefined {
  if (c.firstSeq > seq) return c;
  if (c.lastSeq <= seq) return undefined;
  let off = 0;
  let frames = c.frames;
  let first = c.firstSeq;
  while (first <= seq) {
    off += readU32(c.buf, off + 8);
    frames--;
    first = readU53(c.buf, off + 12);
  }
  return { buf: c.buf.subarray(off), frames, firstSeq: first, lastSeq: c.lastSeq };
}

/** A chunk of text (auth or error line): no frames, no sequence. */
export const textChunk = (buf: Uint8Array): Chunk => ({ buf, frames: 0, firstSeq: -1, lastSeq: -1 });
