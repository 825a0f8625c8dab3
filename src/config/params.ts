// Every server parameter, with Redis's name, its type, default, and how it is parsed and printed.
// CONFIG GET/SET, the TOML file, the CLI flags (`--<name>`) and `--help` all read this one table.

import { DEFAULT_COLLECTION_LIMITS } from "../engine/compound/limits.ts";
import type { EvictionPolicy } from "../engine/types.ts";
import { LOG_LEVELS, type LogFormat, type LogLevel } from "../log.ts";
import { ERR_NOTIFY_CLASS, formatKeyspaceEvents, parseKeyspaceEvents } from "../commands/notify-classes.ts";

/** `client-output-buffer-limit` for one client class: bytes, bytes, seconds (0 = no limit). */
export interface OutputBufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

export type OutputBufferClass = "normal" | "replica" | "pubsub";

/** Redis `maxmemory-policy` names accepted by CONFIG SET / --maxmemory-policy. */
export const MAXMEMORY_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
  "allkeys-s3fifo",
  "s3fifo",
] as const;
export type MaxmemoryPolicy = (typeof MAXMEMORY_POLICIES)[number];

/**
 * Maps a Redis policy name to the engine's policy. The engine has four: S3-FIFO, LRU,
 * volatile-ttl and noeviction. Redis's other names map to the nearest one:
 * - allkeys-lfu, volatile-lfu → s3fifo (frequency-aware, like LFU)
 * - allkeys-lru, volatile-lru → lru (the volatile- variants also evict keys without a TTL)
 * - allkeys-random → s3fifo (cheap and scan-resistant; there is no random policy)
 * - volatile-random → volatile-ttl (prefers keys that have a TTL)
 * - allkeys-s3fifo (and its short form s3fifo) → s3fifo, by its own name
 * The default is Redis's, noeviction: libraries such as BullMQ check it at start.
 */
export function enginePolicy(p: MaxmemoryPolicy): EvictionPolicy {
  switch (p) {
    case "noeviction":
      return "noeviction";
    case "allkeys-lru":
    case "volatile-lru":
      return "lru";
    case "volatile-ttl":
    case "volatile-random":
      return "volatile-ttl";
    default:
      return "s3fifo";
  }
}

/**
 * The worker count `--workers 0` (the default) runs on a machine with `cores` cores. A command
 * that reaches the wrong worker through the shared port is forwarded for about 1.1× the CPU of
 * running it (bench/RESULTS.md, "Cores"), so N workers cost 1 + (N-1)/N × 1.1 of one worker's CPU
 * per request. On two cores the second worker never pays: it competes with the client for the
 * other core, and with redis-benchmark on the same machine 2 workers spent 1.6-2.3× redis-server's
 * CPU per request where 1 worker spent 1.0-1.1×. From 3 cores on, N workers serve more than one.
 */
export function autoWorkers(cores: number): number {
  return cores <= 2 ? 1 : cores;
}

