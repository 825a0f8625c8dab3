// The command table's vocabulary. Every family file (src/commands/<family>.ts) exports one
// `CommandEntry[]`; src/commands/index.ts joins them once. Dispatch, arity checks, COMMAND output,
// key extraction (routing, WAL) and INFO commandstats all read that one table.

import type { Databases } from "../engine/databases.ts";
import type { Keyspace } from "../engine/keyspace.ts";
import type { BlockingService } from "./blocking.ts";
import type { ReplyWriter } from "../protocol/reply-writer.ts";

/** Arguments of one command, name included (argv[0]). Views into the receive buffer: copy to keep. */
export type Args = Uint8Array[];

/** Command flags (Redis's names). Tests use flags, never names. */
export const CmdFlag = {
  WRITE: 1 << 0,
  READONLY: 1 << 1,
  /** May grow memory: refused with -OOM when over maxmemory under noeviction. */
  DENYOOM: 1 << 2,
  ADMIN: 1 << 3,
  PUBSUB: 1 << 4,
  NOSCRIPT: 1 << 5,
  /** Allowed while the dataset is loading. */
  LOADING: 1 << 6,
  STALE: 1 << 7,
  /** Runs without authentication (AUTH, HELLO, QUIT...). */
  NO_AUTH: 1 << 8,
  FAST: 1 << 9,
  /** Not listed by COMMAND. */
  HIDDEN: 1 << 10,
  MAY_REPLICATE: 1 << 11,
  NO_MULTI: 1 << 12,
  ALLOW_BUSY: 1 << 13,
  /** Writes its own mutation records (no automatic journaling). */
  NO_AUTOJOURNAL: 1 << 14,
  /** Keys found by the entry's `movableKeys` (COMMAND INFO prints it last). */
  MOVABLEKEYS: 1 << 15,
  /** May block the client (BLPOP...): never forwarded whole to another worker. */
  BLOCKING: 1 << 16,
} as const;

/** Flag names in the order COMMAND INFO prints them. */
export const CMD_FLAG_NAMES: readonly [number, string][] = [
  [CmdFlag.WRITE, "write"],
  [CmdFlag.READONLY, "readonly"],
  [CmdFlag.DENYOOM, "denyoom"],
  [CmdFlag.ADMIN, "admin"],
  [CmdFlag.PUBSUB, "pubsub"],
  [CmdFlag.NOSCRIPT, "noscript"],
  [CmdFlag.BLOCKING, "blocking"],
  [CmdFlag.LOADING, "loading"],
  [CmdFlag.STALE, "stale"],
  [CmdFlag.NO_AUTH, "no_auth"],
  [CmdFlag.FAST, "fast"],
  [CmdFlag.MAY_REPLICATE, "may_replicate"],
  [CmdFlag.NO_MULTI, "no_multi"],
  [CmdFlag.ALLOW_BUSY, "allow_busy"],
  [CmdFlag.MOVABLEKEYS, "movablekeys"],
];

export type Handler = (c: Client, argv: Args) => void;

export interface CommandEntry {
  /** Lower-case name (`get`), or `container|sub` for subcommands (`client|setname`). */
  name: string;
  /** Redis arity: positive = exactly N arguments (name included), negative = at least -N. */
  arity: number;
  flags: number;
  /** Position of the first key (0 = no keys), the last key (-1 = last argument), and the step. */
  firstKey: number;
  lastKey: number;
  step: number;
  /** Key positions found by parsing the arguments (SORT's STORE), when the range is not enough. */
  movableKeys?: (argv: Args) => number[];
  /** Keys read beyond the named ones, found from the data in `db` (SORT's BY/GET patterns). */
  patternKeys?: (db: Keyspace, argv: Args) => Uint8Array[];
  /**
   * For a BLOCKING command that only sometimes waits (XREAD waits with its BLOCK option): true
   * when this call may wait, so it runs on the client's worker; false routes it like any command.
   * Absent: every call may wait.
   */
  mayBlock?: (argv: Args) => boolean;
  /** SELECT: the database a call selects when it succeeds (the atomic path follows it), else undefined. */
  selectsDatabase?: (argv: Args, databases: number) => number | undefined;
  /** ACL categories without the `@` (`string`, `keyspace`, `connection`...). */
  categories: readonly string[];
  /** One-line summary for COMMAND DOCS. */
  summary: string;
  /** The Redis version that introduced it (COMMAND DOCS `since`). */
  since: string;
  /** Absent for containers whose subcommands do the work. */
  handler?: Handler;
  /** Subcommands (CLIENT, CONFIG, OBJECT...). Their `name` is `container|sub`. */
  subcommands?: CommandEntry[];
  /** Runtime statistics (INFO commandstats). */
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
  /** Latency histogram (INFO latencystats, LATENCY HISTOGRAM), made at the first timed call; see latency-histogram.ts. */
  latency: Uint32Array | undefined;
}

