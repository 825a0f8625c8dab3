// One export connection: an accepted subscriber (listen mode) or the dialled collector (connect
// mode). It owns a queue of chunk references: bytes the kernel has not accepted stay there (Bun's
// write() drops what it does not take) and go out again from `drain`, so bytes are never
// reordered. Lifecycle:
//   HANDSHAKE  listen with a token: waiting for the auth line (connectTimeoutMs)
//   HOLD       authorised; frames after `base` are kept in `held` while an optional
//              FCWAL-FROM line may still come (startWaitMs; connectTimeoutMs for a collector)
//   CATCHUP    resuming: frames after <seq> are read from the WAL files into the queue, chasing
//              the stream (published frames are on disk too, so none is held meanwhile) until
//              the last published frame is queued; then it turns LIVE in that same step
//   LIVE       `held` was appended to the queue; every published chunk is queued at once
import type { Socket } from "bun";
import { chunkAfter, textChunk, type Chunk } from "./chunk.ts";
import { catchUp, CatchUpError } from "./catch-up.ts";
import type { ExportCounters } from "./counters.ts";
import * as H from "./handshake.ts";
import type { ResolvedExportOptions } from "./options.ts";
import { listFiles } from "../persistence/io.ts";

export const SubState = { Handshake: 0, Hold: 1, CatchUp: 2, Live: 3, Closed: 4 } as const;
export type SubState = (typeof SubState)[keyof typeof SubState];

/** What a subscriber needs from the exporter. */
export interface SubscriberHost {
  readonly opts: ResolvedExportOptions;
  readonly counters: ExportCounters;
  readonly tokenCheck: H.TokenCheck | undefined;
  /** Sequence number of the last published frame. */
  readonly lastSeq: number;
  /** A scratch buffer of at least `min` bytes, reused by every subscriber's coalesced writes. */
  scratch(min: number): Uint8Array;
  scheduleFlush(): void;
  /** Called once when the subscriber is closed, by either side. */
  removed(sub: Subscriber): void;
}

export interface SocketData {
  sub: Subscriber | undefined;
}

/** At most this many queued bytes are copied into one coalesced write. */
const COALESCE_BYTES = 1024 * 1024;
/** A catch-up reads more once the queue is below this. */
const LOW_WATER = 1024 * 1024;
const NONE: Chunk = textChunk(new Uint8Array(0));