/** The typed server configuration. Field names are the Redis parameter names. */
export interface ServerConfig {
  /** TCP port; 0 picks a free one. @default 6379 */
  port: number;
  /** Address to listen on (one address). @default "127.0.0.1" */
  bind: string;
  /** Password for AUTH; empty = no password. @default "" */
  requirepass: string;
  /** Memory limit on the keyspace's used bytes; 0 = unlimited. Accepts 100mb, 1gb... @default 0 */
  maxmemory: number;
  /** Eviction policy when maxmemory is reached. @default "noeviction" (as Redis; `allkeys-s3fifo` is ours) */
  "maxmemory-policy": MaxmemoryPolicy;
  /** Most simultaneous clients. @default 10000 */
  maxclients: number;
  /** Most keys in the client-tracking table (0: no limit). */
  "tracking-table-max-keys": number;
  /** Close clients idle for this many seconds; 0 = never. @default 0 */
  timeout: number;
  /** Refuse non-loopback clients while no password is set. @default true */
  "protected-mode": boolean;
  /** TLS port (0 = no TLS listener). @default 0 */
  "tls-port": number;
  /** PEM certificate (chain) of the TLS listener. @default "" */
  "tls-cert-file": string;
  /** PEM private key of the TLS listener. @default "" */
  "tls-key-file": string;
  /** PEM CA bundle that client certificates are checked against. @default "" */
  "tls-ca-cert-file": string;
  /** Client certificates: yes (required), optional (checked when sent), no (not asked). @default "yes" */
  "tls-auth-clients": "yes" | "no" | "optional";
  /** TLS versions served, e.g. "TLSv1.2 TLSv1.3"; "" = TLSv1.2 and TLSv1.3. @default "" */
  "tls-protocols": string;
  /** TLS 1.2 cipher list (OpenSSL syntax); "" = Bun's default. @default "" */
  "tls-ciphers": string;
  /** TLS 1.3 cipher suites: only "" (Bun's TLS does not let them be chosen). @default "" */
  "tls-ciphersuites": string;
  /**
   * Output buffer limits per client class. Redis has no limit for normal clients; we default to
   * a 256 MiB hard limit so one client that never reads cannot take all memory.
   * @default normal 256mb 0 0, replica 256mb 64mb 60, pubsub 32mb 8mb 60
   */
  "client-output-buffer-limit": Record<OutputBufferClass, OutputBufferLimit>;
  /** Most bytes buffered for one incomplete command. @default 1gb */
  "client-query-buffer-limit": number;
  /** Longest bulk string accepted from a client. @default 512mb */
  "proto-max-bulk-len": number;
  /** Log commands slower than this many µs; negative = off, 0 = all. @default 10000 */
  "slowlog-log-slower-than": number;
  /** Slow log entries kept. @default 128 */
  "slowlog-max-len": number;
  /** Record latency events of at least this many ms; 0 = off. @default 0 */
  "latency-monitor-threshold": number;
  /** Per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM). @default yes */
  "latency-tracking": boolean;
  /** Percentiles INFO latencystats prints, each in [0, 100]. @default "50 99 99.9" */
  "latency-tracking-info-percentiles": readonly number[];
  /** Background task frequency (active expiry, timeouts) in Hz. @default 10 */
  hz: number;
  /** Keyspace notification classes (src/commands/notify.ts), as bits; "" (0) = none. @default "" */
  "notify-keyspace-events": number;
  /** HTTP port of the Prometheus /metrics endpoint; -1 = off, 0 = any free port. @default -1 */
  "metrics-port": number;
  /** Number of databases (SELECT 0 .. databases-1; only 0 with cluster ports). @default 16 */
  databases: number;
  /**
   * Snapshot schedule as Redis prints it ("<seconds> <changes>", "" = none). The server keeps it
   * equal to snapshot-every-seconds / snapshot-min-writes; a `save` given in the file or as a
   * flag sets those two from its first pair. @default "" (no persistence in-process)
   */
  save: string;
  /** Write-ahead log of every mutation (Redis's AOF switch). @default false in-process, yes for the CLI */
  appendonly: boolean;
  /** When WAL writes are fsynced: always (group commit), everysec, no. @default "everysec" */
  appendfsync: FsyncPolicyName;
  /** The interval of appendfsync everysec, in ms. @default 1000 */
  "fsync-interval-ms": number;
  /** Size at which a WAL segment is closed and the next one started. @default 64 MiB */
  "wal-segment-bytes": number;
  /** Automatic snapshot every this many seconds (0 = off)... @default 300 */
  "snapshot-every-seconds": number;
  /** ...when at least this many writes happened since the last one. @default 1000 */
  "snapshot-min-writes": number;
  /** A corrupt WAL frame at start-up: refuse to start (none) or truncate the log there. @default "none" */
  "wal-repair": WalRepairMode;
  "snapshot-repair": SnapshotRepairMode;
  /** Directory of WAL segments, snapshots and the lock file. @default "./data" */
  dir: string;
  /** Snapshot file name. @default "dump.rdb" */
  dbfilename: string;
  /**
   * Worker processes of the CLI server, one per core, sharing the port (SO_REUSEPORT) and the
   * 16384 hash slots; 0 = the number of cores this process may use. In-process servers are one
   * worker. @default 0
   */
  workers: number;
  /** Each worker also listens on its own port (port+1+i) for Redis Cluster clients. @default false */
  "cluster-ports": boolean;
  /**
   * Hash slots this machine serves when several machines share the slot space, as
   * "start-end[,start-end...]"; they are split among the workers. @default "0-16383"
   */
  "cluster-slots": string;
  /**
   * The other machines of a static slot map: "start-end@host:port[,...]" (their cluster ports).
   * Keys in their slots get -MOVED to them. @default "" (this machine serves every slot)
   */
  "cluster-peers": string;
  /** WAL export (docs/EXPORT.md): none, listen (subscribers connect) or connect (dial a collector). @default "none" */
  "wal-export": "none" | "listen" | "connect";
  /** host:port to listen on or of the collector. @default "" */
  "wal-export-addr": string;
  /** FCWAL-AUTH/1 token required or sent; "" = none. @default "" */
  "wal-export-token": string;
  /** Frame layout on the wire: fcw4 (the WAL's) or fcw2 (fast-cache 0.1.0). @default "fcw4" */
  "wal-export-format": "fcw4" | "fcw2";
  /** listen: most subscribers connected at once. @default 16 */
  "wal-export-max-subscribers": number;
  /** Unsent bytes one subscriber may have queued before it is disconnected. @default 64 MiB */
  "wal-export-max-pending-bytes": number;
  /** listen: ms for the auth line; connect: ms to connect and get the collector's FROM line. @default 5000 */
  "wal-export-connect-timeout-ms": number;
  /** A subscriber that accepts nothing for this many ms is disconnected (0 = never). @default 30000 */
  "wal-export-write-timeout-ms": number;
  /** WAL export (listen mode) over TLS with tls-cert-file / tls-key-file (and tls-ca-cert-file + tls-auth-clients). @default no */
  "wal-export-tls": boolean;
  /** Encoding thresholds of collections (src/engine/compound/limits.ts has their meaning). */
  "hash-max-listpack-entries": number;
  "hash-max-listpack-value": number;
  "set-max-intset-entries": number;
  "set-max-listpack-entries": number;
  "set-max-listpack-value": number;
  "list-max-listpack-size": number;
  "zset-max-listpack-entries": number;
  "zset-max-listpack-value": number;
  "hll-sparse-max-bytes": number;
  "stream-node-max-bytes": number;
  "stream-node-max-entries": number;
  /** Replication (src/replication/): "host port" of the primary to follow at start-up; "" = a primary. @default "" */
  replicaof: string;
  /** Password (and ACL user) sent to the primary. @default "" */
  masterauth: string;
  masteruser: string;
  /** A replica refuses writes from its clients (-READONLY). @default true */
  "replica-read-only": boolean;
  /** A replica whose link is down still answers reads (else -MASTERDOWN). @default true */
  "replica-serve-stale-data": boolean;
  /** Bytes of the replication stream kept for partial resyncs. @default 1mb */
  "repl-backlog-size": number;
  /** Bytes of older stream kept on disk (dir/repl-backlog-N/) with the WAL on: a replica away longer still resumes. @default 256mb */
  "repl-backlog-disk-size": number;
  /** Seconds between PINGs a primary sends its replicas. @default 10 */
  "repl-ping-replica-period": number;
  /** Seconds without traffic after which a replication link is dropped. @default 60 */
  "repl-timeout": number;
  /** Writes are refused unless this many replicas acked within min-replicas-max-lag seconds. @default 0 (off) */
  "min-replicas-to-write": number;
  "min-replicas-max-lag": number;
  /** Lowest level written to the log (src/log.ts); "nothing" = silent. @default "notice" */
  loglevel: LogLevel;
  /** Log file appended to; "" = stdout. @default "" */
  logfile: string;
  /** Log lines in Redis's text format or as JSON objects. @default "redis" */
  "log-format": LogFormat;
  /** Seconds SHUTDOWN (and SIGTERM/SIGINT) waits for lagging replicas; 0 = no wait. @default 10 */
  "shutdown-timeout": number;
  /** What SIGTERM does: "default" or flags among save|nosave, now, force (as Redis 7.0). @default "default" */
  "shutdown-on-sigterm": string;
  /** What SIGINT does (same flags). @default "default" */
  "shutdown-on-sigint": string;
}

