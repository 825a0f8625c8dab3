// Options of the WAL export (docs/EXPORT.md). Every option is checked once, in `resolveExportOptions`;
// a bad value throws a TypeError or RangeError naming the option and the rule.
import type { TLSOptions } from "bun";
import type { Bytes, Milliseconds } from "../engine/types.ts";
import { MAX_LINE_BYTES, AUTH_PREFIX } from "./handshake.ts";

/** `listen`: subscribers connect to us. `connect`: we dial one collector and keep it connected. */
export type ExportMode = "listen" | "connect";
/** `fcw4`: the WAL frames of docs/WAL.md, byte for byte. `fcw2`: fast-cache 0.1.0's frame layout. */
export type ExportFormat = "fcw4" | "fcw2";

export interface WalExportOptions {
  /** Who opens the connection (--wal-export). */
  mode: ExportMode;
  /** `host:port` (`[v6]:port` for IPv6) to listen on, or of the collector to dial (--wal-export-addr). */
  address: string;
  /** When set, every connection starts with `FCWAL-AUTH/1 <token>\n` (--wal-export-token). @default none */
  token?: string;
  /** Frame layout on the wire (--wal-export-format). @default "fcw4" */
  format?: ExportFormat;
  /** listen: most subscribers connected at once, handshaking ones included. @default 16 */
  maxSubscribers?: number;
  /** Unsent bytes one subscriber may have queued before it is disconnected. @default 64 MiB */
  maxPendingBytes?: Bytes;
  /** listen: time for the auth line; connect: time to establish a connection and for the
   *  collector's `FCWAL-FROM/1` line. @default 5000 */
  connectTimeoutMs?: Milliseconds;
  /** A subscriber whose socket accepts nothing for this long is disconnected (0 = never). @default 30000 */
  writeTimeoutMs?: Milliseconds;
  /** connect: first delay before dialling again after a failure; doubles each time. @default 100 */
  backoffMinMs?: Milliseconds;
  /** connect: largest delay between two dial attempts. @default 5000 */
  backoffMaxMs?: Milliseconds;
  /** listen: how long a subscriber's stream is held for an optional `FCWAL-FROM/1` line before it
   *  starts (frames published meanwhile are kept for it, none is lost). @default 100 */
  startWaitMs?: Milliseconds;
  /** listen: serve subscribers over TLS with these server options (--wal-export-tls). @default plain TCP */
  tls?: TLSOptions;
  /** Directory of the WAL segments, read for resume (`FCWAL-FROM/1`). Without it resume is refused. */
  walDir?: string;
  /** The exporter's own shard: the one whose position `startSeq` / `start(lastSeq)` gives, and
   *  with one shard, the one every frame is taken to belong to. @default 0 */
  shard?: number;
  /** Shards the stream carries, ids 0..shards-1 (one per server worker). With several, each
   *  frame's shard field says which; `walDir` holds every shard's segments; a shard's position is
   *  known once `setShardPosition` or one of its groups arrived; resume takes FCWAL-FROM/2. @default 1 */
  shards?: number;
  /** Sequence number of the last frame already in the WAL when the exporter starts (the
   *  persistence's recovered last sequence). @default 0 */
  startSeq?: number;
  /** Receives log lines (connections, drops, failures). @default no logging */
  log?: (line: string) => void;
}

export interface ResolvedExportOptions {
  mode: ExportMode;
  host: string;
  port: number;
  token: string | undefined;
  format: ExportFormat;
  maxSubscribers: number;
  maxPendingBytes: number;
  connectTimeoutMs: number;
  writeTimeoutMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  startWaitMs: number;
  walDir: string | undefined;
  tls: TLSOptions | undefined;
  shard: number;
  shards: number;
  startSeq: number;
  log: (line: string) => void;
}

export const EXPORT_DEFAULTS = {
  format: "fcw4" as ExportFormat,
  maxSubscribers: 16,
  maxPendingBytes: 64 * 1024 * 1024,
  connectTimeoutMs: 5000,
  writeTimeoutMs: 30_000,
  backoffMinMs: 100,
  backoffMaxMs: 5000,
  startWaitMs: 100,
} as const;

/** Splits `host:port` / `[v6]:port`. Throws a TypeError naming `what` when malformed. */
export function parseHostPort(text: string, what = "address"): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`${what} must be host:port or [ipv6]:port with a port in 0..65535 (got ${JSON.stringify(text)})`);
  }
  return { host: m[1]!, port };
}

function int(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max} (got ${String(v)})`);
  }
  return v;
}

/** Longest token whose auth line still fits in MAX_LINE_BYTES (prefix, token, "\r\n"). */
export const MAX_TOKEN_BYTES = MAX_LINE_BYTES - AUTH_PREFIX.length - 2;

export function resolveExportOptions(o: WalExportOptions): ResolvedExportOptions {
  if (o.mode !== "listen" && o.mode !== "connect") {
    throw new TypeError(`mode must be listen or connect (got ${String(o.mode)})`);
  }
  const format = o.format ?? EXPORT_DEFAULTS.format;
  if (format !== "fcw4" && format !== "fcw2") throw new TypeError(`format must be fcw4 or fcw2 (got ${String(format)})`);
  const { host, port } = parseHostPort(o.address);
  if (o.mode === "connect" && port === 0) throw new RangeError("address: connect mode needs a port other than 0");
  if (o.mode === "connect" && o.tls !== undefined) throw new RangeError("tls: only listen mode serves TLS (connect mode dials plain TCP)");
  const token = o.token;
  if (token !== undefined) {
    const n = Buffer.byteLength(token);
    if (n === 0 || n > MAX_TOKEN_BYTES || /[\r\n]/.test(token)) {
      throw new RangeError(`token must be 1..${MAX_TOKEN_BYTES} bytes without CR or LF`);
    }
  }
  const d = EXPORT_DEFAULTS;
  const backoffMinMs = int("backoffMinMs", o.backoffMinMs ?? d.backoffMinMs, 1);
  const backoffMaxMs = int("backoffMaxMs", o.backoffMaxMs ?? d.backoffMaxMs, 1);
  if (backoffMaxMs < backoffMinMs) throw new RangeError("backoffMaxMs must be >= backoffMinMs");
  if ((o.shards ?? 1) > 1 && (o.shard ?? 0) >= (o.shards ?? 1)) throw new RangeError("shard must be below shards");
  return {
    mode: o.mode, host, port, token, format,
    maxSubscribers: int("maxSubscribers", o.maxSubscribers ?? d.maxSubscribers, 1, 65535),
    maxPendingBytes: int("maxPendingBytes", o.maxPendingBytes ?? d.maxPendingBytes, 1024),
    connectTimeoutMs: int("connectTimeoutMs", o.connectTimeoutMs ?? d.connectTimeoutMs, 1),
    writeTimeoutMs: int("writeTimeoutMs", o.writeTimeoutMs ?? d.writeTimeoutMs, 0),
    backoffMinMs, backoffMaxMs,
    startWaitMs: int("startWaitMs", o.startWaitMs ?? d.startWaitMs, 0),
    walDir: o.walDir,
    tls: o.tls,
    shard: int("shard", o.shard ?? 0, 0, 65535),
    shards: int("shards", o.shards ?? 1, 1, 65536),
    startSeq: int("startSeq", o.startSeq ?? 0, 0),
    log: o.log ?? ((): void => {}),
  };
}
