// Start-up recovery: load the newest valid snapshot, then replay every later WAL frame in order.
// A torn tail (the last frame of the last segment cut short, nothing valid after it) is truncated
// with a log line; anything else that does not decode is corruption, which stops the start-up
// with an error naming the file and offset unless repair is "truncate". Already-expired entries
// are skipped, so a replay never resurrects an expired key. The loop yields to the event loop
// every few ms so a server can answer -LOADING meanwhile.
//
// A snapshot that does not validate is never silently skipped: recovery falls back to the next
// older valid snapshot (or the empty state) and replays the WAL from there, and that is accepted
// only when the WAL runs without a gap from the older base to at least the damaged snapshot's
// sequence number (persistence keeps the previous snapshot and its WAL for this). Otherwise
// start-up is refused naming the file and offset, unless snapshotRepair is "skip". Damaged
// snapshots of a successful start are set aside as <name>.damaged.
import { applyDelta, restoreValue } from "../engine/compound/codecs.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { keyspaceSetOf, type KeyspaceSet } from "./keyspace-set.ts";
import * as fs from "node:fs";
import type { Milliseconds, Status, ValueType } from "../engine/types.ts";
import { listFiles, type NamedFile } from "./io.ts";
import { readChunk, validateSnapshot } from "./snapshot-format.ts";
import { decodeFrame, findNextValidFrame, FRAME_INCOMPLETE, newDecodedFrame, type DecodedFrame } from "./wal-format.ts";
import type { WalSegment } from "./wal-writer.ts";

/** What recovery writes into: the databases (collections are restored and their Deltas applied by type). */
export type RecoveryTarget = KeyspaceSet;

/** Database `db` of the target; a number it does not have stops the start-up, naming the fix. */
function dbOf(target: RecoveryTarget, db: number): Keyspace {
  try {
    return target.at(db);
  } catch (e) {
    throw new RecoveryError(`The data holds database ${db}, which this server does not have (${(e as Error).message}). Start with --databases ${db + 1} or more.`);
  }
}

const clearAll = (target: RecoveryTarget): void => target.each((_db, ks) => ks.clear());

export type RepairMode = "none" | "truncate";
/** "skip": start from what is left when a damaged snapshot's data is covered by nothing else. */
export type SnapshotRepairMode = "none" | "skip";

export interface RecoveryProgress {
  phase: "snapshot" | "wal";
  keys: number;
  frames: number;
  bytes: number;
  ms: number;
}

export interface RecoveryOptions {
  dir: string;
  /** @default 0 */
  shard?: number;
  /** "truncate" drops a corrupt frame and everything after it instead of refusing to start. @default "none" */
  repair?: RepairMode;
  /** "skip" starts without the data only a damaged snapshot held instead of refusing. @default "none" */
  snapshotRepair?: SnapshotRepairMode;
  /** @default Date.now */
  now?: () => Milliseconds;
  /** Receives log lines (torn tails, progress, the summary). @default none */
  log?: (line: string) => void;
  /** Called about every `progressEveryMs` while loading. */
  onProgress?: (p: RecoveryProgress) => void;
  /** @default 1000 */
  progressEveryMs?: number;
}

export interface RecoveryResult {
  /** The snapshot loaded, if any. */
  snapshot: { path: string; seq: number; keys: number } | undefined;
  /** Entries loaded from the snapshot. */
  keys: number;
  /** WAL frames applied. */
  frames: number;
  /** Snapshot entries and frames skipped because their expiry had passed. */
  expired: number;
  /** Bytes read from snapshot and segments. */
  bytes: number;
  ms: number;
  /** Sequence number of the last mutation recovered: the writer continues with lastSeq + 1. */
  lastSeq: number;
  /** The remaining WAL segments, oldest first. */
  segments: WalSegment[];
  /** The last segment, its size and last frame's seq (-1 when it holds no frame). */
  lastSegment: { path: string; firstSeq: number; size: number; lastFrameSeq: number } | undefined;
  /** Torn tails cut off (file and offset). */
  truncated: { path: string; offset: number }[];
  /** Snapshots that did not validate, newest first (set aside as <path>.damaged after the start). */
  damaged: DamagedSnapshot[];
}

export interface DamagedSnapshot {
  path: string;
  seq: number;
  /** What is wrong and at which offset. */
  reason: string;
}

/** Start-up cannot continue: the message names the file and offset. */
export class RecoveryError extends Error {}

const YIELD_EVERY_MS = 8;

