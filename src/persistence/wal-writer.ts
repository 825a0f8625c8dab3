// Group commit of WAL frames. Frames appended during one event-loop turn are copied into one
// buffer and written with one write() from a setImmediate; the fsync policy then decides when the
// group is durable. Write and sync errors put the writer in an error state (`writable` false,
// `lastError` set) that the server maps to MISCONF replies; the frames are kept and retried, and
// the state clears itself when a write (and, under `always`, a sync) succeeds again.
import * as fs from "node:fs";
import { join } from "node:path";
import type { MutationRecord } from "../engine/types.ts";
import { encodeFrame, frameSize } from "./wal-format.ts";
import { errorReason, fsyncDir, nodeIo, segmentName, type WalIo } from "./io.ts";

/**
 * When appended frames become durable.
 * - `always`: after each group's write(), an fdatasync runs on the thread pool; `onDurable`
 *   callbacks of that group run when it completes (group commit).
 * - `everysec`: an fdatasync every `fsyncIntervalMs` if anything was written since the last one.
 * - `no`: never synced by us (the kernel writes back when it likes).
 */
export type FsyncPolicy = "always" | "everysec" | "no";

export interface WalSegment {
  path: string;
  firstSeq: number;
}

export interface WalWriterOptions {
  /** Directory of the segment files. */
  dir: string;
  /** Shard id written into every frame and into file names. @default 0 */
  shard?: number;
  /** @default "everysec" */
  fsync?: FsyncPolicy;
  /** Interval of the `everysec` policy, in ms. @default 1000 */
  fsyncIntervalMs?: number;
  /** A segment is closed and a new one started once it holds this many bytes. @default 64 MiB */
  segmentBytes?: number;
  /** Sequence number of the next frame (recovery's last seq + 1). */
  nextSeq: number;
  /** Existing segments, oldest first (from recovery). */
  segments?: WalSegment[];
  /** Continue appending to the last of `segments` instead of starting a new one. @default false */
  appendToLast?: boolean;
  /** Delay between retries after an I/O error, in ms. @default 100 */
  retryMs?: number;
  /** File operations; tests inject failures here. @default node:fs */
  io?: Partial<WalIo>;
  /** Receives each group's new frame bytes before they are written (the export stream). The view is valid only during the call. */
  onGroup?: (frames: Uint8Array) => void;
}

export type DurableCallback = (err?: Error) => void;

export interface WalWriterStats {
  framesWritten: number;
  bytesWritten: number;
  fsyncCount: number;
  fsyncTimeMs: number;
  /** Ms since the oldest written-but-unsynced group (0 when all is synced). */
  fsyncLagMs: number;
  segmentBytes: number;
  segments: number;
  pendingBytes: number;
}

const MIB = 1024 * 1024;

export class WalWriter {
  readonly dir: string;
  readonly shard: number;
  readonly policy: FsyncPolicy;
  readonly segments: WalSegment[];
  private readonly io: WalIo;
  private readonly segmentBytes: number;
  private readonly retryMs: number;
  private readonly onGroup: ((frames: Uint8Array) => void) | undefined;
  private fd = -1;
  private segSize = 0;
  private syncedSize = 0;
  private buf = new Uint8Array(256 * 1024);
  private len = 0;
  private exported = 0;
  /** Under `always`: a copy of the bytes written since the last good sync, rewritten if a sync fails. */
  private ubuf = new Uint8Array(0);
  private ulen = 0;
  private appendedSeq: number;
  private writtenSeq: number;
  private syncedSeq: number;
  private partial = false;
  private needRewrite = false;
  private syncInFlight = false;
  private syncIdle: (() => void) | undefined;
  private scheduled = false;
  private closed = false;
  private writeError: string | undefined;
  private syncError: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly syncTimer: ReturnType<typeof setInterval> | undefined;
  private waitSeqs: number[] = [];
  private waitCbs: DurableCallback[] = [];
  private firstUnsyncedAt = 0;
  framesWritten = 0;
  bytesWritten = 0;
  fsyncCount = 0;
  fsyncTimeMs = 0;

