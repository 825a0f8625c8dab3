// WAL frame layout (docs/WAL.md is the reference). One frame per mutation, little-endian:
//
//   off size field
//    0   4   magic "FCW3" (bytes 46 43 57 33; the last byte is the format version, ASCII '3')
//    4   4   crc32 (Bun.hash.crc32, CRC-32/ISO-HDLC) of bytes [8, frameLen)
//    8   4   frameLen: total bytes of the frame, header included (= 40 + keyLen + valueLen)
//   12   4   seq, low 32 bits      } sequence number, an integer < 2^53, strictly increasing by 1
//   16   4   seq, high 21 bits     }
//   20   2   shard id
//   22   1   op (MutationOp: 1 set, 2 delete, 3 expire, 4 clear)
//   23   1   value type (ValueType tag)
//   24   4   expireAt, low 32 bits  } absolute expiry in Unix ms, 0 = none
//   28   4   expireAt, high 21 bits }
//   32   4   keyLen
//   36   4   valueLen
//   40   .   key bytes, then value bytes
//
// Encoding writes straight into the caller's buffer; decoding fills a caller-owned object, so
// neither allocates beyond the two subarray views of key and value. The same decoder reads WAL
// segment files and (later) the TCP export stream, where `FRAME_INCOMPLETE` means "wait for more".
import type { MutationOp, MutationRecord, ValueType } from "../engine/types.ts";

/** "FCW3" read as a little-endian u32. */
export const FRAME_MAGIC = 0x33574346;
export const FRAME_VERSION = 3;
export const FRAME_HEADER_BYTES = 40;
/** Largest frame the decoder accepts (a key or value of Redis's 512 MiB limit fits). */
export const MAX_FRAME_BYTES = 0x7fff_ffff;
/** Largest sequence number (integers above it are not exact in a float64). */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** `decodeFrame` result: the bytes end before the frame does (a torn tail, or wait for more). */
export const FRAME_INCOMPLETE = 0;
/** `decodeFrame` result: the bytes at this offset are not a valid frame (`out.error` says why). */
export const FRAME_BAD = -1;

const TWO32 = 4294967296;
const OP_MIN = 1;
const OP_MAX = 4;

/** A decoded frame. One object is reused for every frame; `key` and `value` are views into the input. */
export interface DecodedFrame {
  seq: number;
  shard: number;
  op: MutationOp;
  type: ValueType;
  expireAt: number;
  key: Uint8Array;
  value: Uint8Array;
  /** Total frame bytes. */
  length: number;
  /** Why the last decode returned FRAME_BAD. */
  error: string;
}

const EMPTY = new Uint8Array(0);

export function newDecodedFrame(): DecodedFrame {
  return { seq: 0, shard: 0, op: 1, type: 0, expireAt: 0, key: EMPTY, value: EMPTY, length: 0, error: "" };
}

/** Bytes a frame for this key and value occupies. */
export function frameSize(keyLength: number, valueLength: number): number {
  return FRAME_HEADER_BYTES + keyLength + valueLength;
}

export function writeU32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}

export function readU32(buf: Uint8Array, off: number): number {
  return (buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16) | (buf[off + 3]! << 24)) >>> 0;
}

/** Writes a non-negative integer < 2^53 as low u32 then high u32. */
export function writeU53(buf: Uint8Array, off: number, v: number): void {
  writeU32(buf, off, v >>> 0);
  writeU32(buf, off + 4, Math.floor(v / TWO32));
}

export function readU53(buf: Uint8Array, off: number): number {
  return readU32(buf, off) + readU32(buf, off + 4) * TWO32;
}

/**
 * Encodes one frame for `m` at `buf[off]` and returns the offset after it. The caller makes room
 * first (`frameSize(m.key.length, m.value.length)` bytes). Delete, expire and clear frames carry
 * no value; clear carries no key either.
 */
export function encodeFrame(buf: Uint8Array, off: number, m: MutationRecord, seq: number, shard: number): number {
  const op = m.op;
  const key = op === 4 ? EMPTY : m.key;
  const value = op === 1 ? m.value : EMPTY;
  const klen = key.length;
  const vlen = value.length;
  const len = FRAME_HEADER_BYTES + klen + vlen;
  writeU32(buf, off, FRAME_MAGIC);
  writeU32(buf, off + 8, len);
  writeU53(buf, off + 12, seq);
  buf[off + 20] = shard & 0xff;
  buf[off + 21] = (shard >>> 8) & 0xff;
  buf[off + 22] = op;
  buf[off + 23] = m.type;
  const exp = m.expireAt > 0 ? Math.trunc(m.expireAt) : 0;
  writeU53(buf, off + 24, exp);
  writeU32(buf, off + 32, klen);
  writeU32(buf, off + 36, vlen);
  buf.set(key, off + FRAME_HEADER_BYTES);
  buf.set(value, off + FRAME_HEADER_BYTES + klen);
  writeU32(buf, off + 4, Bun.hash.crc32(buf.subarray(off + 8, off + len)));
  return off + len;
}

/**
 * Decodes the frame at `buf[off]`, looking no further than `end`. Returns the frame length (> 0)
 * and fills `out`; `FRAME_INCOMPLETE` when fewer bytes than the frame are available; `FRAME_BAD`
 * with `out.error` set when the bytes are not a valid frame (magic, length or CRC mismatch).
 */
export function decodeFrame(buf: Uint8Array, off: number, end: number, out: DecodedFrame): number {
  const avail = end - off;
  if (avail < 4) return FRAME_INCOMPLETE;
  if (readU32(buf, off) !== FRAME_MAGIC) {
    out.error = "bad magic";
    return FRAME_BAD;
  }
  if (avail < FRAME_HEADER_BYTES) return FRAME_INCOMPLETE;
  const len = readU32(buf, off + 8);
  const klen = readU32(buf, off + 32);
  const vlen = readU32(buf, off + 36);
  if (len > MAX_FRAME_BYTES || len !== FRAME_HEADER_BYTES + klen + vlen) {
    out.error = "bad frame length";
    return FRAME_BAD;
  }
  if (avail < len) return FRAME_INCOMPLETE;
  if (Bun.hash.crc32(buf.subarray(off + 8, off + len)) !== readU32(buf, off + 4)) {
    out.error = "CRC mismatch";
    return FRAME_BAD;
  }
  const op = buf[off + 22]!;
  if (op < OP_MIN || op > OP_MAX) {
    out.error = "bad op code";
    return FRAME_BAD;
  }
  out.seq = readU53(buf, off + 12);
  out.shard = buf[off + 20]! | (buf[off + 21]! << 8);
  out.op = op as MutationOp;
  out.type = buf[off + 23]! as ValueType;
  out.expireAt = readU53(buf, off + 24);
  const kOff = off + FRAME_HEADER_BYTES;
  out.key = buf.subarray(kOff, kOff + klen);
  out.value = buf.subarray(kOff + klen, kOff + klen + vlen);
  out.length = len;
  return len;
}

/**
 * Offset of the first valid frame starting after `from` (exclusive), or -1. Used to tell a torn
 * tail (nothing valid follows) from corruption in the middle (a valid frame follows).
 */
export function findNextValidFrame(buf: Uint8Array, from: number, end: number, out: DecodedFrame): number {
  for (let i = from + 1; i + FRAME_HEADER_BYTES <= end; i++) {
    if (buf[i] !== 0x46 || buf[i + 1] !== 0x43 || buf[i + 2] !== 0x57 || buf[i + 3] !== 0x33) continue;
    if (decodeFrame(buf, i, end, out) > 0) return i;
  }
  return -1;
}
