// One client connection: its parser, its reply buffer and its backlog of unsent bytes.
//
// Per `data` event: parse every complete command, dispatch each as soon as it is complete,
// then ONE socket.write() of everything the commands replied. What the socket does not take goes
// to the backlog (ClientBacklog), resent from `drain`; while the backlog is not empty, new replies
// are appended behind it, never written directly, so bytes cannot be reordered.

import type { Socket } from "bun";
import { clientInfoLine } from "../commands/conn-client.ts";
import { forgetSubscriber } from "../commands/pubsub.ts";
import type { MultiState } from "../commands/transactions.ts";
import type { Args, Client, ServerContext } from "../commands/types.ts";
import type { OutputBufferLimit, ServerConfig } from "../config/params.ts";
import type { Databases } from "../engine/databases.ts";
import { unwatchAll } from "../commands/watch.ts";
import { disableTracking } from "../commands/tracking.ts";
import { forgetMonitor } from "../commands/monitor.ts";
import { heldByPause } from "../commands/client-pause.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { RespParser } from "../protocol/resp-parser.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import type { Dispatcher } from "./dispatch.ts";
import { ClientBacklog } from "./client-backlog.ts";
import { SyncHeldReplies, type HeldReplySink } from "./sync-held-replies.ts";
import { OutputLimitClock } from "./output-limit.ts";
import { ReplyOrder } from "./reply-order.ts";
import { log } from "../log.ts";

/**
 * Multi-worker backpressure: past this many forwarded replies outstanding, the connection stops
 * reading (socket.pause()) until they are down to RESUME_FORWARDS. Without it, one client that
 * streams a large pipeline makes its worker parse everything at once and keep a place, a closure
 * and a reply copy per forwarded command (measured: +227 MiB of RSS, never returned, for 1M SETs).
 */
export const MAX_PENDING_FORWARDS = 4096;
export const RESUME_FORWARDS = 1024;

/**
 * Output backpressure: past this many bytes in the backlog the connection stops reading the
 * client's further commands, and reads again from `drain` once the backlog is down to
 * RESUME_OUTPUT_BYTES (a client that does not read cannot make the server buffer without bound).
 */
export const PAUSE_OUTPUT_BYTES = 1024 * 1024;
export const RESUME_OUTPUT_BYTES = 256 * 1024;

/** Replies built during one chunk are moved to the socket/backlog past this size. */
const EARLY_FLUSH_BYTES = 1024 * 1024;

/**
 * Fairness: once one chunk's commands have produced this many reply bytes, the rest of the chunk
 * waits for the next turn of the event loop (setImmediate), so a client pipelining large replies
 * (say GETs of a 1 MB value, up to its output limit) cannot hold the loop for hundreds of ms
 * while other clients wait. Measured with bench/abuse-latency.ts.
 */
const YIELD_OUTPUT_BYTES = 1024 * 1024;

/** Complete replies held behind a forwarded one are written anyway past this size. */
const RELEASE_EARLY_BYTES = 16 * 1024;

/** A worker's execution gate (src/cluster/gate.ts): closed while a cross-worker operation runs. */
export interface ExecutionGate {
  readonly holder: object | null;
  onOpen(fn: () => void): void;
}

/** Group commit seen from a connection (the server's Persistence). */
export interface DurabilityGate {
  /** True when replies must wait until the writes before them are synced (appendfsync always). */
  readonly syncReplies: boolean;
  /** True when nothing recorded is waiting for its sync. */
  readonly allDurable: boolean;
  /** Calls back, in order, once everything recorded so far is durable. */
  onDurable(cb: (err?: Error) => void): void;
}

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly server: ServerContext;
  readonly config: ServerConfig;
  readonly dispatcher: Dispatcher;
  readonly keyspace: Keyspace;
  /** Persistence; absent = replies are never held. */
  readonly persistence?: DurabilityGate;
  /** Multi-worker servers: commands wait while the gate is held. */
  readonly gate?: ExecutionGate;
}