export class Subscriber {
  state: SubState = SubState.Handshake;
  /** Frames after `base` are (or will be) queued for this subscriber. */
  base = 0;
  /** Sequence number of the last frame the kernel accepted completely. */
  sentSeq = 0;
  /** A write was partial: wait for `drain`. */
  blocked = false;
  blockedSince = 0;
  /** The stream started at some point (counted as accepted). */
  streamed = false;
  private q: Chunk[] = [];
  private qHead = 0;
  private headOff = 0;
  private qBytes = 0;
  private held: Chunk[] = [];
  private heldBytes = 0;
  private line = new Uint8Array(0);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private roomWaiter: ((more: boolean) => void) | undefined;

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
    return this.qBytes + this.heldBytes;
  }

  get closed(): boolean {
    return this.state === SubState.Closed;
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
    this.base = this.sentSeq = this.host.lastSeq;
    if (this.host.opts.format === "fcw2") return this.goLive();
    this.state = SubState.Hold;
    const o = this.host.opts;
    this.arm(this.role === "collector" ? o.connectTimeoutMs : o.startWaitMs, () => this.goLive());
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
    let off = 0;
    while (off < buf.length && !this.closed) {
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
        if (l.kind === "from") return this.resume(l.seq);
        if (l.kind === "from-now") return this.resume(host.lastSeq);
        return this.reject(l.kind === "bad-seq" ? H.ERR_BAD_SEQ : H.ERR_BAD_LINE);
      default:
        // After the stream started only unknown lines are tolerated (and ignored).
        if (l.kind === "from" || l.kind === "bad-seq") {
          this.refuse(host.opts.format === "fcw2" ? H.ERR_NO_RESUME_FCW2 : H.ERR_FROM_TOO_LATE);
        }
    }
  }

  /** Starts the stream after sequence `seq`, reading older frames from the WAL files first. */
  private resume(seq: number): void {
    const host = this.host;
    this.disarm();
    if (seq > host.lastSeq) return this.reject(H.ERR_SEQ_AHEAD(seq, host.lastSeq));
    if (seq >= this.base) {
      this.dropHeldUpTo(seq);
      this.base = this.sentSeq = seq;
      return this.goLive();
    }
    const dir = host.opts.walDir;
    if (dir === undefined) return this.reject(H.ERR_NO_WAL_DIR);
    const segs = listFiles(dir, "wal", host.opts.shard);
    const oldest = segs[0]?.seq ?? this.base + 1;
    if (oldest > seq + 1) return this.reject(H.ERR_SEQ_TOO_OLD(seq, oldest));
    this.state = SubState.CatchUp;
    this.held = [];
    this.heldBytes = 0;
    this.sentSeq = seq;
    this.streamed = true;
    host.counters.subscribersAccepted++;
    host.opts.log(`WAL export: ${this.peer} resumes after ${seq} (stream at ${host.lastSeq})`);
    const sink = {
      push: (c: Chunk): void => {
        this.enqueueChunk(c);
        host.scheduleFlush();
      },
      room: (): Promise<boolean> => this.room(),
      caughtUp: (): void => this.goLive(),
    };
    catchUp({ dir, shard: host.opts.shard, after: seq, upTo: () => host.lastSeq }, sink).catch(
      (e: unknown) => {
        if (this.state === SubState.Closed) return;
        host.opts.log(`WAL export: resume of ${this.peer} failed: ${e instanceof Error ? e.message : String(e)}`);
        host.counters.subscribersDropped++;
        this.refuse(e instanceof CatchUpError ? e.message : "resume failed: could not read the WAL");
      },
    );
  }

  private dropHeldUpTo(seq: number): void {
    const kept: Chunk[] = [];
    let bytes = 0;
    for (const c of this.held) {
      const rest = chunkAfter(c, seq);
      if (rest === undefined) continue;
      kept.push(rest);
      bytes += rest.buf.length;
    }
    this.held = kept;
    this.heldBytes = bytes;
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
    if (this.qBytes < LOW_WATER) return Promise.resolve(true);
    return new Promise((resolve) => (this.roomWaiter = resolve));
  }

  private wake(more: boolean): void {
    const w = this.roomWaiter;
    if (w === undefined) return;
    this.roomWaiter = undefined;
    w(more);
  }

  // ---- output: queue, one write per flush, drain ----------------------------------------------

  /** Queues a published chunk; returns false when this drops the subscriber (over the byte limit). */
  publish(c: Chunk): boolean {
    switch (this.state) {
      case SubState.Live:
        this.enqueueChunk(c);
        break;
      case SubState.Hold:
        this.held.push(c);
        this.heldBytes += c.buf.length;
        break;
      default:
        return true;
    }
    if (this.qBytes + this.heldBytes <= this.host.opts.maxPendingBytes) return true;
    this.host.counters.subscribersDropped++;
    this.host.opts.log(`WAL export: dropping ${this.peer}: ${this.pendingBytes} bytes pending (sent up to ${this.sentSeq})`);
    this.refuse(H.ERR_SLOW);
    return false;
  }

  private enqueueChunk(c: Chunk): void {
    this.q.push(c);
    this.qBytes += c.buf.length;
  }

  private enqueueText(line: Uint8Array): void {
    this.enqueueChunk(textChunk(line));
    this.host.scheduleFlush();
  }

  /** Writes queued bytes with one write(): called once per flush and from `drain`. */
  pump(): void {
    if (this.state === SubState.Closed || this.blocked || this.qBytes === 0) return;
    const head = this.q[this.qHead]!;
    let data: Uint8Array;
    if (this.qHead + 1 === this.q.length || head.buf.length - this.headOff >= COALESCE_BYTES) {
      data = this.headOff === 0 ? head.buf : head.buf.subarray(this.headOff);
    } else {
      const total = Math.min(this.qBytes, COALESCE_BYTES);
      const s = this.host.scratch(total);
      let o = 0;
      for (let i = this.qHead; o < total; i++) {
        const b = this.q[i]!.buf;
        const from = i === this.qHead ? this.headOff : 0;
        const n = Math.min(b.length - from, total - o);
        s.set(b.subarray(from, from + n), o);
        o += n;
      }
      data = s.subarray(0, total);
    }
    const n = this.socket.write(data);
    if (n < 0) {
      this.host.counters.writeFailures++;
      return this.finish();
    }
    if (n > 0) this.advance(n);
    if (n < data.length) {
      this.blocked = true;
      this.blockedSince = performance.now();
    } else if (this.qBytes > 0) {
      this.host.scheduleFlush();
    }
    if (this.qBytes < LOW_WATER) this.wake(true);
  }

  private advance(n: number): void {
    const counters = this.host.counters;
    counters.bytesSent += n;
    this.qBytes -= n;
    while (n > 0) {
      const c = this.q[this.qHead]!;
      const rest = c.buf.length - this.headOff;
      if (n < rest) {
        this.headOff += n;
        break;
      }
      n -= rest;
      this.headOff = 0;
      this.q[this.qHead++] = NONE;
      if (c.frames > 0) {
        counters.framesSent += c.frames;
        this.sentSeq = c.lastSeq;
      }
    }
    if (this.qHead === this.q.length) {
      this.q.length = 0;
      this.qHead = 0;
    } else if (this.qHead >= 1024) {
      this.q.splice(0, this.qHead);
      this.qHead = 0;
    }
  }

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
    const clean = this.headOff === 0 && !this.blocked;
    this.finish();
    const line = H.errorLine(reason);
    if (clean && this.socket.write(line) === line.length) this.socket.end();
    else this.socket.terminate();
  }

  /** Closes without a reason line (exporter stopping). */
  close(): void {
    if (this.state === SubState.Closed) return;
    this.finish();
    if (this.blocked || this.headOff !== 0) this.socket.terminate();
    else this.socket.end();
  }

  /** The socket closed (peer or us): forget everything queued. */
  finish(): void {
    if (this.state === SubState.Closed) return;
    this.state = SubState.Closed;
    this.disarm();
    this.q = [];
    this.held = [];
    this.qHead = this.headOff = this.qBytes = this.heldBytes = 0;
    this.wake(false);
    this.host.removed(this);
  }
}