export type ParamName = keyof ServerConfig;

export const FSYNC_POLICIES = ["always", "everysec", "no"] as const;
export type FsyncPolicyName = (typeof FSYNC_POLICIES)[number];
export const WAL_REPAIR_MODES = ["none", "truncate"] as const;
export type WalRepairMode = (typeof WAL_REPAIR_MODES)[number];
export const SNAPSHOT_REPAIR_MODES = ["none", "skip"] as const;
export type SnapshotRepairMode = (typeof SNAPSHOT_REPAIR_MODES)[number];

export interface ParamDef {
  name: ParamName;
  /** What --help prints. */
  help: string;
  /** Changing it needs a restart (CONFIG SET refuses). */
  immutable?: boolean;
  /** TOML type written by CONFIG REWRITE. */
  toml: "number" | "string" | "boolean";
  /** Parses the Redis text form; a string is an error reason. */
  parse(text: string): unknown;
  /** Prints like CONFIG GET. */
  format(value: unknown): string;
}

class ParamError {
  constructor(readonly reason: string) {}
}
export const isParamError = (v: unknown): v is ParamError => v instanceof ParamError;
const bad = (reason: string): ParamError => new ParamError(reason);

/** Redis memtoull: digits with an optional unit b, k, kb, m, mb, g, gb (case-insensitive). */
export function parseMemory(text: string): number | undefined {
  const m = /^(\d{1,19})([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const mul: Record<string, number> = { "": 1, b: 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  const f = mul[unit];
  if (f === undefined) return undefined;
  const v = Number(m[1]) * f;
  return Number.isSafeInteger(v) ? v : undefined;
}

function intParam(name: ParamName, help: string, min: number, max: number, extra: Partial<ParamDef> = {}): ParamDef {
  return {
    name,
    help,
    toml: "number",
    parse: (t) => {
      const s = t.trim();
      if (!/^-?\d{1,16}$/.test(s)) return bad("argument couldn't be parsed into an integer");
      const v = Number(s);
      if (v < min || v > max) return bad(`argument must be between ${min} and ${max} inclusive`);
      return v;
    },
    format: (v) => String(v),
    ...extra,
  };
}

function memoryParam(name: ParamName, help: string, min = 0): ParamDef {
  return {
    name,
    help,
    toml: "string",
    parse: (t) => {
      const v = parseMemory(t);
      if (v === undefined) return bad("argument must be a memory value");
      if (v < min) return bad(`argument must be a memory value of at least ${min}`);
      return v;
    },
    format: (v) => String(v),
  };
}

function boolParam(name: ParamName, help: string): ParamDef {
  return {
    name,
    help,
    toml: "boolean",
    parse: (t) => {
      const s = t.trim().toLowerCase();
      if (s === "yes" || s === "true") return true;
      if (s === "no" || s === "false") return false;
      return bad("argument must be 'yes' or 'no'");
    },
    format: (v) => (v ? "yes" : "no"),
  };
}

function stringParam(name: ParamName, help: string, extra: Partial<ParamDef> = {}): ParamDef {
  return { name, help, toml: "string", parse: (t) => t, format: (v) => String(v), ...extra };
}

function enumParam(name: ParamName, help: string, values: readonly string[]): ParamDef {
  return {
    name,
    help,
    toml: "string",
    immutable: true,
    parse: (t) => {
      const s = t.trim().toLowerCase();
      return values.includes(s) ? s : bad(`argument(s) must be one of the following: ${values.join(", ")}`);
    },
    format: (v) => String(v),
  };
}

/** latency-tracking-info-percentiles: space-separated numbers in [0, 100] (Redis's checks and texts). */
function parsePercentiles(text: string): readonly number[] | ParamError {
  const out: number[] = [];
  for (const w of text.trim().split(/\s+/)) {
    if (w === "") continue;
    const v = Number(w);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(w) || !Number.isFinite(v)) return bad("Invalid latency-tracking-info-percentiles parameters");
    if (v < 0 || v > 100) return bad("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
    out.push(v);
  }
  return out;
}

/** Redis's `save` syntax: "" or pairs of "<seconds> <changes>"; kept as the normalised text. */
function parseSave(text: string): string | ParamError {
  const parts = text.trim().split(/\s+/).filter((p) => p !== "");
  if (parts.length % 2 !== 0 || !parts.every((p) => /^\d{1,15}$/.test(p))) return bad("Invalid save parameters");
  return parts.join(" ");
}

/** The first "<seconds> <changes>" pair of a `save` value, or undefined for "" (no snapshots). */
export function savePoint(save: string): { seconds: number; changes: number } | undefined {
  const parts = save.trim().split(/\s+/).filter((p) => p !== "");
  if (parts.length < 2) return undefined;
  return { seconds: Number(parts[0]), changes: Number(parts[1]) };
}

/** The `save` text that describes the automatic snapshot schedule. */
export function saveText(cfg: Pick<ServerConfig, "snapshot-every-seconds" | "snapshot-min-writes">): string {
  const s = cfg["snapshot-every-seconds"];
  return s > 0 ? `${s} ${cfg["snapshot-min-writes"]}` : "";
}

/** Defaults of the `fast-cache-server` command: the WAL is on. In-process servers default to none. */
export function cliDefaultConfig(): ServerConfig {
  const c = defaultConfig();
  c.appendonly = true;
  c.save = saveText(c);
  return c;
}

const OBL_CLASSES: Record<string, OutputBufferClass> = { normal: "normal", slave: "replica", replica: "replica", pubsub: "pubsub" };

function parseOutputLimits(text: string): Record<OutputBufferClass, OutputBufferLimit> | ParamError {
  const parts = text.trim().split(/\s+/).filter((p) => p !== "");
  if (parts.length === 0 || parts.length % 4 !== 0) return bad("Wrong number of arguments in buffer limit configuration.");
  const out = defaultOutputLimits();
  for (let i = 0; i < parts.length; i += 4) {
    const cls = OBL_CLASSES[parts[i]!.toLowerCase()];
    if (cls === undefined) return bad("Invalid client class specified in buffer limit configuration.");
    const hard = parseMemory(parts[i + 1]!);
    const soft = parseMemory(parts[i + 2]!);
    const secs = Number(parts[i + 3]);
    if (hard === undefined || soft === undefined || !/^\d+$/.test(parts[i + 3]!)) {
      return bad("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    out[cls] = { hard, soft, softSeconds: secs };
  }
  return out;
}

export function defaultOutputLimits(): Record<OutputBufferClass, OutputBufferLimit> {
  return {
    normal: { hard: 256 * 1024 * 1024, soft: 0, softSeconds: 0 },
    replica: { hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60 },
    pubsub: { hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60 },
  };
}

function formatOutputLimits(v: unknown): string {
  const l = v as Record<OutputBufferClass, OutputBufferLimit>;
  const one = (name: string, x: OutputBufferLimit): string => `${name} ${x.hard} ${x.soft} ${x.softSeconds}`;
  return `${one("normal", l.normal)} ${one("slave", l.replica)} ${one("pubsub", l.pubsub)}`;
}

export const PARAMS: readonly ParamDef[] = [
  intParam("port", "TCP port to listen on (0 = any free port)", 0, 65535, { immutable: true }),
  stringParam("bind", "address to listen on", {
    immutable: true,
    parse: (t) => {
      const s = t.trim();
      if (s === "" || /\s/.test(s)) return bad("exactly one address is supported");
      return s;
    },
  }),
  stringParam("requirepass", "password clients must send with AUTH (empty = none)"),
  memoryParam("maxmemory", "memory limit for keys and values, e.g. 100mb, 1gb (0 = unlimited)"),
  {
    name: "maxmemory-policy",
    help: `eviction policy: ${MAXMEMORY_POLICIES.join(", ")}`,
    toml: "string",
    parse: (t) => {
      const s = t.trim().toLowerCase();
      if ((MAXMEMORY_POLICIES as readonly string[]).includes(s)) return s;
      return bad(`argument(s) must be one of the following: ${MAXMEMORY_POLICIES.join(", ")}`);
    },
    format: (v) => String(v),
  },
  intParam("maxclients", "most simultaneous clients", 1, 1_000_000),
  intParam("tracking-table-max-keys", "most keys remembered for client tracking (0: no limit)", 0, Number.MAX_SAFE_INTEGER),
  intParam("timeout", "close clients idle for this many seconds (0 = never)", 0, 2_147_483_647),
  boolParam("protected-mode", "refuse non-loopback clients when no password is set (yes/no)"),
  intParam("tls-port", "TLS port beside the plain one (0 = no TLS)", 0, 65535, { immutable: true }),
  // CONFIG SET of the TLS files and options reloads the TLS listener (src/server/tls.ts).
  stringParam("tls-cert-file", "PEM certificate (chain) for TLS"),
  stringParam("tls-key-file", "PEM private key for TLS"),
  stringParam("tls-ca-cert-file", "PEM CA bundle that client certificates are verified against"),
  { ...enumParam("tls-auth-clients", "client certificates on the TLS port: yes (required), optional, no", ["yes", "no", "optional"]), immutable: false },
  stringParam("tls-protocols", "TLS versions served: TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 (empty = TLSv1.2 TLSv1.3)", {
    parse: (t) =>
      t.trim().split(/\s+/).every((w) => w === "" || ["tlsv1", "tlsv1.1", "tlsv1.2", "tlsv1.3"].includes(w.toLowerCase()))
        ? t.trim()
        : bad("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."),
  }),
  stringParam("tls-ciphers", "TLS 1.2 cipher list, OpenSSL syntax (empty = Bun's default)"),
  stringParam("tls-ciphersuites", "TLS 1.3 cipher suites: only empty (Bun's TLS does not let them be chosen)", {
    parse: (t) => (t.trim() === "" ? "" : bad("TLS 1.3 cipher suites cannot be chosen with Bun's TLS (leave tls-ciphersuites empty)")),
  }),
  {
    name: "client-output-buffer-limit",
    help: "output buffer limits: '<class> <hard> <soft> <seconds>' (class normal, replica, pubsub)",
    toml: "string",
    parse: parseOutputLimits,
    format: formatOutputLimits,
  },
  memoryParam("client-query-buffer-limit", "most bytes buffered for one incomplete command", 1024 * 1024),
  memoryParam("proto-max-bulk-len", "longest bulk string a client may send", 1024 * 1024),
  intParam("slowlog-log-slower-than", "log commands slower than this many microseconds (-1 = off)", -1, Number.MAX_SAFE_INTEGER),
  intParam("slowlog-max-len", "slow log length", 0, 1_000_000),
  intParam("latency-monitor-threshold", "record events of at least this many ms (0 = off)", 0, Number.MAX_SAFE_INTEGER),
  boolParam("latency-tracking", "per-command latency histograms for INFO latencystats and LATENCY HISTOGRAM (yes/no)"),
  {
    name: "latency-tracking-info-percentiles",
    help: "percentiles INFO latencystats prints, e.g. \"50 99 99.9\" (each 0..100)",
    toml: "string",
    parse: parsePercentiles,
    format: (v) => (v as readonly number[]).map(String).join(" "),
  },
  intParam("hz", "background tasks per second", 1, 500),
  {
    name: "notify-keyspace-events",
    help: "keyspace notification classes, e.g. KEA (K E g $ l s h z x e t m d n A; empty = off)",
    toml: "string",
    parse: (t) => {
      const flags = parseKeyspaceEvents(t);
      return flags < 0 ? bad(ERR_NOTIFY_CLASS) : flags;
    },
    format: (v) => formatKeyspaceEvents(v as number),
  },
  intParam("metrics-port", "Prometheus /metrics on this HTTP port, redis_exporter's names (-1 = off, 0 = any free port)", -1, 65535, { immutable: true }),
  intParam("databases", "number of databases (SELECT 0 .. n-1)", 1, 65536, { immutable: true }),
  stringParam("save", "snapshot schedule '<seconds> <changes>' (empty = none); sets snapshot-every-seconds and snapshot-min-writes", {
    immutable: true,
    parse: parseSave,
  }),
  { ...boolParam("appendonly", "write-ahead log of every write (yes/no)"), immutable: true },
  enumParam("appendfsync", "when the WAL is fsynced: always (replies wait for the sync), everysec, no", FSYNC_POLICIES),
  intParam("fsync-interval-ms", "fsync interval of appendfsync everysec, in ms", 1, 3_600_000, { immutable: true }),
  { ...memoryParam("wal-segment-bytes", "size at which a WAL segment file is closed, e.g. 64mb", 4096), immutable: true },
  intParam("snapshot-every-seconds", "automatic snapshot interval in seconds (0 = off)", 0, 2_147_483_647, { immutable: true }),
  intParam("snapshot-min-writes", "writes needed since the last snapshot for an automatic one", 0, Number.MAX_SAFE_INTEGER, { immutable: true }),
  enumParam("wal-repair", "corrupt WAL frame at start-up: none (refuse to start) or truncate (drop it and what follows)", WAL_REPAIR_MODES),
  enumParam("snapshot-repair", "damaged snapshot whose data nothing older covers: none (refuse to start) or skip (start without it)", SNAPSHOT_REPAIR_MODES),
  stringParam("dir", "directory of the WAL, snapshots and the lock file", { immutable: true }),
  stringParam("dbfilename", "snapshot file name", { immutable: true }),
  intParam("workers", "worker processes sharing the port (0 = auto: 1 on a 1-2 core machine, else one per core)", 0, 1024, { immutable: true }),
  { ...boolParam("cluster-ports", "each worker also serves Redis Cluster clients on port+1+i (yes/no)"), immutable: true },
  stringParam("cluster-slots", "slots this machine serves in a static multi-machine map, e.g. 0-8191", { immutable: true, parse: parseSlotRanges }),
  stringParam("cluster-peers", "other machines of a static slot map: start-end@host:port,... (empty = none)", { immutable: true, parse: parsePeers }),
  enumParam("wal-export", "stream WAL frames over TCP: none, listen (subscribers connect) or connect (dial a collector)", ["none", "listen", "connect"]),
  stringParam("wal-export-addr", "host:port the WAL export listens on or dials", { immutable: true }),
  stringParam("wal-export-token", "token of the FCWAL-AUTH/1 line (empty = none)", { immutable: true }),
  enumParam("wal-export-format", "WAL export frame layout: fcw4 or fcw2 (fast-cache 0.1.0)", ["fcw4", "fcw2"]),
  intParam("wal-export-max-subscribers", "listen: most WAL export subscribers at once", 1, 65536, { immutable: true }),
  { ...memoryParam("wal-export-max-pending-bytes", "unsent bytes a WAL export subscriber may have queued before it is dropped", 1), immutable: true },
  intParam("wal-export-connect-timeout-ms", "WAL export: ms for a subscriber's auth line, or to reach the collector", 1, 3_600_000, { immutable: true }),
  intParam("wal-export-write-timeout-ms", "WAL export: drop a subscriber that accepts nothing for this many ms (0 = never)", 0, 86_400_000, { immutable: true }),
  { ...boolParam("wal-export-tls", "WAL export (listen mode) over TLS, with the tls-cert-file / tls-key-file / tls-ca-cert-file / tls-auth-clients settings (yes/no)"), immutable: true },
  intParam("hash-max-listpack-entries", "most fields of a packed (listpack) hash", 0, Number.MAX_SAFE_INTEGER),
  intParam("hash-max-listpack-value", "longest field or value of a packed hash, in bytes", 0, Number.MAX_SAFE_INTEGER),
  intParam("set-max-intset-entries", "most members of an integer set (intset)", 0, Number.MAX_SAFE_INTEGER),
  intParam("set-max-listpack-entries", "most members of a packed set", 0, Number.MAX_SAFE_INTEGER),
  intParam("set-max-listpack-value", "longest member of a packed set, in bytes", 0, Number.MAX_SAFE_INTEGER),
  intParam("list-max-listpack-size", "list node size: positive = elements, -1..-5 = 4..64 KiB", -5, 2_147_483_647),
  intParam("zset-max-listpack-entries", "most members of a packed sorted set", 0, Number.MAX_SAFE_INTEGER),
  intParam("zset-max-listpack-value", "longest member of a packed sorted set, in bytes", 0, Number.MAX_SAFE_INTEGER),
  intParam("hll-sparse-max-bytes", "largest sparse HyperLogLog before it turns dense, in bytes", 0, Number.MAX_SAFE_INTEGER),
  intParam("stream-node-max-bytes", "largest stream node, in bytes (0 = no limit)", 0, Number.MAX_SAFE_INTEGER),
  intParam("stream-node-max-entries", "most entries of a stream node (0 = no limit)", 0, Number.MAX_SAFE_INTEGER),
  stringParam("replicaof", "follow this primary at start-up: '<host> <port>' (empty = be a primary)", { immutable: true, parse: parseReplicaOf }),
  stringParam("masterauth", "password sent to the primary"),
  stringParam("masteruser", "user name sent to the primary (AUTH user password)"),
  boolParam("replica-read-only", "a replica refuses writes from its clients (yes/no)"),
  boolParam("replica-serve-stale-data", "a replica with its link down still answers reads (yes/no)"),
  memoryParam("repl-backlog-size", "bytes of the replication stream kept for partial resyncs", 16 * 1024),
  memoryParam("repl-backlog-disk-size", "bytes of older replication stream kept on disk under dir for partial resyncs (WAL on only; 0 = off)"),
  intParam("repl-ping-replica-period", "seconds between PINGs to replicas", 1, 2_147_483_647),
  intParam("repl-timeout", "seconds without traffic before a replication link is dropped", 1, 2_147_483_647),
  intParam("min-replicas-to-write", "refuse writes unless this many replicas are connected and acking (0 = off)", 0, 2_147_483_647),
  intParam("min-replicas-max-lag", "seconds within which a replica must have acked to count", 0, 2_147_483_647),
  { ...enumParam("loglevel", `lowest level logged: ${LOG_LEVELS.join(", ")}`, LOG_LEVELS), immutable: false },
  stringParam("logfile", "file the log is appended to (empty = stdout)", { immutable: true }),
  enumParam("log-format", "log lines: redis (pid:role date level message) or json (one object per line)", ["redis", "json"]),
  intParam("shutdown-timeout", "seconds a shutdown waits for replicas to catch up (0 = no wait)", 0, 2_147_483_647),
  { ...stringParam("shutdown-on-sigterm", "what SIGTERM does: default, or save|nosave, now, force"), parse: parseShutdownFlags },
  { ...stringParam("shutdown-on-sigint", "what SIGINT does: default, or save|nosave, now, force"), parse: parseShutdownFlags },
];

const SHUTDOWN_FLAGS = ["default", "save", "nosave", "now", "force"];

/** shutdown-on-sig*: flags in Redis's order ("default" alone when none), SAVE and NOSAVE exclusive. */
function parseShutdownFlags(t: string): string | ParamError {
  const words = t.trim().toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0 || words.some((w) => !SHUTDOWN_FLAGS.includes(w))) return bad(`argument(s) must be one of the following: ${SHUTDOWN_FLAGS.join(", ")}`);
  if (words.includes("save") && words.includes("nosave")) return bad("shutdown options SAVE and NOSAVE can't be used simultaneously");
  const set = SHUTDOWN_FLAGS.slice(1).filter((f) => words.includes(f));
  return set.length === 0 ? "default" : set.join(" ");
}

/** "host port" (or empty). */
function parseReplicaOf(t: string): string | ParamError {
  const parts = t.trim().split(/\s+/).filter((x) => x !== "");
  if (parts.length === 0) return "";
  if (parts.length !== 2 || !/^\d{1,5}$/.test(parts[1]!) || Number(parts[1]) > 65535) return bad("argument must be '<host> <port>'");
  return `${parts[0]} ${parts[1]}`;
}

const SLOT_RANGE = /^(\d{1,5})-(\d{1,5})$/;

function rangeOk(a: string, b: string): boolean {
  const s = Number(a);
  const e = Number(b);
  return s <= e && e < 16384;
}

/** "start-end[,start-end]" with every range inside 0..16383. */
function parseSlotRanges(t: string): string | ParamError {
  const parts = t.split(",").map((x) => x.trim()).filter((x) => x !== "");
  if (parts.length === 0) return bad("argument must be slot ranges like 0-8191");
  for (const p of parts) {
    const m = SLOT_RANGE.exec(p);
    if (!m || !rangeOk(m[1]!, m[2]!)) return bad(`invalid slot range '${p}' (slots are 0..16383)`);
  }
  return parts.join(",");
}

/** "start-end@host:port[,...]" */
function parsePeers(t: string): string | ParamError {
  const parts = t.split(",").map((x) => x.trim()).filter((x) => x !== "");
  for (const p of parts) {
    const m = /^(\d{1,5})-(\d{1,5})@([^:@\s]+):(\d{1,5})$/.exec(p);
    if (!m || !rangeOk(m[1]!, m[2]!) || Number(m[4]) > 65535) return bad(`invalid peer '${p}' (expected start-end@host:port)`);
  }
  return parts.join(",");
}

export const PARAM_BY_NAME: ReadonlyMap<string, ParamDef> = new Map(PARAMS.map((p) => [p.name, p]));

export function defaultConfig(): ServerConfig {
  return {
    port: 6379,
    bind: "127.0.0.1",
    requirepass: "",
    maxmemory: 0,
    "maxmemory-policy": "noeviction",
    maxclients: 10000,
    "tracking-table-max-keys": 1000000,
    timeout: 0,
    "protected-mode": true,
    "client-output-buffer-limit": defaultOutputLimits(),
    "client-query-buffer-limit": 1024 * 1024 * 1024,
    "proto-max-bulk-len": 512 * 1024 * 1024,
    "slowlog-log-slower-than": 10000,
    "slowlog-max-len": 128,
    "latency-monitor-threshold": 0,
    "latency-tracking": true,
    "latency-tracking-info-percentiles": [50, 99, 99.9],
    hz: 10,
    "notify-keyspace-events": 0,
    databases: 16,
    "metrics-port": -1,
    "tls-port": 0,
    "tls-cert-file": "",
    "tls-key-file": "",
    "tls-ca-cert-file": "",
    "tls-auth-clients": "yes",
    "tls-protocols": "",
    "tls-ciphers": "",
    "tls-ciphersuites": "",
    save: "",
    appendonly: false,
    appendfsync: "everysec",
    "fsync-interval-ms": 1000,
    "wal-segment-bytes": 64 * 1024 * 1024,
    "snapshot-every-seconds": 300,
    "snapshot-min-writes": 1000,
    "wal-repair": "none",
    "snapshot-repair": "none",
    dir: "./data",
    dbfilename: "dump.rdb",
    workers: 0,
    "cluster-ports": false,
    "cluster-slots": "0-16383",
    "cluster-peers": "",
    "wal-export": "none",
    "wal-export-addr": "",
    "wal-export-token": "",
    "wal-export-format": "fcw4",
    "wal-export-max-subscribers": 16,
    "wal-export-max-pending-bytes": 64 * 1024 * 1024,
    "wal-export-connect-timeout-ms": 5000,
    "wal-export-write-timeout-ms": 30000,
    "wal-export-tls": false,
    ...DEFAULT_COLLECTION_LIMITS,
    replicaof: "",
    masterauth: "",
    masteruser: "",
    "replica-read-only": true,
    "replica-serve-stale-data": true,
    "repl-backlog-size": 1024 * 1024,
    "repl-backlog-disk-size": 256 * 1024 * 1024,
    "repl-ping-replica-period": 10,
    "repl-timeout": 60,
    "min-replicas-to-write": 0,
    "min-replicas-max-lag": 10,
    loglevel: "notice",
    logfile: "",
    "log-format": "redis",
    "shutdown-timeout": 10,
    "shutdown-on-sigterm": "default",
    "shutdown-on-sigint": "default",
  };
}
