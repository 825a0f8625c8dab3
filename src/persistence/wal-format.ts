// WAL frame layout (docs/WAL.md is the reference). One frame per mutation:
//
//   off  size  field
//    0    4    magic "FCW4" (bytes 46 43 57 34; the last byte is the format version, ASCII '4')
//    4    4    crc32 (Bun.hash.crc32, CRC-32/ISO-HDLC, little-endian) of bytes [8, end of frame)
//    8    v    bodyLen: bytes after this field to the end of the frame
//    .    v    seq      } sequence number, an integer < 2^53, strictly increasing by 1
//    .    v    shard id
//    .    1    op (MutationOp: 1 set, 2 delete, 3 expire, 4 clear, 5 delta, 6 swapdb)
//              | 8 when a database number follows | value type (ValueType) << 4
//    .    v    db: the database (SELECT index); present only when bit 3 of op is set, else 0
//    .    v    expireAt: absolute expiry in Unix ms, 0 = none (swapdb: the other database)
//    .    v    keyLen
//    .    .    key bytes, then value bytes (valueLen is what is left of the body)
//
// "v" is an unsigned LEB128 varint (7 bits a byte, low first; at most 8 bytes for 2^53). A SET of a
// 16-byte key and a 32-byte value is a 64-byte frame (Redis's AOF spends 75 on it). The magic keeps
// four bytes so a damaged file can be resynchronized on it and the export stream can tell frames
// from its text lines and from FCW2 frames by their first four bytes.
//
// Encoding writes straight into the caller's buffer; decoding fills a caller-owned object, so
// neither allocates beyond the two subarray views of key and value. The same decoder reads WAL
// segment files and the TCP export stream, where `FRAME_INCOMPLETE` means "wait for more".
import type { MutationOp, MutationRecord, ValueType } from "../engine/types.ts";

/** "FCW4" read as a little-endian u32. */
export const FRAME_MAGIC = 0x34574346;
export const FRAME_VERSION = 4;
/** The smallest frame: magic, crc, and a body of seq, shard, op, expiry and key length. */
export const FRAME_MIN_BYTES = 14;
/** Most header bytes a frame can have (every varint at its longest). */
export const FRAME_MAX_HEADER_BYTES = 4 + 4 + 5 + 8 + 3 + 1 + 3 + 8 + 5;
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
const OP_MAX = 6;
/** Bit of the op byte: a database number follows it. */
const OP_HAS_DB = 8;

/** A decoded frame. One object is reused for every frame; `key` and `value` are views into the input. */
export interface DecodedFrame {
  seq: number;
  shard: number;
  op: MutationOp;
  /** The database (0 when the frame names none). */
  db: number;
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
  return { seq: 0, shard: 0, op: 1, db: 0, type: 0, expireAt: 0, key: EMPTY, value: EMPTY, length: 0, error: "" };
}

/** Bytes to reserve for a frame of this key and value (an upper bound; frames are varint-sized). */
export function frameSize(keyLength: number, valueLength: number): number {
  return FRAME_MAX_HEADER_BYTES + keyLength + valueLength;
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

/** Bytes of `v` as a varint. */
export function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes `v` (an integer in [0, 2^53)) as a varint at `p`; returns the offset after it. */
export function writeVarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 128) {
    buf[p++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  buf[p++] = v;
  return p;
}

/** Where the last readVarint stopped (module state, so reading allocates nothing). */
let varintEnd = 0;

/** Reads a varint at `p` looking no further than `end`: its value, or -1 if cut short or too long. */
function readVarint(buf: Uint8Array, p: number, end: number, maxBytes: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < maxBytes; i++) {
    if (p + i >= end) return -1;
    const b = buf[p + i]!;
    v += (b & 127) * mul;
    if (b < 128) {
      varintEnd = p + i + 1;
      return v;
    }
    mul *= 128;
  }
  return -2;
}

/**
 * Encodes one frame for `m` at `buf[off]` and returns the offset after it. The caller makes room
 * first (`frameSize(m.key.length, m.value.length)` bytes, an upper bound). Delete, expire and clear
 * frames carry no value; clear carries no key either.
 */
export function encodeFrame(buf: Uint8Array, off: number, m: MutationRecord, seq: number, shard: number): number {
  const op = m.op;
  const key = op === 4 || op === 6 ? EMPTY : m.key;
  const value = op === 1 || op === 5 ? m.value : EMPTY; // Set and Delta carry bytes
  const klen = key.length;
  const exp = m.expireAt > 0 ? Math.trunc(m.expireAt) : 0;
  const db = m.db ?? 0;
  const body = varintSize(seq) + varintSize(shard) + 1 + (db !== 0 ? varintSize(db) : 0) + varintSize(exp) + varintSize(klen) + klen + value.length;
  writeU32(buf, off, FRAME_MAGIC);
  let p = writeVarint(buf, off + 8, body);
  p = writeVarint(buf, p, seq);
  p = writeVarint(buf, p, shard);
  if (db !== 0) {
    buf[p++] = op | OP_HAS_DB | (m.type << 4);
    p = writeVarint(buf, p, db);
  } else buf[p++] = op | (m.type << 4);
  p = writeVarint(buf, p, exp);
  p = writeVarint(buf, p, klen);
  if (klen < 64) for (let i = 0; i < klen; i++) buf[p + i] = key[i]!;
  else buf.set(key, p);
  p += klen;
  if (value.length < 64) for (let i = 0; i < value.length; i++) buf[p + i] = value[i]!;
  else buf.set(value, p);
  p += value.length;
  writeU32(buf, off + 4, Bun.hash.crc32(buf.subarray(off + 8, p)));
  return p;
}

