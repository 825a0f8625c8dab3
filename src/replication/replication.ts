// Replication on Redis's own protocol, the primary's side and the state both sides share.
//
// A primary turns every mutation record into Redis commands (mutation-commands.ts) appended to
// one stream; the stream goes to each online replica and into the backlog (repl-backlog.ts) so a
// replica that lost its link resumes with PSYNC. A replica that asks for a full sync gets
// +FULLRESYNC <replid> <offset>, an RDB of the data written between loop turns while clients go
// on (sync-walk.ts; several workers still take it at once), then the stream from <offset>+1. The stream is flushed once per
// loop turn (setImmediate), so a pipeline of writes goes out in one write per replica.
//
// Recording starts with the first replica and stays on (as Redis keeps its backlog): until then
// the keyspace has no replication listener and pays nothing.
//
// The replica's side (following a primary) is master-link.ts; both meet here for ROLE, INFO
// replication, WAIT and REPLICAOF.
import type { Args, Client, ReplicationView, ServerContext } from "../commands/types.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";
import type { ServerConfig } from "../config/params.ts";
import type { Databases } from "../engine/databases.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import { MutationOp, ValueType, type MutationListener, type MutationRecord } from "../engine/types.ts";
import { MasterLink, type LinkHistory, type MasterLinkHost } from "./master-link.ts";
import { commandsOf, type ValueSource } from "./mutation-commands.ts";
import { ReplBacklog } from "./repl-backlog.ts";
import { DiskBacklog } from "./disk-backlog.ts";
import { resumeFromDisk } from "./disk-resync.ts";
import * as path from "node:path";
import { CommandBuffer } from "./resp-encode.ts";
import { WorkerFeed } from "./worker-feed.ts";
import { SpreadWait } from "./wait-spread.ts";
import { RELAY_REQUESTS, ReplicaRelay } from "./replica-relay.ts";
import { AckWaiters } from "./repl-wait.ts";
import { SyncWalk, type RdbWalker, type WalkConnection } from "./sync-walk.ts";
import { infoText, writeRole, type ReplReport, type ReplicaRow } from "./repl-report.ts";
import { Failover } from "./failover.ts";
import { holdWrites } from "../commands/client-pause.ts";
import { log, logAt } from "../log.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** `__repl` requests of a WAIT over several workers (the rest are the worker feed's). */
const SPREAD_WAIT = new Set(["fence", "watch", "unwatch", "acked"]);

/** What replication needs of RDB files (src/persistence/rdb/), injected by the server. */
export interface RdbCodec {
  /** The whole data as an RDB file. */
  write(databases: Databases, aux: Record<string, string | number>): Uint8Array;
  /** A writer that makes the file in pieces while the data changes (a full sync that does not stop clients). */
  walker(databases: Databases, aux: Record<string, string | number>, skip: (db: number, key: Uint8Array) => boolean): RdbWalker;
  /** One RDB file holding the data of several (each worker's file). */
  join(files: readonly Uint8Array[]): Uint8Array;
  /** A DUMP payload of a packed value (RESTORE), undefined when the type cannot be written. */
  dumpPayload(type: ValueType, packed: Uint8Array): Uint8Array;
}

/** A connection the stream is written to (a Connection of src/server/). */
export interface ReplicaConnection extends Client {
  readonly closed: boolean;
  flush(): void;
  /** Bytes waiting for the socket. */
  outputQueued(): number;
  /** Called once from the next drain. */
  onWritable: (() => void) | undefined;
  /** Called once when the connection goes away. */
  onGone: (() => void) | undefined;
  /** The output-buffer-limit class (a replica is cut off by the `replica` limits). */
  outputClass: "normal" | "replica";
}

interface Replica extends ReplicaRow {
  conn: ReplicaConnection;
  /** REPLCONF listening-port. */
  port: number;
  ackOffset: number;
  /** Date.now() of the last REPLCONF ACK. */
  ackAt: number;
  state: "online";
}

export interface ReplicationHost extends MasterLinkHost {
  readonly server: ServerContext;
  readonly config: ServerConfig;
  readonly databases: Databases;
  /** Persistence's listener, which replication's own sits beside. */
  readonly persistenceRecord: MutationListener | undefined;
  readonly rdb: RdbCodec;
  /** This worker's index and the worker count (the link to a primary lives on worker 0). */
  readonly workerIndex: number;
  readonly workerCount: number;
}

