// One export connection: an accepted subscriber (listen mode) or the dialled collector (connect
// mode). It owns a queue of chunk references: bytes the kernel has not accepted stay there (Bun's
// write() drops what it does not take) and go out again from `drain`, so bytes are never
// reordered. Lifecycle:
//   HANDSHAKE  listen with a token: waiting for the auth line (connectTimeoutMs)
//   WAITING    several shards: authorised, but some shard's position is not known yet (its worker
//              has not reported it); lines are kept unread until it is (connectTimeoutMs)
//   HOLD       authorised; frames after each shard's `base` are kept in `held` while an optional
//              FCWAL-FROM line may still come (startWaitMs; connectTimeoutMs for a collector)
//   CATCHUP    resuming: for each shard whose start is before its `base`, frames are read from
//              that shard's WAL files into the queue, chasing the stream (published frames are on
//              disk too, so none of that shard's is held meanwhile) until its last published frame
//              is queued; then that shard turns live in the same step. Shards that need no files
//              are live at once. When no shard is catching up any more: LIVE
//   LIVE       every published chunk is queued at once
import type { Socket } from "bun";
import { chunkAfter, textChunk, type Chunk } from "./chunk.ts";
import { SendQueue } from "./send-queue.ts";
import { catchUp, CatchUpError } from "./catch-up.ts";
import type { ExportCounters } from "./counters.ts";
import * as H from "./handshake.ts";
import type { ResolvedExportOptions } from "./options.ts";
import { planResume } from "./resume-plan.ts";

export const SubState = { Handshake: 0, Hold: 1, CatchUp: 2, Live: 3, Closed: 4, Waiting: 5 } as const;
export type SubState = (typeof SubState)[keyof typeof SubState];

/** What a subscriber needs from the exporter. */
export interface SubscriberHost {
  readonly opts: ResolvedExportOptions;
  readonly counters: ExportCounters;
  readonly tokenCheck: H.TokenCheck | undefined;
  /** The stream's shards (one unless the server has several workers). */
  readonly shardIds: readonly number[];
  /** More than one shard: resume needs FCWAL-FROM/2. */
  readonly multiShard: boolean;
  /** Last published sequence number of `shard`; undefined while it is not known. */
  position(shard: number): number | undefined;
  /** Every shard's position is known. */
  readonly ready: boolean;
  /** Calls `fn` once every shard's position is known; returns a function that cancels it. */
  whenReady(fn: () => void): () => void;
  /** The first shard whose position is not known (for the error line), -1 when ready. */
  unknownShard(): number;
  /** A scratch buffer of at least `min` bytes, reused by every subscriber's coalesced writes. */
  scratch(min: number): Uint8Array;
  scheduleFlush(): void;
  /** Called once when the subscriber is closed, by either side. */
  removed(sub: Subscriber): void;
}

export interface SocketData {
  sub: Subscriber | undefined;
}

/** A catch-up reads more once the queue is below this. */
const LOW_WATER = 1024 * 1024;
const EMPTY = new Uint8Array(0);

/** One shard of a subscriber's stream. */
interface Cursor {
  /** Frames after `base` are (or will be) queued: the position when the hold began. */
  base: number;
  /** Sequence number of the last frame of this shard the kernel accepted completely. */
  sent: number;
  /** Being read from the WAL files: live chunks of this shard are not queued. */
  catching: boolean;
}

export class Subscriber {
  state: SubState = SubState.Handshake;
  /** A write was partial: wait for `drain`. */
  blocked = false;
  blockedSince = 0;
  /** The stream started at some point (counted as accepted). */
  streamed = false;
  private readonly q = new SendQueue();
  private held: Chunk[] = [];
  private heldBytes = 0;
  private line = new Uint8Array(0);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private roomWaiters: ((more: boolean) => void)[] = [];
  private readonly cursors = new Map<number, Cursor>();
  private cancelReady: (() => void) | undefined;

  constructor(
    private readonly host: SubscriberHost,
    readonly socket: Socket<SocketData>,
    readonly role: "subscriber" | "collector",
  ) {}

