// Snapshot file layout (docs/WAL.md is the reference), little-endian:
//
//   header (48 bytes)
//     0 4 magic "FCS1" (46 43 53 31; last byte = version, ASCII '1')
//     4 4 header length (48)          8 4 flags (bit 0: chunks are zstd-compressed)
//    12 4 shard id                    16 8 seq covered (u53: low u32, high u32)
//    24 8 created at, Unix ms (u53)   32 8 entry count (u53)
//    40 4 chunk count                 44 4 crc32 of bytes [0, 44)
//   chunks, each: a 24-byte chunk header then `storedLen` bytes
//     0 4 magic "FCSC"  4 4 rawLen  8 4 storedLen  12 4 entries  16 4 crc32(stored)  20 4 crc32(bytes [0,20))
//   trailer: a chunk header with magic "FCSE", rawLen 0, storedLen 0, entries = chunk count
//   the file ends right after the trailer.
//
// Entries inside a chunk's raw bytes: u8 type, u53 expireAt (8 bytes, 0 = none), u32 keyLen,
// u32 valueLen, key, value. An entry of a database other than 0 sets bit 7 of the type byte and
// puts the database as a u16 right after it (the other fields follow, 2 bytes later).
import type { ValueType } from "../engine/types.ts";
import { readU32, readU53, writeU32, writeU53 } from "./wal-format.ts";

export const SNAP_MAGIC = 0x31534346; // "FCS1"
export const CHUNK_MAGIC = 0x43534346; // "FCSC"
export const TRAILER_MAGIC = 0x45534346; // "FCSE"
export const SNAP_HEADER_BYTES = 48;
export const CHUNK_HEADER_BYTES = 24;
export const ENTRY_HEADER_BYTES = 17;
export const FLAG_ZSTD = 1;
/** Bit of an entry's type byte: a u16 database number follows it. */
export const ENTRY_HAS_DB = 0x80;
/** Extra header bytes of an entry that names its database. */
export const ENTRY_DB_BYTES = 2;

export interface SnapshotHeader {
  flags: number;
  shard: number;
  seq: number;
  createdAt: number;
  entries: number;
  chunks: number;
}

export function encodeSnapshotHeader(buf: Uint8Array, h: SnapshotHeader): void {
  writeU32(buf, 0, SNAP_MAGIC);
  writeU32(buf, 4, SNAP_HEADER_BYTES);
  writeU32(buf, 8, h.flags);
  writeU32(buf, 12, h.shard);
  writeU53(buf, 16, h.seq);
  writeU53(buf, 24, h.createdAt);
  writeU53(buf, 32, h.entries);
  writeU32(buf, 40, h.chunks);
  writeU32(buf, 44, Bun.hash.crc32(buf.subarray(0, 44)));
}

export function encodeChunkHeader(buf: Uint8Array, magic: number, rawLen: number, stored: Uint8Array | undefined, entries: number): void {
  writeU32(buf, 0, magic);
  writeU32(buf, 4, rawLen);
  writeU32(buf, 8, stored ? stored.length : 0);
  writeU32(buf, 12, entries);
  writeU32(buf, 16, stored ? Bun.hash.crc32(stored) : 0);
  writeU32(buf, 20, Bun.hash.crc32(buf.subarray(0, 20)));
}

/** Thrown when a snapshot file is not valid; the message names the problem and the offset. */
export class SnapshotFormatError extends Error {}

interface ChunkRef {
  off: number;
  rawLen: number;
  storedLen: number;
  entries: number;
}