function randomReplId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (x) => x.toString(16).padStart(2, "0")).join("");
}


export class Replication implements ReplicationView {
  replid = randomReplId();
  replid2 = "0".repeat(40);
  secondOffset = -1;
  private backlog: ReplBacklog | undefined;
  /** Produced offset when nothing is recorded yet (the backlog carries it once it exists). */
  private baseOffset = 0;
  private readonly replicas = new Set<Replica>();
  /** Full syncs being written while clients go on (sync-walk.ts). */
  private readonly walks = new Map<Client, SyncWalk>();
  private readonly pending = new CommandBuffer();
  private flushQueued = false;
  /** The database the stream last selected (-1: the next command selects one). */
  private streamDb = -1;
  /** The database selected where the pending chunk starts (what a worker feed prefixes). */
  private chunkDb = -1;
  private feedOf: WorkerFeed | undefined;
  private spreadOf: SpreadWait | undefined;
  private relayOf: ReplicaRelay | undefined;
  private link: MasterLink | undefined;
  /** REPLICAOF target (every worker knows it; worker 0 holds the link). */
  private masterHost: string | undefined;
  private masterPort = 0;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private readonly source: ValueSource;
  private readonly listener: MutationListener;

  /** FAILOVER's state (failover.ts). */
  private readonly failoverCtl: Failover;

  constructor(private readonly host: ReplicationHost) {
    this.acks = new AckWaiters(this.replicas, host.config, host.server);
    this.failoverCtl = new Failover({
      replicas: () => this.replicas,
      offset: () => this.streamOffset,
      isReplica: () => this.roleName === "slave",
      holdWrites: (on) => holdWrites(host.server, on),
      handOver: (h, p, done) => void this.replicaOf(h, p, done),
      takeBack: () => void this.replicaOf(undefined, 0),
      log: logAt("notice"),
    });
    const dbs = host.databases;
    this.source = {
      valueOf: (db, key) => {
        const ks = dbs.at(db);
        const slot = ks.peek(key);
        if (slot < 0) return undefined;
        return { type: ks.typeOf(slot), packed: ks.serializedValue(slot), expireAt: ks.expireAt(slot) };
      },
      dumpPayload: (t, p) => host.rdb.dumpPayload(t, p),
    };
    const persist = host.persistenceRecord;
    this.listener = persist === undefined ? (m) => this.record(m) : (m) => (persist(m), this.record(m));
    host.server.replication = this;
  }

  /** `replicaof` of the config file or flags: follow that primary once our own data is loaded. */
  startFromConfig(): void {
    const at = this.host.config.replicaof;
    if (at === "") return;
    const [h, p] = at.split(" ");
    this.replicaOf(h, Number(p));
  }

  /** The listener a keyspace made later (SELECT of a new database) starts with. */
  listenerFor(): MutationListener | null {
    return this.backlog !== undefined ? this.listener : (this.host.persistenceRecord ?? null);
  }

  get roleName(): "master" | "slave" {
    return this.masterHost === undefined ? "master" : "slave";
  }

  /** master_repl_offset: bytes of stream produced so far (a replica: processed from its primary). */
  get offset(): number {
    if (this.link !== undefined) return this.link.offset;
    return (this.backlog?.offset ?? this.baseOffset) + this.pending.len;
  }

  /** Bytes of our own stream produced so far (what our replicas' offsets count). */
  private get streamOffset(): number {
    return (this.backlog?.offset ?? this.baseOffset) + this.pending.len;
  }

  // ---- the stream -----------------------------------------------------------------------------

  private startRecording(): void {
    if (this.backlog !== undefined) return;
    this.backlog = this.newBacklog(this.baseOffset);
    this.host.databases.each((_i, ks: Keyspace) => ks.setMutationListener(this.listener));
    const period = this.host.config["repl-ping-replica-period"] * 1000;
    this.pingTimer = setInterval(() => {
      // No PING while a failover waits: the target must be able to catch up with a still stream.
      if (this.replicas.size > 0 && this.roleName === "master" && this.failoverCtl.state === "no-failover") this.append(["PING"]);
    }, period);
    this.pingTimer.unref?.();
  }

