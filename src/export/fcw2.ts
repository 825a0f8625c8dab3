// The FCW2 frame layout of fast-cache 0.1.0, so collectors written for it read our stream unchanged.
// All integers little-endian:
//
//   frame   = "FCW2" | flags u8 (0x01 = LZ4 payload; we send 0) | payloadLen u32 | payload | crc u32
//             crc = CRC-32 (IEEE) of magic + flags + payloadLen + payload
//   payload = op u8 (1 set, 2 delete, 3 expire) | keyLen u32 | valueLen u32 | timestamp ms u64
//             | expiry ms i64 (absolute, -1 = none) | key | value | crc u32 (CRC-32 of the payload
//             bytes before it)
//
// Our ops map as: set -> 1, delete -> 2, expire -> 3 (expiry 0 = persist -> -1), clear (FLUSHALL)
// -> 2 with an empty key (FCW2 has no clear; see docs/EXPORT.md). FCW2 has no sequence number, so
// the stream cannot be resumed; the timestamp is the time the group was published.
import { decodeFrame, FRAME_BAD, FRAME_INCOMPLETE, newDecodedFrame, readU32, readU53, writeU32, writeU53 } from "../persistence/wal-format.ts";

/** "FCW2" read as a little-endian u32. */
export const FCW2_MAGIC = 0x32574346;
export const FCW2_FLAG_LZ4 = 0x01;
/** magic, flags, payload length. */
export const FCW2_HEADER_BYTES = 9;
/** op, keyLen, valueLen, timestamp, expiry. */
export const FCW2_PAYLOAD_FIXED = 25;
/** Header, fixed payload fields, payload CRC and frame CRC: a frame is this plus key and value. */
export const FCW2_OVERHEAD = FCW2_HEADER_BYTES + FCW2_PAYLOAD_FIXED + 4 + 4;

export const Fcw2Op = { Set: 1, Delete: 2, Expire: 3 } as const;
export type Fcw2Op = (typeof Fcw2Op)[keyof typeof Fcw2Op];

/** FCW4 op (1 set, 2 delete, 3 expire, 4 clear, 5 delta) -> FCW2 op. */
const OP_MAP = [0, Fcw2Op.Set, Fcw2Op.Delete, Fcw2Op.Expire, Fcw2Op.Delete, Fcw2Op.Delete] as const;

/**
 * FCW2 collectors know strings only. A collection written whole (a Set frame of a non-string
 * type: RENAME, COPY, or a hash created where a string was) is sent as a Delete of the key, so the
 * collector never keeps a stale string; a collection's element changes (Delta) and expiry changes
 * are not sent and are counted here (INFO walexport `walexport_fcw2_skipped_frames`).
 */
export const fcw2Counters = { skippedFrames: 0 };

/**
 * True when a frame has no FCW2 form (see fcw2Counters): collection deltas and expiries, every
 * frame of a database other than 0 (FCW2 has no database field), and SWAPDB.
 */
const skippedInFcw2 = (op: number, type: number, db: number): boolean => db !== 0 || op === 6 || (type !== 0 && (op === 5 || op === 3));

const TWO32 = 4294967296;

export function fcw2FrameSize(keyLength: number, valueLength: number): number {
  return FCW2_OVERHEAD + keyLength + valueLength;
}

/** Writes an i64: -1 as all ones, else a non-negative integer < 2^53. */
function writeI64(buf: Uint8Array, off: number, v: number): void {
  if (v < 0) {
    writeU32(buf, off, 0xffffffff);
    writeU32(buf, off + 4, 0xffffffff);
  } else {
    writeU53(buf, off, v);
  }
}

/**
 * Re-encodes a group of `frames` FCW4 frames (already checked by the WAL writer) as FCW2 frames.
 * Each frame of k + v payload bytes becomes 42 + k + v bytes.
 */
