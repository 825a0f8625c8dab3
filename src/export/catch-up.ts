// Resume: reads the frames (after, upTo] from the WAL segment files, read-only, in slices of about
// 1 MiB, and hands them to a subscriber as chunks. Reads are asynchronous (the thread pool), and a
// slice is read only once the subscriber's queue has room, so a catch-up neither blocks the event
// loop nor piles up memory. Frames are checked with the WAL decoder (CRC included) and must have
// consecutive sequence numbers; any gap ends the catch-up with an error the subscriber is sent.
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { listFiles, type NamedFile } from "../persistence/io.ts";
import { decodeFrame, FRAME_BAD, FRAME_INCOMPLETE, frameLengthAt, newDecodedFrame } from "../persistence/wal-format.ts";
import type { Chunk } from "./chunk.ts";
import { ERR_SEQ_TOO_OLD } from "./handshake.ts";

const READ_BYTES = 1024 * 1024;
/** How often to look again when frames already published are not in the files yet (write errors). */
const POLL_MS = 20;
/** Give up when published frames stay missing from the files this long. */
const WAIT_LIMIT_MS = 10_000;

export class CatchUpError extends Error {}

export interface CatchUpSink {
  /** Queues frames read from the files. */
  push(chunk: Chunk): void;
  /** Resolves true when the subscriber can take more, false once it is gone (the read stops). */
  room(): Promise<boolean>;
  /** Called synchronously once every published frame has been pushed: switch to live now. */
  caughtUp(): void;
}

export interface CatchUpRange {
  dir: string;
  shard: number;
  /** The subscriber has every frame up to this sequence number. */
  after: number;
  /** Sequence number of the last published frame, read again after every slice: the reader
   *  chases the stream and stops when it has pushed every frame published so far. */
  upTo: () => number;
}

/** The last segment that can hold `seq` (its first sequence number is <= seq), or -1. */
function segmentFor(segs: NamedFile[], seq: number): number {
  let idx = -1;
  for (let i = 0; i < segs.length; i++) if (segs[i]!.seq <= seq) idx = i;
  return idx;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function openSegment(seg: NamedFile): Promise<FileHandle> {
  try {
    return await open(seg.path, "r");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") throw new CatchUpError(`WAL segment ${seg.name} was removed while resuming`);
    throw e;
  }
}

/**
 * Sends every frame after `after` to `sink`, in order, until it has pushed the last published
 * one; then calls `sink.caughtUp()` in the same synchronous step (no frame can be published in
 * between, so nothing is missed or sent twice). Rejects with CatchUpError when the files do not
 * hold the frames (pruned by a snapshot, a gap, corruption).
 */
export async function catchUp(range: CatchUpRange, sink: CatchUpSink): Promise<void> {
  const { dir, shard, after, upTo } = range;
  let next = after + 1;
  if (next > upTo()) return sink.caughtUp();
  const segs = listFiles(dir, "wal", shard);
  const idx = segmentFor(segs, next);
  if (idx < 0) throw new CatchUpError(ERR_SEQ_TOO_OLD(after, segs[0]?.seq ?? upTo() + 1));
  let seg = segs[idx]!;
  let fh = await openSegment(seg);
  const f = newDecodedFrame();
  let pos = 0;
  let carry = new Uint8Array(0);
  let waited = 0;
  try {
    for (;;) {
      if (!(await sink.room())) return;
      const need = Math.max(0, frameLengthAt(carry, 0, carry.length));
      const buf = new Uint8Array(Math.max(carry.length + READ_BYTES, need));
      buf.set(carry);
      const { bytesRead } = await fh.read(buf, carry.length, buf.length - carry.length, pos);
      pos += bytesRead;
      const len = carry.length + bytesRead;
      // With several workers the files can be ahead of what this process has been published
      // (another worker writes them; its groups reach us over a link): stop at the last
      // published frame, later ones come live.
      const limit = upTo();
      let off = 0;
      let start = -1;
      let frames = 0;
      let first = 0;
      for (;;) {
        if (next > limit) break;
        const n = decodeFrame(buf, off, len, f);
        if (n === FRAME_INCOMPLETE) break;
        if (n === FRAME_BAD) throw new CatchUpError(`corrupt WAL frame in ${seg.name} at offset ${pos - len + off}: ${f.error}`);
        if (f.seq > next) throw new CatchUpError(`WAL gap: expected sequence ${next}, found ${f.seq} in ${seg.name}`);
        if (f.seq === next) {
          if (start < 0) {
            start = off;
            first = next;
          }
          frames++;
          next++;
        }
        off += n;
      }
      if (frames > 0) sink.push({ buf: buf.subarray(start, off), frames, firstSeq: first, lastSeq: next - 1, shard });
      carry = buf.subarray(off, len);
      if (next > upTo()) return sink.caughtUp();
      if (bytesRead > 0) {
        if (bytesRead > 0) waited = 0;
        continue;
      }
      // End of this file for now: go on with the next segment, or wait for the writer.
      const now = listFiles(dir, "wal", shard);
      const later = now.find((s) => s.seq > seg.seq);
      if (later !== undefined) {
        if (carry.length > 0) throw new CatchUpError(`torn WAL frame at the end of ${seg.name}`);
        if (later.seq > next) throw new CatchUpError(`WAL gap: expected sequence ${next}, next segment starts at ${later.seq}`);
        await fh.close();
        seg = later;
        fh = await openSegment(seg);
        pos = 0;
        waited = 0;
        continue;
      }
      if (waited >= WAIT_LIMIT_MS) throw new CatchUpError(`WAL frames ${next}..${upTo()} are not in the WAL files`);
      await sleep(POLL_MS);
      waited += POLL_MS;
    }
  } finally {
    await fh.close().catch(() => {});
  }
}