  /**
   * A backlog that holds nothing before `offset`. With the WAL on (`appendonly yes`) and
   * `repl-backlog-disk-size` > 0, what leaves its ring is kept on disk under `dir` (disk-backlog.ts).
   */
  private newBacklog(offset: number): ReplBacklog {
    this.backlog?.disk?.close();
    return new ReplBacklog(this.host.config["repl-backlog-size"], offset, this.diskBacklog(offset + 1));
  }

  /** The disk part of a backlog whose first unsaved byte is `next` (undefined when off). */
  private diskBacklog(next: number): DiskBacklog | undefined {
    const cfg = this.host.config;
    const size = cfg["repl-backlog-disk-size"];
    if (!cfg.appendonly || size === 0 || cfg.dir === "") return undefined;
    return new DiskBacklog(path.join(cfg.dir, `repl-backlog-${this.host.workerIndex}`), next, size);
  }

  /** CONFIG SET repl-backlog-size / repl-backlog-disk-size. */
  configChanged(): void {
    const b = this.backlog;
    if (b === undefined) return;
    b.resize(this.host.config["repl-backlog-size"]);
    const size = this.host.config["repl-backlog-disk-size"];
    if (b.disk !== undefined && size > 0) b.disk.setLimit(size);
    else if (b.disk !== undefined) {
      b.disk.close();
      b.disk = undefined;
    } else b.disk = this.diskBacklog(b.firstByteOffset); // the ring's bytes are the first to go there
  }

  private record(m: MutationRecord): void {
    const db = m.db ?? 0;
    if (db !== this.streamDb && m.op !== 6) {
      this.pending.command(["SELECT", String(db)]);
      this.streamDb = db;
    }
    const whole = this.walks.size > 0 && this.noteForWalks(m, db);
    commandsOf(m, this.source, (argv) => this.pending.command(argv), whole);
    this.queueFlush();
  }

  /** What walks in progress must know of `m`; true when it must go as the whole value. */
  private noteForWalks(m: MutationRecord, db: number): boolean {
    let whole = false;
    for (const w of this.walks.values()) {
      if (m.op === MutationOp.Delete) w.noteDelete(db, m.key);
      else if (m.op === MutationOp.Clear) w.noteClear(db);
      else if (m.op === MutationOp.SwapDb) w.noteSwap();
      else if (m.op === MutationOp.Delta && !whole && (m.type === ValueType.List || m.type === ValueType.Stream)) whole = w.ahead(db, m.key);
    }
    return whole;
  }

  private append(argv: readonly (string | Uint8Array)[]): void {
    this.pending.command(argv);
    this.queueFlush();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(this.flushStream);
  }

  private readonly flushStream = (): void => {
    this.flushQueued = false;
    if (this.pending.len === 0 || this.backlog === undefined) return;
    const bytes = this.pending.take();
    const startDb = this.chunkDb;
    this.chunkDb = this.streamDb;
    this.send(bytes);
    if (this.feedOf?.hasHubs) this.feedOf.recorded(bytes, startDb);
  };

  /** Stream bytes into the backlog and to every online replica. */
  private send(bytes: Uint8Array): void {
    this.backlog!.append(bytes);
    for (const w of this.walks.values()) w.keep(bytes);
    for (const r of this.replicas) {
      r.conn.reply.raw(bytes);
      r.conn.flush();
    }
  }

  /** The worker feed of a multi-worker server (made on first use). */
  private get feed(): WorkerFeed {
    return (this.feedOf ??= new WorkerFeed(this.host.server.cluster!, {
      startRecording: () => this.startRecording(),
      snapshot: () => this.host.rdb.write(this.host.databases, {}),
      flush: () => this.flushStream(),
      appendForeign: (bytes) => {
        this.flushStream();
        this.send(bytes);
        this.streamDb = -1; // the foreign chunk may have selected another database
        this.chunkDb = -1;
      },
    }));
  }

  peerRequest(argv: Args, r: ReplyWriter): void {
    if (this.host.server.cluster === undefined) return r.error("ERR not a worker");
    const what = dec.decode(argv[1] ?? new Uint8Array(0));
    if (SPREAD_WAIT.has(what)) return this.spread.request(argv, r);
    if (RELAY_REQUESTS.has(what)) return this.relay.request(argv, r);
    this.feed.request(argv, r);
  }