const unlimited = (lim: OutputBufferLimit): boolean => lim.hard === 0 && lim.soft === 0;

/** A command's size as received (its RESP framing estimated). */
function argvBytes(argv: Args): number {
  let n = 16;
  for (const a of argv) n += a.length + 16;
  return n;
}

export class Connection implements Client {
  /** Starts small (idle connections are common) and grows by doubling for big pipelines. */
  readonly reply = new ReplyWriter(4096);
  readonly server: ServerContext;
  dbIndex = 0;
  private readonly databases: Databases;
  name = "";
  libName = "";
  libVersion = "";
  authenticated: boolean;
  readonly createdAt = Date.now();
  lastInteraction = this.createdAt;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  lastCommand = "NULL";
  replyMode: "on" | "off" | "skip" = "on";
  noEvict = false;
  /** Inside MULTI: the queued commands (src/commands/transactions.ts). */
  multi: MultiState | undefined = undefined;
  /** Channels and patterns subscribed to (src/commands/pubsub.ts). */
  subscriptions = 0;
  /** The link to our primary (src/replication/master-link.ts): its writes pass -READONLY. */
  isMaster = false;
  /** client-output-buffer-limit class once not pub/sub: `replica` for a replica's stream. */
  outputClass: "normal" | "replica" = "normal";
  /** Called once when the connection goes away (a replica leaving replication). */
  onGone: (() => void) | undefined = undefined;
  /** Called once from the next drain (a full sync waiting for the replica's socket). */
  onWritable: (() => void) | undefined = undefined;

  /** True once the connection is gone (closed by either side). */
  closed = false;
  private closing = false;
  private running = false;
  private readonly parser: RespParser;
  private readonly backlog = new ClientBacklog();
  private readonly config: ServerConfig;
  private readonly host: ConnectionHost;
  /** client-output-buffer-limit state (soft clock, next in-chunk check). */
  private readonly limitClock = new OutputLimitClock();
  private readonly sink: (argv: Args) => boolean;
  /** appendfsync always: replies wait there until the writes recorded before them are synced. */
  private readonly held: SyncHeldReplies | undefined;
  /** Multi-worker only: places of replies that other workers will send (see hold()). */
  private order: ReplyOrder | undefined;
  private readonly gate: ExecutionGate | undefined;
  /** Commands that arrived while the gate was held, run in order once it opens. */
  private deferred: Args[] | undefined;

  constructor(
    readonly id: number,
    private readonly socket: Socket<Connection | undefined>,
    host: ConnectionHost,
  ) {
    this.host = host;
    this.server = host.server;
    this.databases = host.server.databases;
    this.config = host.config;
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.localPort = socket.localPort;
    this.authenticated = host.config.requirepass === "";
    this.parser = new RespParser({ maxBulkLen: host.config["proto-max-bulk-len"] });
    const durability = host.persistence?.syncReplies ? host.persistence : undefined;
    this.held = durability === undefined ? undefined : new SyncHeldReplies(durability, this.heldSink());
    const dispatcher = host.dispatcher;
    const gate = (this.gate = host.gate);
    this.sink = (argv) => {
      // Held back while paused (a blocked client, a cross-worker write not sent yet) or gated.
      if (this.pauses > 0 || this.deferred !== undefined || (gate !== undefined && gate.holder !== null) || heldByPause(this, argv)) return this.defer(argv);
      dispatcher.run(this, argv);
      this.parser.restricted = !this.authenticated && this.config.requirepass !== "";
      // Between the commands of one chunk too: a 100k-command chunk must not build gigabytes.
      if (this.reply.len >= EARLY_FLUSH_BYTES && this.held === undefined && this.order === undefined) this.flushEarly();
      if (this.reply.len + this.backlog.size > this.limitClock.checkAt && this.checkOutputLimit(Date.now())) return false;
      if (this.reply.len + this.stretchBytes > YIELD_OUTPUT_BYTES && !this.closing && !this.closed) {
        this.yieldTurn();
        return false;
      }
      if (this.backlog.size > PAUSE_OUTPUT_BYTES && unlimited(this.outputLimit())) {
        // Backpressure inside one chunk, for a class with no limit (one with a limit is cut off
        // there, as Redis does): the rest of the chunk waits (unread) until the backlog drains.
        this.outputPaused = true;
        this.updateReading();
        return false;
      }
      return !this.closing && !this.closed;
    };
  }

