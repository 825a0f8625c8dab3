// Persistence for one keyspace (one shard): lock, recovery, WAL group commit, snapshots, INFO.
//
// Wiring (server and embedded Cache alike):
//   const p = new Persistence({ dir, appendfsync: "always" });
//   const ks = new Keyspace({ onMutation: p.record });
//   await p.open(ks);                         // or p.openSync(ks); -LOADING while p.loading
//   before a write command:  if (!p.writable) reply p.misconfError()
//   after a turn's replies:  appendfsync always → p.onDurable(() => flush replies); else flush now
import * as fs from "node:fs";
import type { Milliseconds, MutationRecord } from "../engine/types.ts";
import { DirLock } from "./lock.ts";
import { errorReason, listFiles, type WalIo } from "./io.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { keyspaceSetOf, setAbsoluteFrames, SnapshotOfSet, type KeyspaceSet } from "./keyspace-set.ts";
import { recover, recoverSync, type RecoveryResult, type RepairMode, type SnapshotRepairMode } from "./recovery.ts";
import { verifySnapshotAsync, verifySnapshotSync } from "./verify-snapshot.ts";
import { SnapshotWriter, type SnapshotResult } from "./snapshot.ts";
import { WalWriter, type DurableCallback, type FsyncPolicy } from "./wal-writer.ts";
import { persistenceInfo } from "./info.ts";
import { logAt } from "../log.ts";

export type { FsyncPolicy, DurableCallback } from "./wal-writer.ts";
export type { RecoveryResult, RepairMode, SnapshotRepairMode } from "./recovery.ts";
export type { SnapshotResult } from "./snapshot.ts";
export { LockError } from "./lock.ts";
export { RecoveryError } from "./recovery.ts";

/** What persistence holds: a Keyspace (database 0 only) or a server's numbered databases. */
export type PersistentKeyspace = Keyspace | KeyspaceSet;

export const ERR_MISCONF_AOF = (reason: string): string => `MISCONF Errors writing to the AOF file: ${reason}`;
export const ERR_MISCONF_RDB =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  "Commands that may modify the data set are disabled, because this instance is configured to report errors " +
  "during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs " +
  "for details about the RDB error.";
export const ERR_BGSAVE_IN_PROGRESS = "ERR Background save already in progress";

export interface PersistenceOptions {
  /** Directory of WAL segments, snapshots and the lock file (created if missing). @default "./data" */
  dir?: string;
  /** Log every mutation to the WAL. Without it only snapshots persist data. @default true */
  appendonly?: boolean;
  /** When WAL writes become durable (see FsyncPolicy). @default "everysec" */
  appendfsync?: FsyncPolicy;
  /** The sync interval of "everysec", in ms. @default 1000 */
  fsyncIntervalMs?: Milliseconds;
  /** Size at which a WAL segment is closed and a new one started, in bytes. @default 64 MiB */
  segmentBytes?: number;
  /** Automatic snapshot when this many seconds passed since the last one... @default 300 (0 = never) */
  snapshotEverySeconds?: number;
  /** ...and at least this many writes happened since. @default 1000 */
  snapshotMinWrites?: number;
  /** What to do with a corrupt WAL frame found at start-up. @default "none" (refuse to start) */
  repair?: RepairMode;
  /**
   * What to do at start-up when a snapshot is damaged and no older snapshot plus complete WAL
   * covers its data. @default "none" (refuse to start); "skip" starts without that data.
   */
  snapshotRepair?: SnapshotRepairMode;
  /** Shard id (worker) whose files these are; files and lock are per shard. @default 0 */
  shard?: number;
  /** Compress snapshots with zstd. @default true */
  compress?: boolean;
  /** Receives log lines. @default the server log (src/log.ts), notice level */
  log?: (line: string) => void;
  /** Clock in epoch ms (expiry checks at load). @default Date.now */
  now?: () => Milliseconds;
  /** File operations of the WAL writer (tests inject failures). @default node:fs */
  io?: Partial<WalIo>;
  /** Receives each group of WAL frame bytes (the export stream); valid only during the call. */
  onFrames?: (frames: Uint8Array) => void;
}

const POLICIES: readonly FsyncPolicy[] = ["always", "everysec", "no"];
const BGSAVE_RETRY_MS = 5000;

/** `opts` without its undefined fields, so they do not hide the defaults. */
function definedOnly<T extends object>(opts: T): Partial<T> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(msg);
}