  /** Replicas of a primary of several workers are served by worker 0 (replica-relay.ts). */
  private get relay(): ReplicaRelay {
    return (this.relayOf ??= new ReplicaRelay(this.host.server.cluster!, {
      sync: (conn, argv) => this.sync(conn, argv),
      ack: (conn, offset) => this.replconf(conn, [enc.encode("REPLCONF"), enc.encode("ACK"), enc.encode(offset)]),
      hardLimit: () => this.host.config["client-output-buffer-limit"].replica.hard,
    }));
  }

  /** WAIT over every worker's replicas (wait-spread.ts), made on first use. */
  private get spread(): SpreadWait {
    return (this.spreadOf ??= new SpreadWait(this.host.server.cluster!, {
      settle: (done) => this.feed.pullAll(() => {
        this.flushStream();
        done(this.streamOffset);
      }),
      acked: (target) => this.acks.acked(target),
      askAcks: () => {
        if (this.replicas.size > 0) this.append(["REPLCONF", "GETACK", "*"]);
      },
      flush: () => this.flushStream(),
    }));
  }

  // ---- a replica connects (SYNC / PSYNC) --------------------------------------------------------

  sync(c: Client, argv: Args): void {
    const conn = c as ReplicaConnection;
    if (this.host.workerCount > 1 && this.host.server.cluster !== undefined && this.host.workerIndex !== 0) return this.relay.forward(conn, argv);
    if (argv.length === 4 && dec.decode(argv[3]!).toLowerCase() === "failover") {
      // Our primary hands over (FAILOVER): we take over its history if we follow exactly it.
      if (dec.decode(argv[1]!) !== this.replid) return c.reply.error("ERR PSYNC FAILOVER replid must match my replid.");
      this.replicaOf(undefined, 0);
      log.notice(`MASTER MODE enabled (failover request from 'addr=${c.remoteAddress}:${c.remotePort}')`);
      argv = argv.slice(0, 3);
    }
    if (this.roleName === "slave" && this.link?.state !== "connected") {
      return c.reply.error("NOMASTERLINK Can't SYNC while not connected with my master");
    }
    this.startRecording();
    const psync = argv.length === 3;
    if (psync) {
      const id = dec.decode(argv[1]!);
      const from = Number(dec.decode(argv[2]!));
      const backlog = this.backlog!;
      this.flushStream();
      const idOk = id === this.replid || (id === this.replid2 && from <= this.secondOffset);
      const tail = idOk ? backlog.since(from) : undefined;
      const stats = this.host.server.stats;
      if (tail === undefined && idOk && from >= backlog.heldFrom && from <= backlog.offset + 1) {
        stats.syncPartialOk++;
        c.reply.raw(enc.encode(`+CONTINUE ${this.replid}\r\n`));
        conn.outputClass = "replica";
        resumeFromDisk(this.walkConnection(conn), from, {
          flushStream: () => this.flushStream(),
          backlog: () => this.backlog,
          attach: () => this.attach(conn),
          log: (line) => console.log(line),
        });
        return;
      }
      if (tail === undefined) {
        if (id !== "?") stats.syncPartialErr++;
      } else {
        stats.syncPartialOk++;
        c.reply.raw(enc.encode(`+CONTINUE ${this.replid}\r\n`));
        c.reply.raw(tail);
        this.attach(conn);
        return;
      }
    }
    this.host.server.stats.syncFull++;
    if (this.host.workerCount > 1 && this.host.server.cluster !== undefined) {
      // Every worker's data, taken while nothing runs anywhere (worker-feed.ts).
      this.feed.snapshotAll((files, release) => {
        if (files instanceof Error) {
          c.reply.error(`ERR full sync failed: ${files.message}`);
        } else {
          this.fullSync(conn, psync, files.filter((f): f is Uint8Array => f !== undefined));
        }
        conn.flush();
        release();
      });
      return;
    }
    if ((conn as { replCapaEof?: boolean }).replCapaEof === true) return this.walkSync(conn, psync);
    this.fullSync(conn, psync, []);
  }