  /** The selected database's keyspace (SELECT sets dbIndex; SWAPDB swaps what an index holds). */
  get db(): Keyspace {
    return this.databases.at(this.dbIndex);
  }

  queryBufferBytes(): number {
    return this.parser.bufferedBytes() + this.deferredBytes;
  }

  outputBufferBytes(): number {
    return this.backlog.size + this.reply.len + (this.held?.size ?? 0) + (this.order?.bytes ?? 0);
  }

  closeAfterReply(): void {
    this.closing = true;
  }

  kill(): void {
    if (this.closed) return;
    // Killing the client whose command is running: close once its reply is out.
    if (this.running) return this.closeAfterReply();
    this.drop();
  }

  /** A chunk arrived from the peer. */
  onData(chunk: Uint8Array): void {
    if (this.closed || this.closing) return;
    this.server.stats.netInputBytes += chunk.length;
    this.lastInteraction = Date.now();
    const unread = this.unread;
    if (unread !== undefined) {
      // Commands were left unparsed for backpressure: this chunk goes behind them.
      const both = new Uint8Array(unread.length + chunk.length);
      both.set(unread);
      both.set(chunk, unread.length);
      this.unread = both;
      if (!this.outputPaused && !this.yielding) this.readUnread();
      return;
    }
    this.process(chunk);
  }

  /** Bytes received but not parsed yet because the backlog was over PAUSE_OUTPUT_BYTES. */
  private unread: Uint8Array | undefined;

  private readUnread(): void {
    const unread = this.unread;
    this.unread = undefined;
    if (unread !== undefined && !this.closed && !this.closing) this.process(unread);
  }

  /** True from a yield until the next turn reads the rest of the chunk. */
  private yielding = false;
  /** Reply bytes moved out early during the current chunk (see YIELD_OUTPUT_BYTES). */
  private stretchBytes = 0;

  /** Stops this chunk here; the rest is read on the next turn of the event loop. */
  private yieldTurn(): void {
    this.yielding = true;
    setImmediate(this.endYield);
  }

  private readonly endYield = (): void => {
    this.yielding = false;
    if (!this.outputPaused) this.readUnread();
  };

  /** Parses and runs the commands of `chunk`, then writes their replies. */
  private process(chunk: Uint8Array): void {
    const cfg = this.config;
    const stats = this.server.stats;
    const parser = this.parser;
    parser.maxBulkLen = cfg["proto-max-bulk-len"];
    parser.restricted = !this.authenticated && cfg.requirepass !== "";
    this.limitClock.checkAt = 0; // the first reply of each chunk re-reads the limits
    this.stretchBytes = 0;
    this.running = true;
    let error: string | undefined;
    const dispatcher = this.host.dispatcher;
    dispatcher.beginBatch();
    try {
      error = parser.feed(chunk, this.sink);
    } finally {
      dispatcher.endBatch();
      this.running = false;
    }
    if (parser.stoppedAt >= 0 && (this.outputPaused || this.yielding) && !this.closed && !this.closing) {
      this.unread = chunk.slice(parser.stoppedAt); // Bun may reuse the chunk's memory
    }
    const order = this.order;
    if (order !== undefined && order.pending > MAX_PENDING_FORWARDS && !this.readPaused && !this.closed) {
      this.readPaused = true;
      this.updateReading();
    }
    if (error !== undefined) {
      this.reply.error(error);
      stats.errorReplies++;
      stats.errorCounts.set("ERR", (stats.errorCounts.get("ERR") ?? 0) + 1);
      this.closing = true;
    } else if (parser.bufferedBytes() > cfg["client-query-buffer-limit"]) {
      stats.clientQueryBufferLimitDisconnections++;
      this.drop();
      return;
    }
    this.flush();
  }