export class Persistence {
  readonly opts: Required<Omit<PersistenceOptions, "io" | "onFrames">> & Pick<PersistenceOptions, "io" | "onFrames">;
  /** True while recovery runs: the server answers -LOADING. */
  loading = false;
  /** Unix seconds of the last successful snapshot (LASTSAVE), or of start-up. */
  lastSave = Math.floor(Date.now() / 1000);
  lastBgsaveOk = true;
  lastBgsaveSeconds = -1;
  saves = 0;
  recovery: RecoveryResult | undefined;
  lastSnapshot: SnapshotResult | undefined;
  /** Writes since the last successful snapshot. */
  dirty = 0;
  private seq = 0;
  private replaying = false;
  private ks: KeyspaceSet | undefined;
  private wal: WalWriter | undefined;
  private lock: DirLock | undefined;
  private job: SnapshotWriter | undefined;
  private jobStart = 0;
  private jobDone: Promise<unknown> | undefined;
  private lastSaveAttempt = Date.now();
  private autoTimer: ReturnType<typeof setInterval> | undefined;

  constructor(opts: PersistenceOptions = {}) {
    const o = {
      dir: "./data", appendonly: true, appendfsync: "everysec" as FsyncPolicy, fsyncIntervalMs: 1000,
      segmentBytes: 64 * 1024 * 1024, snapshotEverySeconds: 300, snapshotMinWrites: 1000, repair: "none" as RepairMode,
      snapshotRepair: "none" as SnapshotRepairMode,
      shard: 0, compress: true, log: logAt("notice"), now: Date.now, ...definedOnly(opts),
    };
    if (!POLICIES.includes(o.appendfsync)) throw new TypeError(`appendfsync must be always, everysec or no (got ${String(o.appendfsync)})`);
    if (o.repair !== "none" && o.repair !== "truncate") throw new TypeError(`repair must be none or truncate (got ${String(o.repair)})`);
    if (o.snapshotRepair !== "none" && o.snapshotRepair !== "skip") throw new TypeError(`snapshotRepair must be none or skip (got ${String(o.snapshotRepair)})`);
    check(Number.isInteger(o.fsyncIntervalMs) && o.fsyncIntervalMs > 0, "fsyncIntervalMs must be a positive integer");
    check(Number.isInteger(o.segmentBytes) && o.segmentBytes >= 4096, "segmentBytes must be an integer >= 4096");
    check(Number.isInteger(o.snapshotEverySeconds) && o.snapshotEverySeconds >= 0, "snapshotEverySeconds must be an integer >= 0");
    check(Number.isInteger(o.snapshotMinWrites) && o.snapshotMinWrites >= 0, "snapshotMinWrites must be an integer >= 0");
    check(Number.isInteger(o.shard) && o.shard >= 0 && o.shard <= 0xffff, "shard must be an integer in 0..65535");
    this.opts = o;
  }

  /** Mutation listener for the keyspace (`new Keyspace({ onMutation: p.record })`). */
  readonly record = (m: MutationRecord): void => {
    if (this.replaying) return;
    const seq = ++this.seq;
    this.dirty++;
    if (this.wal !== undefined) this.wal.append(m, seq);
  };

  /**
   * Takes the lock and recovers into `ks`, yielding to the event loop while loading. Rejects with
   * a LockError (another process owns the directory) or a RecoveryError (corrupt data).
   */
  async open(ks: PersistentKeyspace): Promise<RecoveryResult> {
    const set = this.begin(ks);
    try {
      return this.finishOpen(await recover(set, this.recoveryOptions()));
    } catch (e) {
      this.abortOpen();
      throw e;
    }
  }

  /** Like `open`, without yielding (for the embedded Cache). */
  openSync(ks: PersistentKeyspace): RecoveryResult {
    const set = this.begin(ks);
    try {
      return this.finishOpen(recoverSync(set, this.recoveryOptions()));
    } catch (e) {
      this.abortOpen();
      throw e;
    }
  }

  private begin(ks: PersistentKeyspace): KeyspaceSet {
    if (this.ks !== undefined) throw new Error("persistence is already open");
    fs.mkdirSync(this.opts.dir, { recursive: true });
    this.lock = DirLock.acquire(this.opts.dir, this.opts.shard);
    const set = (this.ks = keyspaceSetOf(ks));
    this.loading = this.replaying = true;
    return set;
  }

  private recoveryOptions(): Parameters<typeof recover>[1] {
    const { dir, shard, repair, snapshotRepair, now, log } = this.opts;
    return { dir, shard, repair, snapshotRepair, now, log };
  }

  private abortOpen(): void {
    this.loading = this.replaying = false;
    this.ks = undefined;
    this.lock?.release();
    this.lock = undefined;
  }