  /** AUX fields of a full sync's file starting at `offset`. */
  private syncAux(offset: number): Record<string, string | number> {
    return {
      "redis-ver": "7.0.15",
      "redis-bits": 64,
      ctime: Math.floor(Date.now() / 1000),
      "repl-stream-db": 0,
      "repl-id": this.replid,
      "repl-offset": offset,
      "aof-base": 0,
    };
  }

  /** A replica's connection as a walk or a disk resync paces its output. */
  private walkConnection(c: ReplicaConnection): WalkConnection {
    return {
      get closed(): boolean {
        return c.closed;
      },
      outputQueued: () => c.outputQueued(),
      get onWritable(): (() => void) | undefined {
        return c.onWritable;
      },
      set onWritable(f: (() => void) | undefined) {
        c.onWritable = f;
      },
      raw: (b: Uint8Array) => c.reply.raw(b),
      flush: () => c.flush(),
      kill: () => c.kill(),
    };
  }

  /** +FULLRESYNC, then the file written between loop turns (sync-walk.ts), then the stream. */
  private walkSync(c: ReplicaConnection, psync: boolean): void {
    this.flushStream();
    const offset = this.streamOffset;
    if (psync) c.reply.raw(enc.encode(`+FULLRESYNC ${this.replid} ${offset}\r\n`));
    this.streamDb = -1; // the replica's database is unknown: the next command selects one
    const conn = this.walkConnection(c);
    c.outputClass = "replica";
    const aux = this.syncAux(offset);
    const hard = this.host.config["client-output-buffer-limit"].replica.hard;
    const walk = new SyncWalk(this.host.databases, conn, (skip) => this.host.rdb.walker(this.host.databases, aux, skip), hard,
      () => {
        this.walks.delete(c);
        this.attach(c);
      },
      (why) => {
        this.walks.delete(c);
        log.warning(`Replica full sync abandoned: ${why}`);
      });
    this.walks.set(c, walk);
    c.onGone = () => walk.abandon("the replica went away");
    walk.begin();
  }

  /** +FULLRESYNC, the RDB of our data (and the other workers' files), then the stream. */
  private fullSync(c: ReplicaConnection, psync: boolean, others: Uint8Array[]): void {
    const rdb0 = this.host.rdb;
    // Whatever is pending belongs before the snapshot's offset.
    this.flushStream();
    const offset = this.streamOffset;
    const own = rdb0.write(this.host.databases, this.syncAux(offset));
    const rdb = others.length === 0 ? own : rdb0.join([own, ...others]);
    if (psync) c.reply.raw(enc.encode(`+FULLRESYNC ${this.replid} ${offset}\r\n`));
    c.reply.raw(enc.encode(`$${rdb.length}\r\n`));
    c.reply.raw(rdb);
    this.streamDb = -1; // the replica's database is unknown: the next command selects one
    this.attach(c);
  }

  private attach(conn: ReplicaConnection): void {
    const r: Replica = { conn, port: (conn as { replPort?: number }).replPort ?? 0, ackOffset: 0, ackAt: Date.now(), state: "online" };
    conn.outputClass = "replica";
    conn.onGone = () => this.replicas.delete(r);
    this.replicas.add(r);
  }

  replconf(c: Client, argv: Args): void {
    if ((argv.length - 1) % 2 !== 0) return c.reply.error("ERR syntax error");
    for (let i = 1; i < argv.length; i += 2) {
      const opt = dec.decode(argv[i]!).toLowerCase();
      const val = dec.decode(argv[i + 1]!);
      switch (opt) {
        case "listening-port":
          (c as { replPort?: number }).replPort = Number(val);
          break;
        case "ip-address":
          break;
        case "capa":
          if (val.toLowerCase() === "eof") (c as { replCapaEof?: boolean }).replCapaEof = true;
          break;
        case "ack": {
          if (this.relayOf?.relays(c)) return this.relayOf.ack(c, val);
          // No reply, as Redis: the primary's stream is not answered. A replica's first ack after
          // a walked full sync starts its stream (sync-walk.ts).
          this.walks.get(c)?.startStream();
          for (const r of this.replicas) {
            if (r.conn !== c) continue;
            const off = Number(val);
            if (off > r.ackOffset) r.ackOffset = off;
            r.ackAt = Date.now();
          }
          this.wakeWaiters();
          this.failoverCtl.check();
          return;
        }
        case "getack":
          // From our primary: answer on the link with what we processed.
          if (c.isMaster) this.link?.sendAck();
          return;
        case "rdb-only":
        case "rdb-filter-only":
          break;
        default:
          return c.reply.error(`ERR Unrecognized REPLCONF option: ${dec.decode(argv[i]!)}`);
      }
    }
    c.reply.ok();
  }