/** Per-connection state visible to command handlers. The server (src/server/) implements it. */
export interface Client {
  readonly id: number;
  /** Replies go here; its `resp` field is the connection's protocol version (2 or 3). */
  readonly reply: ReplyWriter;
  readonly server: ServerContext;
  /** The keyspace of the selected database (`server.databases.at(dbIndex)`). */
  readonly db: Keyspace;
  /** The selected database (SELECT); 0 at connect and after RESET. */
  dbIndex: number;
  /**
   * True on the cross-worker atomic path, where `db` is a scratch copy of the command's keys:
   * commands that would reach into another database (MOVE, COPY ... DB, SWAPDB) refuse there.
   */
  readonly isolated?: boolean;
  name: string;
  libName: string;
  libVersion: string;
  authenticated: boolean;
  /** Unix ms when the connection was accepted. */
  readonly createdAt: number;
  /** Unix ms of the last command. */
  lastInteraction: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  /** Name of the last command run (CLIENT LIST `cmd=`). */
  lastCommand: string;
  /** CLIENT REPLY ON|OFF|SKIP. */
  replyMode: "on" | "off" | "skip";
  /** CLIENT NO-EVICT. */
  noEvict: boolean;
  /** Pending query bytes and pending reply bytes (CLIENT LIST `qbuf=`, `omem=`). */
  queryBufferBytes(): number;
  outputBufferBytes(): number;
  /** Closes the connection after the replies produced so far have been written (QUIT). */
  closeAfterReply(): void;
  /** Closes the connection now (CLIENT KILL). */
  kill(): void;
  /** The link to this server's primary (its writes pass -READONLY; src/replication/). */
  isMaster?: boolean;
  /** "replica" once the connection receives this server's replication stream. */
  outputClass?: "normal" | "replica";
}

/** Server-wide state visible to command handlers. */
export interface ServerContext {
  /** Database 0's keyspace (its budget's figures are the server's: used_memory, maxmemory). */
  readonly keyspace: Keyspace;
  /** Every numbered database (SELECT, MOVE, SWAPDB, INFO keyspace). */
  readonly databases: Databases;
  readonly config: ConfigStore;
  /** The command table (for COMMAND and dispatch). */
  readonly commands: CommandTable;
  readonly stats: ServerStats;
  /** Connected clients, by id. */
  readonly clients: Map<number, Client>;
  readonly startedAt: number;
  readonly runId: string;
  readonly version: string;
  readonly tcpPort: number;
  readonly pid: number;
  readonly configFile: string;
  readonly executable: string;
  /** True while the dataset is loading (commands without LOADING get -LOADING). */
  loading: boolean;
  /** INFO sections from subsystems (persistence, replication...): name → rendered lines. */
  readonly infoProviders: Map<string, () => string>;
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  /**
   * Stops the server (SHUTDOWN). `save`: true SAVE, false NOSAVE, undefined as configured;
   * `force`: go on when the final save fails; `now`: do not wait for replicas. Returns the error
   * reply when the server cannot stop (the final save failed without FORCE); otherwise the stop
   * goes on in the background and the connection closes.
   */
  shutdown(save: boolean | undefined, flags?: { now?: boolean; force?: boolean }): string | undefined;
  /** The workers this server is one of; undefined for a standalone instance. */
  cluster: ClusterView | undefined;
  /** Blocked clients (BLPOP & co.); undefined where nothing may block (in-process harnesses). */
  readonly blocking?: BlockingService | undefined;
  /** Replication (src/replication/ fills it); undefined in-process harnesses. */
  replication?: ReplicationView | undefined;
  /** True while this server is a read-only replica: writes from clients get -READONLY. */
  replicaReadOnly: boolean;
  /** Keyspace event classes published now (src/commands/notify.ts); 0 or absent = none. */
  notifyMask?: number;
}

/**
 * What commands see of replication (REPLICAOF, PSYNC, REPLCONF, ROLE, WAIT, INFO replication);
 * src/replication/ implements it. Commands never import src/replication/.
 */
