// The WAL export (src/export/) for the server: one stream however many workers there are. A
// single process publishes its WAL groups itself (resume from its WAL directory works). With N
// workers, worker 0 runs the exporter and the others send their groups to it over their peer link
// (`__frames`); every frame carries its shard id and that shard's own sequence number, so the
// stream interleaves shards in per-shard order. Once its WAL is recovered, each other worker also
// sends worker 0 its shard's last sequence number over the same link (a position message, see
// src/export/chunk.ts), so worker 0 knows every shard's position before any of its groups.
// Resume takes one sequence per shard (FCWAL-FROM/2) and reads each shard's segments from the
// shared --dir, where every worker writes its own shard's files.

import type { ServerConfig } from "../config/params.ts";
import { tlsOptionsOf } from "./tls.ts";
import { WalExporter } from "../export/index.ts";
import { decodeShardPosition, encodeShardPosition, groupShape } from "../export/chunk.ts";
import type { WorkerIdentity } from "./worker-plug.ts";

export interface ExportWiring {
  /** Persistence's onFrames for this process, undefined without export. */
  readonly onFrames: ((group: Uint8Array) => void) | undefined;
  /** Worker 0: groups other workers sent. */
  readonly onPeerFrames: ((group: Uint8Array) => void) | undefined;
  /** Other workers: how groups reach worker 0 (bound once the links exist). */
  forwardTo(send: (group: Uint8Array) => void): void;
  start(lastSeq: number): Promise<void>;
  stop(): Promise<void>;
  info(): string | undefined;
}

const NONE: ExportWiring = {
  onFrames: undefined,
  onPeerFrames: undefined,
  forwardTo() {},
  start: async () => {},
  stop: async () => {},
  info: () => undefined,
};

/** How often an idle worker repeats its position (so a restarted worker 0 learns it soon). */
const POSITION_EVERY_MS = 1000;

/**
 * A worker other than 0: forwards its groups to worker 0 and, after recovery, its position. It
 * repeats the position every second in which it sent no group: a worker 0 that was restarted
 * alone knows every shard's position within a second, without waiting for a write.
 */
function forwardingWorker(index: number): ExportWiring {
  let send: ((group: Uint8Array) => void) | undefined;
  let lastSeq = -1;
  let sentGroup = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const sendPosition = (): void => {
    if (!sentGroup && lastSeq >= 0) send?.(encodeShardPosition(index, lastSeq));
    sentGroup = false;
  };
  return {
    onFrames: (g) => {
      if (send === undefined) return;
      try {
        lastSeq = groupShape(g).lastSeq;
      } catch {
        // A malformed group is worker 0's to report; the position stays as it was.
      }
      sentGroup = true;
      send(g);
    },
    onPeerFrames: undefined,
    forwardTo(fn) {
      send = fn;
    },
    start: async (seq) => {
      lastSeq = Math.max(lastSeq, seq);
      sentGroup = false;
      sendPosition();
      timer = setInterval(sendPosition, POSITION_EVERY_MS);
      timer.unref();
    },
    stop: async () => clearInterval(timer),
    info: () => undefined,
  };
}

export function exportFromConfig(cfg: ServerConfig, worker: WorkerIdentity | undefined, log: (line: string) => void): ExportWiring {
  const mode = cfg["wal-export"];
  if (mode === "none") return NONE;
  if (cfg["wal-export-addr"] === "") throw new RangeError("--wal-export needs --wal-export-addr host:port");
  if (worker !== undefined && worker.index !== 0) return forwardingWorker(worker.index);
  const exp = new WalExporter({
    mode,
    address: cfg["wal-export-addr"],
    token: cfg["wal-export-token"] === "" ? undefined : cfg["wal-export-token"],
    format: cfg["wal-export-format"],
    maxSubscribers: cfg["wal-export-max-subscribers"],
    maxPendingBytes: cfg["wal-export-max-pending-bytes"],
    connectTimeoutMs: cfg["wal-export-connect-timeout-ms"],
    writeTimeoutMs: cfg["wal-export-write-timeout-ms"],
    walDir: cfg.dir,
    ...(cfg["wal-export-tls"] ? { tls: tlsOptionsOf(cfg) } : {}),
    shard: 0,
    shards: worker?.count ?? 1,
    log,
  });
  const publish = (g: Uint8Array): void => exp.publish(g);
  return {
    onFrames: publish,
    onPeerFrames: (g) => {
      const pos = decodeShardPosition(g);
      if (pos !== undefined) exp.setShardPosition(pos.shard, pos.seq);
      else exp.publish(g);
    },
    forwardTo() {},
    start: (lastSeq) => exp.start(lastSeq),
    stop: () => exp.stop(),
    info: () => exp.info().replace(/^# Walexport\r\n/, ""),
  };
}