  /**
   * Reserves the next place in this client's reply stream for a reply another worker sends; the
   * replies written so far go before it, the ones written after it wait behind it.
   */
  hold(discard: boolean): (reply: Uint8Array) => void {
    const order = (this.order ??= new ReplyOrder());
    order.cut(this.reply.buf, this.reply.len);
    this.reply.len = 0;
    const seg = order.reserve();
    const seq = this.isMaster ? this.track() : 0;
    return (bytes) => {
      if (seq !== 0) this.settle(seq);
      if (this.closed) return;
      order.fill(seg, bytes, discard);
      if (this.checkOutputLimit(Date.now())) return;
      if (this.readPaused && order.pending <= RESUME_FORWARDS) {
        this.readPaused = false;
        this.updateReading();
      }
      // One write for all the replies a peer's chunk completes (microtasks run once the
      // peer link's data callback returns).
      if (!this.running && !this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(this.flushQueuedNow);
      }
    };
  }

  /** The master client: forwarded commands so far, and those still without their reply. */
  holdSeq = 0;
  private outstanding: Set<number> | undefined;
  /** The master client: called when a forwarded command's reply arrived (an ack may be due). */
  onSettled: (() => void) | undefined = undefined;

  private track(): number {
    const seq = ++this.holdSeq;
    (this.outstanding ??= new Set()).add(seq);
    return seq;
  }

  private settle(seq: number): void {
    this.outstanding!.delete(seq);
    this.onSettled?.();
  }

  /** The master client: every forwarded command up to this one has been applied by its owner. */
  get settledSeq(): number {
    const first = this.outstanding?.values().next();
    return first === undefined || first.done ? this.holdSeq : first.value - 1;
  }

  /** True while reading is paused for too many forwarded replies outstanding. */
  private readPaused = false;
  /** True while reading is paused for a backlog over PAUSE_OUTPUT_BYTES (undone from drain). */
  private outputPaused = false;
  /** Whether socket.pause() is in effect (one pause for both reasons above). */
  private socketPaused = false;

  /** Pauses or resumes reading so the socket is paused exactly while some reason holds. */
  private updateReading(): void {
    const want = this.readPaused || this.outputPaused;
    if (want === this.socketPaused || this.closed) return;
    this.socketPaused = want;
    if (want) this.socket.pause();
    else this.socket.resume();
  }
  private flushQueued = false;
  private readonly flushQueuedNow = (): void => {
    this.flushQueued = false;
    if (!this.running) this.flush();
  };

  /** Active pause() calls: this client's next commands wait until they are all undone. */
  private pauses = 0;