export function transcodeToFcw2(group: Uint8Array, frames: number, timestampMs: number): Uint8Array {
  const f = scratchFrame;
  let total = 0;
  for (let off = 0; off < group.length; ) {
    const len = decodeFrame(group, off, group.length, f);
    if (len <= 0) throw new RangeError(`export: bad frame in published group: ${f.error}`);
    off += len;
    if (skippedInFcw2(f.op, f.type, f.db)) continue;
    total += FCW2_OVERHEAD + f.key.length + (f.type === 0 ? f.value.length : 0);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (let off = 0; off < group.length; ) {
    const len = decodeFrame(group, off, group.length, f);
    off += len;
    if (skippedInFcw2(f.op, f.type, f.db)) {
      fcw2Counters.skippedFrames++;
      continue;
    }
    const op = f.type === 0 ? f.op : 2;
    const klen = f.key.length;
    const vlen = f.type === 0 ? f.value.length : 0;
    const payloadLen = FCW2_PAYLOAD_FIXED + klen + vlen + 4;
    const start = o;
    writeU32(out, o, FCW2_MAGIC);
    out[o + 4] = 0;
    writeU32(out, o + 5, payloadLen);
    const p = o + FCW2_HEADER_BYTES;
    out[p] = op < OP_MAP.length ? OP_MAP[op as 0 | 1 | 2 | 3 | 4 | 5]! : Fcw2Op.Delete;
    writeU32(out, p + 1, klen);
    writeU32(out, p + 5, vlen);
    writeU53(out, p + 9, timestampMs);
    writeI64(out, p + 17, op === 2 || op === 4 || f.expireAt === 0 ? -1 : f.expireAt);
    out.set(f.key, p + FCW2_PAYLOAD_FIXED);
    if (vlen > 0) out.set(f.value, p + FCW2_PAYLOAD_FIXED + klen);
    const pc = p + payloadLen - 4;
    writeU32(out, pc, Bun.hash.crc32(out.subarray(p, pc)));
    writeU32(out, pc + 4, Bun.hash.crc32(out.subarray(start, pc + 4)));
    o = pc + 8;
  }
  return out;
}

const scratchFrame = newDecodedFrame();

/** A decoded FCW2 frame; `key` and `value` are views into the input. */
export interface Fcw2Frame {
  op: number;
  timestamp: number;
  /** Absolute expiry in ms, -1 for none. */
  expireAt: number;
  key: Uint8Array;
  value: Uint8Array;
  length: number;
  error: string;
}

const EMPTY = new Uint8Array(0);

export function newFcw2Frame(): Fcw2Frame {
  return { op: 1, timestamp: 0, expireAt: -1, key: EMPTY, value: EMPTY, length: 0, error: "" };
}

function readI64(buf: Uint8Array, off: number): number {
  const lo = readU32(buf, off);
  const hi = readU32(buf, off + 4);
  if (hi >= 0x80000000) return -((~hi >>> 0) * TWO32 + (~lo >>> 0) + 1);
  return hi * TWO32 + lo;
}

/** Same contract as `decodeFrame`: frame length, FRAME_INCOMPLETE, or FRAME_BAD with `out.error`. */
export function decodeFcw2Frame(buf: Uint8Array, off: number, end: number, out: Fcw2Frame): number {
  const avail = end - off;
  if (avail < 4) return FRAME_INCOMPLETE;
  if (readU32(buf, off) !== FCW2_MAGIC) {
    out.error = "bad magic";
    return FRAME_BAD;
  }
  if (avail < FCW2_HEADER_BYTES) return FRAME_INCOMPLETE;
  if ((buf[off + 4]! & FCW2_FLAG_LZ4) !== 0) {
    out.error = "LZ4-compressed frames are not supported";
    return FRAME_BAD;
  }
  const payloadLen = readU32(buf, off + 5);
  if (payloadLen < FCW2_PAYLOAD_FIXED + 4 || payloadLen > 0x7fff0000) {
    out.error = "bad payload length";
    return FRAME_BAD;
  }
  const len = FCW2_HEADER_BYTES + payloadLen + 4;
  if (avail < len) return FRAME_INCOMPLETE;
  const p = off + FCW2_HEADER_BYTES;
  const pc = p + payloadLen - 4;
  if (Bun.hash.crc32(buf.subarray(off, pc + 4)) !== readU32(buf, pc + 4)) {
    out.error = "frame CRC mismatch";
    return FRAME_BAD;
  }
  if (Bun.hash.crc32(buf.subarray(p, pc)) !== readU32(buf, pc)) {
    out.error = "payload CRC mismatch";
    return FRAME_BAD;
  }
  const klen = readU32(buf, p + 1);
  const vlen = readU32(buf, p + 5);
  if (FCW2_PAYLOAD_FIXED + klen + vlen + 4 !== payloadLen) {
    out.error = "bad key or value length";
    return FRAME_BAD;
  }
  out.op = buf[p]!;
  out.timestamp = readU53(buf, p + 9);
  out.expireAt = readI64(buf, p + 17);
  const k = p + FCW2_PAYLOAD_FIXED;
  out.key = buf.subarray(k, k + klen);
  out.value = buf.subarray(k + klen, k + klen + vlen);
  out.length = len;
  return len;
}