  constructor(opts: WalWriterOptions) {
    this.dir = opts.dir;
    this.shard = opts.shard ?? 0;
    this.policy = opts.fsync ?? "everysec";
    this.segmentBytes = opts.segmentBytes ?? 64 * MIB;
    this.retryMs = opts.retryMs ?? 100;
    this.io = { ...nodeIo, ...opts.io };
    this.onGroup = opts.onGroup;
    this.segments = [...(opts.segments ?? [])];
    this.appendedSeq = this.writtenSeq = this.syncedSeq = opts.nextSeq - 1;
    const last = this.segments[this.segments.length - 1];
    if (opts.appendToLast && last) {
      this.fd = this.io.openSync(last.path, "a");
      this.segSize = this.syncedSize = fs.fstatSync(this.fd).size;
    } else {
      this.openSegment(opts.nextSeq);
    }
    if (this.policy === "everysec") {
      const ms = opts.fsyncIntervalMs ?? 1000;
      this.syncTimer = setInterval(() => this.startSync(), ms);
      this.syncTimer.unref();
    }
  }

  /** False while the last write or sync failed; write commands should be refused (MISCONF). */
  get writable(): boolean {
    return this.writeError === undefined && this.syncError === undefined;
  }

  /** The reason of the current error (strerror text), undefined when writable. */
  get lastError(): string | undefined {
    return this.writeError ?? this.syncError;
  }

  /** Sequence number of the last appended frame. */
  get lastSeq(): number {
    return this.appendedSeq;
  }

