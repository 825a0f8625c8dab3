// The WAL export: fans each group of WAL frames out to TCP subscribers (docs/EXPORT.md).
//
//   const exp = new WalExporter({ mode: "listen", address: "127.0.0.1:7390", walDir, startSeq });
//   await exp.start();
//   new Persistence({ ..., onFrames: (group) => exp.publish(group) });
//   exp.info();          // the "# Walexport" INFO section
//   await exp.stop();
//
// publish() copies the group once into a chunk (or transcodes it once to FCW2) and queues a
// reference to it for every subscriber; one setImmediate per loop turn then writes each
// subscriber's queue with one write(). Bun sockets have no vectored write, so that one coalesced
// write per socket per turn is how frames are batched. Unaccepted bytes stay queued and go out from
// `drain`; a subscriber over maxPendingBytes is dropped, so no subscriber can hold up the server or
// the others.
//
// Several shards (a server with several workers, `shards: N`): groups of every shard are published
// here (worker 0's own, and the others' forwarded over the peer links); each group is one shard's
// and keeps its shard id and that shard's own sequence numbers. The exporter tracks each shard's
// last published sequence number (`position`), learnt from its groups and from
// `setShardPosition` (each worker's recovered position); resume reads each shard's segments from
// the shared `walDir`.
import type { SocketHandler, TCPSocketListener } from "bun";
import { chunkAfter, groupShape, type Chunk } from "./chunk.ts";
import { Connector } from "./connector.ts";
import { ExportCounters } from "./counters.ts";
import { fcw2Counters, transcodeToFcw2 } from "./fcw2.ts";
import { ERR_TOO_MANY, TokenCheck } from "./handshake.ts";
import { walExportInfo, type WalExportStats } from "./info.ts";
import { resolveExportOptions, type ResolvedExportOptions, type WalExportOptions } from "./options.ts";
import { SubState, Subscriber, type SocketData, type SubscriberHost } from "./subscriber.ts";

export class WalExporter implements SubscriberHost {
  readonly opts: ResolvedExportOptions;
  readonly counters = new ExportCounters();
  readonly tokenCheck: TokenCheck | undefined;
  readonly shardIds: readonly number[];
  readonly multiShard: boolean;
  /** Last published sequence number of each shard whose position is known. */
  private readonly positions = new Map<number, number>();
  private readonly readyWaiters = new Set<() => void>();
  private readonly subs = new Set<Subscriber>();
  private listener: TCPSocketListener<SocketData> | undefined;
  private connector: Connector | undefined;
  private flushScheduled = false;
  private scratchBuf = new Uint8Array(0);
  private checkTimer: ReturnType<typeof setInterval> | undefined;
  private state: "new" | "started" | "stopped" = "new";

  constructor(options: WalExportOptions) {
    this.opts = resolveExportOptions(options);
    this.tokenCheck = this.opts.token !== undefined ? new TokenCheck(this.opts.token) : undefined;
    const o = this.opts;
    this.multiShard = o.shards > 1;
    this.shardIds = this.multiShard ? Array.from({ length: o.shards }, (_, i) => i) : [o.shard];
    this.positions.set(o.shard, o.startSeq);
  }

  /** Sequence number of the last published frame; with several shards, the sum over the shards
   *  whose position is known (so `lastSeq - sub.sentSeq` is how many frames a subscriber lags). */
  get lastSeq(): number {
    if (!this.multiShard) return this.positions.get(this.opts.shard)!;
    let n = 0;
    for (const v of this.positions.values()) n += v;
    return n;
  }

  position(shard: number): number | undefined {
    return this.positions.get(shard);
  }

  get ready(): boolean {
    return this.positions.size === this.shardIds.length;
  }

  unknownShard(): number {
    return this.shardIds.find((k) => !this.positions.has(k)) ?? -1;
  }

  whenReady(fn: () => void): () => void {
    if (this.ready) {
      fn();
      return () => {};
    }
    this.readyWaiters.add(fn);
    return () => void this.readyWaiters.delete(fn);
  }

