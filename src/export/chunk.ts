// A chunk is a run of whole frames in wire format, shared read-only by every subscriber queue it
// sits in: a published group is copied once into one chunk, then each subscriber queues a
// reference. `firstSeq`/`lastSeq` are the WAL sequence numbers the chunk covers (also for fcw2,
// whose frames carry none) of shard `shard` (a group is one shard's: one WAL writer's); a text
// chunk (auth or error line) has `frames` 0.
import { frameLengthAt, frameSeqAt, readU32, readU53, writeU32, writeU53 } from "../persistence/wal-format.ts";

export interface Chunk {
  buf: Uint8Array;
  frames: number;
  firstSeq: number;
  lastSeq: number;
  shard: number;
}

/** The frames of a group of FCW4 frames, found by walking their length fields (no CRC check). */
export interface GroupShape {
  frames: number;
  firstSeq: number;
  lastSeq: number;
  /** Shard of the first frame (every frame of a group has the same). */
  shard: number;
}

/** The shard field of the (already length-checked) frame at `buf[off]`: the third varint. */
export function frameShardAt(buf: Uint8Array, off: number): number {
  let p = off + 8;
  for (let field = 0; field < 2; field++) while ((buf[p++] ?? 0) & 0x80);
  let v = 0;
  for (let shift = 0; shift < 21; shift += 7) {
    const b = buf[p++] ?? 0;
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  return v;
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
  if (frames === 0) return { frames: 0, firstSeq: 0, lastSeq: 0, shard: 0 };
  return { frames, firstSeq: frameSeqAt(buf, 0), lastSeq: frameSeqAt(buf, lastOff), shard: frameShardAt(buf, 0) };
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
  return { buf: c.buf.subarray(off), frames, firstSeq: first, lastSeq: c.lastSeq, shard: c.shard };
}

/** A chunk of text (auth or error line): no frames, no sequence. */
export const textChunk = (buf: Uint8Array): Chunk => ({ buf, frames: 0, firstSeq: -1, lastSeq: -1, shard: -1 });

// With several workers, each worker other than 0 tells worker 0 the last sequence number of its
// shard once its WAL is recovered, over the same link as its groups (so in order with them):
// "FCWP" | shard u32 | seq u53. "FCWP" is not "FCW4", so it is never taken for a group.
const POSITION_MAGIC = readU32(new TextEncoder().encode("FCWP"), 0);
const POSITION_BYTES = 16;

export function encodeShardPosition(shard: number, seq: number): Uint8Array {
  const b = new Uint8Array(POSITION_BYTES);
  writeU32(b, 0, POSITION_MAGIC);
  writeU32(b, 4, shard);
  writeU53(b, 8, seq);
  return b;
}

/** The position message in `buf`, or undefined when `buf` is something else (a group). */
export function decodeShardPosition(buf: Uint8Array): { shard: number; seq: number } | undefined {
  if (buf.length !== POSITION_BYTES || readU32(buf, 0) !== POSITION_MAGIC) return undefined;
  return { shard: readU32(buf, 4), seq: readU53(buf, 8) };
}