  // ---- WAIT and min-replicas-to-write (repl-wait.ts) -----------------------------------------

  private readonly acks: AckWaiters;

  wait(c: Client, numreplicas: number, timeoutMs: number): void {
    if (this.roleName === "slave") return c.reply.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
    if (this.host.workerCount > 1 && this.host.server.cluster !== undefined) return this.spread.wait(c, numreplicas, timeoutMs);
    const target = this.streamOffset;
    this.acks.wait(c, numreplicas, timeoutMs, target, () => this.append(["REPLCONF", "GETACK", "*"]));
  }

  private wakeWaiters(): void {
    this.acks.wake();
    this.spreadOf?.acksChanged();
  }

  writeRefusal(): string | undefined {
    return this.roleName === "slave" ? undefined : this.acks.writeRefusal();
  }

  // ---- REPLICAOF --------------------------------------------------------------------------------

  // ---- FAILOVER (failover.ts) --------------------------------------------------------------------

  failover(c: Client, argv: Args): void {
    if (this.host.workerCount > 1) return c.reply.error("ERR FAILOVER is not supported with several workers (run with --workers 1)");
    this.failoverCtl.command(c, argv);
  }

  /** `handedOver`: this REPLICAOF is a FAILOVER's, whose PSYNC asks the target to take over. */
  replicaOf(host: string | undefined, port: number, handedOver?: (accepted: boolean) => void): { ok: string } | { error: string } {
    if (host === undefined) {
      if (this.masterHost !== undefined) {
        // Promotion: the old history stays resumable under replid2 (as Redis's shiftReplicationId).
        const off = this.offset;
        this.link?.close();
        this.link = undefined;
        this.masterHost = undefined;
        this.replid2 = this.replid;
        this.secondOffset = off + 1;
        this.replid = randomReplId();
        this.baseOffset = off;
        // Our own stream now continues the primary's offsets: its old bytes are not that history.
        if (this.backlog !== undefined) this.backlog = this.newBacklog(off);
        this.host.server.replicaReadOnly = false;
        // From here every write is history the other replicas resume from (PSYNC old-id offset).
        if (this.host.workerIndex === 0 || this.host.workerCount === 1) this.startRecording();
      }
      return { ok: "OK" };
    }
    if (this.masterHost === host && this.masterPort === port) return { ok: "OK Already connected to specified master" };
    this.link?.close();
    this.masterHost = host;
    this.masterPort = port;
    this.host.server.replicaReadOnly = this.host.config["replica-read-only"];
    // Our replicas resync from the new history.
    for (const r of this.replicas) r.conn.kill();
    const history: LinkHistory = this.linkState();
    if (handedOver !== undefined) history.failover = handedOver;
    this.link = this.host.workerIndex === 0 ? new MasterLink(this.host, host, port, history) : undefined;
    return { ok: "OK" };
  }

  /** What the link resumes from: our history as a replica of that primary. */
  private linkState(): LinkHistory {
    // The link tells us the history it follows (a replica's replid is its primary's, as Redis's).
    return { replid: this.replid, offset: this.offset, adoptHistory: (id, off) => this.adoptHistory(id, off) };
  }

  /** The link finished a full sync (new history) or a partial one (same history). */
  adoptHistory(replid: string, offset: number): void {
    this.replid = replid;
    this.baseOffset = offset;
  }

  // ---- ROLE / INFO (repl-report.ts renders them) ---------------------------------------------

  private report(): ReplReport {
    return {
      masterHost: this.masterHost, masterPort: this.masterPort, link: this.link, replicas: this.replicas, offset: this.offset,
      replid: this.replid, replid2: this.replid2, secondOffset: this.secondOffset, backlog: this.backlog, config: this.host.config,
      failoverState: this.failoverCtl.state,
    };
  }

  role(c: Client): void {
    writeRole(c.reply, this.report());
  }

  info(): string {
    return infoText(this.report());
  }

  close(): void {
    this.link?.close();
    this.backlog?.disk?.close();
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
  }
}
