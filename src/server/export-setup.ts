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
import { WalExporter } from "../export/index.ts";
import { decodeShardPosition, encodeShardPosition } from "../export/chunk.ts";
import type { WorkerIdentity } from "../cluster/worker.ts";

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

export function exportFromConfig(cfg: ServerConfig, worker: WorkerIdentity | undefined, log: (line: string) => void): ExportWiring {
  const mode = cfg["wal-export"];
  if (mode === "none") return NONE;
  if (cfg["wal-export-addr"] === "") throw new RangeError("--wal-export needs --wal-export-addr host:port");
  if (worker !== undefined && worker.index !== 0) {
    let send: ((group: Uint8Array) => void) | undefined;
    return {
      onFrames: (g) => send?.(g),
      onPeerFrames: undefined,
      forwardTo(fn) {
        send = fn;
      },
      // Tell worker 0 where this shard's stream starts (it may not have seen any of its groups).
      start: async (lastSeq) => void send?.(encodeShardPosition(worker.index, lastSeq)),
      stop: async () => {},
      info: () => undefined,
    };
  }
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