  private finishOpen(r: RecoveryResult): RecoveryResult {
    this.recovery = r;
    this.seq = r.lastSeq;
    const o = this.opts;
    if (o.appendonly) {
      const last = r.lastSegment;
      const continues = last !== undefined && last.size < o.segmentBytes &&
        (last.lastFrameSeq === r.lastSeq || (last.lastFrameSeq < 0 && last.firstSeq === r.lastSeq + 1));
      if (last !== undefined && !continues && last.lastFrameSeq < 0) {
        fs.rmSync(last.path, { force: true }); // an empty segment we will not continue
        r.segments.pop();
      }
      this.wal = new WalWriter({
        dir: o.dir, shard: o.shard, fsync: o.appendfsync, fsyncIntervalMs: o.fsyncIntervalMs, segmentBytes: o.segmentBytes,
        nextSeq: r.lastSeq + 1, segments: r.segments, appendToLast: continues, io: o.io, onGroup: o.onFrames,
      });
    }
    if (o.snapshotEverySeconds > 0) {
      this.autoTimer = setInterval(() => this.autoSnapshot(), 1000);
      this.autoTimer.unref();
    }
    this.lastSaveAttempt = Date.now();
    this.loading = this.replaying = false;
    return r;
  }

  /** False while WAL writes or syncs fail (or, without a WAL, the last snapshot failed). */
  get writable(): boolean {
    if (this.wal !== undefined) return this.wal.writable;
    return this.lastBgsaveOk || this.opts.snapshotEverySeconds === 0;
  }

  get lastError(): string | undefined {
    return this.wal?.lastError;
  }

  /** The error reply for write commands while not writable, undefined while writable. */
  misconfError(): string | undefined {
    if (this.writable) return undefined;
    return this.wal !== undefined ? ERR_MISCONF_AOF(this.wal.lastError ?? "unknown error") : ERR_MISCONF_RDB;
  }

  /** True when replies must wait for `onDurable` (appendfsync always). */
  get syncReplies(): boolean {
    return this.wal !== undefined && this.opts.appendfsync === "always";
  }

  /** Calls `cb` once every mutation recorded so far is durable (at once without a WAL). */
  onDurable(cb: DurableCallback): void {
    if (this.wal === undefined) cb();
    else this.wal.onDurable(cb);
  }

  /** True when every recorded mutation is already durable (an `onDurable` callback would run at once). */
  get allDurable(): boolean {
    return this.wal === undefined || this.wal.allDurable;
  }

  durable(): Promise<void> {
    return new Promise((resolve, reject) => this.onDurable((e) => (e ? reject(e) : resolve())));
  }

  /** Bytes of the WAL writer's buffers (0 without a WAL), counted by maxmemory. */
  bufferBytes(): number {
    return this.wal?.bufferBytes() ?? 0;
  }

  /** Sequence number of the last recorded mutation. */
  get lastSeq(): number {
    return this.seq;
  }

  get bgsaveInProgress(): boolean {
    return this.job !== undefined;
  }

  /**
   * SAVE: writes a snapshot now, blocking, and reads it back before anything older is pruned.
   * Throws ERR_BGSAVE_IN_PROGRESS-style errors.
   */
  save(): SnapshotResult {
    const w = this.startSnapshot();
    try {
      const r = w.runSync();
      this.verified(r, () => verifySnapshotSync(r.path, r));
      return this.snapshotDone(r, this.dirty);
    } catch (e) {
      return this.snapshotFailed(e);
    }
  }

  /** BGSAVE: writes a snapshot in slices, then reads it back; throws at once when one is already running. */
  bgsave(): Promise<SnapshotResult> {
    const w = this.startSnapshot();
    const dirtyAtStart = this.dirty;
    const set = this.ks!;
    setAbsoluteFrames(set, true); // see Keyspace.absoluteFrames: Deltas are not idempotent
    const streamed = w.runAsync().finally(() => {
      setAbsoluteFrames(set, false);
    });
    const written = streamed.then(async (r) => {
      try {
        await verifySnapshotAsync(r.path, r);
      } catch (e) {
        this.verified(r, () => {
          throw e;
        });
      }
      return r;
    });
    const done = written.then((r) => this.snapshotDone(r, dirtyAtStart), (e) => this.snapshotFailed(e));
    this.jobDone = done;
    return done;
  }

  /** Runs the read-back check; a snapshot that fails it is removed (older files stay) and the error rethrown. */
  private verified(r: SnapshotResult, check: () => void): void {
    try {
      check();
    } catch (e) {
      fs.rmSync(r.path, { force: true });
      throw new Error(`snapshot ${r.path} did not read back: ${(e as Error).message}`);
    }
  }