/** Checks the whole file (header, every chunk CRC, trailer, counts) and returns its header. */
export function validateSnapshot(bytes: Uint8Array): { header: SnapshotHeader; chunks: ChunkRef[] } {
  const fail = (msg: string, off: number): never => {
    throw new SnapshotFormatError(`${msg} at offset ${off}`);
  };
  if (bytes.length < SNAP_HEADER_BYTES) fail("file too short for a header", 0);
  if (readU32(bytes, 0) !== SNAP_MAGIC) fail("bad magic", 0);
  if (Bun.hash.crc32(bytes.subarray(0, 44)) !== readU32(bytes, 44)) fail("header CRC mismatch", 0);
  const header: SnapshotHeader = {
    flags: readU32(bytes, 8),
    shard: readU32(bytes, 12),
    seq: readU53(bytes, 16),
    createdAt: readU53(bytes, 24),
    entries: readU53(bytes, 32),
    chunks: readU32(bytes, 40),
  };
  const chunks: ChunkRef[] = [];
  let off = readU32(bytes, 4);
  let total = 0;
  for (;;) {
    if (off + CHUNK_HEADER_BYTES > bytes.length) fail("truncated (no trailer)", off);
    if (Bun.hash.crc32(bytes.subarray(off, off + 20)) !== readU32(bytes, off + 20)) fail("chunk header CRC mismatch", off);
    const magic = readU32(bytes, off);
    if (magic === TRAILER_MAGIC) {
      if (readU32(bytes, off + 12) !== chunks.length || chunks.length !== header.chunks) fail("chunk count mismatch", off);
      if (total !== header.entries) fail("entry count mismatch", off);
      if (off + CHUNK_HEADER_BYTES !== bytes.length) fail("bytes after the trailer", off + CHUNK_HEADER_BYTES);
      return { header, chunks };
    }
    if (magic !== CHUNK_MAGIC) fail("bad chunk magic", off);
    const storedLen = readU32(bytes, off + 8);
    const start = off + CHUNK_HEADER_BYTES;
    if (start + storedLen > bytes.length) fail("truncated chunk", off);
    if (Bun.hash.crc32(bytes.subarray(start, start + storedLen)) !== readU32(bytes, off + 16)) fail("chunk CRC mismatch", off);
    const entries = readU32(bytes, off + 12);
    chunks.push({ off, rawLen: readU32(bytes, off + 4), storedLen, entries });
    total += entries;
    off = start + storedLen;
  }
}

/** Receives one snapshot entry; the views are valid only during the call. */
export type SnapshotVisitor = (type: ValueType, expireAt: number, key: Uint8Array, value: Uint8Array, db: number) => void;

/** Decodes the entries of one validated chunk. Throws SnapshotFormatError if they do not add up. */
export function readChunk(bytes: Uint8Array, flags: number, chunk: ChunkRef, visit: SnapshotVisitor): void {
  const start = chunk.off + CHUNK_HEADER_BYTES;
  const stored = bytes.subarray(start, start + chunk.storedLen);
  const raw = flags & FLAG_ZSTD ? Bun.zstdDecompressSync(stored) : stored;
  if (raw.length !== chunk.rawLen) throw new SnapshotFormatError(`chunk size mismatch at offset ${chunk.off}`);
  let p = 0;
  for (let i = 0; i < chunk.entries; i++) {
    if (p + ENTRY_HEADER_BYTES > raw.length) throw new SnapshotFormatError(`entry overruns chunk at offset ${chunk.off}`);
    let db = 0;
    const typeByte = raw[p]!;
    if (typeByte & ENTRY_HAS_DB) {
      if (p + ENTRY_HEADER_BYTES + ENTRY_DB_BYTES > raw.length) throw new SnapshotFormatError(`entry overruns chunk at offset ${chunk.off}`);
      db = raw[p + 1]! | (raw[p + 2]! << 8);
      p += ENTRY_DB_BYTES; // the fields after the type byte start 2 bytes later
    }
    const type = (typeByte & ~ENTRY_HAS_DB) as ValueType;
    const exp = readU53(raw, p + 1);
    const klen = readU32(raw, p + 9);
    const vlen = readU32(raw, p + 13);
    const k = p + ENTRY_HEADER_BYTES;
    if (k + klen + vlen > raw.length) throw new SnapshotFormatError(`entry overruns chunk at offset ${chunk.off}`);
    visit(type, exp, raw.subarray(k, k + klen), raw.subarray(k + klen, k + klen + vlen), db);
    p = k + klen + vlen;
  }
  if (p !== raw.length) throw new SnapshotFormatError(`chunk has trailing bytes at offset ${chunk.off}`);
}
