// Writes a snapshot of a keyspace, streamed in slices so a BGSAVE of a large keyspace never holds
// the event loop for more than a few ms: each slice walks the keyspace with `scan`, encodes
// entries into a chunk, zstd-compresses it and writes it. The file is written under a temp name,
// fsynced, renamed and the directory fsynced, so a crash leaves either the old or the new file.
//
// Consistency while the keyspace changes during the walk (docs/WAL.md, "Why a BGSAVE is
// consistent"): the snapshot records the last sequence number S assigned before the walk starts;
// recovery loads it and then replays every WAL frame with seq > S. Frames carry absolute state
// (set with absolute expiry, delete, expire at, clear), so whatever newer value the walk saw for a
// key, replaying that key's frames after S ends in the key's final state.
import * as fs from "node:fs";
import { join } from "node:path";
import type { Milliseconds, ValueType } from "../engine/types.ts";
import { fsyncDir, snapshotName } from "./io.ts";
import {
  CHUNK_HEADER_BYTES, CHUNK_MAGIC, ENTRY_DB_BYTES, ENTRY_HAS_DB, ENTRY_HEADER_BYTES, FLAG_ZSTD, SNAP_HEADER_BYTES, TRAILER_MAGIC,
  encodeChunkHeader, encodeSnapshotHeader,
} from "./snapshot-format.ts";
import { writeU32, writeU53 } from "./wal-format.ts";

/** What a snapshot needs from a keyspace (the `Keyspace` class satisfies it). */
export interface SnapshotSource {
  scan(cursor: number, count: number, visit: (slot: number) => void): number;
  keyView(slot: number): Uint8Array;
  /** The value in its type's packed format (strings: the bytes). */
  serializedValue(slot: number): Uint8Array;
  typeOf(slot: number): ValueType;
  expireAt(slot: number): Milliseconds;
  /** The database of the entries being visited (a Keyspace's own number; see keyspace-set.ts). */
  readonly db: number;
}

export interface SnapshotOptions {
  dir: string;
  /** @default 0 */
  shard?: number;
  /** Last sequence number whose effect the keyspace already holds. */
  seq: number;
  /** zstd-compress each chunk. @default true */
  compress?: boolean;
  /** zstd level. @default 1 */
  level?: number;
  /** Clock for skipping expired entries. @default Date.now */
  now?: () => Milliseconds;
  /** A slice ends after this many entries. @default 10000 */
  sliceEntries?: number;
  /** A slice ends after this many raw bytes. @default 256 KiB */
  sliceBytes?: number;
  /** A slice stops walking after this many ms (compressing and writing the chunk follow). @default 2 */
  sliceMs?: number;
}

export interface SnapshotResult {
  path: string;
  seq: number;
  keys: number;
  /** File size. */
  bytes: number;
  rawBytes: number;
  ms: number;
}

const SCAN_BATCH = 128;

export class SnapshotWriter {
  readonly path: string;
  readonly tmpPath: string;
  private readonly src: SnapshotSource;
  private readonly opts: Required<SnapshotOptions>;
  private fd: number;
  private pos = SNAP_HEADER_BYTES;
  private raw = new Uint8Array(1024 * 1024);
  private rawLen = 0;
  private chunkEntries = 0;
  private chunks = 0;
  private keys = 0;
  private rawBytes = 0;
  private cursor = 0;
  private started = false;
  private sealed = false;
  private finished = false;
  private aborted = false;
  private committing = false;
  private now = 0;
  private readonly t0 = performance.now();
  private readonly chunkHeader = new Uint8Array(CHUNK_HEADER_BYTES);

  constructor(src: SnapshotSource, opts: SnapshotOptions) {
    this.src = src;
    this.opts = {
      shard: 0, compress: true, level: 1, now: Date.now, sliceEntries: 10_000, sliceBytes: 256 * 1024, sliceMs: 2,
      ...opts,
    };
    this.path = join(opts.dir, snapshotName(this.opts.shard, opts.seq));
    this.tmpPath = `${this.path}.tmp`;
    this.fd = fs.openSync(this.tmpPath, "w");
    fs.writeSync(this.fd, new Uint8Array(SNAP_HEADER_BYTES)); // the real header is written last
  }

  private readonly visit = (slot: number): void => {
    const src = this.src;
    const exp = src.expireAt(slot);
    if (exp !== 0 && exp <= this.now) return;
    const key = src.keyView(slot);
    const value = src.serializedValue(slot);
    const db = src.db;
    const need = ENTRY_HEADER_BYTES + (db !== 0 ? ENTRY_DB_BYTES : 0) + key.length + value.length;
    if (this.rawLen + need > this.raw.length) {
      const next = new Uint8Array(Math.max(this.rawLen + need, this.raw.length * 2));
      next.set(this.raw.subarray(0, this.rawLen));
      this.raw = next;
    }
    let p = this.rawLen;
    if (db !== 0) {
      this.raw[p] = src.typeOf(slot) | ENTRY_HAS_DB;
      this.raw[p + 1] = db & 0xff;
      this.raw[p + 2] = db >>> 8;
      p += ENTRY_DB_BYTES;
    } else this.raw[p] = src.typeOf(slot);
    writeU53(this.raw, p + 1, exp);
    writeU32(this.raw, p + 9, key.length);
    writeU32(this.raw, p + 13, value.length);
    this.raw.set(key, p + ENTRY_HEADER_BYTES);
    this.raw.set(value, p + ENTRY_HEADER_BYTES + key.length);
    this.rawLen = this.rawLen + need;
    this.chunkEntries++;
  };

