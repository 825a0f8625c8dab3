// The incoming half of a worker-to-worker channel. A peer's requests arrive as raw RESP; each is
// run here, by the owner, through a dispatcher without a router (so nothing is forwarded twice),
// and the replies of one `data` event leave in one write. Internal requests (`__name`) serve the
// cluster itself: protocol switch, the gate, key transfer for cross-worker RENAME/COPY/moves.

import { receiveKeyspaceInterest } from "./notify-remote.ts";
import { restoreValue } from "../engine/compound/codecs.ts";
import type { Socket, UnixSocketListener } from "bun";
import type { MultiState } from "../commands/transactions.ts";
import type { Args, Client, ServerContext } from "../commands/types.ts";
import type { Databases } from "../engine/databases.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { Status, type ValueType } from "../engine/types.ts";
import { RespParser } from "../protocol/resp-parser.ts";
import { ReplyWriter } from "../protocol/reply-writer.ts";
import type { DurabilityGate } from "../server/connection.ts";
import { OutputQueue } from "../server/output-queue.ts";
import type { Gate } from "./gate.ts";

/** Runs one command for a client (the worker's router-less dispatcher). */
export type Executor = (c: Client, argv: Args) => void;

/** A client that stands for a peer worker: replies go to the peer link. */
export class PeerClient implements Client {
  readonly reply = new ReplyWriter(16 * 1024);
  name = "";
  libName = "";
  libVersion = "";
  authenticated = true;
  readonly createdAt = Date.now();
  lastInteraction = this.createdAt;
  readonly remoteAddress = "peer";
  readonly remotePort = 0;
  readonly localPort = 0;
  lastCommand = "NULL";
  replyMode: "on" | "off" | "skip" = "on";
  noEvict = false;
  multi: MultiState | undefined = undefined;
  /** Selected by the sender's `__db n` (the database of the client it runs for). */
  dbIndex = 0;

  constructor(
    readonly id: number,
    readonly server: ServerContext,
    /** Databases of its own instead of the server's (the atomic scratch path). */
    private readonly own?: Databases,
  ) {}

  get db(): Keyspace {
    return (this.own ?? this.server.databases).at(this.dbIndex);
  }

  get isolated(): boolean {
    return this.own !== undefined;
  }

  queryBufferBytes(): number {
    return 0;
  }
  outputBufferBytes(): number {
    return this.reply.len;
  }
  closeAfterReply(): void {}
  kill(): void {}
}

const U = 95; // '_'
const dec = new TextDecoder();

export interface PeerServerDeps {
  path: string;
  server: ServerContext;
  keyspace: Keyspace;
  exec: Executor;
  gate: Gate;
  /** appendfsync always: replies wait until the writes before them are synced. */
  durability?: DurabilityGate | undefined;
  /** Worker 0 with the WAL export: another worker's WAL group (`__frames`) to publish. */
  onFrames?: ((group: Uint8Array) => void) | undefined;
  /** Blocking commands over workers: watches and their notifies (`__bwatch`...). */
  blocking?: { internal(name: string, argv: Args, r: ReplyWriter): void; homeGone(home: number): void } | undefined;
  /** Key changes for tracking and WATCH over workers (`__kwatch`, `__kchanged`, src/cluster/key-interest.ts). */
  keyInterest?: { internal(name: string, argv: Args, r: ReplyWriter, push: (bytes: Uint8Array) => void): void } | undefined;
}

/** Writes a key's type, value and absolute expiry (`*3`), or a null array when it is absent. */
export function dumpKey(ks: Keyspace, key: Uint8Array, r: ReplyWriter): void {
  const slot = ks.peek(key);
  if (slot < 0) return r.nullArray();
  r.arrayHeader(3);
  r.integer(ks.typeOf(slot));
  r.bulk(ks.serializedValue(slot));
  r.integer(ks.expireAt(slot));
}

/** `__` commands that move keys, run on the owner (here or for a peer). */
export function runKeyTransfer(ks: Keyspace, name: string, argv: Args, r: ReplyWriter): void {
  switch (name) {
    case "dump":
      return dumpKey(ks, argv[1]!, r);
    case "restore": {
      // __restore key type value expireAt nx|replace  → :1 stored, :0 not (NX and key exists)
      const type = Number(dec.decode(argv[2]!)) as ValueType;
      const at = Number(dec.decode(argv[4]!));
      const nx = argv[5] !== undefined && argv[5][0] === 110;
      const st = nx && ks.peek(argv[1]!) >= 0 ? Status.Exists : restoreValue(ks, argv[1]!, type, argv[3]!.slice(), at);
      if (st === Status.OutOfMemory || st === Status.TooLarge) return r.error("OOM command not allowed when used memory > 'maxmemory'.");
      r.integer(st === Status.Ok ? 1 : 0);
      return;
    }
    default:
      r.error(`ERR unknown internal command '${name}'`);
  }
}

/** True when argv[0] names an internal (`__`) command. */
export const isInternal = (argv: Args): boolean => {
  const n = argv[0]!;
  return n.length > 2 && n[0] === U && n[1] === U;
};

class PeerSession {
  private readonly parser = new RespParser();
  private readonly client: PeerClient;
  private readonly backlog = new OutputQueue();
  /** Commands that arrived while the gate was held by someone else, in order. */
  private deferred: Args[] = [];
  private waitingGate = false;
  private closed = false;

  constructor(
    private readonly socket: Socket<PeerSession | undefined>,
    id: number,
    private readonly deps: PeerServerDeps,
  ) {
    this.client = new PeerClient(id, deps.server);
  }

  onData(chunk: Uint8Array): void {
    this.parser.feed(chunk, this.sink);
    this.flush();
  }

