// The start-up banner (notice level, as redis-server's first lines): version, port, TLS port,
// workers, data directory and persistence mode. The recovery time is logged by each process
// once its data is loaded ("DB loaded from disk"), and "Ready to accept connections" once every
// worker listens.

import { availableParallelism } from "node:os";
import type { ServerConfig } from "./config/params.ts";
import type { RecoveryResult } from "./persistence/index.ts";
import { VERSION } from "./server/version.ts";

/** The banner's lines. `file` is the config file ("" = none). */
export function bannerLines(cfg: ServerConfig, workers: number, port: number, file: string): string[] {
  const cores = availableParallelism();
  const count = cfg.workers === 0 ? `${workers} (auto for ${cores} core${cores === 1 ? "" : "s"})` : String(workers);
  const wal = cfg.appendonly ? `WAL on (appendfsync ${cfg.appendfsync})` : "WAL off";
  const snapshots = cfg["snapshot-every-seconds"] > 0 ? `snapshots every ${cfg["snapshot-every-seconds"]} s after ${cfg["snapshot-min-writes"]} writes (save "${cfg.save}")` : "snapshots off";
  const tls = cfg["tls-port"] !== 0 ? `, tls-port=${cfg["tls-port"]} (client certificates: ${cfg["tls-auth-clients"]})` : ", tls-port=0";
  return [
    "oO0OoO0OoO0Oo fast-cache is starting oO0OoO0OoO0Oo",
    `fast-cache version=${VERSION}, bun=${Bun.version}, pid=${process.pid}, just started`,
    file === "" ? "No config file specified, using the default config and the command line" : `Configuration loaded from ${file}`,
    `Running mode=${workers > 1 ? "workers" : "standalone"}, port=${port}${tls}, workers=${count}`,
    `Data directory ${cfg.dir}: ${wal}, ${snapshots}`,
    `maxmemory ${cfg.maxmemory} (policy ${cfg["maxmemory-policy"]})`,
  ];
}

/** Redis's line after loading: "DB loaded from disk: 0.012 seconds" with what was read. */
export function loadedLine(r: RecoveryResult | undefined, ms: number): string {
  const s = (ms / 1000).toFixed(3);
  if (r === undefined) return `DB loaded from disk: ${s} seconds`;
  return `DB loaded from disk: ${s} seconds (${r.keys} keys from the snapshot, ${r.frames} WAL frames, ${r.bytes} bytes)`;
}