/** Recovers, yielding to the event loop every few ms (a server answers -LOADING meanwhile). */
export async function recover(target: RecoveryTarget | Keyspace, opts: RecoveryOptions): Promise<RecoveryResult> {
  const steps = recoverSteps(keyspaceSetOf(target), opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Recovers in one go (the embedded Cache's synchronous open). */
export function recoverSync(target: RecoveryTarget | Keyspace, opts: RecoveryOptions): RecoveryResult {
  const steps = recoverSteps(keyspaceSetOf(target), opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The recovery itself; it yields whenever it has worked for a few ms. */
function* recoverSteps(target: RecoveryTarget, opts: RecoveryOptions): Generator<void, RecoveryResult> {
  const dir = opts.dir;
  const shard = opts.shard ?? 0;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((): void => {});
  const t0 = performance.now();
  let lastYield = t0;
  let lastProgress = t0;
  const res: RecoveryResult = {
    snapshot: undefined, keys: 0, frames: 0, expired: 0, bytes: 0, ms: 0, lastSeq: 0, segments: [],
    lastSegment: undefined, truncated: [], damaged: [],
  };
  const snapshotRepair = opts.snapshotRepair ?? "none";
  /** Logs progress now and then; true when it is time to yield. */
  const progress = (phase: RecoveryProgress["phase"]): boolean => {
    const t = performance.now();
    if (t - lastProgress >= (opts.progressEveryMs ?? 1000)) {
      lastProgress = t;
      const p = { phase, keys: res.keys, frames: res.frames, bytes: res.bytes, ms: t - t0 };
      opts.onProgress?.(p);
      const s = p.ms / 1000;
      log(`Loading ${phase}: ${p.keys} keys, ${p.frames} frames, ${(p.bytes / 1e6).toFixed(1)} MB ` +
        `(${Math.round((p.keys + p.frames) / s)} keys/s, ${(p.bytes / 1e6 / s).toFixed(1)} MB/s)`);
    }
    if (t - lastYield < YIELD_EVERY_MS) return false;
    lastYield = t;
    return true;
  };

  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(`snap-s${String(shard).padStart(5, "0")}-`) && name.endsWith(".tmp")) fs.rmSync(`${dir}/${name}`, { force: true });
  }

  // 1. the newest snapshot that validates completely
  let applied = 0;
  const snaps = listFiles(dir, "snap", shard).reverse();
  for (const snap of snaps) {
    const bytes = new Uint8Array(fs.readFileSync(snap.path));
    let checked;
    try {
      checked = validateSnapshot(bytes);
    } catch (e) {
      res.damaged.push({ path: snap.path, seq: snap.seq, reason: (e as Error).message });
      log(`Snapshot ${snap.path} is not valid (${(e as Error).message}); trying an older one`);
      continue;
    }
    const { header, chunks } = checked;
    const before = res.keys;
    const load = (type: ValueType, exp: number, key: Uint8Array, value: Uint8Array, db: number): void => {
      if (exp !== 0 && exp <= now()) res.expired++;
      else {
        restoreValue(dbOf(target, db), key, type, value, exp);
        res.keys++;
      }
    };
    try {
      for (const chunk of chunks) {
        readChunk(bytes, header.flags, chunk, load);
        if (progress("snapshot")) yield;
      }
    } catch (e) {
      res.damaged.push({ path: snap.path, seq: snap.seq, reason: (e as Error).message });
      log(`Snapshot ${snap.path} could not be loaded (${(e as Error).message}); trying an older one`);
      clearAll(target);
      res.keys = before;
      continue;
    }
    res.bytes += bytes.length;
    res.snapshot = { path: snap.path, seq: header.seq, keys: res.keys };
    applied = header.seq;
    break;
  }
  const base = applied;
  const newestDamaged = res.damaged[0];
  // The WAL must start right after the base, or frames are missing (checked frame by frame below).
  let gapAllowed = newestDamaged !== undefined && snapshotRepair === "skip";

  // 2. every later WAL frame, in order
  const segs = listFiles(dir, "wal", shard);
  const f = newDecodedFrame();
  const probe = newDecodedFrame();
  let prev = -1;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const next = segs[i + 1];
    res.segments.push({ path: seg.path, firstSeq: seg.seq });
    const isLast = next === undefined;
    if (!isLast && next.seq - 1 <= applied) continue; // wholly covered by the snapshot
    const bytes = new Uint8Array(fs.readFileSync(seg.path));
    let off = 0;
    let segLast = -1;
    let stop = false;
    while (off < bytes.length) {
      const r = decodeFrame(bytes, off, bytes.length, f);
      let problem = r > 0 ? "" : r === FRAME_INCOMPLETE ? "frame cut short" : f.error;
      if (r > 0) {
        if (prev >= 0 && f.seq <= prev) problem = `sequence number ${f.seq} after ${prev}`;
        else if (f.seq > applied && f.seq !== applied + 1) {
          if (newestDamaged !== undefined && !gapAllowed && applied === base) {
            throw uncovered(newestDamaged, base, `the WAL starts at seq ${f.seq}, not ${base + 1}`);
          }
          if (gapAllowed && applied === base) log(`Snapshot repair: seq ${base + 1} to ${f.seq - 1} are lost (only the damaged snapshot held them)`);
          else problem = `missing frames: expected seq ${applied + 1}, found ${f.seq}`;
        }
        if (f.seq > applied) gapAllowed = false;
      }
      if (problem !== "") {
        if (r <= 0 && isLast && findNextValidFrame(bytes, off, bytes.length, probe) < 0) {
          fs.truncateSync(seg.path, off);
          log(`WAL: truncated torn tail of ${seg.path} at offset ${off} (${bytes.length - off} bytes dropped)`);
          res.truncated.push({ path: seg.path, offset: off });
        } else {
          repairOrThrow(opts.repair ?? "none", segs, i, off, problem, log);
          res.truncated.push({ path: seg.path, offset: off });
        }
        stop = true;
        break;
      }
      prev = segLast = f.seq;
      if (f.seq > applied) {
        apply(target, f, now(), res);
        applied = f.seq;
      }
      off += r;
      res.bytes += r;
      if ((res.frames & 1023) === 0 && progress("wal")) yield;
    }
    if (isLast || stop) res.lastSegment = { path: seg.path, firstSeq: seg.seq, size: off, lastFrameSeq: segLast };
    if (stop) break;
  }
  res.lastSeq = applied;
  if (newestDamaged !== undefined) {
    if (applied < newestDamaged.seq && snapshotRepair !== "skip") {
      throw uncovered(newestDamaged, base, applied === base ? "no WAL frames follow it" : `the WAL ends at seq ${applied}`);
    }
    const from = res.snapshot ? `older snapshot ${res.snapshot.path}` : "no snapshot";
    log(applied >= newestDamaged.seq
      ? `Snapshot ${newestDamaged.path} is damaged (${newestDamaged.reason}); recovered from ${from} plus the WAL up to seq ${applied} instead`
      : `Snapshot repair: started from ${from} plus the WAL up to seq ${applied} without damaged ${newestDamaged.path} (seq ${newestDamaged.seq})`);
    for (const d of res.damaged) {
      fs.renameSync(d.path, `${d.path}.damaged`);
      log(`Snapshot ${d.path} set aside as ${d.path}.damaged`);
    }
  }
  res.ms = performance.now() - t0;
  // A fresh directory loads nothing: no line for it.
  if (res.snapshot !== undefined || res.frames > 0 || res.bytes > 0) log(`Data loaded: ${target.totalKeys} keys (${res.keys} from ${res.snapshot ? res.snapshot.path : "no snapshot"}, ` +
    `${res.frames} WAL frames replayed), ${res.expired} expired skipped, last seq ${res.lastSeq}, ${res.ms.toFixed(0)} ms`);
  return res;
}

function apply(target: RecoveryTarget, f: DecodedFrame, now: number, res: RecoveryResult): void {
  res.frames++;
  if (f.op === 6) {
    target.swap(f.db, f.expireAt);
    return;
  }
  const ks = dbOf(target, f.db);
  switch (f.op) {
    case 1:
      if (f.expireAt !== 0 && f.expireAt <= now) {
        ks.delete(f.key); // the older value the snapshot may hold is gone too
        res.expired++;
      } else restoreValue(ks, f.key, f.type, f.value, f.expireAt);
      break;
    case 5:
      applyDelta(ks, f.type, f.key, f.value);
      break;
    case 2:
      ks.delete(f.key);
      break;
    case 3:
      if (f.expireAt === 0) ks.persist(f.key);
      else if (f.expireAt <= now) ks.delete(f.key);
      else ks.expire(f.key, f.expireAt);
      break;
    case 4:
      ks.clear();
      break;
  }
}

/** The refusal when a damaged snapshot holds data that nothing older covers. */
function uncovered(d: DamagedSnapshot, base: number, why: string): RecoveryError {
  const from = base === 0 ? "the empty state" : `the older snapshot (seq ${base})`;
  return new RecoveryError(
    `Snapshot corrupt: ${d.path}: ${d.reason}. Nothing else covers its data: falling back to ${from}, ` +
    `${why}, but the damaged snapshot covers seq ${d.seq}. Start with --snapshot-repair skip to start without it ` +
    `(the writes only it held are lost).`,
  );
}

function repairOrThrow(repair: RepairMode, segs: NamedFile[], i: number, off: number, problem: string, log: (l: string) => void): void {
  const seg = segs[i]!;
  const where = `${seg.path} at offset ${off}`;
  if (repair !== "truncate") {
    throw new RecoveryError(
      `WAL corrupt: ${where}: ${problem}. Start with --wal-repair truncate to drop this frame and everything after it.`,
    );
  }
  fs.truncateSync(seg.path, off);
  log(`WAL repair: truncated ${where} (${problem})`);
  for (const later of segs.slice(i + 1)) {
    fs.renameSync(later.path, `${later.path}.discarded`);
    log(`WAL repair: set aside ${later.path} as ${later.path}.discarded`);
  }
}