  /** Copies a frame for `m` with sequence number `seq` into this turn's group. */
  append(m: MutationRecord, seq: number): void {
    const need = frameSize(m.op === 4 ? 0 : m.key.length, m.op === 1 || m.op === 5 ? m.value.length : 0);
    if (this.len + need > this.buf.length) this.grow(this.len + need);
    this.len = encodeFrame(this.buf, this.len, m, seq, this.shard);
    this.appendedSeq = seq;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushTick);
    }
  }

  /**
   * Calls `cb` once every frame appended so far is durable under the policy (synced for
   * `always`, written for the others): at once when it already is. `cb` gets an Error only when
   * the writer closes with those frames still unwritten.
   */
  onDurable(cb: DurableCallback): void {
    const target = this.appendedSeq;
    if (target <= this.durableSeq()) return cb();
    this.waitSeqs.push(target);
    this.waitCbs.push(cb);
  }

  /** Promise form of `onDurable`. */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => this.onDurable((err) => (err ? reject(err) : resolve())));
  }

  private readonly flushTick = (): void => {
    this.scheduled = false;
    this.flush();
  };

  /** Writes the pending group now (normally done by the setImmediate of the turn). */
  flush(): void {
    if (this.closed && this.fd < 0) return;
    if (this.needRewrite && !this.rewriteUnsynced()) return;
    if (this.len === 0) return;
    if (this.onGroup && this.exported < this.len) this.onGroup(this.buf.subarray(this.exported, this.len));
    this.exported = this.len;
    this.maybeRotate();
    let off = 0;
    let err: unknown;
    try {
      while (off < this.len) {
        const n = this.io.writeSync(this.fd, this.buf, off, this.len - off);
        if (n <= 0) throw Object.assign(new Error("write returned 0"), { code: "EIO" });
        off += n;
        this.segSize += n;
        this.bytesWritten += n;
      }
    } catch (e) {
      err = e;
    }
    if (off > 0 && this.policy === "always") this.keepUnsynced(off);
    if (off < this.len) {
      this.buf.copyWithin(0, off, this.len);
      this.len -= off;
      this.exported -= off;
      if (off > 0) this.partial = true;
    } else {
      this.len = this.exported = 0;
      this.partial = false;
    }
    if (err !== undefined) {
      this.writeError = errorReason(err);
      this.scheduleRetry();
      return;
    }
    this.writeError = undefined;
    this.framesWritten += this.appendedSeq - this.writtenSeq;
    if (this.writtenSeq === this.syncedSeq) this.firstUnsyncedAt = performance.now();
    this.writtenSeq = this.appendedSeq;
    if (this.policy === "always") this.startSync();
    else this.fireWaiters();
  }

  /** True when every appended frame is durable under the policy. */
  get allDurable(): boolean {
    return this.appendedSeq <= this.durableSeq();
  }

  private durableSeq(): number {
    return this.policy === "always" ? this.syncedSeq : this.writtenSeq;
  }

  private fireWaiters(err?: Error): void {
    const upTo = this.durableSeq();
    let i = 0;
    while (i < this.waitSeqs.length && (err !== undefined || this.waitSeqs[i]! <= upTo)) i++;
    if (i === 0) return;
    const cbs = this.waitCbs.splice(0, i);
    this.waitSeqs.splice(0, i);
    for (const cb of cbs) cb(err);
  }

  private startSync(): void {
    if (this.syncInFlight || this.fd < 0 || this.needRewrite || this.writtenSeq === this.syncedSeq) return;
    if (this.policy === "no") return;
    this.syncInFlight = true;
    const target = this.writtenSeq;
    const size = this.segSize;
    const ulen = this.ulen;
    const t0 = performance.now();
    this.io.fdatasync(this.fd, (e) => this.syncDone(e, target, size, ulen, t0));
  }

  private syncDone(e: NodeJS.ErrnoException | null, target: number, size: number, ulen: number, t0: number): void {
    this.syncInFlight = false;
    this.fsyncCount++;
    this.fsyncTimeMs += performance.now() - t0;
    if (e) {
      // After a failed fsync the kernel may have dropped the dirty pages; under `always` we cut
      // the file back to the last good sync and write the unsynced bytes again.
      this.syncError = errorReason(e);
      if (this.policy === "always") this.needRewrite = true;
      this.scheduleRetry();
    } else {
      this.syncedSeq = target;
      this.syncedSize = size;
      this.syncError = undefined;
      if (ulen > 0) {
        this.ubuf.copyWithin(0, ulen, this.ulen);
        this.ulen -= ulen;
      }
      this.firstUnsyncedAt = this.writtenSeq > this.syncedSeq ? performance.now() : 0;
      this.fireWaiters();
      if (this.policy === "always") this.startSync();
    }
    const idle = this.syncIdle;
    if (idle && !this.syncInFlight) {
      this.syncIdle = undefined;
      idle();
    }
  }

  private keepUnsynced(n: number): void {
    if (this.ulen + n > this.ubuf.length) {
      const next = new Uint8Array(Math.max(this.ulen + n, this.ubuf.length * 2, 64 * 1024));
      next.set(this.ubuf.subarray(0, this.ulen));
      this.ubuf = next;
    }
    this.ubuf.set(this.buf.subarray(0, n), this.ulen);
    this.ulen += n;
  }

  /** After a failed sync under `always`: truncate to the last good sync and requeue the rest. */
  private rewriteUnsynced(): boolean {
    if (this.syncInFlight) return false;
    try {
      this.io.ftruncateSync(this.fd, this.syncedSize);
    } catch (e) {
      this.syncError = errorReason(e);
      this.scheduleRetry();
      return false;
    }
    const u = this.ulen;
    if (this.len + u > this.buf.length) this.grow(this.len + u);
    this.buf.copyWithin(u, 0, this.len);
    this.buf.set(this.ubuf.subarray(0, u), 0);
    this.len += u;
    this.exported += u;
    this.ulen = 0;
    this.segSize = this.syncedSize;
    this.framesWritten -= this.writtenSeq - this.syncedSeq;
    this.writtenSeq = this.syncedSeq;
    this.partial = false;
    this.needRewrite = false;
    return true;
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flush();
      this.startSync();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  /**
   * Closes the current segment now (when it holds anything and nothing is pending or syncing) so
   * the next frame starts a new one: a snapshot taken right after covers the old one entirely.
   */
  rotateNow(): boolean {
    if (this.segSize === 0 || this.len > 0 || this.closed) return false;
    const before = this.segments.length;
    this.maybeRotate(true);
    return this.segments.length > before;
  }

  private maybeRotate(force = false): void {
    if ((!force && this.segSize < this.segmentBytes) || this.partial || this.syncInFlight || this.needRewrite) return;
    if (this.policy !== "no" && this.segSize > this.syncedSize) {
      const t0 = performance.now();
      try {
        this.io.fdatasyncSync(this.fd);
      } catch (e) {
        this.syncError = errorReason(e);
        if (this.policy === "always") this.needRewrite = true;
        this.scheduleRetry();
        return;
      } finally {
        this.fsyncCount++;
        this.fsyncTimeMs += performance.now() - t0;
      }
      this.syncedSeq = this.writtenSeq;
      this.ulen = 0;
      this.syncError = undefined;
      this.firstUnsyncedAt = 0;
      this.fireWaiters();
    }
    const old = this.fd;
    try {
      this.openSegment(this.writtenSeq + 1);
    } catch {
      return; // cannot create a file (e.g. no inodes): keep appending to the old segment
    }
    try {
      this.io.closeSync(old);
    } catch {
      // the data is synced; a failing close changes nothing we rely on
    }
  }

  private openSegment(firstSeq: number): void {
    const path = join(this.dir, segmentName(this.shard, firstSeq));
    const fd = this.io.openSync(path, "a");
    if (fs.fstatSync(fd).size !== 0) {
      this.io.closeSync(fd);
      throw new Error(`WAL segment ${path} already exists and is not empty`);
    }
    try {
      fsyncDir(this.dir);
    } catch {
      // best effort; the first sync of the file's data follows soon
    }
    this.fd = fd;
    this.segSize = this.syncedSize = 0;
    this.segments.push({ path, firstSeq });
  }

  private grow(min: number): void {
    const next = new Uint8Array(Math.max(min, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /**
   * Deletes segments whose frames all have seq <= `seq` (covered by a snapshot). The current
   * segment is never removed. Returns how many were deleted.
   */
  pruneCoveredBy(seq: number): number {
    let n = 0;
    while (this.segments.length > 1 && this.segments[1]!.firstSeq - 1 <= seq) {
      const seg = this.segments.shift()!;
      fs.rmSync(seg.path, { force: true });
      n++;
    }
    if (n > 0) fsyncDir(this.dir);
    return n;
  }

  /** Bytes of the writer's buffers (frames of this turn, frames written but not yet synced), counted by maxmemory. */
  bufferBytes(): number {
    return this.buf.byteLength + this.ubuf.byteLength;
  }

  stats(): WalWriterStats {
    return {
      framesWritten: this.framesWritten,
      bytesWritten: this.bytesWritten,
      fsyncCount: this.fsyncCount,
      fsyncTimeMs: this.fsyncTimeMs,
      fsyncLagMs: this.firstUnsyncedAt > 0 && this.writtenSeq > this.syncedSeq ? performance.now() - this.firstUnsyncedAt : 0,
      segmentBytes: this.segSize,
      segments: this.segments.length,
      pendingBytes: this.len,
    };
  }

  /**
   * Writes and syncs what is pending (unless the policy is `no`) and closes the file. Rejects,
   * failing the remaining `onDurable` callbacks, when frames could not be written.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.syncTimer) clearInterval(this.syncTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.syncInFlight) await new Promise<void>((r) => (this.syncIdle = r));
    this.flush();
    let failure = this.len > 0 || this.needRewrite ? this.lastError ?? "unwritten frames" : undefined;
    if (failure === undefined && this.policy !== "no" && this.segSize > this.syncedSize) {
      try {
        this.io.fdatasyncSync(this.fd);
        this.fsyncCount++;
        this.syncedSeq = this.writtenSeq;
      } catch (e) {
        failure = errorReason(e);
      }
    }
    if (this.policy !== "always") this.syncedSeq = this.writtenSeq;
    this.fireWaiters(failure === undefined ? undefined : new Error(`WAL not written: ${failure}`));
    try {
      this.io.closeSync(this.fd);
    } catch {
      // nothing left to do with it
    }
    this.fd = -1;
    if (failure !== undefined) throw new Error(`WAL close: frames not durable: ${failure}`);
  }
}