export interface ReplicationView {
  /** REPLICAOF host port (or NO ONE when host is undefined): the simple-string reply, or an error. */
  replicaOf(host: string | undefined, port: number): { ok: string } | { error: string };
  /** SYNC / PSYNC replid offset: the connection becomes a replica of this server. */
  sync(c: Client, argv: Args): void;
  /** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]. */
  failover(c: Client, argv: Args): void;
  /** REPLCONF option value ...: replies itself (nothing for ACK). */
  replconf(c: Client, argv: Args): void;
  /** ROLE's reply. */
  role(c: Client): void;
  /** INFO replication's lines. */
  info(): string;
  /** WAIT numreplicas timeout (ms, 0 = forever): replies once enough replicas acked c's writes. */
  wait(c: Client, numreplicas: number, timeoutMs: number): void;
  /** min-replicas-to-write: the error a write gets now, or undefined. */
  writeRefusal(): string | undefined;
  /** `__repl ...` from another worker (its snapshot, stream pulls, "ready" notices). */
  peerRequest(argv: Args, r: ReplyWriter): void;
}

/**
 * What commands see of a server made of several workers (src/cluster/ implements it and plugs it
 * in, as it does the dispatcher's Router): the slot map for CLUSTER and the atomic cross-worker
 * path for EXEC. Commands never import src/cluster/.
 */
export interface ClusterView {
  /** This worker's index (its node in `nodes`). */
  readonly index: number;
  /** The Redis Cluster port of this worker, 0 when cluster ports are off. */
  readonly clusterPort: number;
  readonly nodes: readonly { readonly id: string; readonly host: string; readonly port: number }[];
  readonly slots: {
    ownerOfKey(key: Uint8Array): number;
    /** Inclusive slot ranges an owner serves. */
    rangesOf(owner: number): readonly { readonly start: number; readonly end: number }[];
    /** Slots with an owner. */
    assigned(): number;
  };
  /**
   * Runs `argvs` (keys on several workers) atomically under the gates of every worker involved,
   * replying through `c` exactly as if it ran here; `transaction` replies one array (EXEC).
   */
  runAtomic(c: Client, argvs: Args[], entries: CommandEntry[], transaction: boolean): void;
  /** How many workers this machine runs. */
  readonly count: number;
  /** Runs `argv` on worker `owner` (RESP2); `cb` gets the raw reply (a view valid during the call). */
  askWorker(owner: number, argv: Args, cb: (reply: Uint8Array) => void, db?: number): void;
  /** Holds every worker's gate (nothing else runs anywhere) until `body` calls `release`. */
  withAllGates(body: (release: () => void) => void): void;
}

export interface ServerStats {
  totalConnectionsReceived: number;
  totalCommandsProcessed: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  errorReplies: number;
  /** Error counts by prefix (ERR, WRONGTYPE...): INFO errorstats. */
  errorCounts: Map<string, number>;
  clientOutputLimitDisconnections: number;
  clientQueryBufferLimitDisconnections: number;
  /** Replicas served a full sync, a partial one, and partial ones refused (INFO stats sync_*). */
  syncFull: number;
  syncPartialOk: number;
  syncPartialErr: number;
}

export interface CommandTable {
  /** Lookup by lower-case name. */
  get(name: string): CommandEntry | undefined;
  /** All top-level entries, in table order. */
  all(): readonly CommandEntry[];
}

/** Runtime configuration with Redis's parameter names (CONFIG GET/SET). */
export interface ConfigStore {
  /** Current value of a parameter as Redis prints it, or undefined when unknown. */
  get(name: string): string | undefined;
  /** Names matching a glob pattern (CONFIG GET pattern). */
  match(pattern: string): string[];
  /** Sets a parameter; returns an error message (without the ERR prefix handling) or undefined. */
  set(name: string, value: string): string | undefined;
  /** Writes the current config back to the config file; error message or undefined. */
  rewrite(): string | undefined;
}

export interface SlowLogEntry {
  id: number;
  time: number; // unix seconds
  durationUs: number;
  args: string[];
  peer: string;
  clientName: string;
}

export interface SlowLog {
  entries: SlowLogEntry[];
  nextId: number;
  reset(): void;
}

export interface LatencyMonitor {
  /** event name → samples [unix seconds, ms] (latest last) and max */
  events: Map<string, { samples: [number, number][]; max: number }>;
  reset(events?: string[]): number;
}