  /** Walks and writes one slice; returns true once every entry is written (then commit it). */
  step(): boolean {
    if (this.sealed) return true;
    const { sliceEntries, sliceBytes, sliceMs } = this.opts;
    const deadline = performance.now() + sliceMs;
    this.now = this.opts.now();
    let done = false;
    while (this.chunkEntries < sliceEntries && this.rawLen < sliceBytes) {
      this.cursor = this.src.scan(this.cursor, SCAN_BATCH, this.visit);
      this.started = true;
      if (this.cursor === 0) {
        done = true;
        break;
      }
      if (performance.now() > deadline) break;
    }
    this.writeChunk();
    if (done && this.started) this.seal();
    return this.sealed;
  }

  private writeChunk(): void {
    if (this.chunkEntries === 0) return;
    const raw = this.raw.subarray(0, this.rawLen);
    const stored = this.opts.compress ? Bun.zstdCompressSync(raw, { level: this.opts.level }) : raw;
    encodeChunkHeader(this.chunkHeader, CHUNK_MAGIC, raw.length, stored, this.chunkEntries);
    this.writeAll(this.chunkHeader);
    this.writeAll(stored);
    this.keys += this.chunkEntries;
    this.rawBytes += raw.length;
    this.chunks++;
    this.rawLen = 0;
    this.chunkEntries = 0;
  }

  private writeAll(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) {
      const n = fs.writeSync(this.fd, b, off, b.length - off, this.pos);
      off += n;
      this.pos += n;
    }
  }

  /** Writes the trailer and the real header. */
  private seal(): void {
    encodeChunkHeader(this.chunkHeader, TRAILER_MAGIC, 0, undefined, this.chunks);
    this.writeAll(this.chunkHeader);
    const header = new Uint8Array(SNAP_HEADER_BYTES);
    encodeSnapshotHeader(header, {
      flags: this.opts.compress ? FLAG_ZSTD : 0, shard: this.opts.shard, seq: this.opts.seq,
      createdAt: Date.now(), entries: this.keys, chunks: this.chunks,
    });
    fs.writeSync(this.fd, header, 0, header.length, 0);
    this.sealed = true;
  }

  /** fsync, rename into place, fsync the directory: blocking. */
  private commitSync(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
    fs.renameSync(this.tmpPath, this.path);
    fsyncDir(this.opts.dir);
    this.finished = true;
  }

  /** The same with both fsyncs on the thread pool, so the event loop keeps running. */
  private commitAsync(done: (err: Error | null) => void): void {
    this.committing = true;
    fs.fsync(this.fd, (err) => {
      this.committing = false;
      if (this.aborted || err) {
        fs.closeSync(this.fd);
        this.fd = -1;
        fs.rmSync(this.tmpPath, { force: true });
        return done(err ?? new Error("snapshot aborted"));
      }
      try {
        fs.closeSync(this.fd);
        this.fd = -1;
        fs.renameSync(this.tmpPath, this.path);
      } catch (e) {
        return done(e as Error);
      }
      const dirFd = fs.openSync(this.opts.dir, "r");
      fs.fsync(dirFd, (e2) => {
        fs.closeSync(dirFd);
        this.finished = true;
        done(e2);
      });
    });
  }

  result(): SnapshotResult {
    return {
      path: this.path, seq: this.opts.seq, keys: this.keys, bytes: this.pos, rawBytes: this.rawBytes,
      ms: performance.now() - this.t0,
    };
  }

  /** Stops and removes the temp file (a snapshot already renamed into place stays). */
  abort(): void {
    if (this.finished || this.aborted) return;
    this.aborted = true;
    if (this.committing) return; // the fsync callback closes and removes the file
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    fs.rmSync(this.tmpPath, { force: true });
  }

  /** Writes the whole snapshot now (SAVE). */
  runSync(): SnapshotResult {
    try {
      while (!this.step());
      this.commitSync();
    } catch (e) {
      this.abort();
      throw e;
    }
    return this.result();
  }

  /** Writes one slice per setImmediate, then syncs off the event loop (BGSAVE). */
  runAsync(): Promise<SnapshotResult> {
    return new Promise((resolve, reject) => {
      const fail = (e: unknown): void => {
        this.abort();
        reject(e);
      };
      const tick = (): void => {
        if (this.aborted) return fail(new Error("snapshot aborted"));
        try {
          if (!this.step()) return void setImmediate(tick);
        } catch (e) {
          return fail(e);
        }
        this.commitAsync((err) => (err ? fail(err) : resolve(this.result())));
      };
      setImmediate(tick);
    });
  }
}