  /**
   * Holds this client's next commands back (deferred, in order) until the returned function is
   * called: a cross-worker atomic operation has not sent its writes yet, and a later command on
   * the same keys must not overtake it.
   */
  pause(): () => void {
    this.pauses++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.pauses === 0 && this.deferred !== undefined) queueMicrotask(this.resume);
    };
  }

  get heldByClientPause(): boolean {
    return this.deferred !== undefined && this.deferred.length > 0 && heldByPause(this, this.deferred[0]!);
  }

  /** CLIENT PAUSE ended: the commands it held run now, in order. */
  resumeAfterPause(): void {
    if (this.deferred !== undefined && this.pauses === 0 && !this.closed) queueMicrotask(this.resume);
  }

  /**
   * Bytes of the commands in `deferred`: part of qbuf, and bounded by client-query-buffer-limit
   * as Redis bounds the query buffer of a client it stopped reading (a blocked client).
   */
  private deferredBytes = 0;

  private defer(argv: Args): boolean {
    const first = this.deferred === undefined;
    (this.deferred ??= []).push(argv.map((a) => a.slice()));
    this.deferredBytes += argvBytes(argv);
    if (this.deferredBytes > this.config["client-query-buffer-limit"]) {
      this.server.stats.clientQueryBufferLimitDisconnections++;
      this.drop();
      return false;
    }
    if (first && this.pauses === 0) this.gate?.onOpen(this.resume);
    return true;
  }

  /** The gate opened: runs the commands that waited, in order, until it closes again. */
  private readonly resume = (): void => {
    const list = this.deferred;
    const gate = this.gate;
    if (list === undefined || this.closed) return;
    const dispatcher = this.host.dispatcher;
    this.running = true;
    try {
      while (list.length > 0 && (gate === undefined || gate.holder === null) && this.pauses === 0 && !this.closing && !this.closed && !heldByPause(this, list[0]!)) {
        const argv = list.shift()!;
        this.deferredBytes -= argvBytes(argv);
        dispatcher.run(this, argv);
        this.parser.restricted = !this.authenticated && this.config.requirepass !== "";
      }
    } finally {
      this.running = false;
    }
    if (list.length === 0 || this.closing) {
      this.deferred = undefined;
      this.deferredBytes = 0;
    } else if (this.pauses === 0) gate?.onOpen(this.resume);
    this.flush();
  };

  /** True while a forwarded reply has not come back. */
  private waitingForPeers(): boolean {
    return this.order !== undefined && this.order.size > 0;
  }

  /**
   * Mid-chunk: moves a large reply buffer to the socket and backlog, so the reply buffer does
   * not grow by doubling (and leave its outgrown copies) for a big pipeline.
   */
  private flushEarly(): void {
    const r = this.reply;
    this.server.stats.netOutputBytes += r.len;
    this.stretchBytes += r.len;
    if (this.emit(r.buf, 0, r.len)) r.reset();
  }

  /** Writes what the commands replied: one write(), the rest to the backlog. */
  flush(): void {
    if (this.closed) return;
    const order = this.order;
    if (order !== undefined && order.size > 0) {
      const r = this.reply;
      order.cut(r.buf, r.len);
      r.len = 0;
      // Wait for the forwarded replies still out, so a pipeline's replies leave in one write;
      // a large complete prefix goes now (a client that streams without waiting is not starved).
      if (order.pending === 0 || order.readyBytes() >= RELEASE_EARLY_BYTES) order.release((b) => r.raw(b));
    }
    const r = this.reply;
    const len = r.len;
    if (this.held !== undefined && this.held.mustHold(len)) {
      // A close waits for the held replies (afterRelease ends the connection).
      if (len === 0) return;
      this.server.stats.netOutputBytes += len;
      this.held.hold(r.buf.subarray(0, len));
      r.reset();
      return;
    }
    if (len > 0) {
      this.server.stats.netOutputBytes += len;
      if (!this.emit(r.buf, 0, len)) return;
      r.reset();
    }
    if (this.backlog.size > 0) this.afterBacklogGrew();
    else if (this.closing && !this.waitingForPeers()) this.end();
  }

  /** The backlog is not empty: enforce the output limit, pause reading past PAUSE_OUTPUT_BYTES. */
  private afterBacklogGrew(): void {
    if (this.checkOutputLimit(Date.now())) return;
    // A chunk that yielded goes on next turn for a class with a limit (cut off there, as Redis does).
    if (!this.outputPaused && this.backlog.size > PAUSE_OUTPUT_BYTES && !(this.yielding && !unlimited(this.outputLimit()))) {
      // A drain always follows: the backlog is only non-empty after a partial write.
      this.outputPaused = true;
      this.updateReading();
    }
  }

  /** Sends bytes behind the backlog (one write when it is empty); false when the socket is gone. */
  private emit(buf: Uint8Array, start: number, len: number): boolean {
    if (this.backlog.size > 0) {
      this.backlog.append(buf.subarray(start, start + len));
      return true;
    }
    const w = this.socket.write(buf, start, len);
    if (w < 0) {
      this.reply.reset();
      return false;
    }
    if (w < len) this.backlog.append(buf.subarray(start + w, start + len));
    return true;
  }

  /** How the replies held for appendfsync always reach this connection's socket. */
  private heldSink(): HeldReplySink {
    const conn = this;
    return {
      get closed(): boolean {
        return conn.closed;
      },
      emit: (buf, start, len) => this.emit(buf, start, len),
      failDurability: () => this.drop(), // never acknowledge writes that could not be made durable
      afterRelease: () => {
        if (this.backlog.size > 0) this.afterBacklogGrew();
        else if (this.closing && this.held!.idle && !this.waitingForPeers()) this.end();
      },
    };
  }

  /** The socket can take more: resend the backlog (one write). */
  onDrain(): void {
    const q = this.backlog;
    if (this.closed) return;
    if (q.size === 0) return this.wakeWriter();
    while (q.size > 0) {
      const f = q.front();
      const w = this.socket.write(f, 0, f.length);
      if (w > 0) q.consume(w);
      if (w < f.length) break;
    }
    if (this.outputPaused && q.size <= RESUME_OUTPUT_BYTES) {
      this.outputPaused = false;
      this.updateReading();
      if (!this.yielding) this.readUnread();
    }
    if (q.size === 0) {
      this.limitClock.reset();
      if (this.closing && !this.waitingForPeers()) this.end();
    }
    this.wakeWriter();
  }

  private wakeWriter(): void {
    const w = this.onWritable;
    if (w !== undefined) {
      this.onWritable = undefined;
      w();
    }
  }

  /** Bytes waiting for the socket: our queue plus the reply being built. */
  outputQueued(): number {
    return this.backlog.size + this.reply.len;
  }

  /** client-output-buffer-limit of this client's class: pubsub once subscribed, else normal. */
  private outputLimit(): OutputBufferLimit {
    return this.config["client-output-buffer-limit"][this.subscriptions > 0 ? "pubsub" : this.outputClass];
  }

  /**
   * Enforces client-output-buffer-limit for this client's class (pubsub once subscribed, else
   * normal) on every byte waiting for it: backlog, the reply being built, replies held for sync.
   * Over the hard limit, or over the soft one for longer than soft-seconds: logged, counted and
   * closed at once with its queued bytes dropped. True when the client was dropped.
   */
  checkOutputLimit(now: number): boolean {
    if (this.closed) return false;
    const over = this.limitClock.over(this.outputBufferBytes(), this.reply.len + this.backlog.size, this.outputLimit(), now);
    if (over) {
      log.warning(`Client ${clientInfoLine(this)} closed for overcoming of output buffer limits.`);
      this.server.stats.clientOutputLimitDisconnections++;
      this.drop();
    }
    return over;
  }

  /** The socket closed (either side). */
  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.clients.delete(this.id);
    if (this.subscriptions > 0) forgetSubscriber(this);
    this.server.blocking?.forget(this);
    unwatchAll(this);
    disableTracking(this);
    forgetMonitor(this);
    this.gone();
    this.backlog.clear();
    this.held?.clear();
  }

  private gone(): void {
    const f = this.onGone;
    this.onGone = undefined;
    f?.();
  }

  /** Half-close after everything queued was written. */
  private end(): void {
    this.closed = true;
    this.server.clients.delete(this.id);
    if (this.subscriptions > 0) forgetSubscriber(this);
    this.server.blocking?.forget(this);
    unwatchAll(this);
    disableTracking(this);
    forgetMonitor(this);
    this.gone();
    this.socket.end();
  }

  /** Closes now, discarding unsent replies. */
  private drop(): void {
    this.closed = true;
    this.server.clients.delete(this.id);
    if (this.subscriptions > 0) forgetSubscriber(this);
    this.server.blocking?.forget(this);
    unwatchAll(this);
    disableTracking(this);
    forgetMonitor(this);
    this.gone();
    this.backlog.clear();
    this.held?.clear();
    this.reply.reset();
    this.socket.end();
  }
}