  get peer(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /** Unsent bytes: queued for the socket plus held back during the hold. */
  get pendingBytes(): number {
    return this.q.bytes + this.heldBytes;
  }

  get closed(): boolean {
    return this.state === SubState.Closed;
  }

  /** Frames sent so far, as the sum over shards of the last sequence number sent (with one
   *  shard: that shard's last sequence number sent). */
  get sentSeq(): number {
    let n = 0;
    for (const c of this.cursors.values()) n += c.sent;
    return n;
  }

  /** Called once the connection is open. */
  start(): void {
    const o = this.host.opts;
    if (this.role === "collector") {
      if (o.token !== undefined) this.enqueueText(H.authLine(o.token));
      this.authorised();
    } else if (o.token !== undefined) {
      this.arm(o.connectTimeoutMs, () => this.reject(H.ERR_TIMEOUT));
    } else {
      this.authorised();
    }
  }

  private authorised(): void {
    const host = this.host;
    if (!host.ready) return this.waitReady();
    for (const k of host.shardIds) {
      const p = host.position(k)!;
      this.cursors.set(k, { base: p, sent: p, catching: false });
    }
    if (this.host.opts.format === "fcw2") return this.goLive();
    this.state = SubState.Hold;
    const o = this.host.opts;
    this.arm(this.role === "collector" ? o.connectTimeoutMs : o.startWaitMs, () => this.goLive());
  }

  /** Several shards, some position unknown: wait for it (bounded), keeping input lines unread. */
  private waitReady(): void {
    const host = this.host;
    this.state = SubState.Waiting;
    this.cancelReady = host.whenReady(() => {
      this.cancelReady = undefined;
      if (this.state !== SubState.Waiting) return;
      this.disarm();
      this.authorised();
      this.onData(EMPTY); // lines that came meanwhile
    });
    this.arm(host.opts.connectTimeoutMs, () => this.reject(H.ERR_NOT_READY(host.unknownShard())));
  }

  private arm(ms: number, fn: () => void): void {
    this.disarm();
    this.timer = setTimeout(fn, ms);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  // ---- input: handshake lines ---------------------------------------------------------------

  onData(data: Uint8Array): void {
    if (this.state === SubState.Closed) return;
    let buf = data;
    if (this.line.length > 0) {
      buf = new Uint8Array(this.line.length + data.length);
      buf.set(this.line);
      buf.set(data, this.line.length);
    }
    if (this.state === SubState.Waiting && buf.length > 2 * H.MAX_LINE_BYTES) return this.reject(H.ERR_LINE_TOO_LONG);
    let off = 0;
    while (off < buf.length && !this.closed && this.state !== SubState.Waiting) {
      const rest = buf.subarray(off);
      const end = H.findLineEnd(rest, rest.length);
      if (end === H.LINE_INCOMPLETE) break;
      if (end === H.LINE_TOO_LONG) {
        return this.streamed ? this.refuse(H.ERR_LINE_TOO_LONG) : this.reject(H.ERR_LINE_TOO_LONG);
      }
      this.onLine(H.parseClientLine(rest.subarray(0, end)));
      off += end + 1;
    }
    this.line = off >= buf.length || this.closed ? new Uint8Array(0) : buf.slice(off);
  }

  private onLine(l: H.ClientLine): void {
    const host = this.host;
    switch (this.state) {
      case SubState.Handshake:
        if (l.kind !== "auth") return this.reject(H.ERR_AUTH_REQUIRED);
        if (!host.tokenCheck!.matches(l.token)) return this.reject(H.ERR_AUTH_FAILED);
        return this.authorised();
      case SubState.Hold:
        if (l.kind === "auth") return; // a second auth line, or one sent when no token is set
        if (l.kind === "from") {
          if (host.multiShard) return this.reject(H.ERR_NEED_FROM2);
          return this.resume(new Map([[host.shardIds[0]!, l.seq]]), false);
        }
        if (l.kind === "from-now") return this.resume(new Map(host.shardIds.map((k) => [k, H.FROM_NOW])), false);
        if (l.kind === "from-shards") return this.resume(l.from, true);
        return this.reject(l.kind === "bad-seq" ? H.ERR_BAD_SEQ : H.ERR_BAD_LINE);
      default:
        // After the stream started only unknown lines are tolerated (and ignored).
        if (l.kind === "from" || l.kind === "from-shards" || l.kind === "bad-seq") {
          this.refuse(host.opts.format === "fcw2" ? H.ERR_NO_RESUME_FCW2 : H.ERR_FROM_TOO_LATE);
        }
    }
  }

  /**
   * Starts each shard's stream after its position in `from` (FROM_NOW: now; not listed: where the
   * hold began), reading older frames from that shard's WAL files first.
   */
  private resume(from: ReadonlyMap<number, number>, named: boolean): void {
    const host = this.host;
    this.disarm();
    const plan = planResume({ from, named, cursors: this.cursors, position: (k) => host.position(k)!, walDir: host.opts.walDir });
    if ("error" in plan) return this.reject(plan.error);
    const { targets, catching } = plan;
    for (const [k, cur] of this.cursors) {
      cur.sent = targets.get(k)!;
      cur.catching = catching.includes(k);
    }
    // Held frames after each live shard's start stay; a catching shard's come from the files.
    const kept: Chunk[] = [];
    let bytes = 0;
    for (const c of this.held) {
      const cur = this.cursors.get(c.shard);
      if (cur === undefined || cur.catching) continue;
      const rest = chunkAfter(c, cur.sent);
      if (rest === undefined) continue;
      kept.push(rest);
      bytes += rest.buf.length;
    }
    this.held = kept;
    this.heldBytes = bytes;
    if (catching.length === 0) return this.goLive();
    const dir = host.opts.walDir!;
    this.state = SubState.CatchUp;
    this.streamed = true;
    host.counters.subscribersAccepted++;
    for (const c of this.held) this.enqueueChunk(c);
    this.held = [];
    this.heldBytes = 0;
    host.scheduleFlush();
    const where = named ? [...targets].map(([k, v]) => `${k}:${v}`).join(",") : String(targets.get(catching[0]!));
    host.opts.log(`WAL export: ${this.peer} resumes after ${where}`);
    for (const k of catching) this.catchUpShard(dir, k, targets.get(k)!);
  }

  /** Reads shard `shard`'s frames after `seq` from the files; it turns live when caught up. */
  private catchUpShard(dir: string, shard: number, seq: number): void {
    const host = this.host;
    const cur = this.cursors.get(shard)!;
    const sink = {
      push: (c: Chunk): void => {
        this.enqueueChunk(c);
        host.scheduleFlush();
      },
      room: (): Promise<boolean> => this.room(),
      caughtUp: (): void => {
        cur.catching = false;
        if (this.state !== SubState.CatchUp) return;
        for (const c of this.cursors.values()) if (c.catching) return;
        this.goLive();
      },
    };
    catchUp({ dir, shard, after: seq, upTo: () => host.position(shard)! }, sink).catch((e: unknown) => {
      if (this.state === SubState.Closed) return;
      host.opts.log(`WAL export: resume of ${this.peer} (shard ${shard}) failed: ${e instanceof Error ? e.message : String(e)}`);
      host.counters.subscribersDropped++;
      this.refuse(e instanceof CatchUpError ? e.message : "resume failed: could not read the WAL");
    });
  }

  private goLive(): void {
    if (this.state === SubState.Closed) return;
    this.disarm();
    if (this.state !== SubState.CatchUp) this.host.counters.subscribersAccepted++;
    this.streamed = true;
    this.state = SubState.Live;
    for (const c of this.held) this.enqueueChunk(c);
    this.held = [];
    this.heldBytes = 0;
    this.host.scheduleFlush();
  }

  private room(): Promise<boolean> {
    if (this.state === SubState.Closed) return Promise.resolve(false);
    if (this.q.bytes < LOW_WATER) return Promise.resolve(true);
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private wake(more: boolean): void {
    if (this.roomWaiters.length === 0) return;
    const ws = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of ws) w(more);
  }

  // ---- output: queue, one write per flush, drain ----------------------------------------------

  /** Queues a published chunk; returns false when this drops the subscriber (over the byte limit). */
  publish(c: Chunk): boolean {
    switch (this.state) {
      case SubState.Live:
        this.enqueueChunk(c);
        break;
      case SubState.CatchUp:
        // A catching shard's frames are read from the files; the other shards are live.
        if (this.cursors.get(c.shard)?.catching !== false) return true;
        this.enqueueChunk(c);
        break;
      case SubState.Hold:
        this.held.push(c);
        this.heldBytes += c.buf.length;
        break;
      default:
        return true;
    }
    if (this.q.bytes + this.heldBytes <= this.host.opts.maxPendingBytes) return true;
    this.host.counters.subscribersDropped++;
    this.host.opts.log(`WAL export: dropping ${this.peer}: ${this.pendingBytes} bytes pending (sent up to ${this.sentSeq})`);
    this.refuse(H.ERR_SLOW);
    return false;
  }

  private enqueueChunk(c: Chunk): void {
    this.q.push(c);
  }

  private enqueueText(line: Uint8Array): void {
    this.enqueueChunk(textChunk(line));
    this.host.scheduleFlush();
  }

  /** Writes queued bytes with one write(): called once per flush and from `drain`. */
  pump(): void {
    if (this.state === SubState.Closed || this.blocked || this.q.bytes === 0) return;
    const data = this.q.next((min) => this.host.scratch(min));
    const n = this.socket.write(data);
    if (n < 0) {
      this.host.counters.writeFailures++;
      return this.finish();
    }
    if (n > 0) {
      this.host.counters.bytesSent += n;
      this.q.consume(n, this.sentChunk);
    }
    if (n < data.length) {
      this.blocked = true;
      this.blockedSince = performance.now();
    } else if (this.q.bytes > 0) {
      this.host.scheduleFlush();
    }
    if (this.q.bytes < LOW_WATER) this.wake(true);
  }

  private readonly sentChunk = (c: Chunk): void => {
    if (c.frames === 0) return;
    this.host.counters.framesSent += c.frames;
    const cur = this.cursors.get(c.shard);
    if (cur !== undefined) cur.sent = c.lastSeq;
  };

  onDrain(): void {
    this.blocked = false;
    this.pump();
  }

  /** Disconnects a subscriber whose socket accepted nothing for writeTimeoutMs. */
  checkWriteTimeout(now: number): void {
    const limit = this.host.opts.writeTimeoutMs;
    if (limit === 0 || !this.blocked || now - this.blockedSince < limit) return;
    this.host.counters.writeFailures++;
    this.host.opts.log(`WAL export: write timeout for ${this.peer} (sent up to ${this.sentSeq})`);
    this.refuse("write timeout");
  }

  // ---- closing --------------------------------------------------------------------------------

  /** Closes before the stream started, counting a rejection. */
  reject(reason: string): void {
    if (this.state === SubState.Closed) return;
    this.host.counters.subscribersRejected++;
    this.host.opts.log(`WAL export: rejected ${this.peer}: ${reason}`);
    this.refuse(reason);
  }

  /**
   * Closes with `FCWAL-ERR/1 <reason>` when the stream is at a frame boundary and the socket takes
   * the line at once; otherwise resets the connection (a reader must not see a torn frame
   * followed by text).
   */
  refuse(reason: string): void {
    if (this.state === SubState.Closed) return;
    const clean = this.q.atBoundary && !this.blocked;
    this.finish();
    const line = H.errorLine(reason);
    if (clean && this.socket.write(line) === line.length) this.socket.end();
    else this.socket.terminate();
  }

  /** Closes without a reason line (exporter stopping). */
  close(): void {
    if (this.state === SubState.Closed) return;
    this.finish();
    if (this.blocked || !this.q.atBoundary) this.socket.terminate();
    else this.socket.end();
  }

  /** The socket closed (peer or us): forget everything queued. */
  finish(): void {
    if (this.state === SubState.Closed) return;
    this.state = SubState.Closed;
    this.disarm();
    this.cancelReady?.();
    this.cancelReady = undefined;
    this.q.clear();
    this.held = [];
    this.heldBytes = 0;
    this.wake(false);
    this.host.removed(this);
  }
}