/**
 * Total length of the frame at `buf[off]` from its header alone (no CRC check): > 0, or
 * FRAME_INCOMPLETE when the header is cut short, or FRAME_BAD (bad magic or length).
 */
export function frameLengthAt(buf: Uint8Array, off: number, end: number): number {
  if (end - off < 9) return end - off >= 4 && readU32(buf, off) !== FRAME_MAGIC ? FRAME_BAD : FRAME_INCOMPLETE;
  if (readU32(buf, off) !== FRAME_MAGIC) return FRAME_BAD;
  const body = readVarint(buf, off + 8, end, 5);
  if (body === -1) return FRAME_INCOMPLETE;
  if (body < 0 || body < FRAME_MIN_BYTES - 9) return FRAME_BAD;
  const len = varintEnd - off + body;
  return len > MAX_FRAME_BYTES ? FRAME_BAD : len;
}

/** Sequence number of the (already length-checked) frame at `buf[off]`. */
export function frameSeqAt(buf: Uint8Array, off: number): number {
  readVarint(buf, off + 8, buf.length, 5);
  return readVarint(buf, varintEnd, buf.length, 8);
}

/**
 * Decodes the frame at `buf[off]`, looking no further than `end`. Returns the frame length (> 0)
 * and fills `out`; `FRAME_INCOMPLETE` when fewer bytes than the frame are available; `FRAME_BAD`
 * with `out.error` set when the bytes are not a valid frame (magic, length, CRC or field mismatch).
 */
export function decodeFrame(buf: Uint8Array, off: number, end: number, out: DecodedFrame): number {
  const len = frameLengthAt(buf, off, end);
  if (len === FRAME_INCOMPLETE) return FRAME_INCOMPLETE;
  if (len === FRAME_BAD) {
    out.error = end - off >= 4 && readU32(buf, off) !== FRAME_MAGIC ? "bad magic" : "bad frame length";
    return FRAME_BAD;
  }
  if (end - off < len) return FRAME_INCOMPLETE;
  const fend = off + len;
  if (Bun.hash.crc32(buf.subarray(off + 8, fend)) !== readU32(buf, off + 4)) {
    out.error = "CRC mismatch";
    return FRAME_BAD;
  }
  readVarint(buf, off + 8, fend, 5);
  const seq = readVarint(buf, varintEnd, fend, 8);
  const shard = seq < 0 ? -1 : readVarint(buf, varintEnd, fend, 3);
  if (seq < 0 || shard < 0 || shard > 0xffff || varintEnd >= fend) {
    out.error = "bad frame fields";
    return FRAME_BAD;
  }
  const opType = buf[varintEnd]!;
  const db = opType & OP_HAS_DB ? readVarint(buf, varintEnd + 1, fend, 3) : 0;
  if (db < 0 || db > 0xffff) {
    out.error = "bad frame fields";
    return FRAME_BAD;
  }
  const expireAt = readVarint(buf, opType & OP_HAS_DB ? varintEnd : varintEnd + 1, fend, 8);
  const klen = expireAt < 0 ? -1 : readVarint(buf, varintEnd, fend, 5);
  const kOff = varintEnd;
  if (klen < 0 || kOff + klen > fend) {
    out.error = "bad frame fields";
    return FRAME_BAD;
  }
  const op = opType & 7;
  if (op < OP_MIN || op > OP_MAX) {
    out.error = "bad op code";
    return FRAME_BAD;
  }
  out.seq = seq;
  out.shard = shard;
  out.op = op as MutationOp;
  out.db = db;
  out.type = (opType >>> 4) as ValueType;
  out.expireAt = expireAt;
  out.key = buf.subarray(kOff, kOff + klen);
  out.value = buf.subarray(kOff + klen, fend);
  out.length = len;
  return len;
}

/**
 * Offset of the first valid frame starting after `from` (exclusive), or -1. Used to tell a torn
 * tail (nothing valid follows) from corruption in the middle (a valid frame follows).
 */
export function findNextValidFrame(buf: Uint8Array, from: number, end: number, out: DecodedFrame): number {
  for (let i = from + 1; i + FRAME_MIN_BYTES <= end; i++) {
    if (buf[i] !== 0x46 || buf[i + 1] !== 0x43 || buf[i + 2] !== 0x57 || buf[i + 3] !== 0x34) continue;
    if (decodeFrame(buf, i, end, out) > 0) return i;
  }
  return -1;
}