  /**
   * Several shards: the last sequence number of `shard` when it has not published anything here
   * yet (a worker's recovered position). Never moves a shard's position back.
   */
  setShardPosition(shard: number, seq: number): void {
    if (!this.shardIds.includes(shard)) return this.opts.log(`WAL export: position of unknown shard ${shard} ignored`);
    this.advance(shard, seq);
  }

  private advance(shard: number, seq: number): void {
    const known = this.positions.get(shard);
    if (known !== undefined && known >= seq) return;
    this.positions.set(shard, seq);
    if (known !== undefined || !this.ready) return;
    const waiting = [...this.readyWaiters];
    this.readyWaiters.clear();
    for (const fn of waiting) fn();
  }

  private readonly common: Omit<SocketHandler<SocketData>, "open"> = {
    binaryType: "uint8array",
    data: (s, d) => s.data.sub?.onData(d),
    drain: (s) => s.data.sub?.onDrain(),
    close: (s) => s.data.sub?.finish(),
    // Socket errors, and errors thrown by our own callbacks: the connection's state can no longer
    // be trusted, so it is closed (a subscriber resumes with its sequence number).
    error: (s, e) => {
      this.opts.log(`WAL export: error on ${s.data.sub?.peer ?? "a connection"}: ${e.message}`);
      s.data.sub?.refuse("internal error");
    },
  };

  /**
   * Starts listening (listen mode; throws when the address is taken) or dialling (connect mode).
   * `lastSeq`: the last sequence number already in the WAL files (the persistence's recovered
   * `lastSeq`), when it was not known at construction (`startSeq`).
   */
  async start(lastSeq?: number): Promise<void> {
    if (this.state !== "new") throw new Error("WalExporter.start: already started");
    if (lastSeq !== undefined) this.positions.set(this.opts.shard, lastSeq);
    this.state = "started";
    const o = this.opts;
    if (o.writeTimeoutMs > 0) {
      this.checkTimer = setInterval(() => {
        const now = performance.now();
        for (const sub of this.subs) sub.checkWriteTimeout(now);
      }, Math.min(1000, Math.max(10, o.writeTimeoutMs >>> 2)));
      this.checkTimer.unref();
    }
    if (o.mode === "listen") {
      this.listener = Bun.listen<SocketData>({
        hostname: o.host,
        port: o.port,
        data: { sub: undefined },
        // Over TLS a subscriber is taken once its handshake is done (a failed one is dropped).
        ...(o.tls !== undefined
          ? { tls: o.tls, socket: { ...this.common, handshake: (s, ok) => (ok ? this.accept(s, "subscriber") : s.end()) } }
          : { socket: { ...this.common, open: (s) => this.accept(s, "subscriber") } }),
      });
      o.log(`WAL export: listening on ${this.address} (${o.format}${o.tls !== undefined ? ", TLS" : ""})`);
    } else {
      this.connector = new Connector({
        host: o.host, port: o.port, connectTimeoutMs: o.connectTimeoutMs, backoffMinMs: o.backoffMinMs, backoffMaxMs: o.backoffMaxMs,
        handlers: { ...this.common, open: (s) => this.accept(s, "collector") },
        countConnectFailure: () => void this.counters.connectFailures++,
        log: o.log,
      });
      this.connector.start();
    }
  }

  /** Bound port in listen mode (useful with port 0), the collector's port in connect mode. */
  get port(): number {
    return this.listener?.port ?? this.opts.port;
  }

  get address(): string {
    const h = this.opts.host;
    return `${h.includes(":") ? `[${h}]` : h}:${this.port}`;
  }

  private accept(s: Parameters<NonNullable<SocketHandler<SocketData>["open"]>>[0], role: "subscriber" | "collector"): void {
    const sub = new Subscriber(this, s, role);
    s.data = { sub };
    if (this.state !== "started") return sub.close();
    if (role === "subscriber" && this.subs.size >= this.opts.maxSubscribers) return sub.reject(ERR_TOO_MANY);
    this.subs.add(sub);
    sub.start();
  }