  /** Resolves once no snapshot is being written (at once when none is). */
  whenSnapshotIdle(): Promise<void> {
    const done = this.job !== undefined ? this.jobDone : undefined;
    return done === undefined ? Promise.resolve() : done.then(() => {}, () => {});
  }

  private startSnapshot(): SnapshotWriter {
    if (this.ks === undefined || this.loading) throw new Error("ERR persistence is not open");
    if (this.job !== undefined) throw new Error(ERR_BGSAVE_IN_PROGRESS);
    this.wal?.flush();
    // Frames after the snapshot's seq go to a new segment, so the snapshot covers (and prunes) the rest.
    this.wal?.rotateNow();
    this.lastSaveAttempt = Date.now();
    this.jobStart = performance.now();
    this.job = new SnapshotWriter(new SnapshotOfSet(this.ks), {
      dir: this.opts.dir, shard: this.opts.shard, seq: this.seq, compress: this.opts.compress, now: this.opts.now,
    });
    return this.job;
  }

  private snapshotDone(r: SnapshotResult, dirtyAtStart: number): SnapshotResult {
    this.job = undefined;
    this.dirty -= dirtyAtStart;
    this.lastSave = Math.floor(Date.now() / 1000);
    this.lastBgsaveOk = true;
    this.lastBgsaveSeconds = Math.round(r.ms / 1000);
    this.lastSnapshot = r;
    this.saves++;
    // Keep one generation back: the previous snapshot and the WAL after it (from seq 1 when there
    // is none), so a newest snapshot damaged later still recovers from the older one plus its WAL.
    const older = listFiles(this.opts.dir, "snap", this.opts.shard).filter((s) => s.seq < r.seq);
    const previous = older.pop();
    for (const old of older) fs.rmSync(old.path, { force: true });
    if (this.wal !== undefined) this.wal.pruneCoveredBy(previous?.seq ?? 0);
    else for (const seg of listFiles(this.opts.dir, "wal", this.opts.shard)) fs.rmSync(seg.path, { force: true });
    this.opts.log(`Snapshot saved: ${r.path} (${r.keys} keys, ${r.bytes} bytes, ${r.ms.toFixed(0)} ms)`);
    return r;
  }

  private snapshotFailed(e: unknown): never {
    this.job = undefined;
    this.lastBgsaveOk = false;
    this.opts.log(`Snapshot failed: ${errorReason(e)}`);
    throw e;
  }

  private autoSnapshot(): void {
    const o = this.opts;
    if (this.job !== undefined || this.ks === undefined || this.loading || this.dirty < o.snapshotMinWrites || this.dirty === 0) return;
    const since = Date.now() - this.lastSaveAttempt;
    if (since < o.snapshotEverySeconds * 1000 || (!this.lastBgsaveOk && since < BGSAVE_RETRY_MS)) return;
    this.bgsave().catch(() => {}); // logged and counted by snapshotFailed
  }

  /** The "# Persistence" section of INFO, lines joined with CRLF. */
  info(): string {
    return persistenceInfo({
      loading: this.loading, dirty: this.dirty, bgsave: this.job !== undefined,
      bgsaveSeconds: this.job !== undefined ? Math.floor((performance.now() - this.jobStart) / 1000) : -1,
      lastSave: this.lastSave, lastBgsaveOk: this.lastBgsaveOk, lastBgsaveSeconds: this.lastBgsaveSeconds,
      saves: this.saves, appendonly: this.opts.appendonly, policy: this.opts.appendfsync, seq: this.seq,
      wal: this.wal?.stats(), walError: this.wal?.lastError, recovery: this.recovery, snapshot: this.lastSnapshot,
    });
  }

  /**
   * Stops timers, aborts a running BGSAVE, writes and syncs the WAL, releases the lock. Without a
   * WAL, saves a snapshot first when there are unsaved writes and automatic snapshots are on
   * (what Redis does at SHUTDOWN with save points). `save: true` always snapshots first (SHUTDOWN
   * SAVE), `save: false` never does (SHUTDOWN NOSAVE). Rejects when WAL frames could not be written.
   */
  async close(opts: { save?: boolean } = {}): Promise<void> {
    if (this.autoTimer) clearInterval(this.autoTimer);
    this.autoTimer = undefined;
    this.job?.abort();
    this.job = undefined;
    try {
      const open = this.ks !== undefined && !this.loading;
      if (open && opts.save === true) this.save();
      else if (open && opts.save !== false && this.wal === undefined && this.dirty > 0 && this.opts.snapshotEverySeconds > 0) this.save();
      await this.wal?.close();
    } finally {
      this.wal = undefined;
      this.ks = undefined;
      this.lock?.release();
      this.lock = undefined;
    }
  }
}
