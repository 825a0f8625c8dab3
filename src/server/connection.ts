// One client connection: its parser, its reply buffer and its backlog of unsent bytes.
//
// Per `data` event: parse every complete command, dispatch each as soon as it is complete,
// then ONE socket.write() of everything the commands replied. What the socket does not take goes
// to the backlog (OutputQueue), resent from `drain`; while the backlog is not empty, new replies
// are appended behind it, never written directly, so bytes cannot be reordered.

import type { Socket } from "bun";
import type { Args, Client, ServerContext } from "../commands/types.ts";
import type { ServerConfig } from "../config/params.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { RespParser } from "../protocol/resp-parser.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import type { Dispatcher } from "./dispatch.ts";
import { OutputQueue } from "./output-queue.ts";

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly server: ServerContext;
  readonly config: ServerConfig;
  readonly dispatcher: Dispatcher;
  readonly keyspace: Keyspace;
}

export class Connection implements Client {
  /** Starts small (idle connections are common) and grows by doubling for big pipelines. */
  readonly reply = new ReplyWriter(4096);
  readonly server: ServerContext;
  readonly db: Keyspace;
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

  /** True once the connection is gone (closed by either side). */
  closed = false;
  private closing = false;
  private running = false;
  private readonly parser: RespParser;
  private readonly backlog = new OutputQueue();
  private readonly config: ServerConfig;
  private readonly host: ConnectionHost;
  /** Unix ms since the backlog has been over the soft output limit, 0 when under. */
  private softSince = 0;
  private readonly sink: (argv: Args) => boolean;

  constructor(
    readonly id: number,
    private readonly socket: Socket<Connection | undefined>,
    host: ConnectionHost,
  ) {
    this.host = host;
    this.server = host.server;
    this.db = host.keyspace;
    this.config = host.config;
    this.remoteAddress = socket.remoteAddress;
    this.remotePort = socket.remotePort;
    this.localPort = socket.localPort;
    this.authenticated = host.config.requirepass === "";
    this.parser = new RespParser({ maxBulkLen: host.config["proto-max-bulk-len"] });
    const dispatcher = host.dispatcher;
    this.sink = (argv) => {
      dispatcher.run(this, argv);
      this.parser.restricted = !this.authenticated && this.config.requirepass !== "";
      return !this.closing && !this.closed;
    };
  }

  queryBufferBytes(): number {
    return this.parser.bufferedBytes();
  }

  outputBufferBytes(): number {
    return this.backlog.size + this.reply.len;
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
    const cfg = this.config;
    const stats = this.server.stats;
    stats.netInputBytes += chunk.length;
    this.lastInteraction = Date.now();
    const parser = this.parser;
    parser.maxBulkLen = cfg["proto-max-bulk-len"];
    parser.restricted = !this.authenticated && cfg.requirepass !== "";
    this.running = true;
    let error: string | undefined;
    try {
      error = parser.feed(chunk, this.sink);
    } finally {
      this.running = false;
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

  /** Writes what the commands replied: one write(), the rest to the backlog. */
  flush(): void {
    if (this.closed) return;
    const r = this.reply;
    const len = r.len;
    if (len > 0) {
      this.server.stats.netOutputBytes += len;
      if (this.backlog.size > 0) {
        this.backlog.append(r.buf.subarray(0, len));
      } else {
        const w = this.socket.write(r.buf, 0, len);
        if (w < 0) {
          r.reset();
          return;
        }
        if (w < len) this.backlog.append(r.buf.subarray(w, len));
      }
      r.reset();
    }
    if (this.backlog.size > 0) this.checkOutputLimit(Date.now());
    else if (this.closing) this.end();
  }

  /** The socket can take more: resend the backlog (one write). */
  onDrain(): void {
    const q = this.backlog;
    if (this.closed || q.size === 0) return;
    const w = this.socket.write(q.buf, q.start, q.size);
    if (w > 0) q.consume(w);
    if (q.size === 0) {
      this.softSince = 0;
      if (this.closing) this.end();
    }
  }

  /** Enforces client-output-buffer-limit (normal class); true when the client was dropped. */
  checkOutputLimit(now: number): boolean {
    const size = this.backlog.size;
    const lim = this.config["client-output-buffer-limit"].normal;
    let over = lim.hard > 0 && size > lim.hard;
    if (!over && lim.soft > 0 && size > lim.soft) {
      if (this.softSince === 0) this.softSince = now;
      else over = now - this.softSince > lim.softSeconds * 1000;
    } else if (!over) {
      this.softSince = 0;
    }
    if (over) {
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
    this.backlog.clear();
  }

  /** Half-close after everything queued was written. */
  private end(): void {
    this.closed = true;
    this.server.clients.delete(this.id);
    this.socket.end();
  }

  /** Closes now, discarding unsent replies. */
  private drop(): void {
    this.closed = true;
    this.server.clients.delete(this.id);
    this.backlog.clear();
    this.socket.end();
  }
}