  /**
   * Sends a group of FCW4 frames (the WAL writer's `onGroup` bytes: whole frames, consecutive
   * sequence numbers) to every subscriber. The bytes are copied; the view may be reused after.
   */
  publish(frames: Uint8Array): void {
    if (frames.length === 0) return;
    try {
      this.fanOut(frames);
    } catch (e) {
      // Never let the export break the WAL writer that calls us.
      this.opts.log(`WAL export: cannot publish a group of ${frames.length} bytes: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private fanOut(group: Uint8Array): void {
    let frames = group;
    let shape = groupShape(frames);
    let shard = this.opts.shard;
    if (this.multiShard) {
      shard = shape.shard;
      if (!this.shardIds.includes(shard)) throw new RangeError(`frames of shard ${shard}, not in this stream (shards 0..${this.shardIds.length - 1})`);
      // Frames at or before the shard's known position were published already: never twice.
      const known = this.positions.get(shard);
      if (known !== undefined && shape.firstSeq <= known) {
        const rest = chunkAfter({ buf: frames, frames: shape.frames, firstSeq: shape.firstSeq, lastSeq: shape.lastSeq, shard }, known);
        if (rest === undefined) return;
        frames = rest.buf;
        shape = { frames: rest.frames, firstSeq: rest.firstSeq, lastSeq: rest.lastSeq, shard };
      }
    }
    this.counters.groupsPublished++;
    if (this.multiShard) this.advance(shard, shape.lastSeq);
    else this.positions.set(shard, shape.lastSeq);
    let wanted = false;
    for (const sub of this.subs) {
      if (sub.state !== SubState.Handshake && sub.state !== SubState.Waiting) {
        wanted = true;
        break;
      }
    }
    if (!wanted) return;
    const buf = this.opts.format === "fcw2" ? transcodeToFcw2(frames, shape.frames, Date.now()) : frames.slice();
    const chunk: Chunk = { buf, frames: shape.frames, firstSeq: shape.firstSeq, lastSeq: shape.lastSeq, shard };
    for (const sub of this.subs) sub.publish(chunk);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    for (const sub of this.subs) sub.pump();
  };

  scratch(min: number): Uint8Array {
    if (this.scratchBuf.length < min) this.scratchBuf = new Uint8Array(Math.max(min, 64 * 1024));
    return this.scratchBuf;
  }

  removed(sub: Subscriber): void {
    this.subs.delete(sub);
    this.connector?.onClosed(sub);
  }

  stats(): WalExportStats {
    const c = this.counters;
    let active = 0;
    let catchingUp = 0;
    let slowest = -1;
    let pending = 0;
    for (const sub of this.subs) {
      pending += sub.pendingBytes;
      if (sub.state === SubState.Handshake || sub.state === SubState.Waiting) continue;
      active++;
      if (sub.state === SubState.CatchUp) catchingUp++;
      if (slowest < 0 || sub.sentSeq < slowest) slowest = sub.sentSeq;
    }
    return {
      mode: this.opts.mode, format: this.opts.format, address: this.address, lastSeq: this.lastSeq,
      framesSent: c.framesSent, bytesSent: c.bytesSent, writeFailures: c.writeFailures, connectFailures: c.connectFailures,
      subscribersAccepted: c.subscribersAccepted, subscribersRejected: c.subscribersRejected, subscribersActive: active,
      subscribersDropped: c.subscribersDropped, subscribersCatchingUp: catchingUp, slowestSeq: slowest,
      slowestLag: slowest < 0 ? 0 : this.lastSeq - slowest, pendingBytes: pending,
      fcw2SkippedFrames: fcw2Counters.skippedFrames,
      collectorConnected: this.connector?.current !== undefined,
      shardLastSeqs: this.multiShard ? this.shardIds.map((k) => `${k}=${this.positions.get(k) ?? "?"}`).join(",") : undefined,
    };
  }

  /** The "# Walexport" section of INFO, lines joined with CRLF. */
  info(): string {
    return walExportInfo(this.stats());
  }

  /** Stops listening or dialling and closes every connection (queued bytes are discarded). */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer);
    this.listener?.stop();
    this.listener = undefined;
    for (const sub of [...this.subs]) sub.close();
    await this.connector?.stop();
  }
}