  private readonly sink = (argv: Args): boolean => {
    if (this.deferred.length > 0 || this.waitingGate || !this.deps.gate.allows(this)) {
      // Keep the arguments: the chunk is ours, but inline/partial buffers may be reused.
      this.deferred.push(argv.map((a) => a.slice()));
      if (!this.waitingGate) this.deps.gate.onOpen(this.resume);
      return true;
    }
    this.run(argv);
    return true;
  };

  private readonly resume = (): void => {
    if (this.closed) return;
    while (this.deferred.length > 0 && !this.waitingGate && this.deps.gate.allows(this)) {
      this.run(this.deferred.shift()!);
    }
    if (this.deferred.length > 0 && !this.waitingGate) this.deps.gate.onOpen(this.resume);
    this.flush();
  };

  private run(argv: Args): void {
    const name = argv[0]!;
    if (name.length > 2 && name[0] === U && name[1] === U) return this.internal(argv);
    this.deps.exec(this.client, argv);
  }

  private internal(argv: Args): void {
    const c = this.client;
    const r = c.reply;
    const name = dec.decode(argv[0]!.subarray(2));
    const ks = this.deps.keyspace;
    switch (name) {
      case "resp":
        r.resp = argv[1]![0] === 51 ? 3 : 2;
        return;
      case "db":
        c.dbIndex = Number(dec.decode(argv[1]!));
        return;
      case "lock":
        // Granted now or later; until then this session's later requests wait.
        this.waitingGate = true;
        this.deps.gate.acquire(this, () => {
          this.waitingGate = false;
          r.ok();
          queueMicrotask(this.resume);
        });
        return;
      case "sync": {
        // Replies once every write recorded so far is durable (moves of keys between shards).
        const d = this.deps.durability;
        if (d === undefined || d.allDurable) return r.ok();
        this.waitingGate = true;
        d.onDurable(() => {
          this.waitingGate = false;
          r.ok();
          queueMicrotask(this.resume);
        });
        return;
      }
      case "frames":
        this.deps.onFrames?.(argv[1]!);
        r.ok();
        return;
      case "repl":
        // Replication across workers (src/replication/worker-feed.ts): snapshots and stream pulls.
        if (this.deps.server.replication === undefined) return r.error("ERR replication is not available");
        return this.deps.server.replication.peerRequest(argv, r);
      case "kswant":
        receiveKeyspaceInterest(this.deps.server, argv, r);
        return;
      case "unlock":
        this.deps.gate.release(this);
        r.ok();
        return;
      case "bwatch":
      case "bunwatch":
      case "btried":
      case "bready":
        if (name === "bwatch") this.watchesFor = Number(dec.decode(argv[1]!));
        if (this.deps.blocking !== undefined) this.deps.blocking.internal(name, argv, r);
        else r.ok();
        return;
      case "kwatch":
      case "kchanged":
        if (this.deps.keyInterest !== undefined) this.deps.keyInterest.internal(name, argv, r, this.push);
        else r.ok();
        return;
      default:
        runKeyTransfer(c.db, name, argv, r);
        // A key written back by a cross-worker operation may wake clients blocked on it.
        if (name === "restore") this.deps.server.blocking?.signal(c.db, argv[1]!);
    }
  }

  /** Writes an out-of-band push into this session's reply stream, after the replies so far. */
  private readonly push = (bytes: Uint8Array): void => {
    if (this.closed) return;
    this.client.reply.raw(bytes);
    this.flush();
  };

  private flush(): void {
    const r = this.client.reply;
    if (r.len === 0 || this.closed) return;
    const d = this.deps.durability;
    if (d !== undefined && d.syncReplies && (this.syncing > 0 || !d.allDurable)) {
      // Group commit: these replies leave once the writes before them are durable, in order.
      const bytes = r.bytes().slice();
      r.reset();
      this.syncing++;
      d.onDurable(() => {
        this.syncing--;
        this.emit(bytes, 0, bytes.length);
      });
      return;
    }
    this.emit(r.buf, 0, r.len);
    r.reset();
  }

  private syncing = 0;

  private emit(buf: Uint8Array, start: number, len: number): void {
    if (this.closed) return;
    if (this.backlog.size > 0) {
      this.backlog.append(buf.subarray(start, start + len));
    } else {
      const w = this.socket.write(buf, start, len);
      if (w >= 0 && w < len) this.backlog.append(buf.subarray(start + w, start + len));
    }
  }

  onDrain(): void {
    const q = this.backlog;
    if (q.size === 0) return;
    const w = this.socket.write(q.buf, q.start, q.size);
    if (w > 0) q.consume(w);
  }

  /** The worker whose clients' watches this session placed (-1: none yet). */
  private watchesFor = -1;

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.deferred = [];
    this.deps.gate.forget(this);
    // That worker went away: its clients' watches must not hold keys here.
    if (this.watchesFor >= 0) this.deps.blocking?.homeGone(this.watchesFor);
  }
}

/** Accepts the peers' links on this worker's Unix socket. */
export function listenPeers(deps: PeerServerDeps): UnixSocketListener<PeerSession | undefined> {
  let nextId = 1_000_000_000;
  return Bun.listen<PeerSession | undefined>({
    unix: deps.path,
    data: undefined,
    socket: {
      binaryType: "uint8array",
      open: (s) => {
        s.data = new PeerSession(s, nextId++, deps);
      },
      data: (s, chunk) => s.data?.onData(chunk),
      drain: (s) => s.data?.onDrain(),
      close: (s) => s.data?.onClose(),
      error: (s) => {
        s.data?.onClose();
        s.end();
      },
    },
  });
}
